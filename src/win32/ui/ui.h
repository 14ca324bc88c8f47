/* What the olsync windows (Settings, Notification Center) need from their host: the add-in,
 * the demo program or a test. Everything here is used on the UI thread only. */
#ifndef OLS_WIN32_UI_H
#define OLS_WIN32_UI_H

#include <stddef.h>
#include <wchar.h>

#include "olsync/pool.h"
#include "olsync/settings.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One folder of the account as the Synchronization tab shows it. No settings key holds
 * these flags yet, so the dialog writes them back here on OK/Apply and the host keeps
 * them (see the report of issue 8). */
typedef struct ols_ui_folder {
    const char *path; /* UTF-8, levels separated by '/' */
    int automatic;    /* ticked: syncs by itself at the standard interval */
    int priority;     /* synced at the priority interval */
} ols_ui_folder;

typedef struct ols_ui_ctx {
    ols_settings *settings;    /* required; must outlive the windows */
    const char *settings_path; /* UTF-8; OK and Apply save here; NULL = keep in memory */
    ols_pool *pool;            /* runs network and disk work (test connection, log zip) */
    ols_cqueue *cq;            /* completions on the UI thread: ols_uiqueue_cq() */
    ols_ui_folder *folders;    /* may be NULL */
    size_t n_folders;

    void *user;
    void (*applied)(void *user);          /* settings were saved */
    void (*check_updates)(void *user);    /* NULL: no update service in this build */
    void (*sync_now)(void *user);         /* Notification Center buttons */
    void (*pause)(void *user, int paused);
    void (*clear_ignored)(void *user);
    /* Where "save logs as zip" writes; NULL = ask with the Save As dialog. Returns 0 to
     * cancel. For the demo and tests, which cannot click through a file dialog. */
    int (*pick_save_path)(void *user, wchar_t *path, size_t n);
} ols_ui_ctx;

#ifdef __cplusplus
}
#endif
#endif
