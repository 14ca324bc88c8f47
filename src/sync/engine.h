/* Internals shared by the sync engine's files. */
#ifndef OLS_SYNC_ENGINE_H
#define OLS_SYNC_ENGINE_H

#include "olsync/imap.h"
#include "olsync/store.h"
#include "olsync/sync.h"
#include "state.h"
#include "uidset.h"

typedef struct local_home {
    char *id;
    unsigned folder; /* index into eng.homes_paths */
} local_home;

typedef struct eng {
    const ols_sync_opts *o;
    ols_imap *im;
    ols_state *st;
    ols_store *store;
    ols_sync_report *rep;
    ols_sync_progress prog;
    uint64_t start_ms, last_progress_ms;
    unsigned guard_pct, guard_min, full_every;
    char delim;
    /* where every local item is now, to tell a local move from a deletion */
    local_home *homes;
    size_t nhomes;
    char **homes_paths;
    size_t npaths;
} eng;

/* Downloads (fetch.c). */
ols_status ols_sync_drain(eng *e, ols_err *err);
ols_status ols_sync_fetch_partial(eng *e, const ols_state_folder *f, ols_store_folder *sf,
                                  uint32_t uidvalidity, uint32_t uid, unsigned flags,
                                  int headers_only, const char *also, const char *missing,
                                  const char *replace_id, char **where, ols_err *err);
ols_status ols_sync_fetch_whole(eng *e, const ols_state_folder *f, ols_store_folder *sf,
                                uint32_t uidvalidity, uint32_t uid, unsigned flags,
                                uint64_t size, const char *replace_id, char **where,
                                ols_err *err);

/* The folder (path) a local item id lives in now, or NULL. */
const char *ols_sync_local_home(eng *e, const char *id);

/* Sync the items of one folder whose state row is f (f->id set). */
ols_status ols_sync_mailbox(eng *e, ols_state_folder *f, ols_err *err);
void ols_sync_progress_tick(eng *e, int force);
/* Flush the store, then commit the state: an item is never recorded before it is durable.
 * If the flush fails the state changes are rolled back (the item tags recover them). */
ols_status ols_sync_commit(eng *e, ols_err *err);
int ols_sync_cancelled(eng *e);

#endif
