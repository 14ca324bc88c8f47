/* SQLite-backed sync state. Every statement is bounded and every error named. */
#include "state.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "olsync/log.h"
#include "plat/plat.h"

#define THRESHOLD_FAILURES 3

struct ols_state {
    sqlite3 *db;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS folder(id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL,"
    " remote TEXT NOT NULL, kind TEXT NOT NULL DEFAULT '', uidvalidity INTEGER NOT NULL DEFAULT 0,"
    " uidnext INTEGER NOT NULL DEFAULT 0, highestmodseq INTEGER NOT NULL DEFAULT 0,"
    " incremental INTEGER NOT NULL DEFAULT 0, last_sync INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS item(folder INTEGER NOT NULL REFERENCES folder(id) ON DELETE "
    "CASCADE, uid INTEGER NOT NULL, local_id TEXT NOT NULL, flags INTEGER NOT NULL,"
    " size INTEGER NOT NULL DEFAULT 0, partial TEXT NOT NULL DEFAULT '', PRIMARY KEY(folder, uid));"
    "CREATE INDEX IF NOT EXISTS item_local ON item(local_id);"
    "CREATE TABLE IF NOT EXISTS journal(seq INTEGER PRIMARY KEY, folder INTEGER NOT NULL "
    "REFERENCES folder(id) ON DELETE CASCADE, local_id TEXT NOT NULL, message_id TEXT NOT NULL,"
    " size INTEGER NOT NULL, uidnext INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS ignored(folder INTEGER NOT NULL REFERENCES folder(id) ON DELETE "
    "CASCADE, key TEXT NOT NULL, reason TEXT NOT NULL, failures INTEGER NOT NULL,"
    " since INTEGER NOT NULL, PRIMARY KEY(folder, key));"
    "CREATE TABLE IF NOT EXISTS fetchq(id INTEGER PRIMARY KEY, folder INTEGER NOT NULL "
    "REFERENCES folder(id) ON DELETE CASCADE, uid INTEGER NOT NULL, section TEXT NOT NULL,"
    " prio INTEGER NOT NULL, size INTEGER NOT NULL, date INTEGER NOT NULL, flags INTEGER NOT NULL,"
    " owner INTEGER NOT NULL DEFAULT 0, UNIQUE(folder, uid, section));"
    "CREATE INDEX IF NOT EXISTS fetchq_order ON fetchq(prio, date DESC, id);"
    "INSERT OR IGNORE INTO meta VALUES('schema', '1');";

static ols_status db_err(ols_state *st, ols_err *err, const char *what)
{
    int code = sqlite3_errcode(st->db);
    ols_status s = (code == SQLITE_FULL) ? OLS_ENOSPC : (code == SQLITE_BUSY) ? OLS_EBUSY : OLS_EIO;
    return ols_err_set(err, s, "sync state: %s: %s", what, sqlite3_errmsg(st->db));
}

/* The schema is there when the fetch queue (the newest table) is. */
static int schema_ready(ols_state *st)
{
    sqlite3_stmt *s = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fetchq'",
                           -1, &s, NULL) == SQLITE_OK)
        ok = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return ok;
}

ols_status ols_state_open(const char *path, ols_state **out, ols_err *err)
{
    ols_state *st = calloc(1, sizeof *st);
    char *msg = NULL;
    if (!st)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        ols_err_set(err, OLS_EIO, "cannot open sync state %s: %s", path,
                    st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite3_close(st->db);
        free(st);
        return OLS_EIO;
    }
    sqlite3_busy_timeout(st->db, 10000);
    if (schema_ready(st))
        goto done; /* no write: opening never waits behind a running pass */
    if (sqlite3_exec(st->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        ols_err_set(err, OLS_EIO, "sync state %s: %s", path, msg ? msg : "schema failed");
        sqlite3_free(msg);
        sqlite3_close(st->db);
        free(st);
        return OLS_EIO;
    }
done:
    sqlite3_exec(st->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    *out = st;
    return OLS_OK;
}

ols_status ols_state_open_ro(const char *path, ols_state **out, ols_err *err)
{
    ols_state *st = calloc(1, sizeof *st);
    if (!st)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        ols_err_set(err, OLS_EIO, "cannot read sync state %s: %s", path,
                    st->db ? sqlite3_errmsg(st->db) : "out of memory");
        sqlite3_close(st->db);
        free(st);
        return OLS_EIO;
    }
    sqlite3_busy_timeout(st->db, 10000);
    *out = st;
    return OLS_OK;
}

void ols_state_close(ols_state *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st);
}

