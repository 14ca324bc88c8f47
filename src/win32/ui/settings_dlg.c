/* The Settings dialog: seven property pages whose fields are bound to settings keys.
 * OK and Apply check every changed field first, name a bad value next to its field, and
 * then save all of them at once (ols_settings_set_many) or nothing. Network and log work
 * runs on the worker pool; results come back through the UI thread's completion queue. */
#include "settings_dlg.h"

#include <commdlg.h>
#include <mmsystem.h>
#include <shellapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cjson/cJSON.h>
#include <curl/curlver.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>
#include <zlib.h>

#include "olsync/log.h"
#include "olsync/version.h"
#ifdef OLS_UI_HAVE_IMAP
#include "olsync/imap.h"
#endif
#include "plat/plat.h"
#include "ui_strings.h"
#include "uikit.h"

#define PW 376 /* page size in dialog units */
#define PH 252
#define WM_OLS_SHOW_ERROR (WM_APP + 0x210)
#define WM_OLS_DESTROY (WM_APP + 0x211)

/* ---- bindings: which control shows which key ---- */

typedef enum kind { K_EDIT, K_CHECK, K_COMBO, K_RADIO } kind;

typedef struct binding {
    const char *key;
    int page, id;
    kind k;
    const char *const *values; /* K_COMBO items / K_RADIO buttons, in order */
    const ols_ui_str *labels;  /* K_COMBO: what each item says */
} binding;

static const char *const sec_v[] = {"starttls", "tls", "plain", NULL};
static const ols_ui_str sec_l[] = {TX_SEC_STARTTLS, TX_SEC_TLS, TX_SEC_PLAIN};
static const char *const mode_v[] = {"headers", "custom", "full", NULL};
static const char *const conflict_v[] = {"server", "client", NULL};
static const ols_ui_str conflict_l[] = {TX_CONFLICT_SERVER, TX_CONFLICT_CLIENT};
static const char *const lang_v[] = {"en", "de", "fr", "cs", NULL};
static const ols_ui_str lang_l[] = {TX_LANG_EN, TX_LANG_DE, TX_LANG_FR, TX_LANG_CS};
static const char *const rr_v[] = {"ask", "always", "never", NULL};
static const ols_ui_str rr_l[] = {TX_RR_ASK, TX_RR_ALWAYS, TX_RR_NEVER};
static const char *const ab_v[] = {"numbered", "name", "path", "manual", NULL};
static const ols_ui_str ab_l[] = {TX_AB_NUMBERED, TX_AB_NAME, TX_AB_PATH, TX_AB_MANUAL};
static const char *const level_v[] = {"none", "error", "warning", "info", "debug", NULL};
static const ols_ui_str level_l[] = {TX_LL_NONE, TX_LL_ERROR, TX_LL_WARNING, TX_LL_INFO, TX_LL_DEBUG};

static const binding binds[] = {
    {"account.email", 0, IDC_EMAIL, K_EDIT, NULL, NULL},
    {"account.user", 0, IDC_USER, K_EDIT, NULL, NULL},
    {"account.remember_password", 0, IDC_REMEMBER, K_CHECK, NULL, NULL},
    {"account.hide_login_errors", 0, IDC_HIDE_LOGIN_ERR, K_CHECK, NULL, NULL},
    {"account.discover", 0, IDC_DISCOVER, K_CHECK, NULL, NULL},
    {"account.imap.host", 0, IDC_IMAP_HOST, K_EDIT, NULL, NULL},
    {"account.imap.port", 0, IDC_IMAP_PORT, K_EDIT, NULL, NULL},
    {"account.imap.security", 0, IDC_IMAP_SEC, K_COMBO, sec_v, sec_l},
    {"account.smtp.host", 0, IDC_SMTP_HOST, K_EDIT, NULL, NULL},
    {"account.smtp.port", 0, IDC_SMTP_PORT, K_EDIT, NULL, NULL},
    {"account.smtp.security", 0, IDC_SMTP_SEC, K_COMBO, sec_v, sec_l},
    {"account.hide_connection_errors", 0, IDC_HIDE_CONN_ERR, K_CHECK, NULL, NULL},
    {"download.mode", 1, IDC_MODE_HEADERS, K_RADIO, mode_v, NULL},
    {"download.threshold_mb", 1, IDC_THRESHOLD, K_EDIT, NULL, NULL},
    {"download.apply_to_existing", 1, IDC_APPLY_EXISTING, K_CHECK, NULL, NULL},
    {"net.connections", 1, IDC_CONNECTIONS, K_EDIT, NULL, NULL},
    {"net.timeout_s", 1, IDC_TIMEOUT, K_EDIT, NULL, NULL},
    {"sync.item_pause_ms", 1, IDC_PAUSE, K_EDIT, NULL, NULL},
    {"sync.structure_on_start", 1, IDC_STRUCT_ON_START, K_CHECK, NULL, NULL},
    {"pop3.port", 1, IDC_POP3_FIRST, K_EDIT, NULL, NULL},
    {"pop3.port_max", 1, IDC_POP3_LAST, K_EDIT, NULL, NULL},
    {"tls.ca_file", 1, IDC_CA_FILE, K_EDIT, NULL, NULL},
    {"sync.priority_interval_min", 2, IDC_INT_PRIORITY, K_EDIT, NULL, NULL},
    {"sync.standard_interval_min", 2, IDC_INT_STANDARD, K_EDIT, NULL, NULL},
    {"sync.structure_interval_min", 2, IDC_INT_STRUCTURE, K_EDIT, NULL, NULL},
    {"sync.full_sync_every", 2, IDC_FULL_EVERY, K_EDIT, NULL, NULL},
    {"sync.conflict", 2, IDC_CONFLICT, K_COMBO, conflict_v, conflict_l},
    {"sync.on_local_change", 2, IDC_ON_LOCAL_CHANGE, K_CHECK, NULL, NULL},
    {"sync.address_books", 2, IDC_ADDRESS_BOOKS, K_CHECK, NULL, NULL},
    {"sync.hide_progress", 2, IDC_HIDE_PROGRESS, K_CHECK, NULL, NULL},
    {"sync.revert_readonly", 2, IDC_REVERT_RO, K_CHECK, NULL, NULL},
    {"ui.language", 3, IDC_LANGUAGE, K_COMBO, lang_v, lang_l},
    {"ui.notify_new_mail", 3, IDC_NOTIFY, K_CHECK, NULL, NULL},
    {"ui.notify_seconds", 3, IDC_NOTIFY_SECONDS, K_EDIT, NULL, NULL},
    {"ui.sound", 3, IDC_SOUND, K_CHECK, NULL, NULL},
    {"ui.sound_file", 3, IDC_SOUND_FILE, K_EDIT, NULL, NULL},
    {"ui.read_receipts", 3, IDC_RECEIPTS, K_CHECK, NULL, NULL},
    {"ui.read_receipt_mode", 3, IDC_RECEIPT_MODE, K_COMBO, rr_v, rr_l},
    {"ui.read_receipt_text", 3, IDC_RECEIPT_TEXT, K_EDIT, NULL, NULL},
    {"ui.address_book_names", 3, IDC_ABOOK, K_COMBO, ab_v, ab_l},
    {"license.key", 4, IDC_LIC_KEY, K_EDIT, NULL, NULL},
    {"updates.check", 4, IDC_UPD_CHECK, K_CHECK, NULL, NULL},
    {"log.level", 5, IDC_LOG_LEVEL, K_COMBO, level_v, level_l},
    {"log.data_trace", 5, IDC_LOG_TRACE, K_CHECK, NULL, NULL},
    {"log.auto_delete", 5, IDC_LOG_AUTODEL, K_CHECK, NULL, NULL},
    {"log.keep_days", 5, IDC_LOG_KEEP, K_EDIT, NULL, NULL},
    {"log.max_file_mb", 5, IDC_LOG_MAXFILE, K_EDIT, NULL, NULL},
};
#define NBINDS (sizeof binds / sizeof binds[0])

/* ---- dialog state ---- */

typedef struct folder_row {
    char *path;
    int automatic, priority;
    HTREEITEM item;
} folder_row;

typedef struct sdlg sdlg;
typedef struct page_info {
    sdlg *s;
    int idx;
} page_info;

struct sdlg {
    LONG refs;          /* the window + every job in flight */
    ols_ui_ctx *ctx;
    HWND sheet, owner;
    WNDPROC sheet_proc;
    HWND page[OLS_UI_TAB_COUNT], tip[OLS_UI_TAB_COUNT];
    page_info pinfo[OLS_UI_TAB_COUNT];
    DLGTEMPLATE *tmpl[OLS_UI_TAB_COUNT];
    int loading;        /* filling controls: edits are not user changes */
    int gone;           /* the window is destroyed; completions only release */
    int closing;
    int saved;          /* something was saved since it opened */
    HFONT title_font;
    char *password0;    /* password as loaded, to see whether it changed */
    folder_row *rows;
    size_t n_rows;
    int test_busy;
    ols_job_id test_job;
};

static sdlg *g_sdlg; /* at most one Settings dialog at a time */
static int g_last_saved;

static void sdlg_release(sdlg *s)
{
    size_t i;
    int p;
    if (--s->refs > 0)
        return;
    for (p = 0; p < OLS_UI_TAB_COUNT; p++)
        free(s->tmpl[p]);
    for (i = 0; i < s->n_rows; i++)
        free(s->rows[i].path);
    free(s->rows);
    if (s->password0) {
        ols_memzero(s->password0, strlen(s->password0));
        free(s->password0);
    }
    if (s->title_font)
        DeleteObject(s->title_font);
    free(s);
}

