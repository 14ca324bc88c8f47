/* IMAP client: connection set-up, capabilities, and the commands the sync engine needs.
 * Every extension is optional; callers check ols_imap_caps() and fall back. */
#ifndef OLSYNC_IMAP_H
#define OLSYNC_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/net.h"
#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ols_imap ols_imap;

/* Capability bits (ols_imap_caps). */
#define OLS_CAP_IDLE (1ull << 0)
#define OLS_CAP_CONDSTORE (1ull << 1)
#define OLS_CAP_QRESYNC (1ull << 2)
#define OLS_CAP_UIDPLUS (1ull << 3)
#define OLS_CAP_MOVE (1ull << 4)
#define OLS_CAP_ESEARCH (1ull << 5)
#define OLS_CAP_LITERALPLUS (1ull << 6)
#define OLS_CAP_LITERALMINUS (1ull << 7)
#define OLS_CAP_ENABLE (1ull << 8)
#define OLS_CAP_ID (1ull << 9)
#define OLS_CAP_SPECIAL_USE (1ull << 10)
#define OLS_CAP_LIST_STATUS (1ull << 11)
#define OLS_CAP_METADATA (1ull << 12)
#define OLS_CAP_ACL (1ull << 13)
#define OLS_CAP_QUOTA (1ull << 14)
#define OLS_CAP_BINARY (1ull << 15)
#define OLS_CAP_COMPRESS (1ull << 16)
#define OLS_CAP_NAMESPACE (1ull << 17)
#define OLS_CAP_UNSELECT (1ull << 18)
#define OLS_CAP_LIST_EXTENDED (1ull << 19)
#define OLS_CAP_MULTIAPPEND (1ull << 20)
#define OLS_CAP_NOTIFY (1ull << 21)
#define OLS_CAP_SASL_IR (1ull << 22)
#define OLS_CAP_AUTH_PLAIN (1ull << 23)
#define OLS_CAP_STARTTLS (1ull << 24)
#define OLS_CAP_LOGINDISABLED (1ull << 25)

typedef struct ols_imap_config {
    const char *host;
    uint16_t port;
    ols_security security;
    ols_tls_config tls;
    const char *user;
    const char *password;
    uint32_t timeout_ms;   /* 0 = 60 s */
    int no_compress;       /* do not ask for COMPRESS=DEFLATE */
    uint64_t ignore_caps;  /* pretend the server lacks these (tests, broken servers) */
    const char *trace;     /* log channel for protocol traces, NULL = none */
} ols_imap_config;

/* Connect, TLS or STARTTLS (fail closed: no credential is ever sent in the clear unless
 * security is OLS_SEC_PLAIN), CAPABILITY, LOGIN or AUTHENTICATE PLAIN, ENABLE QRESYNC,
 * COMPRESS=DEFLATE, ID. On failure nothing is left open. */
ols_status ols_imap_connect(const ols_imap_config *cfg, ols_imap **out, ols_err *err);
void ols_imap_close(ols_imap *im); /* LOGOUT if possible, then free */
uint64_t ols_imap_caps(ols_imap *im);
ols_conn *ols_imap_conn(ols_imap *im); /* for statistics */

/* ---- folders ---- */
#define OLS_FOLDER_NOSELECT (1u << 0)
#define OLS_FOLDER_NONEXISTENT (1u << 1)
#define OLS_FOLDER_HASCHILDREN (1u << 2)
#define OLS_FOLDER_SUBSCRIBED (1u << 3)
#define OLS_FOLDER_OTHER_USERS (1u << 4) /* in the other users' namespace (NAMESPACE) */
#define OLS_FOLDER_SHARED (1u << 5)      /* in the shared namespace */
#define OLS_FOLDER_SENT (1u << 8)
#define OLS_FOLDER_DRAFTS (1u << 9)
#define OLS_FOLDER_TRASH (1u << 10)
#define OLS_FOLDER_JUNK (1u << 11)
#define OLS_FOLDER_ARCHIVE (1u << 12)
#define OLS_FOLDER_ALL (1u << 13)
#define OLS_FOLDER_FLAGGED (1u << 14)

typedef struct ols_imap_folder {
    const char *name;    /* as on the wire (modified UTF-7) */
    char delim;          /* hierarchy delimiter, 0 if none */
    unsigned flags;      /* OLS_FOLDER_* */
    int has_status;      /* the STATUS fields below are valid (LIST-STATUS or STATUS) */
    uint32_t messages, uidnext, uidvalidity, unseen;
    uint64_t highestmodseq; /* 0 if the server has no CONDSTORE for it */
    const char *display; /* the name for people (UTF-8, decoded), NULL if name is not mUTF-7 */
} ols_imap_folder;

