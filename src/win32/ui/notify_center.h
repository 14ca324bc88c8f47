/* The Notification Center: a modeless window with what sync is doing now, the session log
 * and the ignored items. Workers never touch it: they call the ols_ui_notify_post_*
 * functions (any thread), which copy the data and post one wake-up message at a time. */
#ifndef OLS_WIN32_NOTIFY_CENTER_H
#define OLS_WIN32_NOTIFY_CENTER_H

#include <windows.h>

#include <stdint.h>

#include "olsync/status.h"
#include "olsync/sync.h"
#include "ui.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ols_ui_notify_tab { OLS_UI_NC_NOW = 0, OLS_UI_NC_LOG, OLS_UI_NC_IGNORED, OLS_UI_NC_COUNT };

/* One line of the session log. Strings are UTF-8 and copied; any may be NULL. */
typedef struct ols_ui_event {
    int64_t when_ms; /* Unix time in ms; 0 = now */
    const char *folder;
    const char *action;  /* "Item sync", "Folder list", "Database check" ... */
    const char *result;  /* "3 new, 1 changed", "failed: timeout" ... */
    const char *details; /* shown on double-click; NULL = none */
    int failed;          /* drawn in red */
} ols_ui_event;

/* One ignored item (an item that failed three times). Strings are UTF-8 and copied. */
typedef struct ols_ui_ignored {
    const char *folder;
    const char *item;   /* subject or UID */
    const char *reason;
    unsigned tries;
} ols_ui_ignored;

/* Open the window on `tab` (modeless, owned by `owner`), or bring it to the front.
 * ctx gives the language and the Sync now / Pause / Clear callbacks; it must outlive
 * the window. Returns the window, NULL on failure. */
HWND ols_ui_notify_open(HWND owner, ols_ui_ctx *ctx, int tab);
HWND ols_ui_notify_window(void);
/* The page window of a tab, NULL if the window is closed. */
HWND ols_ui_notify_page(int tab);
/* Show a tab, as a click on it would. */
void ols_ui_notify_select(int tab);

/* ---- from any thread; data is copied; never blocks on the UI ---- */
/* Latest counters win: a flood of updates becomes one message. When p->folder changes,
 * the folder before gets a "Folder synchronized" line in the session log with the new
 * messages it found and its uploads (none if neither), so the engine's progress callback
 * alone fills the log. */
void ols_ui_notify_post_progress(const ols_sync_progress *p);
/* The same with the signature of ols_sync_opts.progress (ctx unused). */
void ols_ui_notify_sync_progress(void *ctx, const ols_sync_progress *p);
/* A pass ended: the counters stay, the state goes idle, "Last sync" shows the result, and
 * the session log gets a line whose details are the whole report. */
void ols_ui_notify_post_report(const ols_sync_report *r, ols_status st, const char *msg);
/* Append to the session log; only the last 200 events are kept. */
void ols_ui_notify_post_event(const ols_ui_event *e);
/* Replace the ignored items list. */
void ols_ui_notify_post_ignored(const ols_ui_ignored *items, size_t n);
/* Forget everything posted so far (a new session; tests). */
void ols_ui_notify_reset(void);

typedef struct ols_ui_notify_stats {
    unsigned long long updates; /* post_* calls */
    unsigned long long wakes;   /* messages actually posted to the window */
} ols_ui_notify_stats;
void ols_ui_notify_get_stats(ols_ui_notify_stats *st);

#define OLS_UI_NC_MAX_EVENTS 200

/* Control ids, for tests and screenshots. */
enum {
    IDC_NC_TAB = 2001, IDC_NC_CLOSE, IDC_NC_STATE, IDC_NC_FOLDER, IDC_NC_FOLDERS, IDC_NC_DOWN,
    IDC_NC_UP, IDC_NC_INTERNAL, IDC_NC_PROGRESS, IDC_NC_RATE, IDC_NC_TRAFFIC, IDC_NC_LAST,
    IDC_NC_SYNC, IDC_NC_PAUSE, IDC_NC_LOG, IDC_NC_DETAILS, IDC_NC_IGNORED, IDC_NC_IGN_COUNT,
    IDC_NC_IGN_CLEAR
};

#ifdef __cplusplus
}
#endif
#endif