static HWND ctl(sdlg *s, int page, int id) { return s->page[page] ? GetDlgItem(s->page[page], id) : NULL; }

static const binding *bind_by_id(int id)
{
    size_t i;
    for (i = 0; i < NBINDS; i++)
        if (binds[i].id == id)
            return &binds[i];
    return NULL;
}

static const binding *bind_by_key(const char *key)
{
    size_t i;
    for (i = 0; i < NBINDS; i++)
        if (!strcmp(binds[i].key, key))
            return &binds[i];
    return NULL;
}

static int nvalues(const binding *b)
{
    int n = 0;
    while (b->values && b->values[n])
        n++;
    return n;
}

/* ---- building pages: controls in dialog units ---- */

static void mk_group(HWND p, ols_ui_str t, int x, int y, int w, int h)
{
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(t), BS_GROUPBOX | WS_GROUP, 0, x, y, w, h, -1);
}

static void mk_label(HWND p, ols_ui_str t, int x, int y, int w)
{
    ols_ui_ctl(p, L"STATIC", ols_ui_s(t), SS_LEFT | WS_GROUP, 0, x, y + 2, w, 9, -1);
}

static HWND mk_text(HWND p, int id, const wchar_t *t, int x, int y, int w, int h, DWORD style)
{
    return ols_ui_ctl(p, L"STATIC", t, SS_LEFT | SS_NOPREFIX | WS_GROUP | style, 0, x, y, w, h, id);
}

static HWND mk_edit(HWND p, int id, int x, int y, int w, DWORD style)
{
    HWND e = ols_ui_ctl(p, L"EDIT", L"", ES_AUTOHSCROLL | WS_TABSTOP | WS_GROUP | style,
                        WS_EX_CLIENTEDGE, x, y, w, 12, id);
    SendMessageW(e, EM_LIMITTEXT, 4000, 0);
    return e;
}

/* A field's error label sits right of it, up to the page edge; hidden while fine. */
static void mk_err(HWND p, int field, int x, int y)
{
    HWND e = ols_ui_ctl(p, L"STATIC", L"", SS_LEFT | SS_NOPREFIX | SS_ENDELLIPSIS | WS_GROUP, 0,
                        x, y + 2, PW - 6 - x, 9, OLS_UI_ERR_ID(field));
    ShowWindow(e, SW_HIDE);
}

static void mk_num(HWND p, ols_ui_str label, int id, int lx, int lw, int y, int ew)
{
    mk_label(p, label, lx, y, lw);
    mk_edit(p, id, lx + lw + 2, y, ew, 0);
    mk_err(p, id, lx + lw + 2 + ew + 4, y);
}

static void mk_check(HWND p, int id, ols_ui_str t, int x, int y, int w)
{
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(t), BS_AUTOCHECKBOX | WS_TABSTOP | WS_GROUP, 0, x, y, w, 10,
               id);
}

static void mk_radio(HWND p, int id, ols_ui_str t, int x, int y, int w, int first)
{
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(t),
               BS_AUTORADIOBUTTON | (first ? WS_GROUP | WS_TABSTOP : 0), 0, x, y, w, 10, id);
}

static HWND mk_button(HWND p, int id, ols_ui_str t, int x, int y, int w)
{
    return ols_ui_ctl(p, L"BUTTON", ols_ui_s(t), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0, x, y,
                      w, 14, id);
}

static void mk_combo(HWND p, int id, int x, int y, int w)
{
    const binding *b = bind_by_id(id);
    HWND c = ols_ui_ctl(p, L"COMBOBOX", NULL,
                        CBS_DROPDOWNLIST | WS_VSCROLL | WS_TABSTOP | WS_GROUP, 0, x, y, w, 90, id);
    int i;
    for (i = 0; b && i < nvalues(b); i++)
        SendMessageW(c, CB_ADDSTRING, 0, (LPARAM)ols_ui_s(b->labels[i]));
}

static void build_login(sdlg *s, HWND p)
{
    const int lx = 14, lw = 92, c1 = 108, c2 = 240, cw = 122;
    HWND h;
    (void)s;
    mk_group(p, TX_GRP_ACCOUNT, 6, 4, PW - 12, 90);
    mk_label(p, TX_EMAIL, lx, 16, lw);
    mk_edit(p, IDC_EMAIL, c1, 16, PW - 14 - c1, 0);
    mk_label(p, TX_USER, lx, 32, lw);
    mk_edit(p, IDC_USER, c1, 32, cw + 40, 0);
    mk_label(p, TX_PASSWORD, lx, 48, lw);
    mk_edit(p, IDC_PASSWORD, c1, 48, cw + 40, ES_PASSWORD);
    mk_check(p, IDC_REMEMBER, TX_REMEMBER, c1, 64, PW - 14 - c1);
    mk_check(p, IDC_HIDE_LOGIN_ERR, TX_HIDE_LOGIN_ERR, c1, 77, PW - 14 - c1);

    mk_group(p, TX_GRP_SERVER, 6, 98, PW - 12, 150);
    mk_check(p, IDC_DISCOVER, TX_DISCOVER, lx, 110, PW - 28);
    mk_text(p, -1, ols_ui_s(TX_INCOMING), c1, 124, cw, 9, 0);
    mk_text(p, -1, ols_ui_s(TX_OUTGOING), c2, 124, cw, 9, 0);
    mk_label(p, TX_HOST, lx, 134, lw);
    mk_edit(p, IDC_IMAP_HOST, c1, 134, cw, 0);
    h = mk_edit(p, IDC_SMTP_HOST, c2, 134, cw, 0);
    SendMessageW(h, EM_SETCUEBANNER, FALSE, (LPARAM)ols_ui_s(TX_SMTP_CUE));
    mk_label(p, TX_PORT, lx, 150, lw);
    mk_edit(p, IDC_IMAP_PORT, c1, 150, 30, 0);
    mk_err(p, IDC_IMAP_PORT, c1 + 34, 150);
    mk_edit(p, IDC_SMTP_PORT, c2, 150, 30, 0);
    mk_err(p, IDC_SMTP_PORT, c2 + 34, 150);
    mk_label(p, TX_SECURITY, lx, 166, lw);
    mk_combo(p, IDC_IMAP_SEC, c1, 166, cw);
    mk_combo(p, IDC_SMTP_SEC, c2, 166, cw);
    mk_check(p, IDC_HIDE_CONN_ERR, TX_HIDE_CONN_ERR, lx, 184, PW - 28);
    mk_button(p, IDC_TEST, TX_TEST, lx, 199, 90);
    h = ols_ui_ctl(p, PROGRESS_CLASSW, NULL, PBS_MARQUEE, 0, c1, 202, cw, 8, IDC_TEST_PROGRESS);
    ShowWindow(h, SW_HIDE);
    mk_text(p, IDC_TEST_RESULT, L"", lx, 217, PW - 28, 27, 0);
}

static void build_advanced(sdlg *s, HWND p)
{
    const int lx = 14;
    (void)s;
    mk_group(p, TX_GRP_DOWNLOAD, 6, 4, PW - 12, 82);
    mk_radio(p, IDC_MODE_HEADERS, TX_MODE_HEADERS, lx, 16, PW - 28, 1);
    mk_radio(p, IDC_MODE_CUSTOM, TX_MODE_CUSTOM, lx, 28, PW - 28, 0);
    mk_radio(p, IDC_MODE_FULL, TX_MODE_FULL, lx, 40, PW - 28, 0);
    mk_num(p, TX_THRESHOLD, IDC_THRESHOLD, lx + 12, 100, 53, 30);
    mk_check(p, IDC_APPLY_EXISTING, TX_APPLY_EXISTING, lx + 12, 70, PW - 40);

    mk_group(p, TX_GRP_CONNECTION, 6, 90, PW - 12, 74);
    mk_num(p, TX_CONNECTIONS, IDC_CONNECTIONS, lx, 140, 102, 30);
    mk_num(p, TX_TIMEOUT, IDC_TIMEOUT, lx, 140, 118, 30);
    mk_num(p, TX_PAUSE, IDC_PAUSE, lx, 140, 134, 30);
    mk_check(p, IDC_STRUCT_ON_START, TX_STRUCT_ON_START, lx, 150, PW - 28);

    mk_group(p, TX_GRP_POP3, 6, 168, PW - 12, 58);
    mk_num(p, TX_POP3_FIRST, IDC_POP3_FIRST, lx, 140, 180, 30);
    mk_num(p, TX_POP3_LAST, IDC_POP3_LAST, lx, 140, 196, 30);
    mk_text(p, IDC_POP3_STATE, L"", lx, 212, PW - 28, 9, 0);

    mk_label(p, TX_CA_FILE, 6, 234, 110);
    mk_edit(p, IDC_CA_FILE, 118, 234, PW - 6 - 20 - 118, 0);
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(TX_BROWSE), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0,
               PW - 6 - 16, 234, 16, 12, IDC_CA_BROWSE);
}