typedef int (*ols_imap_folder_cb)(void *ctx, const ols_imap_folder *f);
/* LIST "" "*" (with SPECIAL-USE and, when with_status and LIST-STATUS is offered, the
 * STATUS items). Also lists the other-users and shared namespaces. cb returns non-zero
 * to stop. Folders come sorted by name, each once. with_status on a server without
 * LIST-STATUS sends one STATUS per selectable folder (pipelined); a folder whose STATUS is
 * refused comes with has_status = 0. Without LIST-EXTENDED, LSUB supplies SUBSCRIBED. */
ols_status ols_imap_list(ols_imap *im, int with_status, ols_imap_folder_cb cb, void *ctx,
                         ols_err *err);
/* STATUS: out->name is mailbox, the counts as for list. */
ols_status ols_imap_status(ols_imap *im, const char *mailbox, ols_imap_folder *out, ols_err *err);
ols_status ols_imap_create(ols_imap *im, const char *mailbox, ols_err *err);
ols_status ols_imap_delete(ols_imap *im, const char *mailbox, ols_err *err);
ols_status ols_imap_rename(ols_imap *im, const char *from, const char *to, ols_err *err);
ols_status ols_imap_subscribe(ols_imap *im, const char *mailbox, int on, ols_err *err);

/* ---- messages ---- */
typedef struct ols_imap_msg {
    uint32_t seq, uid;
    unsigned flags;      /* OLS_MF_* (olsync/mailflags.h) */
    int has_flags;
    uint64_t modseq;
    uint32_t size;       /* RFC822.SIZE, 0 if not fetched */
    int64_t internaldate; /* Unix seconds, 0 if not fetched */
    const char *bodystructure; /* raw BODYSTRUCTURE text, NULL if not fetched */
    const char *keywords; /* other flags, space-separated, NULL if none */
} ols_imap_msg;

/* Callbacks for untagged data during SELECT, FETCH, IDLE, NOOP. All optional.
 * Body sections are streamed: begin (with the literal's size), data chunks, end;
 * a section is never held whole in memory by the client. A callback returning an error
 * aborts the command; the connection stays usable if possible.
 * body_begin: uid is 0 when the server sends the section before the UID item (message()
 * then tells it); section is the item name as the server sent it ("BODY[]", "BODY[1]<0>",
 * "BINARY[2]"). Every body_begin that returned OLS_OK gets its body_end, also when data
 * was refused or the connection failed mid-section: the command's status says whether the
 * section is complete. After a callback error no further callbacks come for that command. */
typedef struct ols_imap_events {
    void *ctx;
    ols_status (*message)(void *ctx, const ols_imap_msg *m); /* after all of its items */
    ols_status (*body_begin)(void *ctx, uint32_t uid, const char *section, uint64_t size);
    ols_status (*body_data)(void *ctx, const void *p, size_t n);
    ols_status (*body_end)(void *ctx);
    void (*vanished)(void *ctx, const char *uidset, int earlier);
    void (*expunge)(void *ctx, uint32_t seq);
    void (*exists)(void *ctx, uint32_t n);
} ols_imap_events;

typedef struct ols_imap_mailbox {
    uint32_t exists, uidvalidity, uidnext;
    uint64_t highestmodseq; /* 0 = NOMODSEQ or no CONDSTORE */
    int readonly;
    unsigned permanentflags; /* OLS_MF_* the server keeps */
} ols_imap_mailbox;

typedef struct ols_imap_qresync {
    uint32_t uidvalidity;
    uint64_t modseq;
    const char *known_uids; /* optional UID set */
} ols_imap_qresync;

/* Untagged data that arrives during commands without their own events (STORE, MOVE,
 * EXPUNGE, SEARCH, ...) goes here; NULL = dropped. ev must outlive its use. */
void ols_imap_set_events(ols_imap *im, const ols_imap_events *ev);

/* SELECT (or EXAMINE when readonly); with q and QRESYNC, changes since q->modseq arrive
 * through ev (message with flags and modseq; vanished with earlier=1). Without QRESYNC q is
 * ignored (SELECT ... (CONDSTORE) when offered): use uid_fetch with changedsince. */
ols_status ols_imap_select(ols_imap *im, const char *mailbox, int readonly,
                           const ols_imap_qresync *q, const ols_imap_events *ev,
                           ols_imap_mailbox *out, ols_err *err);
