/* Two-way sync of an IMAP account with a local store (olsync/store.h). */
#ifndef OLSYNC_SYNC_H
#define OLSYNC_SYNC_H

#include <stdint.h>

#include "olsync/imap.h"
#include "olsync/status.h"
#include "olsync/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ols_conflict { OLS_CONFLICT_SERVER = 0, OLS_CONFLICT_CLIENT } ols_conflict;

/* What a new message brings down at once (the rest on demand, `olsync fetch`). */
typedef enum ols_download_mode {
    OLS_DL_FULL = 0, /* whole messages */
    OLS_DL_HEADERS,  /* header and structure; the body stands in as message/external-body */
    OLS_DL_CUSTOM    /* whole up to the threshold; larger: header and readable text parts */
} ols_download_mode;

/* "full" / "headers" / "custom" -> mode, -1 if unknown. */
int ols_download_mode_parse(const char *s);

/* Counters the Notification Center and `olsync status` show. */
typedef struct ols_sync_progress {
    const char *folder;   /* folder being synced, NULL between folders */
    unsigned folders_done, folders_total;
    uint64_t down_done, down_total; /* messages */
    uint64_t internal_done, internal_total; /* fetched / written to the local store */
    uint64_t up_done, up_total;
    uint64_t bytes_in, bytes_out;   /* on the wire */
    uint64_t elapsed_ms;
} ols_sync_progress;

typedef struct ols_sync_report {
    unsigned folders, folders_created_local, folders_created_remote;
    unsigned folders_deleted_local, folders_deleted_remote, folders_renamed;
    uint64_t downloaded, uploaded, flags_local, flags_remote;
    uint64_t deleted_local, deleted_remote, moved, adopted, failed, ignored;
    uint64_t queued, partial; /* downloads waiting in the queue; stand-ins written */
    unsigned tripped;  /* folders the mass-deletion guard stopped */
    char tripped_names[512];
    uint64_t bytes_in, bytes_out, body_fetches;
} ols_sync_report;

typedef struct ols_sync_opts {
    const ols_imap_config *imap;
    ols_store *store;
    const char *state_path;
    ols_conflict conflict;
    int force;              /* let the mass-deletion guard pass */
    int full;               /* ignore QRESYNC state this time */
    unsigned full_every;    /* a full sync after this many incremental ones (0 = 10) */
    unsigned guard_percent; /* 0 = 25 */
    unsigned guard_min;     /* 0 = 10 */
    const char *only_folder; /* NULL = all */
    ols_download_mode mode;
    uint64_t threshold;     /* custom mode: bytes */
    int no_drain;           /* queue downloads but leave them for a later pass */
    unsigned connections;   /* IMAP connections draining the queue at once (0 = 1); each
                             * has its own state handle; the store must allow concurrent
                             * writers to different items (Maildir does) */
    void (*progress)(void *ctx, const ols_sync_progress *p);
    void *progress_ctx;
    int (*cancelled)(void *ctx);
    void *cancel_ctx;
} ols_sync_opts;

/* One pass over every folder. Returns OLS_OK when every folder synced; OLS_EBUSY when the
 * mass-deletion guard stopped a folder (report->tripped); other errors stop the pass. */
ols_status ols_sync_run(const ols_sync_opts *o, ols_sync_report *report, ols_err *err);

/* Fetch one message (or one part, section != NULL) now, ahead of everything queued, into
 * the store; a stand-in is filled in place. *where gets the store's id of the item. */
ols_status ols_sync_fetch(const ols_sync_opts *o, const char *folder, uint32_t uid,
                          const char *section, char **where, ols_err *err);

/* Folders never synced, like the reference product: drafts and the outbox stay local. */
int ols_sync_folder_excluded(const char *path, unsigned imap_flags);

#ifdef __cplusplus
}
#endif
#endif