static void build_sync(sdlg *s, HWND p)
{
    const int lx = 14, lw = 170;
    HWND tree;
    mk_group(p, TX_GRP_FOLDERS, 6, 4, PW - 12, 116);
    tree = ols_ui_ctl(p, WC_TREEVIEWW, NULL,
                      TVS_HASBUTTONS | TVS_HASLINES | TVS_LINESATROOT | TVS_SHOWSELALWAYS |
                          WS_TABSTOP | WS_GROUP,
                      WS_EX_CLIENTEDGE, lx, 16, 220, 98, IDC_FOLDER_TREE);
    /* TVS_CHECKBOXES must be set after creation to get its state images */
    SetWindowLongPtrW(tree, GWL_STYLE, GetWindowLongPtrW(tree, GWL_STYLE) | TVS_CHECKBOXES);
    mk_button(p, IDC_PRIORITY, TX_PRIORITY_BTN, 240, 16, PW - 14 - 240);
    mk_text(p, IDC_FOLDERS_HELP, ols_ui_s(s->n_rows ? TX_FOLDERS_HELP : TX_NO_FOLDERS), 240, 34,
            PW - 14 - 240, 64, 0);

    mk_group(p, TX_GRP_INTERVALS, 6, 124, PW - 12, 72);
    mk_num(p, TX_INT_PRIORITY, IDC_INT_PRIORITY, lx, lw, 135, 30);
    mk_num(p, TX_INT_STANDARD, IDC_INT_STANDARD, lx, lw, 150, 30);
    mk_num(p, TX_INT_STRUCTURE, IDC_INT_STRUCTURE, lx, lw, 165, 30);
    mk_num(p, TX_FULL_EVERY, IDC_FULL_EVERY, lx, lw, 180, 30);

    mk_label(p, TX_CONFLICT, 6, 202, 170);
    mk_combo(p, IDC_CONFLICT, 186, 202, 130);
    mk_check(p, IDC_ON_LOCAL_CHANGE, TX_ON_LOCAL_CHANGE, 6, 222, 176);
    mk_check(p, IDC_ADDRESS_BOOKS, TX_ADDRESS_BOOKS, 186, 222, PW - 6 - 186);
    mk_check(p, IDC_HIDE_PROGRESS, TX_HIDE_PROGRESS, 6, 236, 176);
    mk_check(p, IDC_REVERT_RO, TX_REVERT_RO, 186, 236, PW - 6 - 186);
}

static void build_appearance(sdlg *s, HWND p)
{
    const int lx = 14;
    (void)s;
    mk_label(p, TX_LANGUAGE, 6, 6, 60);
    mk_combo(p, IDC_LANGUAGE, 68, 6, 150);
    mk_text(p, -1, ols_ui_s(TX_LANGUAGE_NOTE), 68, 21, PW - 6 - 68, 9, 0);

    mk_group(p, TX_GRP_NEWMAIL, 6, 34, PW - 12, 74);
    mk_check(p, IDC_NOTIFY, TX_NOTIFY, lx, 46, PW - 28);
    mk_num(p, TX_NOTIFY_SECONDS, IDC_NOTIFY_SECONDS, lx + 12, 110, 58, 24);
    mk_check(p, IDC_SOUND, TX_SOUND, lx, 74, PW - 28);
    mk_label(p, TX_SOUND_FILE, lx + 12, 88, 60);
    SendMessageW(mk_edit(p, IDC_SOUND_FILE, lx + 74, 88, PW - 14 - 60 - lx - 74, 0),
                 EM_SETCUEBANNER, FALSE, (LPARAM)ols_ui_s(TX_SOUND_CUE));
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(TX_BROWSE), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0,
               PW - 14 - 56, 88, 16, 12, IDC_SOUND_BROWSE);
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(TX_SOUND_TEST), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0,
               PW - 14 - 36, 88, 36, 12, IDC_SOUND_TEST);

    mk_group(p, TX_GRP_RECEIPTS, 6, 112, PW - 12, 98);
    mk_check(p, IDC_RECEIPTS, TX_RECEIPTS, lx, 124, PW - 28);
    mk_label(p, TX_RECEIPT_MODE, lx + 12, 138, 60);
    mk_combo(p, IDC_RECEIPT_MODE, lx + 74, 138, 150);
    mk_label(p, TX_RECEIPT_TEXT, lx + 12, 154, 60);
    ols_ui_ctl(p, L"EDIT", L"",
               ES_MULTILINE | ES_AUTOVSCROLL | ES_WANTRETURN | WS_VSCROLL | WS_TABSTOP | WS_GROUP,
               WS_EX_CLIENTEDGE, lx + 74, 154, PW - 14 - lx - 74, 34, IDC_RECEIPT_TEXT);
    mk_text(p, -1, ols_ui_s(TX_RECEIPT_HINT), lx + 12, 193, PW - 14 - 70 - lx - 12 - 4, 9, 0);
    mk_button(p, IDC_RECEIPT_DEFAULT, TX_RECEIPT_DEFAULT, PW - 14 - 70, 191, 70);

    mk_group(p, TX_GRP_ABOOK, 6, 214, PW - 12, 32);
    mk_label(p, TX_ABOOK_NAMES, lx, 227, 100);
    mk_combo(p, IDC_ABOOK, lx + 104, 227, 170);
}

static void build_license(sdlg *s, HWND p)
{
    wchar_t *v = ols_ui_wide(OLS_VERSION);
    (void)s;
    mk_group(p, TX_GRP_LICENSE, 6, 4, PW - 12, 56);
    mk_label(p, TX_LIC_STATE, 14, 14, 60);
    mk_text(p, IDC_LIC_STATE, L"", 80, 16, PW - 14 - 80, 18, 0);
    mk_label(p, TX_LIC_KEY, 14, 38, 64);
    mk_edit(p, IDC_LIC_KEY, 80, 38, PW - 14 - 80, 0);

    mk_group(p, TX_GRP_UPDATES, 6, 66, PW - 12, 98);
    mk_check(p, IDC_UPD_CHECK, TX_UPD_CHECK, 14, 78, PW - 28);
    mk_label(p, TX_UPD_VERSION, 14, 94, 80);
    mk_text(p, IDC_UPD_VERSION, v ? v : L"", 96, 96, 100, 9, 0);
    free(v);
    mk_button(p, IDC_UPD_NOW, TX_UPD_NOW, 14, 120, 80);
    mk_text(p, IDC_UPD_STATUS, L"", 14, 139, PW - 28, 20, 0);
}

static void build_logs(sdlg *s, HWND p)
{
    char *dir = ols_log_dir();
    wchar_t *wdir = dir ? ols_ui_wide(dir) : NULL;
    (void)s;
    mk_group(p, TX_GRP_LOGGING, 6, 4, PW - 12, 62);
    mk_label(p, TX_LOG_LEVEL, 14, 16, 50);
    mk_combo(p, IDC_LOG_LEVEL, 66, 16, 130);
    mk_check(p, IDC_LOG_TRACE, TX_LOG_TRACE, 14, 32, PW - 28);
    mk_label(p, TX_LOG_DIR, 14, 46, 50);
    mk_text(p, IDC_LOG_DIR, wdir ? wdir : ols_ui_s(TX_LOG_NODIR), 66, 48, PW - 14 - 66, 9,
            SS_PATHELLIPSIS);
    free(wdir);
    free(dir);

    mk_group(p, TX_GRP_LOGFILES, 6, 70, PW - 12, 96);
    mk_button(p, IDC_LOG_OPEN, TX_LOG_OPEN, 14, 82, 160);
    mk_button(p, IDC_LOG_ZIP, TX_LOG_ZIP, 14, 100, 160);
    mk_button(p, IDC_LOG_CLEAR, TX_LOG_CLEAR, 14, 118, 160);
    mk_text(p, IDC_LOG_STATUS, L"", 14, 138, PW - 28, 24, 0);

    mk_group(p, TX_GRP_CLEANUP, 6, 170, PW - 12, 58);
    mk_check(p, IDC_LOG_AUTODEL, TX_LOG_AUTODEL, 14, 182, PW - 28);
    mk_num(p, TX_LOG_KEEP, IDC_LOG_KEEP, 26, 110, 196, 30);
    mk_num(p, TX_LOG_MAXFILE, IDC_LOG_MAXFILE, 26, 110, 212, 30);
}

static void build_about(sdlg *s, HWND p)
{
    char text[2048];
    wchar_t ver[128], *w;
    LOGFONTW lf;
    HWND t;
    HFONT f = (HFONT)SendMessageW(p, WM_GETFONT, 0, 0);
    t = mk_text(p, IDC_ABOUT_NAME, L"olsync", 6, 6, PW - 12, 18, 0);
    if (f && GetObjectW(f, sizeof lf, &lf)) {
        lf.lfHeight = lf.lfHeight * 2;
        lf.lfWeight = FW_BOLD;
        s->title_font = CreateFontIndirectW(&lf);
        if (s->title_font)
            SendMessageW(t, WM_SETFONT, (WPARAM)s->title_font, FALSE);
    }
    w = ols_ui_wide(OLS_VERSION);
    swprintf(ver, 128, ols_ui_s(TX_ABOUT_VERSION), w ? w : L"");
    free(w);
    mk_text(p, IDC_ABOUT_VERSION, ver, 6, 28, PW - 12, 9, 0);
    mk_text(p, -1, ols_ui_s(TX_ABOUT_TAGLINE), 6, 40, PW - 12, 9, 0);
    mk_text(p, -1, ols_ui_s(TX_ABOUT_COPYRIGHT), 6, 52, PW - 12, 9, 0);
    mk_text(p, -1, ols_ui_s(TX_ABOUT_LIBS), 6, 70, PW - 12, 9, 0);
    /* versions from the headers we were built with: the libraries are linked statically */
    snprintf(text, sizeof text,
             "OpenSSL %s\r\n"
             "    Apache License 2.0. Copyright The OpenSSL Project Authors.\r\n"
             "    https://www.openssl.org/source/license.html\r\n\r\n"
             "curl (libcurl) %s\r\n"
             "    curl license (MIT style). Copyright Daniel Stenberg and contributors.\r\n"
             "    https://curl.se/docs/copyright.html\r\n\r\n"
             "SQLite %s\r\n"
             "    Public domain.\r\n"
             "    https://www.sqlite.org/copyright.html\r\n\r\n"
             "zlib %s\r\n"
             "    zlib license. Copyright Jean-loup Gailly and Mark Adler.\r\n"
             "    https://zlib.net/zlib_license.html\r\n\r\n"
             "cJSON %d.%d.%d\r\n"
             "    MIT license. Copyright Dave Gamble and cJSON contributors.\r\n"
             "    https://github.com/DaveGamble/cJSON/blob/master/LICENSE\r\n",
             OPENSSL_FULL_VERSION_STR, LIBCURL_VERSION, SQLITE_VERSION, ZLIB_VERSION,
             CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR, CJSON_VERSION_PATCH);
    w = ols_ui_wide(text);
    ols_ui_ctl(p, L"EDIT", w ? w : L"",
               ES_MULTILINE | ES_READONLY | ES_AUTOVSCROLL | WS_VSCROLL | WS_TABSTOP | WS_GROUP,
               WS_EX_CLIENTEDGE, 6, 82, PW - 12, PH - 88, IDC_ABOUT_LICENSES);
    free(w);
}