static ols_status exec(ols_state *st, const char *sql, ols_err *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_err(st, err, sql);
    return OLS_OK;
}

ols_status ols_state_begin(ols_state *st, ols_err *err) { return exec(st, "BEGIN IMMEDIATE", err); }
ols_status ols_state_commit(ols_state *st, ols_err *err) { return exec(st, "COMMIT", err); }
ols_status ols_state_rollback(ols_state *st) { return exec(st, "ROLLBACK", NULL); }

static sqlite3_stmt *prep(ols_state *st, const char *sql, ols_err *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        db_err(st, err, "prepare");
        return NULL;
    }
    return s;
}

static void copy_text(char *dst, size_t n, const unsigned char *src)
{
    snprintf(dst, n, "%s", src ? (const char *)src : "");
}

static void row_folder(sqlite3_stmt *s, ols_state_folder *f)
{
    f->id = sqlite3_column_int64(s, 0);
    copy_text(f->path, sizeof f->path, sqlite3_column_text(s, 1));
    copy_text(f->remote, sizeof f->remote, sqlite3_column_text(s, 2));
    copy_text(f->kind, sizeof f->kind, sqlite3_column_text(s, 3));
    f->uidvalidity = (uint32_t)sqlite3_column_int64(s, 4);
    f->uidnext = (uint32_t)sqlite3_column_int64(s, 5);
    f->highestmodseq = (uint64_t)sqlite3_column_int64(s, 6);
    f->incremental = (unsigned)sqlite3_column_int(s, 7);
    f->last_sync = sqlite3_column_int64(s, 8);
}

#define FOLDER_COLS "id, path, remote, kind, uidvalidity, uidnext, highestmodseq, incremental, last_sync"

ols_status ols_state_folders(ols_state *st, int (*cb)(void *ctx, const ols_state_folder *f),
                             void *ctx, ols_err *err)
{
    sqlite3_stmt *s = prep(st, "SELECT " FOLDER_COLS " FROM folder ORDER BY path", err);
    ols_state_folder f;
    int rc;
    if (!s)
        return OLS_EIO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        row_folder(s, &f);
        if (cb(ctx, &f))
            break;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "list folders");
}

ols_status ols_state_folder_get(ols_state *st, const char *path, ols_state_folder *out,
                                ols_err *err)
{
    sqlite3_stmt *s = prep(st, "SELECT " FOLDER_COLS " FROM folder WHERE path = ?", err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        row_folder(s, out);
    sqlite3_finalize(s);
    if (rc == SQLITE_ROW)
        return OLS_OK;
    if (rc == SQLITE_DONE)
        return OLS_ENOENT;
    return db_err(st, err, "get folder");
}

ols_status ols_state_folder_put(ols_state *st, ols_state_folder *f, ols_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO folder(path, remote, kind, uidvalidity, uidnext, "
                           "highestmodseq, incremental, last_sync) VALUES(?,?,?,?,?,?,?,?) "
                           "ON CONFLICT(path) DO UPDATE SET remote=excluded.remote, "
                           "kind=excluded.kind, uidvalidity=excluded.uidvalidity, "
                           "uidnext=excluded.uidnext, highestmodseq=excluded.highestmodseq, "
                           "incremental=excluded.incremental, last_sync=excluded.last_sync",
                           err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_text(s, 1, f->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, f->remote, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, f->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, f->uidvalidity);
    sqlite3_bind_int64(s, 5, f->uidnext);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)f->highestmodseq);
    sqlite3_bind_int(s, 7, (int)f->incremental);
    sqlite3_bind_int64(s, 8, f->last_sync);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return db_err(st, err, "save folder");
    if (!f->id) {
        ols_state_folder g;
        if (ols_state_folder_get(st, f->path, &g, err) == OLS_OK)
            f->id = g.id;
    }
    return OLS_OK;
}

