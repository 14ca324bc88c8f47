/* Crash-safe sync state in SQLite (WAL): folders, UID <-> local id maps, the journal of
 * uploads in flight, and the ignore list. */
#ifndef OLS_SYNC_STATE_H
#define OLS_SYNC_STATE_H

#include <stdint.h>

#include "olsync/status.h"

typedef struct ols_state ols_state;

typedef struct ols_state_folder {
    int64_t id;
    char path[1024];   /* local path, UTF-8, '/'-separated */
    char remote[1024]; /* server name, modified UTF-7 */
    char kind[32];
    uint32_t uidvalidity, uidnext;
    uint64_t highestmodseq;
    unsigned incremental; /* incremental syncs since the last full one */
    int64_t last_sync;
} ols_state_folder;

typedef struct ols_state_item {
    uint32_t uid;
    const char *local_id;
    unsigned flags; /* the flags both sides agreed on last time (the merge base) */
    uint64_t size;
} ols_state_item;

ols_status ols_state_open(const char *path, ols_state **out, ols_err *err);
void ols_state_close(ols_state *st);
ols_status ols_state_begin(ols_state *st, ols_err *err);
ols_status ols_state_commit(ols_state *st, ols_err *err);

ols_status ols_state_folders(ols_state *st, int (*cb)(void *ctx, const ols_state_folder *f),
                             void *ctx, ols_err *err);
/* ENOENT if unknown. */
ols_status ols_state_folder_get(ols_state *st, const char *path, ols_state_folder *out,
                                ols_err *err);
/* Insert or update by path; f->id is filled on insert. */
ols_status ols_state_folder_put(ols_state *st, ols_state_folder *f, ols_err *err);
ols_status ols_state_folder_rename(ols_state *st, int64_t id, const char *path,
                                   const char *remote, ols_err *err);
/* Forget a folder with its items, journal and ignore entries. */
ols_status ols_state_folder_drop(ols_state *st, int64_t id, ols_err *err);

ols_status ols_state_items(ols_state *st, int64_t folder,
                           int (*cb)(void *ctx, const ols_state_item *it), void *ctx,
                           ols_err *err);
ols_status ols_state_item_put(ols_state *st, int64_t folder, const ols_state_item *it,
                              ols_err *err);
ols_status ols_state_item_del(ols_state *st, int64_t folder, uint32_t uid, ols_err *err);
/* Folder that maps local id (other than `except`), or 0. */
int64_t ols_state_folder_of_local(ols_state *st, const char *local_id, int64_t except);
ols_status ols_state_item_count(ols_state *st, int64_t folder, uint64_t *n);

/* Journal of uploads: written before the APPEND, removed when its UID is recorded. */
typedef struct ols_state_journal {
    int64_t seq, folder;
    const char *local_id;
    const char *message_id; /* may be "" */
    uint64_t size;
    uint32_t uidnext; /* the folder's UIDNEXT before the APPEND */
} ols_state_journal;

ols_status ols_state_journal_add(ols_state *st, const ols_state_journal *j, int64_t *seq,
                                 ols_err *err);
ols_status ols_state_journal_done(ols_state *st, int64_t seq, ols_err *err);
ols_status ols_state_journal_list(ols_state *st, int64_t folder,
                                  int (*cb)(void *ctx, const ols_state_journal *j), void *ctx,
                                  ols_err *err);

/* Ignore list: an item failing three times is skipped until reset. key is "uid:N" or
 * "local:ID". Returns the failure count after this one. */
unsigned ols_state_fail(ols_state *st, int64_t folder, const char *key, const char *reason);
int ols_state_is_ignored(ols_state *st, int64_t folder, const char *key);
ols_status ols_state_ignored_list(ols_state *st,
                                  int (*cb)(void *ctx, const char *folder, const char *key,
                                            const char *reason, unsigned failures),
                                  void *ctx, ols_err *err);
/* folder NULL = all. Returns the number of entries removed. */
int ols_state_ignored_reset(ols_state *st, const char *folder_path);

/* Crash-test hook: every call counts a step; when OLSYNC_CRASH_AT=N the Nth step ends the
 * process at once, as kill -9 would. */
void ols_state_step(const char *what);

#endif
