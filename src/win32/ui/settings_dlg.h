/* The Settings dialog: a modeless property sheet with seven tabs bound to settings keys. */
#ifndef OLS_WIN32_SETTINGS_DLG_H
#define OLS_WIN32_SETTINGS_DLG_H

#include <windows.h>

#include "ui.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ols_ui_settings_tab {
    OLS_UI_TAB_LOGIN = 0,
    OLS_UI_TAB_ADVANCED,
    OLS_UI_TAB_SYNC,
    OLS_UI_TAB_APPEARANCE,
    OLS_UI_TAB_LICENSE,
    OLS_UI_TAB_LOGS,
    OLS_UI_TAB_ABOUT,
    OLS_UI_TAB_COUNT
};

/* Open the dialog on `tab`, modeless, owned by `owner` (Outlook's window; may be NULL).
 * If it is already open it comes to the front on that tab. The window language follows
 * ui.language. Returns the property sheet, NULL on failure. ctx must outlive it. */
HWND ols_ui_settings_open(HWND owner, ols_ui_ctx *ctx, int tab);
/* The same, modal: returns when the dialog closes; 1 if anything was saved. */
int ols_ui_settings_run(HWND owner, ols_ui_ctx *ctx, int tab);
/* The open dialog, or NULL. */
HWND ols_ui_settings_window(void);
/* The page window of a tab (created when the tab was first shown), or NULL. */
HWND ols_ui_settings_page(int tab);

/* Control ids, for tests and screenshots. A field that can hold a bad value has a red
 * label next to it with id OLS_UI_ERR_ID(field id), hidden while the value is fine. */
#define OLS_UI_ERR_ID(id) ((id) + 500)
enum {
    /* Login */
    IDC_EMAIL = 1001, IDC_USER, IDC_PASSWORD, IDC_REMEMBER, IDC_HIDE_LOGIN_ERR, IDC_DISCOVER,
    IDC_IMAP_HOST, IDC_IMAP_PORT, IDC_IMAP_SEC, IDC_SMTP_HOST, IDC_SMTP_PORT, IDC_SMTP_SEC,
    IDC_HIDE_CONN_ERR, IDC_TEST, IDC_TEST_PROGRESS, IDC_TEST_RESULT,
    /* Advanced */
    IDC_MODE_HEADERS = 1031, IDC_MODE_CUSTOM, IDC_MODE_FULL, IDC_THRESHOLD, IDC_APPLY_EXISTING,
    IDC_CONNECTIONS, IDC_TIMEOUT, IDC_PAUSE, IDC_STRUCT_ON_START, IDC_POP3_FIRST, IDC_POP3_LAST,
    IDC_POP3_STATE, IDC_CA_FILE, IDC_CA_BROWSE,
    /* Synchronization */
    IDC_FOLDER_TREE = 1061, IDC_PRIORITY, IDC_FOLDERS_HELP, IDC_INT_PRIORITY, IDC_INT_STANDARD,
    IDC_INT_STRUCTURE, IDC_FULL_EVERY, IDC_CONFLICT, IDC_ON_LOCAL_CHANGE, IDC_ADDRESS_BOOKS,
    IDC_HIDE_PROGRESS, IDC_REVERT_RO,
    /* Appearance */
    IDC_LANGUAGE = 1091, IDC_NOTIFY, IDC_NOTIFY_SECONDS, IDC_SOUND, IDC_SOUND_FILE,
    IDC_SOUND_BROWSE, IDC_SOUND_TEST, IDC_RECEIPTS, IDC_RECEIPT_MODE, IDC_RECEIPT_TEXT,
    IDC_RECEIPT_DEFAULT, IDC_ABOOK,
    /* License and updates */
    IDC_LIC_STATE = 1121, IDC_LIC_KEY, IDC_UPD_CHECK, IDC_UPD_VERSION, IDC_UPD_NOW,
    IDC_UPD_STATUS,
    /* Logs */
    IDC_LOG_LEVEL = 1141, IDC_LOG_TRACE, IDC_LOG_DIR, IDC_LOG_OPEN, IDC_LOG_ZIP, IDC_LOG_CLEAR,
    IDC_LOG_STATUS, IDC_LOG_AUTODEL, IDC_LOG_KEEP, IDC_LOG_MAXFILE,
    /* About */
    IDC_ABOUT_NAME = 1161, IDC_ABOUT_VERSION, IDC_ABOUT_LICENSES
};

#ifdef __cplusplus
}
#endif
#endif