ols_status ols_state_folder_rename(ols_state *st, int64_t id, const char *path,
                                   const char *remote, ols_err *err)
{
    sqlite3_stmt *s = prep(st, "UPDATE folder SET path = ?, remote = ? WHERE id = ?", err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_text(s, 1, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, remote, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, id);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "rename folder");
}

static ols_status exec_id(ols_state *st, const char *sql, int64_t id, ols_err *err)
{
    sqlite3_stmt *s = prep(st, sql, err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? OLS_OK : db_err(st, err, sql);
}

ols_status ols_state_folder_drop(ols_state *st, int64_t id, ols_err *err)
{
    return exec_id(st, "DELETE FROM folder WHERE id = ?", id, err);
}

ols_status ols_state_items(ols_state *st, int64_t folder,
                           int (*cb)(void *ctx, const ols_state_item *it), void *ctx, ols_err *err)
{
    sqlite3_stmt *s = prep(
        st, "SELECT uid, local_id, flags, size, partial FROM item WHERE folder = ? ORDER BY uid",
        err);
    ols_state_item it;
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, folder);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        it.uid = (uint32_t)sqlite3_column_int64(s, 0);
        it.local_id = (const char *)sqlite3_column_text(s, 1);
        it.flags = (unsigned)sqlite3_column_int(s, 2);
        it.size = (uint64_t)sqlite3_column_int64(s, 3);
        it.partial = (const char *)sqlite3_column_text(s, 4);
        if (cb(ctx, &it))
            break;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "list items");
}

ols_status ols_state_item_put(ols_state *st, int64_t folder, const ols_state_item *it,
                              ols_err *err)
{
    sqlite3_stmt *s = prep(st, "INSERT OR REPLACE INTO item(folder, uid, local_id, flags, size, "
                               "partial) VALUES(?,?,?,?,?,?)",
                           err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, folder);
    sqlite3_bind_int64(s, 2, it->uid);
    sqlite3_bind_text(s, 3, it->local_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, (int)it->flags);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)it->size);
    sqlite3_bind_text(s, 6, it->partial ? it->partial : "", -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "save item");
}

ols_status ols_state_item_del(ols_state *st, int64_t folder, uint32_t uid, ols_err *err)
{
    sqlite3_stmt *s = prep(st, "DELETE FROM item WHERE folder = ? AND uid = ?", err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, folder);
    sqlite3_bind_int64(s, 2, uid);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "delete item");
}

int64_t ols_state_folder_of_local(ols_state *st, const char *local_id, int64_t except)
{
    sqlite3_stmt *s =
        prep(st, "SELECT folder FROM item WHERE local_id = ? AND folder != ? LIMIT 1", NULL);
    int64_t r = 0;
    if (!s)
        return 0;
    sqlite3_bind_text(s, 1, local_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, except);
    if (sqlite3_step(s) == SQLITE_ROW)
        r = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return r;
}

ols_status ols_state_item_count(ols_state *st, int64_t folder, uint64_t *n)
{
    sqlite3_stmt *s = prep(st, "SELECT count(*) FROM item WHERE folder = ?", NULL);
    *n = 0;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, folder);
    if (sqlite3_step(s) == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return OLS_OK;
}