/* ---- values in and out of controls ---- */

static char *crlf_to_lf(char *s)
{
    char *r = s, *w = s;
    if (!s)
        return s;
    for (; *r; r++)
        if (!(r[0] == '\r' && r[1] == '\n'))
            *w++ = *r;
    *w = 0;
    return s;
}

static char *lf_to_crlf(const char *s)
{
    size_t n = 0;
    const char *p;
    char *out, *w;
    for (p = s; *p; p++)
        n += *p == '\n' ? 2 : 1;
    out = malloc(n + 1);
    if (!out)
        return NULL;
    for (p = s, w = out; *p; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r'))
            *w++ = '\r';
        *w++ = *p;
    }
    *w = 0;
    return out;
}

static void trim(char *s)
{
    size_t n;
    char *p = s;
    if (!s)
        return;
    while (*p == ' ' || *p == '\t')
        p++;
    memmove(s, p, strlen(p) + 1);
    n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
}

static void put_value(sdlg *s, const binding *b, const char *v)
{
    HWND c = ctl(s, b->page, b->id);
    int i, n = nvalues(b);
    switch (b->k) {
    case K_EDIT:
        if (b->id == IDC_RECEIPT_TEXT) {
            char *t = lf_to_crlf(v);
            ols_ui_set_text_utf8(c, t ? t : v);
            free(t);
        } else {
            ols_ui_set_text_utf8(c, v);
        }
        break;
    case K_CHECK:
        SendMessageW(c, BM_SETCHECK, !strcmp(v, "true") ? BST_CHECKED : BST_UNCHECKED, 0);
        break;
    case K_COMBO:
        for (i = 0; i < n && strcmp(b->values[i], v); i++)
            ;
        SendMessageW(c, CB_SETCURSEL, i < n ? (WPARAM)i : (WPARAM)-1, 0);
        break;
    case K_RADIO:
        for (i = 0; i < n; i++)
            SendMessageW(ctl(s, b->page, b->id + i), BM_SETCHECK,
                         strcmp(b->values[i], v) ? BST_UNCHECKED : BST_CHECKED, 0);
        break;
    }
}

/* The control's value as setting text (malloc'd), or NULL if the page was never shown. */
static char *get_value(sdlg *s, const binding *b)
{
    HWND c = ctl(s, b->page, b->id);
    int i, n = nvalues(b);
    char *v;
    if (!c)
        return NULL;
    switch (b->k) {
    case K_EDIT:
        v = ols_ui_text_utf8(c);
        if (b->id == IDC_RECEIPT_TEXT)
            return crlf_to_lf(v);
        trim(v);
        return v;
    case K_CHECK:
        return strdup(SendMessageW(c, BM_GETCHECK, 0, 0) == BST_CHECKED ? "true" : "false");
    case K_COMBO:
        i = (int)SendMessageW(c, CB_GETCURSEL, 0, 0);
        return strdup(i >= 0 && i < n ? b->values[i] : "");
    case K_RADIO:
        for (i = 0; i < n; i++)
            if (SendMessageW(ctl(s, b->page, b->id + i), BM_GETCHECK, 0, 0) == BST_CHECKED)
                return strdup(b->values[i]);
        return strdup("");
    }
    return NULL;
}

static int checked(sdlg *s, int page, int id)
{
    HWND c = ctl(s, page, id);
    return c && SendMessageW(c, BM_GETCHECK, 0, 0) == BST_CHECKED;
}

static int locked(sdlg *s, int id)
{
    const binding *b = bind_by_id(id);
    return b && ols_settings_is_locked(s->ctx->settings, b->key);
}

static void enable(sdlg *s, int page, int id, int on)
{
    HWND c = ctl(s, page, id);
    if (c)
        EnableWindow(c, on && !locked(s, id));
}

/* Fields that only mean something when another one is on. */
static void update_enables(sdlg *s)
{
    int manual = !checked(s, 0, IDC_DISCOVER), on;
    enable(s, 0, IDC_IMAP_HOST, manual);
    enable(s, 0, IDC_IMAP_PORT, manual);
    enable(s, 0, IDC_IMAP_SEC, manual);
    enable(s, 0, IDC_SMTP_HOST, manual);
    enable(s, 0, IDC_SMTP_PORT, manual);
    enable(s, 0, IDC_SMTP_SEC, manual);
    enable(s, 1, IDC_THRESHOLD, checked(s, 1, IDC_MODE_CUSTOM));
    enable(s, 1, IDC_APPLY_EXISTING, !checked(s, 1, IDC_MODE_FULL));
    enable(s, 3, IDC_NOTIFY_SECONDS, checked(s, 3, IDC_NOTIFY));
    on = checked(s, 3, IDC_SOUND);
    enable(s, 3, IDC_SOUND_FILE, on);
    enable(s, 3, IDC_SOUND_BROWSE, on && !locked(s, IDC_SOUND_FILE));
    enable(s, 3, IDC_SOUND_TEST, on);
    on = checked(s, 3, IDC_RECEIPTS);
    enable(s, 3, IDC_RECEIPT_MODE, on);
    enable(s, 3, IDC_RECEIPT_TEXT, on);
    enable(s, 3, IDC_RECEIPT_DEFAULT, on && !locked(s, IDC_RECEIPT_TEXT));
    enable(s, 5, IDC_LOG_KEEP, checked(s, 5, IDC_LOG_AUTODEL));
    enable(s, 1, IDC_CA_BROWSE, !locked(s, IDC_CA_FILE));
}

static void update_license_state(sdlg *s)
{
    HWND k = ctl(s, 4, IDC_LIC_KEY);
    if (k)
        SetWindowTextW(ctl(s, 4, IDC_LIC_STATE),
                       ols_ui_s(GetWindowTextLengthW(k) ? TX_LIC_UNCHECKED : TX_LIC_NONE));
}

static char *secret_name(sdlg *s)
{
    char *user = ols_settings_get_str(s->ctx->settings, "account.user");
    char *host = ols_settings_get_str(s->ctx->settings, "account.imap.host");
    char *name = NULL;
    if (user && host && *user && *host) {
        size_t n = strlen(user) + strlen(host) + 8;
        name = malloc(n);
        if (name)
            snprintf(name, n, "imap.%s@%s", user, host);
    }
    free(user);
    free(host);
    return name;
}

/* The password in force: typed this session, else the secret store (same name as the CLI). */
static char *current_password(sdlg *s)
{
    char *pw = ols_settings_get_str(s->ctx->settings, "account.password");
    char *name;
    if (pw && *pw)
        return pw;
    free(pw);
    pw = NULL;
    name = secret_name(s);
    if (name && ols_secret_get(name, &pw, NULL) != OLS_OK)
        pw = NULL;
    free(name);
    return pw;
}

static void load_page(sdlg *s, int page)
{
    size_t i;
    s->loading++;
    for (i = 0; i < NBINDS; i++) {
        const binding *b = &binds[i];
        char *v;
        int j;
        if (b->page != page)
            continue;
        v = ols_settings_get_str(s->ctx->settings, b->key);
        put_value(s, b, v ? v : "");
        free(v);
        if (ols_settings_is_locked(s->ctx->settings, b->key)) {
            for (j = 0; j < (b->k == K_RADIO ? nvalues(b) : 1); j++) {
                HWND c = ctl(s, page, b->id + j);
                EnableWindow(c, FALSE);
                ols_ui_tooltip_for(s->tip[page], c, ols_ui_s(TX_LOCKED_TIP));
            }
        }
    }
    if (page == 0) {
        char *pw = current_password(s);
        ols_ui_set_text_utf8(ctl(s, 0, IDC_PASSWORD), pw ? pw : "");
        s->password0 = pw ? pw : strdup("");
        if (ols_settings_is_locked(s->ctx->settings, "account.password"))
            EnableWindow(ctl(s, 0, IDC_PASSWORD), FALSE);
    }
    if (page == 1) {
        long long port = ols_settings_get_int(s->ctx->settings, "pop3.bound_port");
        wchar_t t[128];
        if (port > 0)
            swprintf(t, 128, ols_ui_s(TX_POP3_BOUND), port);
        else
            wcscpy(t, ols_ui_s(TX_POP3_IDLE));
        SetWindowTextW(ctl(s, 1, IDC_POP3_STATE), t);
    }
    if (page == 4)
        update_license_state(s);
    update_enables(s);
    s->loading--;
}

