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
    const char *partial; /* "" complete; "*" headers only; else the missing sections "2,3.1" */
} ols_state_item;

ols_status ols_state_open(const char *path, ols_state **out, ols_err *err);
/* For readers (status, the Notification Center): never waits for a running pass. */
ols_status ols_state_open_ro(const char *path, ols_state **out, ols_err *err);
void ols_state_close(ols_state *st);
ols_status ols_state_begin(ols_state *st, ols_err *err);
ols_status ols_state_commit(ols_state *st, ols_err *err);
ols_status ols_state_rollback(ols_state *st);

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

ols_status ols_state_item_get(ols_state *st, int64_t folder, uint32_t uid, char **local_id,
                              unsigned *flags, char **partial);

/* The fetch queue: what is still to be downloaded, by class (1 = the user is waiting,
 * 2 = priority folders, 3 = recent or small, 4 = the rest), newest first within a class.
 * It lives in the state, so memory stays bounded and a restart resumes it. */
typedef struct ols_fetchq_entry {
    int64_t id, folder;
    uint32_t uid;
    char section[64]; /* "" = the whole message */
    int prio;
    uint64_t size;
    int64_t date;
    unsigned flags;
} ols_fetchq_entry;

ols_status ols_fetchq_add(ols_state *st, const ols_fetchq_entry *e, ols_err *err);
/* Up to max entries of the best class, all of one folder, claimed for this process. */
unsigned ols_fetchq_take(ols_state *st, unsigned max, ols_fetchq_entry *out);
ols_status ols_fetchq_done(ols_state *st, int64_t id, ols_err *err);
ols_status ols_fetchq_release(ols_state *st, int64_t id, ols_err *err);
/* Claim folder/uid for an on-demand fetch: 1 when this process may fetch it now (or it is
 * not queued at all), 0 when another process holds it. */
int ols_fetchq_claim(ols_state *st, int64_t folder, uint32_t uid, int64_t *id);
/* Claims of processes that ended (kill -9), and any claim under this process's own id,
 * go back to the queue: call it before this process claims anything. */
void ols_fetchq_reclaim(ols_state *st);
/* [0] = all, [1..4] per class. */
void ols_fetchq_counts(ols_state *st, uint64_t per_class[5]);

ols_status ols_state_meta_set(ols_state *st, const char *key, const char *value);
char *ols_state_meta_get(ols_state *st, const char *key);

/* Crash-test hook: every call counts a step; when OLSYNC_CRASH_AT=N the Nth step ends the
 * process at once, as kill -9 would. */
void ols_state_step(const char *what);

#endif