ols_status ols_state_journal_add(ols_state *st, const ols_state_journal *j, int64_t *seq,
                                 ols_err *err)
{
    sqlite3_stmt *s = prep(st, "INSERT INTO journal(folder, local_id, message_id, size, uidnext) "
                               "VALUES(?,?,?,?,?)",
                           err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, j->folder);
    sqlite3_bind_text(s, 2, j->local_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, j->message_id ? j->message_id : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)j->size);
    sqlite3_bind_int64(s, 5, j->uidnext);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return db_err(st, err, "journal");
    *seq = sqlite3_last_insert_rowid(st->db);
    return OLS_OK;
}

ols_status ols_state_journal_done(ols_state *st, int64_t seq, ols_err *err)
{
    return exec_id(st, "DELETE FROM journal WHERE seq = ?", seq, err);
}

ols_status ols_state_journal_list(ols_state *st, int64_t folder,
                                  int (*cb)(void *ctx, const ols_state_journal *j), void *ctx,
                                  ols_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT seq, folder, local_id, message_id, size, uidnext FROM journal "
                           "WHERE folder = ? ORDER BY seq",
                           err);
    ols_state_journal j;
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, folder);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        j.seq = sqlite3_column_int64(s, 0);
        j.folder = sqlite3_column_int64(s, 1);
        j.local_id = (const char *)sqlite3_column_text(s, 2);
        j.message_id = (const char *)sqlite3_column_text(s, 3);
        j.size = (uint64_t)sqlite3_column_int64(s, 4);
        j.uidnext = (uint32_t)sqlite3_column_int64(s, 5);
        if (cb(ctx, &j))
            break;
    }
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "journal list");
}

unsigned ols_state_fail(ols_state *st, int64_t folder, const char *key, const char *reason)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO ignored(folder, key, reason, failures, since) "
                           "VALUES(?,?,?,1,strftime('%s','now')) ON CONFLICT(folder, key) DO "
                           "UPDATE SET failures = failures + 1, reason = excluded.reason",
                           NULL);
    unsigned n = 0;
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, folder);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, reason, -1, SQLITE_TRANSIENT);
    sqlite3_step(s);
    sqlite3_finalize(s);
    s = prep(st, "SELECT failures FROM ignored WHERE folder = ? AND key = ?", NULL);
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, folder);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        n = (unsigned)sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return n;
}

int ols_state_is_ignored(ols_state *st, int64_t folder, const char *key)
{
    sqlite3_stmt *s = prep(st, "SELECT failures FROM ignored WHERE folder = ? AND key = ?", NULL);
    int r = 0;
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, folder);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        r = sqlite3_column_int(s, 0) >= THRESHOLD_FAILURES;
    sqlite3_finalize(s);
    return r;
}

ols_status ols_state_ignored_list(ols_state *st,
                                  int (*cb)(void *ctx, const char *folder, const char *key,
                                            const char *reason, unsigned failures),
                                  void *ctx, ols_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "SELECT f.path, i.key, i.reason, i.failures FROM ignored i JOIN "
                           "folder f ON f.id = i.folder WHERE i.failures >= 3 ORDER BY f.path, "
                           "i.key",
                           err);
    int rc;
    if (!s)
        return OLS_EIO;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (cb(ctx, (const char *)sqlite3_column_text(s, 0),
               (const char *)sqlite3_column_text(s, 1), (const char *)sqlite3_column_text(s, 2),
               (unsigned)sqlite3_column_int(s, 3)))
            break;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "ignored list");
}

int ols_state_ignored_reset(ols_state *st, const char *folder_path)
{
    sqlite3_stmt *s = prep(st,
                           folder_path ? "DELETE FROM ignored WHERE folder IN (SELECT id FROM "
                                         "folder WHERE path = ?)"
                                       : "DELETE FROM ignored",
                           NULL);
    int n;
    if (!s)
        return -1;
    if (folder_path)
        sqlite3_bind_text(s, 1, folder_path, -1, SQLITE_TRANSIENT);
    sqlite3_step(s);
    sqlite3_finalize(s);
    n = sqlite3_changes(st->db);
    return n;
}