/* ---- the folder tree (no settings key yet: kept in the host's ols_ui_folder array) ---- */

static HTREEITEM tree_child(HWND tree, HTREEITEM parent, const wchar_t *name)
{
    HTREEITEM it = parent ? TreeView_GetChild(tree, parent) : TreeView_GetRoot(tree);
    wchar_t buf[256];
    TVITEMW tv;
    for (; it; it = TreeView_GetNextSibling(tree, it)) {
        memset(&tv, 0, sizeof tv);
        tv.mask = TVIF_TEXT | TVIF_HANDLE;
        tv.hItem = it;
        tv.pszText = buf;
        tv.cchTextMax = 256;
        if (TreeView_GetItem(tree, &tv) && !wcscmp(buf, name))
            return it;
    }
    return NULL;
}

static void tree_set_row(HWND tree, folder_row *r)
{
    TVITEMW tv;
    memset(&tv, 0, sizeof tv);
    tv.mask = TVIF_STATE | TVIF_HANDLE;
    tv.hItem = r->item;
    tv.stateMask = TVIS_BOLD | TVIS_STATEIMAGEMASK;
    tv.state = (r->priority ? TVIS_BOLD : 0) | INDEXTOSTATEIMAGEMASK(r->automatic ? 2 : 1);
    TreeView_SetItem(tree, &tv);
}

static void fill_tree(sdlg *s, HWND tree)
{
    size_t i;
    for (i = 0; i < s->n_rows; i++) {
        folder_row *r = &s->rows[i];
        HTREEITEM parent = NULL;
        char *copy = strdup(r->path), *part, *next;
        if (!copy)
            continue;
        for (part = copy; part; part = next) {
            wchar_t *w;
            HTREEITEM it;
            next = strchr(part, '/');
            if (next)
                *next++ = 0;
            w = ols_ui_wide(part);
            if (!w)
                break;
            it = tree_child(tree, parent, w);
            if (!it) {
                TVINSERTSTRUCTW ins;
                memset(&ins, 0, sizeof ins);
                ins.hParent = parent ? parent : TVI_ROOT;
                ins.hInsertAfter = TVI_LAST;
                ins.item.mask = TVIF_TEXT | TVIF_PARAM | TVIF_STATE;
                ins.item.pszText = w;
                ins.item.lParam = -1;
                /* a level that is not itself a folder of ours has no tick box */
                ins.item.stateMask = TVIS_STATEIMAGEMASK;
                ins.item.state = INDEXTOSTATEIMAGEMASK(0);
                it = TreeView_InsertItem(tree, &ins);
            }
            free(w);
            parent = it;
        }
        free(copy);
        if (parent) {
            TVITEMW tv;
            r->item = parent;
            memset(&tv, 0, sizeof tv);
            tv.mask = TVIF_PARAM | TVIF_HANDLE;
            tv.hItem = parent;
            tv.lParam = (LPARAM)i;
            TreeView_SetItem(tree, &tv);
            tree_set_row(tree, r);
        }
    }
    for (i = 0; i < s->n_rows; i++)
        if (s->rows[i].item)
            TreeView_EnsureVisible(tree, s->rows[i].item);
    if (TreeView_GetRoot(tree))
        TreeView_SelectItem(tree, TreeView_GetRoot(tree));
    TreeView_EnsureVisible(tree, TreeView_GetRoot(tree));
}

static folder_row *row_of(sdlg *s, HWND tree, HTREEITEM it)
{
    TVITEMW tv;
    memset(&tv, 0, sizeof tv);
    tv.mask = TVIF_PARAM | TVIF_HANDLE;
    tv.hItem = it;
    if (!it || !TreeView_GetItem(tree, &tv) || tv.lParam < 0 || (size_t)tv.lParam >= s->n_rows)
        return NULL;
    return &s->rows[tv.lParam];
}

static void toggle_priority(sdlg *s)
{
    HWND tree = ctl(s, 2, IDC_FOLDER_TREE);
    folder_row *r = tree ? row_of(s, tree, TreeView_GetSelection(tree)) : NULL;
    if (!r)
        return;
    r->automatic = TreeView_GetCheckState(tree, r->item) == 1;
    r->priority = !r->priority;
    if (r->priority)
        r->automatic = 1; /* a priority folder syncs by itself, only more often */
    tree_set_row(tree, r);
    PropSheet_Changed(s->sheet, s->page[2]);
}

/* ---- OK / Apply ---- */

static void show_err(sdlg *s, const binding *b, const wchar_t *text)
{
    HWND e = ctl(s, b->page, OLS_UI_ERR_ID(b->id));
    if (!e)
        return;
    ShowWindow(e, SW_HIDE);
    SetWindowTextW(e, text);
    ShowWindow(e, SW_SHOW);
}

static void hide_errs(sdlg *s)
{
    size_t i;
    for (i = 0; i < NBINDS; i++) {
        HWND e = ctl(s, binds[i].page, OLS_UI_ERR_ID(binds[i].id));
        /* by style: a label on a page behind another tab is not "visible" */
        if (e && (GetWindowLongW(e, GWL_STYLE) & WS_VISIBLE))
            ShowWindow(e, SW_HIDE);
    }
}

/* Words for a value the settings table refuses. */
static void describe_bad(const binding *b, const char *v, wchar_t *out, size_t n)
{
    const ols_setting_def *d = ols_settings_find(b->key);
    char *end;
    if (d && d->type == OLS_SET_INT) {
        strtoll(v, &end, 10);
        if (!*v || *end)
            wcsncpy(out, ols_ui_s(TX_ERR_NUMBER), n);
        else
            swprintf(out, n, ols_ui_s(TX_ERR_RANGE), d->min, d->max);
    } else if (d && d->type == OLS_SET_ENUM) {
        wcsncpy(out, ols_ui_s(TX_ERR_CHOICE), n);
    } else {
        wcsncpy(out, ols_ui_s(TX_ERR_TOO_LONG), n);
    }
    out[n - 1] = 0;
}

static void message(sdlg *s, ols_ui_str fmt, const char *detail)
{
    wchar_t *w = ols_ui_wide(detail ? detail : ""), buf[1400];
    swprintf(buf, 1400, ols_ui_s(fmt), w ? w : L"");
    free(w);
    MessageBoxW(s->sheet, buf, ols_ui_s(TX_SETTINGS_TITLE), MB_OK | MB_ICONERROR);
}

static void folders_gather(sdlg *s)
{
    HWND tree = ctl(s, 2, IDC_FOLDER_TREE);
    size_t i;
    if (!tree)
        return;
    for (i = 0; i < s->n_rows; i++)
        if (s->rows[i].item)
            s->rows[i].automatic = TreeView_GetCheckState(tree, s->rows[i].item) == 1;
}

/* 1 = saved (or nothing to save), 0 = a field is bad (named on its page), -1 = I/O error.
 * Every page that exists is read; pages never shown keep their values. */