/* UID FETCH set items [(CHANGEDSINCE m VANISHED)]; items is the parenthesised list, e.g.
 * "(UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE BODY.PEEK[])". Without CONDSTORE the MODSEQ
 * item and changedsince are left out (everything in the set comes back). */
ols_status ols_imap_uid_fetch(ols_imap *im, const char *uidset, const char *items,
                              uint64_t changedsince, const ols_imap_events *ev, ols_err *err);
/* The same over several UID sets with all commands in flight at once (pipelined). */
ols_status ols_imap_uid_fetch_many(ols_imap *im, const char *const *uidsets, size_t n,
                                   const char *items, const ols_imap_events *ev, ols_err *err);
/* UID STORE set op flags; op is "+FLAGS.SILENT", "-FLAGS.SILENT" or "FLAGS.SILENT".
 * unchangedsince > 0 adds (UNCHANGEDSINCE n); UIDs refused by it go to *modified (a
 * malloc'd UID set, NULL if none). Without CONDSTORE unchangedsince is ignored. */
ols_status ols_imap_uid_store(ols_imap *im, const char *uidset, const char *op, unsigned flags,
                              uint64_t unchangedsince, char **modified, ols_err *err);
/* UID SEARCH criteria -> malloc'd UID set ("" if none). Uses ESEARCH when offered. */
ols_status ols_imap_uid_search(ols_imap *im, const char *criteria, char **uids, ols_err *err);
/* APPEND with flags and internal date (0 = now). With UIDPLUS, *uidvalidity and *uid are
 * filled, else left 0. The message is sent as a literal (LITERAL+ when offered). */
ols_status ols_imap_append(ols_imap *im, const char *mailbox, unsigned flags, int64_t date,
                           const void *msg, size_t len, uint32_t *uidvalidity, uint32_t *uid,
                           ols_err *err);
/* UID MOVE (or COPY + STORE \Deleted + UID EXPUNGE); copyuid gets "uidvalidity src dst"
 * from COPYUID when the server says it (malloc'd, NULL otherwise). Without MOVE and
 * UIDPLUS the originals are left marked \Deleted (see ols_imap_expunge). */
ols_status ols_imap_uid_move(ols_imap *im, const char *uidset, const char *dest, char **copyuid,
                             ols_err *err);
/* UID EXPUNGE with UIDPLUS; without it EUNSUPPORTED (a plain EXPUNGE could remove
 * messages someone else marked \Deleted: the caller decides). */
ols_status ols_imap_uid_expunge(ols_imap *im, const char *uidset, ols_err *err);
/* Plain EXPUNGE of everything marked \Deleted in the selected mailbox. */
ols_status ols_imap_expunge(ols_imap *im, ols_err *err);
ols_status ols_imap_noop(ols_imap *im, const ols_imap_events *ev, ols_err *err);
/* IDLE until something arrives or max_ms; stop() polled about every second.
 * Caveat of this version: the stream layer has no wait that survives a timeout, so stop()
 * is checked when a response arrives, and when max_ms passes with nothing at all from the
 * server IDLE returns OLS_ETIMEDOUT with the connection closed (reconnect). Without IDLE
 * the server is polled with NOOP every 30 s and stop() is checked every second. */
ols_status ols_imap_idle(ols_imap *im, uint32_t max_ms, int (*stop)(void *ctx), void *stop_ctx,
                         const ols_imap_events *ev, ols_err *err);

/* ---- metadata, ACL, quota ---- */
/* Each needs its extension (METADATA, ACL, QUOTA), else OLS_EUNSUPPORTED.
 * GETMETADATA; *value is malloc'd, NULL when the entry is NIL / absent. mailbox "" is the
 * server's own metadata. setmetadata with value NULL removes the entry. */
ols_status ols_imap_getmetadata(ols_imap *im, const char *mailbox, const char *entry,
                                char **value, ols_err *err);
ols_status ols_imap_setmetadata(ols_imap *im, const char *mailbox, const char *entry,
                                const char *value, ols_err *err);
ols_status ols_imap_myrights(ols_imap *im, const char *mailbox, char **rights, ols_err *err);
/* The STORAGE resource of the mailbox's first quota root that has one; 0/0 if none. */
ols_status ols_imap_getquotaroot(ols_imap *im, const char *mailbox, uint64_t *used_kb,
                                 uint64_t *limit_kb, ols_err *err);

#ifdef __cplusplus
}
#endif
#endif