void ols_state_step(const char *what)
{
    static atomic_long count;
    long crash_at, n;
    const char *e = getenv("OLSYNC_CRASH_AT");
    crash_at = e ? atol(e) : 0;
    n = atomic_fetch_add(&count, 1) + 1;
    if (crash_at > 0 && n == crash_at) {
        fprintf(stderr, "olsync: crash test: stopping at step %ld (%s)\n", n, what);
        fflush(stderr);
        _Exit(137);
    }
}

/* ---- the fetch queue ---- */
ols_status ols_state_item_get(ols_state *st, int64_t folder, uint32_t uid, char **local_id,
                              unsigned *flags, char **partial)
{
    sqlite3_stmt *s =
        prep(st, "SELECT local_id, flags, partial FROM item WHERE folder = ? AND uid = ?", NULL);
    ols_status r = OLS_ENOENT;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, folder);
    sqlite3_bind_int64(s, 2, uid);
    if (sqlite3_step(s) == SQLITE_ROW) {
        if (local_id)
            *local_id = strdup((const char *)sqlite3_column_text(s, 0));
        if (flags)
            *flags = (unsigned)sqlite3_column_int(s, 1);
        if (partial)
            *partial = strdup((const char *)sqlite3_column_text(s, 2));
        r = OLS_OK;
    }
    sqlite3_finalize(s);
    return r;
}

ols_status ols_fetchq_add(ols_state *st, const ols_fetchq_entry *e, ols_err *err)
{
    sqlite3_stmt *s = prep(st,
                           "INSERT INTO fetchq(folder, uid, section, prio, size, date, flags) "
                           "VALUES(?,?,?,?,?,?,?) ON CONFLICT(folder, uid, section) DO UPDATE "
                           "SET prio = min(prio, excluded.prio)",
                           err);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_int64(s, 1, e->folder);
    sqlite3_bind_int64(s, 2, e->uid);
    sqlite3_bind_text(s, 3, e->section, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 4, e->prio);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)e->size);
    sqlite3_bind_int64(s, 6, e->date);
    sqlite3_bind_int(s, 7, (int)e->flags);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? OLS_OK : db_err(st, err, "queue");
}

/* Entries owned by a process that is gone go back to the queue. */
void ols_fetchq_reclaim(ols_state *st)
{
    sqlite3_stmt *s = prep(st, "SELECT DISTINCT owner FROM fetchq WHERE owner != 0", NULL);
    int64_t owners[64];
    int n = 0, i;
    if (!s)
        return;
    while (n < 64 && sqlite3_step(s) == SQLITE_ROW)
        owners[n++] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    for (i = 0; i < n; i++) {
        if (owners[i] != (int64_t)ols_process_id() && ols_process_alive((uint32_t)owners[i]))
            continue;
        s = prep(st, "UPDATE fetchq SET owner = 0 WHERE owner = ?", NULL);
        if (!s)
            return;
        sqlite3_bind_int64(s, 1, owners[i]);
        sqlite3_step(s);
        sqlite3_finalize(s);
    }
}