static int commit(sdlg *s)
{
    ols_settings *cur = s->ctx->settings, *scratch = NULL;
    const char *keys[NBINDS + 1], *vals[NBINDS + 1];
    char *owned[NBINDS + 1], *old[NBINDS + 1];
    const binding *bad = NULL;
    char *pw = NULL, *name = NULL, *old_secret = NULL;
    size_t i, n = 0, j;
    int rc = 1, pw_changed = 0, remember, had_secret = 0, folders_changed = 0;
    ols_err err = {0};

    hide_errs(s);
    if (ols_settings_new(&scratch) != OLS_OK)
        return -1;
    for (i = 0; i < NBINDS; i++) {
        const binding *b = &binds[i];
        char *v = get_value(s, b), *now;
        if (!v)
            continue;
        now = ols_settings_get_str(cur, b->key);
        if ((now && !strcmp(now, v)) || ols_settings_is_locked(cur, b->key)) {
            free(now);
            free(v);
            continue;
        }
        free(now);
        /* check each value alone, so every bad field gets its own label */
        if (ols_settings_set(scratch, b->key, v, &err) != OLS_OK) {
            wchar_t why[128];
            describe_bad(b, v, why, 128);
            show_err(s, b, why);
            if (!bad)
                bad = b;
            free(v);
            continue;
        }
        keys[n] = b->key;
        vals[n] = owned[n] = v;
        n++;
    }
    ols_settings_free(scratch);
    /* the POP3 stub tries ports first..last */
    if (!bad) {
        long long first, last;
        char *f = NULL, *l = NULL;
        for (j = 0; j < n; j++) {
            if (!strcmp(keys[j], "pop3.port"))
                f = owned[j];
            if (!strcmp(keys[j], "pop3.port_max"))
                l = owned[j];
        }
        first = f ? strtoll(f, NULL, 10) : ols_settings_get_int(cur, "pop3.port");
        last = l ? strtoll(l, NULL, 10) : ols_settings_get_int(cur, "pop3.port_max");
        if (last < first) {
            bad = bind_by_key("pop3.port_max");
            show_err(s, bad, ols_ui_s(TX_ERR_PORT_ORDER));
        }
    }
    if (bad) {
        for (j = 0; j < n; j++)
            free(owned[j]);
        MessageBeep(MB_ICONWARNING);
        PostMessageW(s->sheet, WM_OLS_SHOW_ERROR, (WPARAM)bad->page, (LPARAM)bad->id);
        return 0;
    }

    /* the password goes to the secret store, never into the settings file */
    if (s->page[0]) {
        pw = ols_ui_text_utf8(ctl(s, 0, IDC_PASSWORD));
        pw_changed = pw && strcmp(pw, s->password0 ? s->password0 : "") != 0;
    }
    for (j = 0; j < n; j++)
        old[j] = ols_settings_get_str(cur, keys[j]);
    if (n && ols_settings_set_many(cur, keys, vals, n, &err) != OLS_OK) {
        rc = -1;
        message(s, TX_ERR_SAVE, err.msg);
        goto out;
    }
    remember = ols_settings_get_bool(cur, "account.remember_password");
    name = secret_name(s);
    if (pw_changed && name) {
        had_secret = ols_secret_get(name, &old_secret, NULL) == OLS_OK;
        if (remember && *pw) {
            if (ols_secret_set(name, pw, &err) != OLS_OK) {
                rc = -1;
                message(s, TX_ERR_SECRET, err.msg);
            }
        } else {
            ols_secret_delete(name, NULL);
        }
    }
    if (rc == 1 && n && s->ctx->settings_path &&
        ols_settings_save(cur, s->ctx->settings_path, &err) != OLS_OK) {
        rc = -1;
        message(s, TX_ERR_SAVE, err.msg);
    }
    if (rc != 1) {
        /* nothing half-way: the values in memory and the stored password go back */
        const char *ov[NBINDS + 1];
        for (j = 0; j < n; j++)
            ov[j] = old[j] ? old[j] : "";
        if (n)
            ols_settings_set_many(cur, keys, ov, n, NULL);
        if (pw_changed && name) {
            if (had_secret)
                ols_secret_set(name, old_secret, NULL);
            else
                ols_secret_delete(name, NULL);
        }
        goto out;
    }
    if (pw_changed) {
        /* this session uses the typed password either way; the file never sees it */
        ols_settings_set(cur, "account.password", pw, NULL);
        free(s->password0);
        s->password0 = strdup(pw);
    }
    folders_gather(s);
    for (i = 0; i < s->n_rows && i < s->ctx->n_folders; i++) {
        ols_ui_folder *f = &s->ctx->folders[i];
        if (f->automatic != s->rows[i].automatic || f->priority != s->rows[i].priority)
            folders_changed = 1;
        f->automatic = s->rows[i].automatic;
        f->priority = s->rows[i].priority;
    }
    if (n || pw_changed || folders_changed) {
        s->saved = 1;
        if (s->ctx->applied)
            s->ctx->applied(s->ctx->user);
    }
out:
    for (j = 0; j < n; j++) {
        free(owned[j]);
        free(old[j]);
    }
    if (pw) {
        ols_memzero(pw, strlen(pw));
        free(pw);
    }
    if (old_secret)
        ols_secret_free(old_secret);
    free(name);
    return rc;
}

/* ---- background jobs: test connection, log zip, clearing logs ---- */

typedef struct job {
    sdlg *s;
    int kind; /* IDC_TEST, IDC_LOG_ZIP, IDC_LOG_CLEAR */
    char host[256];
    char path[MAX_PATH * 3];
    uint16_t port;
    int tls;      /* security: 0 starttls, 1 tls, 2 plain */
    char user[256], password[256], ca[MAX_PATH * 3];
    int logged_in;
    ols_status st;
    ols_err err;
    char greeting[200];
} job;

static void job_free(job *j)
{
    ols_memzero(j->password, sizeof j->password);
    free(j);
}

static ols_status test_run(ols_job_ctx *jc, void *arg)
{
    job *j = arg;
    ols_sock sock;
    ols_pollfd pf;
    char buf[512];
    long got = 0;
    (void)jc;
    ols_net_init();
#ifdef OLS_UI_HAVE_IMAP
    if (j->user[0] && j->password[0]) {
        /* the whole way: TCP, TLS (verified), capabilities, login, logout */
        ols_imap_config c;
        ols_imap *im = NULL;
        memset(&c, 0, sizeof c);
        c.host = j->host;
        c.port = j->port;
        c.security = j->tls == 1 ? OLS_SEC_TLS : j->tls == 2 ? OLS_SEC_PLAIN : OLS_SEC_STARTTLS;
        c.tls.ca_file = j->ca[0] ? j->ca : NULL;
        c.user = j->user;
        c.password = j->password;
        c.timeout_ms = 20000;
        c.no_compress = 1;
        j->st = ols_imap_connect(&c, &im, &j->err);
        ols_memzero(j->password, sizeof j->password);
        if (j->st == OLS_OK) {
            j->logged_in = 1;
            ols_imap_close(im);
        }
        return j->st;
    }
#endif
    j->st = ols_sock_connect(j->host, j->port, 10000, &sock, &j->err);
    if (j->st != OLS_OK)
        return j->st;
    if (j->tls != 1) {
        /* a plain or STARTTLS port greets first; we read it and send nothing */
        pf.sock = sock;
        pf.events = OLS_POLL_IN;
        pf.revents = 0;
        if (ols_poll(&pf, 1, 10000) > 0)
            got = ols_sock_recv(sock, buf, sizeof buf - 1);
        if (got > 0) {
            char *eol;
            buf[got] = 0;
            eol = strpbrk(buf, "\r\n");
            if (eol)
                *eol = 0;
            snprintf(j->greeting, sizeof j->greeting, "%s", buf);
        }
    }
    ols_sock_close(sock);
    return OLS_OK;
}

static ols_status log_run(ols_job_ctx *jc, void *arg)
{
    job *j = arg;
    (void)jc;
    if (j->kind == IDC_LOG_ZIP)
        j->st = ols_log_support_zip(j->path, 2, &j->err);
    else
        j->st = ols_log_clear(&j->err);
    return j->st;
}

static void job_done(void *arg, ols_status st)
{
    job *j = arg;
    sdlg *s = j->s;
    wchar_t buf[1024];
    (void)st;
    if (!s->gone && j->kind == IDC_TEST && s->page[0]) {
        HWND pg = s->page[0];
        wchar_t *host = ols_ui_wide(j->host), *said = ols_ui_wide(j->greeting);
        wchar_t *why = ols_ui_wide(j->err.msg[0] ? j->err.msg : ols_status_name(j->st));
        if (j->st != OLS_OK)
            swprintf(buf, 1024, ols_ui_s(TX_TEST_FAILED), why ? why : L"");
        else if (j->logged_in) {
            wchar_t *user = ols_ui_wide(j->user);
            swprintf(buf, 1024, ols_ui_s(TX_TEST_LOGGED_IN), host ? host : L"", j->port,
                     user ? user : L"",
                     ols_ui_s(j->tls == 1 ? TX_SEC_TLS : j->tls == 2 ? TX_SEC_PLAIN
                                                                     : TX_SEC_STARTTLS));
            free(user);
        } else if (j->tls == 1)
            swprintf(buf, 1024, ols_ui_s(TX_TEST_TLS_PORT), host ? host : L"", j->port);
        else if (j->greeting[0])
            swprintf(buf, 1024, ols_ui_s(TX_TEST_GREETING), host ? host : L"", j->port,
                     said ? said : L"");
        else
            swprintf(buf, 1024, ols_ui_s(TX_TEST_SILENT), host ? host : L"", j->port);
        free(host);
        free(said);
        free(why);
        SendDlgItemMessageW(pg, IDC_TEST_PROGRESS, PBM_SETMARQUEE, FALSE, 0);
        ShowWindow(GetDlgItem(pg, IDC_TEST_PROGRESS), SW_HIDE);
        SetDlgItemTextW(pg, IDC_TEST_RESULT, buf);
        EnableWindow(GetDlgItem(pg, IDC_TEST), TRUE);
        s->test_busy = 0;
    } else if (!s->gone && s->page[5]) {
        wchar_t *w = ols_ui_wide(j->st == OLS_OK ? j->path : j->err.msg);
        if (j->st != OLS_OK)
            swprintf(buf, 1024, ols_ui_s(TX_LOG_FAILED), w ? w : L"");
        else if (j->kind == IDC_LOG_ZIP)
            swprintf(buf, 1024, ols_ui_s(TX_LOG_ZIP_DONE), w ? w : L"");
        else
            wcscpy(buf, ols_ui_s(TX_LOG_CLEARED));
        free(w);
        SetDlgItemTextW(s->page[5], IDC_LOG_STATUS, buf);
        EnableWindow(GetDlgItem(s->page[5], IDC_LOG_ZIP), TRUE);
        EnableWindow(GetDlgItem(s->page[5], IDC_LOG_CLEAR), TRUE);
    }
    if (s->test_job && j->kind == IDC_TEST)
        s->test_job = 0;
    job_free(j);
    sdlg_release(s);
}

static int submit(sdlg *s, job *j, ols_job_fn fn, ols_job_id *id)
{
    ols_job_spec spec;
    if (!s->ctx->pool || !s->ctx->cq)
        return 0;
    memset(&spec, 0, sizeof spec);
    spec.run = fn;
    spec.done = job_done;
    spec.arg = j;
    spec.prio = OLS_PRIO_NOW;
    spec.cq = s->ctx->cq;
    j->s = s;
    s->refs++;
    if (ols_pool_submit(s->ctx->pool, &spec, id) != OLS_OK) {
        s->refs--;
        return 0;
    }
    return 1;
}

