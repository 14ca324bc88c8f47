/* fake_msgstore: an in-memory MAPI message store for tests (a test double, written in C):
 * IMsgStore, IMAPIFolder, IMessage, IAttach, IMAPITable, property IStreams, named
 * properties and Advise notifications, laid out like a fresh Outlook PST (IPM subtree with
 * Inbox, Sent Items, Deleted Items, Outbox, Drafts, Junk E-mail, Calendar, Contacts, Tasks,
 * Notes, Journal, Sync Issues). It enforces what real stores enforce and the backend must
 * cope with: messages are transacted (nothing is visible before SaveChanges, attachments
 * and embedded messages commit into their parent), PR_MESSAGE_FLAGS can only be set before
 * the first save (an item saved without it stays an unsent draft), every save moves
 * PR_LAST_MODIFICATION_TIME on, computed properties refuse writes, large properties are
 * only reachable through streams, property streams change nothing until Commit, objects
 * opened without MAPI_MODIFY refuse writes, two writers of one message collide
 * (MAPI_E_OBJECT_CHANGED), sibling folder names are unique regardless of case, and Advise
 * connections are pointer-sized values above 4 GiB (a caller that keeps them in a ULONG,
 * as mingw-w64's headers declare, loses them). Buffers come from the run-time MAPI
 * allocator (ols_mapi_rt), as they would from MAPI. */
#ifndef OLS_FAKE_MSGSTORE_H
#define OLS_FAKE_MSGSTORE_H

#include "mapi_abi.h"

typedef struct fake_msgstore fake_msgstore;

typedef struct fake_opts {
    int german;          /* localised default folder names (Posteingang, ...) */
    ULONG large_limit;   /* bytes above which GetProps/SetProps refuse a value; 0 = 32768 */
    int no_notify;       /* Advise answers MAPI_E_NO_SUPPORT */
} fake_opts;

fake_msgstore *fake_msgstore_new(const fake_opts *o);
/* A new reference to the store's IMsgStore (the fake lives while references do). */
IMsgStore *fake_msgstore_iface(fake_msgstore *fs);
void fake_msgstore_release(fake_msgstore *fs); /* drops the creator's reference */

/* Method counters, Wine-test style: SET_EXPECT clears one, CHECK_CALLED asserts it moved. */
enum fake_method {
    FM_GetProps,
    FM_SetProps,
    FM_DeleteProps,
    FM_SaveChanges,
    FM_OpenProperty,
    FM_GetIDsFromNames,
    FM_OpenEntry,
    FM_CreateMessage,
    FM_CopyMessages,
    FM_DeleteMessages,
    FM_CreateFolder,
    FM_CopyFolder,
    FM_DeleteFolder,
    FM_ModifyRecipients,
    FM_CreateAttach,
    FM_DeleteAttach,
    FM_SetReadFlag,
    FM_Advise,
    FM_Unadvise,
    FM_GetContentsTable,
    FM_GetHierarchyTable,
    FM_QueryRows,
    FM_StreamCommit,
    /* fake_msgstore_session.c */
    FM_GetMsgStoresTable,
    FM_OpenMsgStore,
    FM_AdminServices,
    FM_GetMsgServiceTable,
    FM_CreateMsgService,
    FM_CreateMsgServiceEx,
    FM_ConfigureMsgService,
    FM_DeleteMsgService,
    FM_AdminProviders,
    FM_OpenProfileSection,
    FM_COUNT
};
extern unsigned fake_called[FM_COUNT];
#define SET_EXPECT(m) (fake_called[FM_##m] = 0)
#define CALLED(m) (fake_called[FM_##m])

/* Counts of live fake COM objects (leak checks at the end of a test). */
long fake_live_objects(void);
/* Advise sinks still registered. */
int fake_active_sinks(fake_msgstore *fs);

/* Persistence: the whole store in one file, a PST stand-in across process runs (two runs
 * behave like two Outlook starts on the same PST). write_through saves after every change
 * that a real PST would have on disk (a committed save, a delete, a move, ...), so a
 * process killed at any point finds what a PST would hold. */
int fake_msgstore_save(fake_msgstore *fs, const char *path);
fake_msgstore *fake_msgstore_load(const char *path, const fake_opts *o); /* NULL: unreadable */
void fake_msgstore_write_through(fake_msgstore *fs, const char *path);

/* A snapshot IMAPITable over rows given as property arrays (copied). */
HRESULT fake_table_new(ULONG nrows, const SPropValue *const *rows, const ULONG *ncols,
                       IMAPITable **out);

/* ---- fake_msgstore_session.c: a MAPI profile session, scripted ----
 * IMAPISession with a stores table and OpenMsgStore, AdminServices giving an
 * IMsgServiceAdmin(2) whose PST services ("MSUPST MS") get a fake_msgstore once they are
 * configured with PR_PST_PATH_W, and IProviderAdmin/IProfSect answering PR_PST_PATH_W. It
 * starts with one PST service, the profile's default store. */
typedef struct fake_session_opts {
    int no_admin2;      /* QueryInterface(IID_IMsgServiceAdmin2) fails (older MAPI) */
    int fail_configure; /* ConfigureMsgService fails */
} fake_session_opts;
IMAPISession *fake_session_new(const fake_session_opts *o);
/* What ConfigureMsgService was given last (empty if never). */
const wchar_t *fake_session_last_pst_path(IMAPISession *s);
ULONG fake_session_last_pst_flags(IMAPISession *s);
ULONG_PTR fake_session_last_ui_param(IMAPISession *s);
int fake_session_services(IMAPISession *s);

/* Test conveniences built on the public MAPI interfaces. */
/* Open a folder by its display-name path from the IPM subtree ("Inbox/Sub"). */
HRESULT fake_open_path(IMsgStore *st, const wchar_t *path, IMAPIFolder **out);
/* Number of normal (not associated) messages in a folder. */
ULONG fake_count(IMAPIFolder *f);

#endif