unsigned ols_fetchq_take(ols_state *st, unsigned max, ols_fetchq_entry *out)
{
    sqlite3_stmt *s;
    unsigned n = 0;
    int64_t folder = 0;
    int prio = 0;
    s = prep(st,
             "SELECT id, folder, uid, section, prio, size, date, flags FROM fetchq WHERE owner = 0 "
             "ORDER BY prio, date DESC, id LIMIT ?",
             NULL);
    if (!s)
        return 0;
    sqlite3_bind_int(s, 1, (int)(max * 4)); /* the same folder and class, in queue order */
    while (n < max && sqlite3_step(s) == SQLITE_ROW) {
        ols_fetchq_entry *e = &out[n];
        int64_t f = sqlite3_column_int64(s, 1);
        int p = sqlite3_column_int(s, 4);
        if (n && (f != folder || p != prio))
            break;
        folder = f;
        prio = p;
        e->id = sqlite3_column_int64(s, 0);
        e->folder = f;
        e->uid = (uint32_t)sqlite3_column_int64(s, 2);
        snprintf(e->section, sizeof e->section, "%s", (const char *)sqlite3_column_text(s, 3));
        e->prio = p;
        e->size = (uint64_t)sqlite3_column_int64(s, 5);
        e->date = sqlite3_column_int64(s, 6);
        e->flags = (unsigned)sqlite3_column_int(s, 7);
        n++;
    }
    sqlite3_finalize(s);
    {
        unsigned i, kept = 0;
        for (i = 0; i < n; i++) { /* claim them; another process may have been faster */
            s = prep(st, "UPDATE fetchq SET owner = ? WHERE id = ? AND owner = 0", NULL);
            if (!s)
                break;
            sqlite3_bind_int64(s, 1, ols_process_id());
            sqlite3_bind_int64(s, 2, out[i].id);
            sqlite3_step(s);
            if (sqlite3_changes(st->db) == 1)
                out[kept++] = out[i];
            sqlite3_finalize(s);
        }
        n = kept;
    }
    return n;
}

ols_status ols_fetchq_done(ols_state *st, int64_t id, ols_err *err)
{
    return exec_id(st, "DELETE FROM fetchq WHERE id = ?", id, err);
}

ols_status ols_fetchq_release(ols_state *st, int64_t id, ols_err *err)
{
    return exec_id(st, "UPDATE fetchq SET owner = 0 WHERE id = ?", id, err);
}

int ols_fetchq_claim(ols_state *st, int64_t folder, uint32_t uid, int64_t *id)
{
    sqlite3_stmt *s = prep(st, "SELECT id, owner FROM fetchq WHERE folder = ? AND uid = ?", NULL);
    int64_t owner = -1;
    *id = 0;
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, folder);
    sqlite3_bind_int64(s, 2, uid);
    if (sqlite3_step(s) == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        owner = sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    if (!*id)
        return 1; /* not queued: free to fetch */
    if (owner != 0 && owner != (int64_t)ols_process_id())
        return 0; /* another process is on it */
    s = prep(st, "UPDATE fetchq SET owner = ? WHERE id = ? AND owner IN (0, ?)", NULL);
    if (!s)
        return 0;
    sqlite3_bind_int64(s, 1, ols_process_id());
    sqlite3_bind_int64(s, 2, *id);
    sqlite3_bind_int64(s, 3, ols_process_id());
    sqlite3_step(s);
    sqlite3_finalize(s);
    return sqlite3_changes(st->db) == 1;
}

void ols_fetchq_counts(ols_state *st, uint64_t per_class[5])
{
    sqlite3_stmt *s = prep(st, "SELECT prio, count(*) FROM fetchq GROUP BY prio", NULL);
    memset(per_class, 0, 5 * sizeof *per_class);
    if (!s)
        return;
    while (sqlite3_step(s) == SQLITE_ROW) {
        int p = sqlite3_column_int(s, 0);
        if (p >= 1 && p <= 4)
            per_class[p] += (uint64_t)sqlite3_column_int64(s, 1);
        per_class[0] += (uint64_t)sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
}

ols_status ols_state_meta_set(ols_state *st, const char *key, const char *value)
{
    sqlite3_stmt *s = prep(st, "INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", NULL);
    int rc;
    if (!s)
        return OLS_EIO;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, value, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? OLS_OK : OLS_EIO;
}

char *ols_state_meta_get(ols_state *st, const char *key)
{
    sqlite3_stmt *s = prep(st, "SELECT value FROM meta WHERE key = ?", NULL);
    char *r = NULL;
    if (!s)
        return NULL;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW)
        r = strdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return r;
}