static void start_test(sdlg *s)
{
    HWND pg = s->page[0];
    job *j;
    char *host, *port, *sec;
    wchar_t buf[512], *wh;
    if (s->test_busy)
        return;
    host = ols_ui_text_utf8(GetDlgItem(pg, IDC_IMAP_HOST));
    port = ols_ui_text_utf8(GetDlgItem(pg, IDC_IMAP_PORT));
    trim(host);
    trim(port);
    if (!host || !*host) {
        SetDlgItemTextW(pg, IDC_TEST_RESULT, ols_ui_s(TX_TEST_NOHOST));
        free(host);
        free(port);
        return;
    }
    j = calloc(1, sizeof *j);
    if (!j) {
        free(host);
        free(port);
        return;
    }
    j->kind = IDC_TEST;
    snprintf(j->host, sizeof j->host, "%s", host);
    j->port = (uint16_t)(port ? strtoul(port, NULL, 10) : 143);
    if (!j->port)
        j->port = 143;
    sec = get_value(s, bind_by_id(IDC_IMAP_SEC));
    j->tls = sec && !strcmp(sec, "tls") ? 1 : sec && !strcmp(sec, "plain") ? 2 : 0;
    free(sec);
    free(host);
    free(port);
    {
        /* the values as typed, saved or not: that is what the user wants to try */
        char *user = ols_ui_text_utf8(GetDlgItem(pg, IDC_USER));
        char *pw = ols_ui_text_utf8(GetDlgItem(pg, IDC_PASSWORD));
        HWND ca = ctl(s, 1, IDC_CA_FILE);
        char *caf = ca ? ols_ui_text_utf8(ca) : ols_settings_get_str(s->ctx->settings, "tls.ca_file");
        trim(user);
        trim(caf);
        snprintf(j->user, sizeof j->user, "%s", user ? user : "");
        snprintf(j->password, sizeof j->password, "%s", pw ? pw : "");
        snprintf(j->ca, sizeof j->ca, "%s", caf ? caf : "");
        if (pw) {
            ols_memzero(pw, strlen(pw));
            free(pw);
        }
        free(user);
        free(caf);
    }
    if (!submit(s, j, test_run, &s->test_job)) {
        job_free(j);
        SetDlgItemTextW(pg, IDC_TEST_RESULT, ols_ui_s(TX_TEST_NOPOOL));
        return;
    }
    s->test_busy = 1;
    EnableWindow(GetDlgItem(pg, IDC_TEST), FALSE);
    ShowWindow(GetDlgItem(pg, IDC_TEST_PROGRESS), SW_SHOW);
    SendDlgItemMessageW(pg, IDC_TEST_PROGRESS, PBM_SETMARQUEE, TRUE, 30);
    wh = ols_ui_wide(j->host);
    swprintf(buf, 512, ols_ui_s(TX_TEST_RUNNING), wh ? wh : L"", j->port);
    free(wh);
    SetDlgItemTextW(pg, IDC_TEST_RESULT, buf);
}

static void start_log_job(sdlg *s, int what)
{
    HWND pg = s->page[5];
    job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->kind = what;
    if (what == IDC_LOG_ZIP) {
        wchar_t path[MAX_PATH] = L"olsync-logs.zip";
        char *u;
        int ok;
        if (s->ctx->pick_save_path) {
            ok = s->ctx->pick_save_path(s->ctx->user, path, MAX_PATH);
        } else {
            OPENFILENAMEW of;
            wchar_t filter[128];
            size_t fl;
            /* "label\0*.zip\0\0" */
            wcsncpy(filter, ols_ui_s(TX_LOG_ZIP_FILTER), 100);
            filter[100] = 0;
            fl = wcslen(filter) + 1;
            wcscpy(filter + fl, L"*.zip");
            filter[fl + 6] = 0;
            memset(&of, 0, sizeof of);
            of.lStructSize = sizeof of;
            of.hwndOwner = s->sheet;
            of.lpstrFilter = filter;
            of.lpstrFile = path;
            of.nMaxFile = MAX_PATH;
            of.lpstrTitle = ols_ui_s(TX_LOG_ZIP_TITLE);
            of.lpstrDefExt = L"zip";
            of.Flags = OFN_OVERWRITEPROMPT | OFN_PATHMUSTEXIST | OFN_NOCHANGEDIR;
            ok = GetSaveFileNameW(&of);
        }
        u = ok ? ols_ui_utf8(path) : NULL;
        if (!u) {
            free(j);
            return;
        }
        snprintf(j->path, sizeof j->path, "%s", u);
        free(u);
    }
    if (!submit(s, j, log_run, NULL)) {
        free(j);
        SetDlgItemTextW(pg, IDC_LOG_STATUS, ols_ui_s(TX_TEST_NOPOOL));
        return;
    }
    EnableWindow(GetDlgItem(pg, IDC_LOG_ZIP), FALSE);
    EnableWindow(GetDlgItem(pg, IDC_LOG_CLEAR), FALSE);
    SetDlgItemTextW(pg, IDC_LOG_STATUS, ols_ui_s(TX_LOG_WORKING));
}

static void browse(HWND owner, HWND edit, const wchar_t *filter)
{
    wchar_t path[MAX_PATH];
    OPENFILENAMEW of;
    GetWindowTextW(edit, path, MAX_PATH);
    memset(&of, 0, sizeof of);
    of.lStructSize = sizeof of;
    of.hwndOwner = owner;
    of.lpstrFilter = filter;
    of.lpstrFile = path;
    of.nMaxFile = MAX_PATH;
    of.Flags = OFN_FILEMUSTEXIST | OFN_NOCHANGEDIR;
    if (GetOpenFileNameW(&of))
        SetWindowTextW(edit, path);
}

/* ---- page and sheet procedures ---- */

static void on_command(sdlg *s, int page, HWND pg, int id, int code)
{
    const binding *b;
    switch (id) {
    case IDC_TEST:
        start_test(s);
        return;
    case IDC_PRIORITY:
        toggle_priority(s);
        return;
    case IDC_LOG_OPEN: {
        char *dir = ols_log_dir();
        wchar_t *w = dir ? ols_ui_wide(dir) : NULL;
        if (w)
            ShellExecuteW(s->sheet, L"open", w, NULL, NULL, SW_SHOWNORMAL);
        free(w);
        free(dir);
        return;
    }
    case IDC_LOG_ZIP:
    case IDC_LOG_CLEAR:
        start_log_job(s, id);
        return;
    case IDC_UPD_NOW:
        if (s->ctx->check_updates)
            s->ctx->check_updates(s->ctx->user);
        SetDlgItemTextW(pg, IDC_UPD_STATUS,
                        ols_ui_s(s->ctx->check_updates ? TX_UPD_ASKED : TX_UPD_NOSERVICE));
        return;
    case IDC_RECEIPT_DEFAULT: {
        const ols_setting_def *d = ols_settings_find("ui.read_receipt_text");
        if (d)
            put_value(s, bind_by_key("ui.read_receipt_text"), d->def);
        return;
    }
    case IDC_SOUND_TEST: {
        wchar_t f[MAX_PATH];
        GetDlgItemTextW(pg, IDC_SOUND_FILE, f, MAX_PATH);
        if (*f)
            PlaySoundW(f, NULL, SND_FILENAME | SND_ASYNC | SND_NODEFAULT);
        else
            PlaySoundW(L"SystemNotification", NULL, SND_ALIAS | SND_ASYNC);
        return;
    }
    case IDC_SOUND_BROWSE:
        browse(s->sheet, GetDlgItem(pg, IDC_SOUND_FILE), L"WAV (*.wav)\0*.wav\0");
        return;
    case IDC_CA_BROWSE:
        browse(s->sheet, GetDlgItem(pg, IDC_CA_FILE), L"PEM (*.pem;*.crt)\0*.pem;*.crt\0");
        return;
    }
    if (s->loading)
        return;
    b = bind_by_id(id);
    if (!b && (id == IDC_MODE_CUSTOM || id == IDC_MODE_FULL))
        b = bind_by_id(IDC_MODE_HEADERS);
    if (id == IDC_PASSWORD || b) {
        int edit_change = code == EN_CHANGE, click = code == BN_CLICKED,
            sel = code == CBN_SELCHANGE;
        if (edit_change || click || sel) {
            HWND e = b ? GetDlgItem(pg, OLS_UI_ERR_ID(b->id)) : NULL;
            if (edit_change && e && (GetWindowLongW(e, GWL_STYLE) & WS_VISIBLE))
                ShowWindow(e, SW_HIDE); /* the user is fixing it */
            PropSheet_Changed(s->sheet, pg);
            if (click || sel)
                update_enables(s);
            if (id == IDC_LIC_KEY)
                update_license_state(s);
        }
    }
    (void)page;
}

