/* The MAPI store backend: the engine's store vtable (olsync/store.h) over an IMsgStore,
 * i.e. Outlook's PST. See mapi_store.c for how paths, flags and sync state map. */
#ifndef OLS_MAPI_STORE_H
#define OLS_MAPI_STORE_H

#include "mapi_abi.h"
#include "olsync/store.h"

enum {
    OLS_MAPI_CONV_AUTO = 0, /* IConverterSession when it can be created, else our own */
    OLS_MAPI_CONV_OWN,      /* always our own mapper and writer */
};

typedef struct ols_mapi_store_opts {
    /* The engine paths that land in Outlook's default folders. NULL: "Sent", "Trash",
     * "Junk" (Dovecot's and most servers' names); "": not mapped (an ordinary folder).
     * The add-in passes the server's SPECIAL-USE names here. "INBOX" is always Inbox. */
    const char *sent_path, *trash_path, *junk_path;
    int converter;           /* OLS_MAPI_CONV_* */
    IConverterSession *conv; /* use this converter (tests; the add-in's own instance) */
    /* With an IMAPISession: open this Unicode PST, adding it to the profile when it is
     * not there yet (MSUPST MS service). NULL: the session's default store. */
    const wchar_t *pst_path;
    const char *pst_display_name; /* UTF-8, for a new PST */
    /* Buffers MAPI hands out must go back to the MAPIFreeBuffer of the MAPI that made them.
     * So while the run-time table is still the built-in allocator, open resolves the one of
     * the MAPI DLL loaded in this process (inside Outlook: olmapi32.dll). Tests that
     * installed their own table on purpose set keep_allocator. */
    int keep_allocator;
} ols_mapi_store_opts;

/* session_or_store: an IMsgStore, or an IMAPISession (what Outlook hands out as
 * Application.Session.MAPIOBJECT). The store keeps its own references. The calling thread
 * must be able to use the MAPI objects (inside Outlook: MAPIInitialize'd, see
 * ols_mapi_thread_init). */
ols_status ols_mapi_store_open(IUnknown *session_or_store, const ols_mapi_store_opts *o,
                               ols_store **out, ols_err *err);

/* Which converter items go through: "IConverterSession" or "olsync". */
const char *ols_mapi_store_converter(ols_store *s);
/* The IMsgStore behind the backend (borrowed). */
IMsgStore *ols_mapi_store_msgstore(ols_store *s);
/* The Outlook folder of an engine path, opened for writing (the caller releases it). */
ols_status ols_mapi_store_folder(ols_store *s, const char *path, IMAPIFolder **out,
                                 ols_err *err);

/* The add-in's hook for on-demand fill-in. When the user opens an item (Outlook's
 * Item.Open/Read event hands out MailItem.EntryID, upper-case hex), this says whether it
 * is a synced item, which one, and whether it is a partial stand-in, so the add-in can
 * run ols_sync_fetch(opts, folder_path, UID from the tag, NULL, ...) on the worker pool
 * ahead of the queue; the engine then calls add_commit with replace_id = item_id, which
 * swaps the content in place (same entry id, flags and state kept) and Outlook shows the
 * full message (the add-in may close and reopen the inspector). */
typedef struct ols_mapi_item_ref {
    char *folder_path; /* engine path of its folder */
    char *item_id;     /* the store vtable's id (the entry id, hex) */
    char *tag;         /* the engine's tag ("UIDVALIDITY-UID"), NULL if not from the server */
    unsigned flags;    /* OLS_MF_* as list_items would report them */
    int partial;       /* a stand-in of a partial download: fetch it (ols_sync_fetch) */
} ols_mapi_item_ref;
ols_status ols_mapi_store_lookup(ols_store *s, const char *entryid_hex, ols_mapi_item_ref *out,
                                 ols_err *err);
void ols_mapi_item_ref_free(ols_mapi_item_ref *r);

/* Change hints: IMsgStore::Advise for created/modified/deleted/moved/copied objects. cb
 * runs on whatever thread MAPI delivers notifications on (inside Outlook: the thread
 * that called watch, from its message loop), so it should only post a debounced
 * reconcile to the worker pool. Notifications caused by this backend's own writes are
 * not passed on. A store without notifications gives OLS_EUNSUPPORTED: reconcile by
 * timer then. */
enum {
    OLS_MAPI_EV_CREATED = 1,
    OLS_MAPI_EV_MODIFIED = 2,
    OLS_MAPI_EV_DELETED = 4,
    OLS_MAPI_EV_MOVED = 8,
    OLS_MAPI_EV_COPIED = 16
};
typedef void (*ols_mapi_change_cb)(void *ctx, unsigned event, const char *entryid_hex,
                                   const char *parent_hex);
ols_status ols_mapi_store_watch(ols_store *s, ols_mapi_change_cb cb, void *ctx, ols_err *err);
void ols_mapi_store_unwatch(ols_store *s);

/* PST handling (pst.c): find the MSUPST MS service whose PST is `path` in the session's
 * profile, or create one (Unicode PST), and open its store for writing. */
ols_status ols_mapi_pst_open(IMAPISession *ses, const wchar_t *path, const char *display_name,
                             IMsgStore **out, ols_err *err);
/* The session's default store (PR_DEFAULT_STORE in the stores table). */
ols_status ols_mapi_default_store(IMAPISession *ses, IMsgStore **out, ols_err *err);

#endif