static INT_PTR CALLBACK page_proc(HWND pg, UINT msg, WPARAM wp, LPARAM lp)
{
    page_info *pi = (page_info *)GetWindowLongPtrW(pg, DWLP_USER);
    sdlg *s = pi ? pi->s : NULL;
    switch (msg) {
    case WM_INITDIALOG: {
        PROPSHEETPAGEW *psp = (PROPSHEETPAGEW *)lp;
        pi = (page_info *)psp->lParam;
        s = pi->s;
        SetWindowLongPtrW(pg, DWLP_USER, (LONG_PTR)pi);
        s->page[pi->idx] = pg;
        s->tip[pi->idx] = ols_ui_tooltip_new(pg);
        switch (pi->idx) {
        case 0: build_login(s, pg); break;
        case 1: build_advanced(s, pg); break;
        case 2: build_sync(s, pg); break;
        case 3: build_appearance(s, pg); break;
        case 4: build_license(s, pg); break;
        case 5: build_logs(s, pg); break;
        default: build_about(s, pg); break;
        }
        load_page(s, pi->idx);
        if (pi->idx == 2)
            fill_tree(s, GetDlgItem(pg, IDC_FOLDER_TREE));
        return TRUE;
    }
    case WM_COMMAND:
        if (s)
            on_command(s, pi->idx, pg, LOWORD(wp), HIWORD(wp));
        return TRUE;
    case WM_CTLCOLORSTATIC: {
        int id = GetDlgCtrlID((HWND)lp);
        if (id > OLS_UI_ERR_ID(1000) && id < OLS_UI_ERR_ID(1200)) {
            HDC dc = (HDC)wp;
            SetTextColor(dc, RGB(200, 0, 0));
            SetBkMode(dc, TRANSPARENT);
            return (INT_PTR)GetStockObject(NULL_BRUSH);
        }
        return FALSE;
    }
    case WM_NOTIFY: {
        NMHDR *nm = (NMHDR *)lp;
        if (!s)
            return FALSE;
        if (nm->code == PSN_SETACTIVE && pi->idx == OLS_UI_TAB_ABOUT) {
            /* the page focuses the licence text, which would select all of it */
            PostMessageW(GetDlgItem(pg, IDC_ABOUT_LICENSES), EM_SETSEL, 0, 0);
            return FALSE;
        }
        if (nm->code == PSN_APPLY) {
            int r = commit(s);
            SetWindowLongPtrW(pg, DWLP_MSGRESULT,
                              r == 1 ? PSNRET_NOERROR : PSNRET_INVALID_NOCHANGEPAGE);
            return TRUE;
        }
        if (nm->idFrom == IDC_FOLDER_TREE && !s->loading &&
            (nm->code == NM_CLICK ||
             (nm->code == TVN_KEYDOWN && ((NMTVKEYDOWN *)lp)->wVKey == VK_SPACE))) {
            PropSheet_Changed(s->sheet, pg);
            return FALSE;
        }
        return FALSE;
    }
    case WM_DESTROY:
        if (s)
            s->page[pi->idx] = NULL;
        return FALSE;
    }
    return FALSE;
}

static void sheet_gone(sdlg *s)
{
    int p;
    s->gone = 1;
    for (p = 0; p < OLS_UI_TAB_COUNT; p++)
        s->page[p] = NULL;
    if (s->test_job && s->ctx->pool)
        ols_pool_cancel(s->ctx->pool, s->test_job);
    ols_ui_modeless_remove(s->sheet);
    g_last_saved = s->saved;
    if (g_sdlg == s)
        g_sdlg = NULL;
    sdlg_release(s);
}

static LRESULT CALLBACK sheet_proc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    sdlg *s = (sdlg *)GetPropW(h, L"olsync.sdlg");
    LRESULT r;
    if (!s)
        return DefWindowProcW(h, msg, wp, lp);
    if (msg == WM_OLS_SHOW_ERROR) {
        HWND c;
        PropSheet_SetCurSel(h, NULL, (int)wp);
        c = ctl(s, (int)wp, (int)lp);
        if (c) {
            SetFocus(c);
            SendMessageW(c, EM_SETSEL, 0, -1);
        }
        return 0;
    }
    if (msg == WM_OLS_DESTROY) {
        DestroyWindow(h);
        return 0;
    }
    r = CallWindowProcW(s->sheet_proc, h, msg, wp, lp);
    switch (msg) {
    case WM_COMMAND:
    case WM_SYSCOMMAND:
    case WM_CLOSE:
    case PSM_PRESSBUTTON:
        /* a modeless sheet says it is finished by having no current page */
        if (!s->closing && !s->gone && !PropSheet_GetCurrentPageHwnd(h)) {
            s->closing = 1;
            PostMessageW(h, WM_OLS_DESTROY, 0, 0);
        }
        break;
    case WM_NCDESTROY:
        SetWindowLongPtrW(h, GWLP_WNDPROC, (LONG_PTR)s->sheet_proc);
        RemovePropW(h, L"olsync.sdlg");
        sheet_gone(s);
        break;
    }
    return r;
}

static int load_folders(sdlg *s)
{
    size_t i;
    if (!s->ctx->n_folders || !s->ctx->folders)
        return 1;
    s->rows = calloc(s->ctx->n_folders, sizeof *s->rows);
    if (!s->rows)
        return 0;
    for (i = 0; i < s->ctx->n_folders; i++) {
        s->rows[i].path = strdup(s->ctx->folders[i].path ? s->ctx->folders[i].path : "");
        if (!s->rows[i].path)
            return 0;
        s->rows[i].automatic = s->ctx->folders[i].automatic;
        s->rows[i].priority = s->ctx->folders[i].priority;
        s->n_rows++;
    }
    return 1;
}

HWND ols_ui_settings_open(HWND owner, ols_ui_ctx *ctx, int tab)
{
    static const ols_ui_str titles[OLS_UI_TAB_COUNT] = {
        TX_TAB_LOGIN, TX_TAB_ADVANCED, TX_TAB_SYNC, TX_TAB_APPEARANCE,
        TX_TAB_LICENSE, TX_TAB_LOGS, TX_TAB_ABOUT};
    PROPSHEETPAGEW psp[OLS_UI_TAB_COUNT];
    PROPSHEETHEADERW psh;
    ULONG_PTR cookie;
    sdlg *s;
    HWND sheet;
    char *lang;
    int p;

    if (tab < 0 || tab >= OLS_UI_TAB_COUNT)
        tab = 0;
    if (g_sdlg && g_sdlg->sheet) {
        PropSheet_SetCurSel(g_sdlg->sheet, NULL, tab);
        SetForegroundWindow(g_sdlg->sheet);
        return g_sdlg->sheet;
    }
    if (!ctx || !ctx->settings)
        return NULL;
    s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->refs = 1;
    s->ctx = ctx;
    s->owner = owner;
    if (!load_folders(s)) {
        sdlg_release(s);
        return NULL;
    }
    lang = ols_settings_get_str(ctx->settings, "ui.language");
    ols_ui_lang_set(ols_ui_lang_parse(lang));
    free(lang);

    memset(psp, 0, sizeof psp);
    for (p = 0; p < OLS_UI_TAB_COUNT; p++) {
        s->tmpl[p] = ols_ui_template(PW, PH, WS_CHILD | WS_DISABLED | WS_CAPTION, 0,
                                     ols_ui_s(titles[p]));
        if (!s->tmpl[p]) {
            sdlg_release(s);
            return NULL;
        }
        s->pinfo[p].s = s;
        s->pinfo[p].idx = p;
        psp[p].dwSize = sizeof psp[p];
        psp[p].dwFlags = PSP_DLGINDIRECT | PSP_USETITLE;
        psp[p].hInstance = ols_ui_module();
        psp[p].pResource = s->tmpl[p];
        psp[p].pszTitle = ols_ui_s(titles[p]);
        psp[p].pfnDlgProc = page_proc;
        psp[p].lParam = (LPARAM)&s->pinfo[p];
    }
    memset(&psh, 0, sizeof psh);
    psh.dwSize = sizeof psh;
    psh.dwFlags = PSH_PROPSHEETPAGE | PSH_MODELESS | PSH_NOCONTEXTHELP;
    psh.hwndParent = owner;
    psh.hInstance = ols_ui_module();
    psh.pszCaption = ols_ui_s(TX_SETTINGS_TITLE);
    psh.nPages = OLS_UI_TAB_COUNT;
    psh.nStartPage = (UINT)tab;
    psh.ppsp = psp;

    g_sdlg = s;
    ols_ui_actctx_enter(&cookie);
    sheet = (HWND)PropertySheetW(&psh);
    ols_ui_actctx_leave(cookie);
    if (!sheet || sheet == (HWND)(INT_PTR)-1) {
        g_sdlg = NULL;
        sdlg_release(s);
        return NULL;
    }
    s->sheet = sheet;
    SetPropW(sheet, L"olsync.sdlg", s);
    s->sheet_proc = (WNDPROC)SetWindowLongPtrW(sheet, GWLP_WNDPROC, (LONG_PTR)sheet_proc);
    ols_ui_modeless_add(sheet, 1, NULL);
    return sheet;
}

int ols_ui_settings_run(HWND owner, ols_ui_ctx *ctx, int tab)
{
    HWND sheet;
    MSG m;
    int owner_was_enabled = owner && IsWindowEnabled(owner);
    g_last_saved = 0;
    sheet = ols_ui_settings_open(owner, ctx, tab);
    if (!sheet)
        return 0;
    if (owner_was_enabled)
        EnableWindow(owner, FALSE);
    while (IsWindow(sheet) && GetMessageW(&m, NULL, 0, 0) > 0) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
    if (owner_was_enabled) {
        EnableWindow(owner, TRUE);
        SetActiveWindow(owner);
    }
    return g_last_saved;
}

HWND ols_ui_settings_window(void) { return g_sdlg ? g_sdlg->sheet : NULL; }

HWND ols_ui_settings_page(int tab)
{
    if (!g_sdlg || tab < 0 || tab >= OLS_UI_TAB_COUNT)
        return NULL;
    return g_sdlg->page[tab];
}
