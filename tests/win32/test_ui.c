/* The Settings dialog and the Notification Center, driven by window messages under Wine:
 * fields are set with WM_SETTEXT, buttons pressed with BM_CLICK / PSM_PRESSBUTTON, and
 * the outcome is read back from the saved settings file and from the controls. */
#include <windows.h>

#include <commctrl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "notify_center.h"
#include "olsync/log.h"
#include "settings_dlg.h"
#include "ui_strings.h"
#include "t.h"
#include "uiqueue.h"

/* A bound on waiting for the UI to catch up: a liveness guard, never a timing check. */
#define PATIENCE_MS 60000

static void pump(void)
{
    MSG m;
    while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
}

#define PUMP_UNTIL(cond)                                                                   \
    do {                                                                                   \
        DWORD t0_ = GetTickCount();                                                        \
        pump();                                                                            \
        while (!(cond) && GetTickCount() - t0_ < PATIENCE_MS) {                            \
            MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);                    \
            pump();                                                                        \
        }                                                                                  \
    } while (0)

static const wchar_t *text_of(HWND page, int id)
{
    static wchar_t buf[8][1024];
    static int k;
    wchar_t *b = buf[k++ & 7];
    b[0] = 0;
    GetDlgItemTextW(page, id, b, 1024);
    return b;
}

static HWND show_tab(HWND sheet, int tab)
{
    PropSheet_SetCurSel(sheet, NULL, tab);
    pump();
    return ols_ui_settings_page(tab);
}

static int count_children(HWND w)
{
    int n = 0;
    HWND c;
    for (c = GetWindow(w, GW_CHILD); c; c = GetWindow(c, GW_HWNDNEXT))
        n++;
    return n;
}

static char *read_file(const char *path)
{
    char *buf = NULL;
    size_t len;
    if (ols_file_read_all(path, 1 << 20, &buf, &len, NULL) != OLS_OK)
        return NULL;
    return buf;
}

/* ---- host callbacks ---- */

static int g_applied, g_sync_now, g_paused = -1, g_cleared;
static char g_zip[MAX_PATH * 3];

static void on_applied(void *u) { (void)u; g_applied++; }
static void on_sync_now(void *u) { (void)u; g_sync_now++; }
static void on_pause(void *u, int p) { (void)u; g_paused = p; }
static void on_clear(void *u) { (void)u; g_cleared++; }

static int pick_zip(void *u, wchar_t *path, size_t n)
{
    (void)u;
    return MultiByteToWideChar(CP_UTF8, 0, g_zip, -1, path, (int)n) > 0;
}

/* ---- a tooltip that belongs to a page ---- */

typedef struct tipfind {
    HWND ctl;
    const wchar_t *needle;
    int found;
} tipfind;

/* Any tooltip window of this thread with a tool over ctl whose text has needle. */
static BOOL CALLBACK find_tip(HWND h, LPARAM lp)
{
    tipfind *f = (tipfind *)lp;
    wchar_t cls[64];
    int i, n;
    GetClassNameW(h, cls, 64);
    if (_wcsicmp(cls, TOOLTIPS_CLASSW))
        return TRUE;
    n = (int)SendMessageW(h, TTM_GETTOOLCOUNT, 0, 0);
    for (i = 0; i < n; i++) {
        TTTOOLINFOW ti;
        wchar_t t[256] = L"";
        memset(&ti, 0, sizeof ti);
        ti.cbSize = TTTOOLINFOW_V2_SIZE;
        ti.lpszText = t;
        if (SendMessageW(h, TTM_ENUMTOOLSW, (WPARAM)i, (LPARAM)&ti) &&
            ti.uId == (UINT_PTR)f->ctl && ti.hwnd == GetParent(f->ctl) && wcsstr(t, f->needle))
            f->found = 1;
    }
    return !f->found;
}

static int tip_says(HWND ctl, const wchar_t *needle)
{
    tipfind f = {ctl, needle, 0};
    EnumThreadWindows(GetCurrentThreadId(), find_tip, (LPARAM)&f);
    return f.found;
}

/* WS_VISIBLE of the control itself: its page may be hidden behind another tab. */
static int shown(HWND page, int id)
{
    return (GetWindowLongW(GetDlgItem(page, id), GWL_STYLE) & WS_VISIBLE) != 0;
}

/* ---- a loopback server that greets like IMAP, for Test connection ---- */

typedef struct greeter {
    ols_sock ls;
    int accepted;
} greeter;

static void greeter_run(void *arg)
{
    greeter *g = arg;
    ols_sock c;
    static const char hello[] = "* OK olsync test greeter ready\r\n";
    if (ols_sock_accept(g->ls, &c) == OLS_OK) {
        g->accepted = 1;
        ols_sock_send(c, hello, sizeof hello - 1);
        ols_sleep_ms(200);
        ols_sock_close(c);
    }
}

/* ---- the tests ---- */

/* The printf conversions of a text, in order: "%ls %u %llu". */
static const wchar_t *conversions(const wchar_t *s, wchar_t *out)
{
    size_t n = 0;
    out[0] = 0;
    for (; (s = wcschr(s, L'%')) != NULL; s++) {
        size_t k = 1;
        while (s[k] == L'l' || s[k] == L'h')
            k++;
        if (!wcschr(L"sdu", s[k]) || !s[k])
            continue; /* %TO% and friends are placeholders, not conversions */
        if (n + k + 2 >= 64)
            break;
        wcsncpy(out + n, s, k + 1);
        n += k + 1;
        out[n++] = L' ';
        out[n] = 0;
        s += k;
    }
    return out;
}

static void test_strings(void)
{
    int id, missing = 0, mismatch = 0;
    wchar_t sa[64], sb[64];
    for (id = 0; id < TX__COUNT; id++) {
        const wchar_t *en = ols_ui_s_in(OLS_UI_EN, (ols_ui_str)id);
        const wchar_t *de = ols_ui_s_in(OLS_UI_DE, (ols_ui_str)id);
        if (!en || !*en || !de || !*de) {
            missing++;
            continue;
        }
        /* the same conversions in the same order, or swprintf reads garbage */
        if (wcscmp(conversions(en, sa), conversions(de, sb))) {
            fprintf(stderr, "text %d: \"%ls\" against \"%ls\"\n", id, sa, sb);
            mismatch++;
        }
    }
    OK(missing == 0, "%d texts lack an English or German version", missing);
    OK(mismatch == 0, "%d texts differ in their format conversions", mismatch);
}

static void test_settings(const char *dir, ols_pool *pool, ols_cqueue *cq)
{
    static const char initial[] =
        "{\"account\": {\"email\": \"old@example.org\", \"user\": \"alice\", "
        "\"discover\": false, \"imap\": {\"host\": \"127.0.0.1\", \"port\": 143}}}\n";
    static const char locked[] = "{\"sync\": {\"priority_interval_min\": 5}}";
    ols_ui_folder folders[3] = {{"INBOX", 1, 0}, {"Projects", 1, 0}, {"Projects/2026", 0, 0}};
    char *path = ols_path_join(dir, "config.json"), *before, *after, *pw = NULL;
    ols_settings *set, *check;
    ols_ui_ctx ctx;
    HWND sheet, pg, tab, tree;
    SIZE ideal;
    int i, tabs_ok = 0;
    TCITEMW ti;
    wchar_t cap[128];

    OK(ols_file_write_atomic(path, initial, sizeof initial - 1, 0, NULL) == OLS_OK, "config");
    OK(ols_settings_new(&set) == OLS_OK, "settings");
    OK(ols_settings_load_file(set, path, NULL) == OLS_OK, "load");
    OK(ols_settings_load_locked(set, locked, strlen(locked), "test", NULL) == OLS_OK, "locked");
    ols_secret_delete("imap.alice@127.0.0.1", NULL);

    memset(&ctx, 0, sizeof ctx);
    ctx.settings = set;
    ctx.settings_path = path;
    ctx.pool = pool;
    ctx.cq = cq;
    ctx.folders = folders;
    ctx.n_folders = 3;
    ctx.applied = on_applied;

    sheet = ols_ui_settings_open(NULL, &ctx, OLS_UI_TAB_LOGIN);
    OK(sheet && IsWindow(sheet), "the Settings dialog opens");
    if (!sheet)
        return;
    pump();
    OK(ols_ui_settings_window() == sheet, "it is the open Settings dialog");
    OK(ols_ui_settings_open(NULL, &ctx, OLS_UI_TAB_LOGIN) == sheet, "opening again reuses it");
    tab = PropSheet_GetTabControl(sheet);
    OK(SendMessageW(tab, TCM_GETITEMCOUNT, 0, 0) == OLS_UI_TAB_COUNT, "seven tabs (%d)",
       (int)SendMessageW(tab, TCM_GETITEMCOUNT, 0, 0));
    /* a v6 button answers BCM_GETIDEALSIZE; the v5 one of user32 does not */
    OK(SendMessageW(GetDlgItem(sheet, IDOK), BCM_GETIDEALSIZE, 0, (LPARAM)&ideal) != 0,
       "common controls v6 are active (the manifest's activation context)");

    /* no tab is empty */
    for (i = 0; i < OLS_UI_TAB_COUNT; i++) {
        pg = show_tab(sheet, i);
        if (pg && count_children(pg) >= 3 && PropSheet_GetCurrentPageHwnd(sheet) == pg)
            tabs_ok++;
        else
            fprintf(stderr, "tab %d: page %p with %d controls\n", i, (void *)pg,
                    pg ? count_children(pg) : 0);
    }
    OK(tabs_ok == OLS_UI_TAB_COUNT, "every tab shows its controls (%d of 7)", tabs_ok);

    /* a locked setting: greyed, says who set it, and cannot be changed */
    pg = show_tab(sheet, OLS_UI_TAB_SYNC);
    OK(!IsWindowEnabled(GetDlgItem(pg, IDC_INT_PRIORITY)), "the locked interval is disabled");
    OK(!wcscmp(text_of(pg, IDC_INT_PRIORITY), L"5"), "it shows the locked value (%ls)",
       text_of(pg, IDC_INT_PRIORITY));
    OK(tip_says(GetDlgItem(pg, IDC_INT_PRIORITY), L"administrator"),
       "its tooltip says the administrator set it");
    OK(IsWindowEnabled(GetDlgItem(pg, IDC_INT_STANDARD)), "an unlocked neighbour is enabled");
    SetDlgItemTextW(pg, IDC_INT_PRIORITY, L"9"); /* forced in anyway */

    /* the keyboard works without our own message loop: Tab moves to the next field */
    pg = show_tab(sheet, OLS_UI_TAB_LOGIN);
    SetFocus(GetDlgItem(pg, IDC_EMAIL));
    PostMessageW(GetDlgItem(pg, IDC_EMAIL), WM_KEYDOWN, VK_TAB, 0);
    pump();
    OK(GetFocus() == GetDlgItem(pg, IDC_USER), "Tab goes from e-mail to user name (%d)",
       GetDlgCtrlID(GetFocus()));

    /* bad values block OK: each is named next to its field, and nothing is saved */
    before = read_file(path);
    SetDlgItemTextW(pg, IDC_EMAIL, L"alice@example.org");
    SetDlgItemTextW(pg, IDC_PASSWORD, L"s3cret");
    SetDlgItemTextW(pg, IDC_IMAP_PORT, L"70000");
    pg = show_tab(sheet, OLS_UI_TAB_ADVANCED);
    SetDlgItemTextW(pg, IDC_CONNECTIONS, L"many");
    pg = show_tab(sheet, OLS_UI_TAB_SYNC);
    tree = GetDlgItem(pg, IDC_FOLDER_TREE);
    SendMessageW(tree, TVM_SELECTITEM, TVGN_CARET,
                 SendMessageW(tree, TVM_GETNEXTITEM, TVGN_ROOT, 0)); /* INBOX */
    SendDlgItemMessageW(pg, IDC_PRIORITY, BM_CLICK, 0, 0);
    PropSheet_PressButton(sheet, PSBTN_OK);
    pump();
    OK(IsWindow(sheet), "OK with a bad port leaves the dialog open");
    OK(PropSheet_GetCurrentPageHwnd(sheet) == ols_ui_settings_page(OLS_UI_TAB_LOGIN),
       "it shows the page of the first bad field");
    pg = ols_ui_settings_page(OLS_UI_TAB_LOGIN);
    OK(shown(pg, OLS_UI_ERR_ID(IDC_IMAP_PORT)) &&
           wcsstr(text_of(pg, OLS_UI_ERR_ID(IDC_IMAP_PORT)), L"65535"),
       "the port is named as bad next to it (%ls)", text_of(pg, OLS_UI_ERR_ID(IDC_IMAP_PORT)));
    OK(!shown(pg, OLS_UI_ERR_ID(IDC_SMTP_PORT)),
       "a good port has no error label");
    pg = ols_ui_settings_page(OLS_UI_TAB_ADVANCED);
    OK(shown(pg, OLS_UI_ERR_ID(IDC_CONNECTIONS)) &&
           wcslen(text_of(pg, OLS_UI_ERR_ID(IDC_CONNECTIONS))) > 0,
       "the second bad field on another tab is named too (%ls)",
       text_of(pg, OLS_UI_ERR_ID(IDC_CONNECTIONS)));
    after = read_file(path);
    OK(before && after && !strcmp(before, after), "nothing was saved:\n%s", after ? after : "");
    free(after);
    OK(g_applied == 0, "no apply callback");
    {
        char *email = ols_settings_get_str(set, "account.email");
        OK(email && !strcmp(email, "old@example.org"), "nothing changed in memory (%s)", email);
        free(email);
    }
    OK(ols_secret_get("imap.alice@127.0.0.1", &pw, NULL) != OLS_OK,
       "the password was not stored either");
    if (pw)
        ols_secret_free(pw);
    pw = NULL;

    /* fixed values apply, all at once; the locked one is left alone */
    SetDlgItemTextW(pg, IDC_CONNECTIONS, L"5");
    OK(!shown(pg, OLS_UI_ERR_ID(IDC_CONNECTIONS)),
       "editing the field hides its error");
    pg = show_tab(sheet, OLS_UI_TAB_LOGIN);
    SetDlgItemTextW(pg, IDC_IMAP_PORT, L"993");
    SendDlgItemMessageW(pg, IDC_IMAP_SEC, CB_SETCURSEL, 1, 0); /* tls */
    SendMessageW(pg, WM_COMMAND, MAKEWPARAM(IDC_IMAP_SEC, CBN_SELCHANGE),
                 (LPARAM)GetDlgItem(pg, IDC_IMAP_SEC));
    PropSheet_PressButton(sheet, PSBTN_APPLYNOW);
    pump();
    OK(IsWindow(sheet), "Apply keeps the dialog open");
    OK(g_applied == 1, "one apply callback (%d)", g_applied);
    OK(ols_settings_new(&check) == OLS_OK, "second settings object");
    OK(ols_settings_load_file(check, path, NULL) == OLS_OK, "the saved file loads");
    {
        char *email = ols_settings_get_str(check, "account.email");
        char *sec = ols_settings_get_str(check, "account.imap.security");
        OK(email && !strcmp(email, "alice@example.org"), "e-mail saved (%s)", email);
        OK(sec && !strcmp(sec, "tls"), "security saved (%s)", sec);
        free(email);
        free(sec);
    }
    OK(ols_settings_get_int(check, "account.imap.port") == 993, "port saved");
    OK(ols_settings_get_int(check, "net.connections") == 5, "connections saved");
    OK(ols_settings_get_int(check, "sync.priority_interval_min") == 1,
       "the locked key did not reach the user's file");
    OK(ols_settings_get_int(set, "sync.priority_interval_min") == 5, "the locked value holds");
    after = read_file(path);
    OK(after && !strstr(after, "s3cret"), "no password in the file:\n%s", after ? after : "");
    OK(after && !strstr(after, "structure_interval_min"), "unchanged keys are not written");
    free(after);
    OK(ols_secret_get("imap.alice@127.0.0.1", &pw, NULL) == OLS_OK && pw &&
           !strcmp(pw, "s3cret"),
       "the password went to the secret store");
    if (pw)
        ols_secret_free(pw);
    OK(folders[0].priority == 1 && folders[0].automatic == 1, "INBOX is now a priority folder");
    OK(folders[2].priority == 0 && folders[2].automatic == 0, "other folders unchanged");
    ols_settings_free(check);

    /* OK with nothing changed closes and calls nobody */
    PropSheet_PressButton(sheet, PSBTN_OK);
    PUMP_UNTIL(!IsWindow(sheet));
    OK(!IsWindow(sheet), "OK closes the dialog");
    OK(ols_ui_settings_window() == NULL, "no dialog is open");
    OK(g_applied == 1, "nothing new to apply (%d)", g_applied);

    /* German texts when ui.language says so; Cancel saves nothing */
    before = read_file(path);
    OK(ols_settings_set(set, "ui.language", "de", NULL) == OLS_OK, "language de");
    sheet = ols_ui_settings_open(NULL, &ctx, OLS_UI_TAB_APPEARANCE);
    OK(sheet != NULL, "opens in German");
    if (sheet) {
        tab = PropSheet_GetTabControl(sheet);
        memset(&ti, 0, sizeof ti);
        ti.mask = TCIF_TEXT;
        ti.pszText = cap;
        ti.cchTextMax = 128;
        cap[0] = 0;
        SendMessageW(tab, TCM_GETITEMW, 0, (LPARAM)&ti);
        OK(!wcscmp(cap, L"Anmeldung"), "first tab in German (%ls)", cap);
        pg = ols_ui_settings_page(OLS_UI_TAB_APPEARANCE);
        OK(SendDlgItemMessageW(pg, IDC_LANGUAGE, CB_GETCURSEL, 0, 0) == 1,
           "the language box shows Deutsch");
        SetDlgItemTextW(pg, IDC_NOTIFY_SECONDS, L"30");
        PropSheet_PressButton(sheet, PSBTN_CANCEL);
        PUMP_UNTIL(!IsWindow(sheet));
        OK(!IsWindow(sheet), "Cancel closes the dialog");
        after = read_file(path);
        OK(before && after && !strcmp(before, after), "Cancel saved nothing");
        free(after);
    }
    free(before);
    ols_settings_set(set, "ui.language", "en", NULL);
    ols_secret_delete("imap.alice@127.0.0.1", NULL);
    ols_settings_free(set);
    free(path);
}

static void test_connection_and_logs(const char *dir, ols_pool *pool, ols_cqueue *cq)
{
    ols_settings *set;
    ols_ui_ctx ctx;
    HWND sheet, pg;
    greeter g;
    ols_thread *th = NULL;
    uint16_t port = 0;
    ols_sock closed;
    uint16_t closed_port = 0;
    wchar_t ports[16];
    char *logdir = ols_path_join(dir, "logs"), *zip = ols_path_join(dir, "support.zip"), *z;
    ols_log_config lc;
    size_t zlen = 0;

    OK(ols_settings_new(&set) == OLS_OK, "settings");
    ols_settings_set(set, "account.discover", "false", NULL);
    memset(&ctx, 0, sizeof ctx);
    ctx.settings = set;
    ctx.pool = pool;
    ctx.cq = cq;
    ctx.pick_save_path = pick_zip;
    snprintf(g_zip, sizeof g_zip, "%s", zip);
    memset(&lc, 0, sizeof lc);
    lc.dir = logdir;
    lc.level = OLS_LOG_INFO;
    OK(ols_log_open(&lc, NULL) == OLS_OK, "log open");
    OLS_LOG_INFO("ui", "a line for the support zip");

    memset(&g, 0, sizeof g);
    OK(ols_sock_listen_loopback(0, 4, &g.ls, &port, NULL) == OLS_OK, "greeter listens");
    OK(ols_thread_start(&th, greeter_run, &g) == OLS_OK, "greeter thread");

    sheet = ols_ui_settings_open(NULL, &ctx, OLS_UI_TAB_LOGIN);
    OK(sheet != NULL, "dialog");
    if (!sheet)
        return;
    pg = ols_ui_settings_page(OLS_UI_TAB_LOGIN);
    SetDlgItemTextW(pg, IDC_IMAP_HOST, L"127.0.0.1");
    swprintf(ports, 16, L"%u", port);
    SetDlgItemTextW(pg, IDC_IMAP_PORT, ports);
    SendDlgItemMessageW(pg, IDC_TEST, BM_CLICK, 0, 0);
    OK(!IsWindowEnabled(GetDlgItem(pg, IDC_TEST)), "the button waits for the answer");
    OK(wcsstr(text_of(pg, IDC_TEST_RESULT), L"127.0.0.1") != NULL, "it says where it connects (%ls)",
       text_of(pg, IDC_TEST_RESULT));
    PUMP_UNTIL(IsWindowEnabled(GetDlgItem(pg, IDC_TEST)));
    OK(g.accepted, "the test reached the server");
    OK(wcsstr(text_of(pg, IDC_TEST_RESULT), L"olsync test greeter ready") != NULL,
       "the server's greeting is shown (%ls)", text_of(pg, IDC_TEST_RESULT));
    ols_thread_join(th);
    ols_sock_close(g.ls);

    /* a port nobody listens on */
    OK(ols_sock_listen_loopback(0, 1, &closed, &closed_port, NULL) == OLS_OK, "free port");
    ols_sock_close(closed);
    swprintf(ports, 16, L"%u", closed_port);
    SetDlgItemTextW(pg, IDC_IMAP_PORT, ports);
    SendDlgItemMessageW(pg, IDC_TEST, BM_CLICK, 0, 0);
    PUMP_UNTIL(IsWindowEnabled(GetDlgItem(pg, IDC_TEST)));
    OK(wcsstr(text_of(pg, IDC_TEST_RESULT), L"The test failed") != NULL,
       "a refused connection is reported (%ls)", text_of(pg, IDC_TEST_RESULT));

    /* the Logs tab: the zip of the last two days, then clearing */
    pg = show_tab(sheet, OLS_UI_TAB_LOGS);
    SendDlgItemMessageW(pg, IDC_LOG_ZIP, BM_CLICK, 0, 0);
    PUMP_UNTIL(IsWindowEnabled(GetDlgItem(pg, IDC_LOG_ZIP)));
    OK(wcsstr(text_of(pg, IDC_LOG_STATUS), L"support.zip") != NULL, "zip saved (%ls)",
       text_of(pg, IDC_LOG_STATUS));
    z = NULL;
    OK(ols_file_read_all(zip, 1 << 20, &z, &zlen, NULL) == OLS_OK && zlen > 22 && z[0] == 'P' &&
           z[1] == 'K',
       "the zip is a zip (%zu bytes)", zlen);
    free(z);
    SendDlgItemMessageW(pg, IDC_LOG_CLEAR, BM_CLICK, 0, 0);
    PUMP_UNTIL(IsWindowEnabled(GetDlgItem(pg, IDC_LOG_CLEAR)));
    OK(wcsstr(text_of(pg, IDC_LOG_STATUS), L"cleared") != NULL, "logs cleared (%ls)",
       text_of(pg, IDC_LOG_STATUS));
    OK(t_count_files(logdir) <= 1, "at most today's fresh file is left (%d)",
       t_count_files(logdir));

    PropSheet_PressButton(sheet, PSBTN_CANCEL);
    PUMP_UNTIL(!IsWindow(sheet));
    ols_log_close();
    ols_settings_free(set);
    free(logdir);
    free(zip);
}

/* ---- the Notification Center ---- */

#define FLOOD 20000
#define EVENTS 250

static void flood(void *arg)
{
    ols_sync_progress p;
    char action[32], details[64];
    int i;
    static const ols_ui_ignored ign[] = {
        {"INBOX", "UID 7", "server refused the flag change", 3},
        {"Archive", "UID 90", "timed out", 3},
        {"Archive", "UID 93", "timed out", 3},
    };
    (void)arg;
    memset(&p, 0, sizeof p);
    p.folder = "INBOX/Work";
    p.folders_total = 3;
    p.folders_done = 1;
    p.up_done = 7;
    p.up_total = 9;
    p.internal_done = 11;
    p.internal_total = 12;
    for (i = 1; i <= FLOOD; i++) {
        p.down_done = p.down_total = (uint64_t)i; /* found and fetched as it goes */
        p.bytes_in = (uint64_t)i * 1000;
        p.elapsed_ms = (uint64_t)i;
        ols_ui_notify_post_progress(&p);
    }
    for (i = 0; i < EVENTS; i++) {
        ols_ui_event e;
        snprintf(action, sizeof action, "event %d", i);
        snprintf(details, sizeof details, "details of event %d", i);
        memset(&e, 0, sizeof e);
        e.folder = "INBOX";
        e.action = action;
        e.result = i % 10 ? "ok" : "failed";
        e.failed = i % 10 == 0;
        e.details = i % 2 ? details : NULL;
        ols_ui_notify_post_event(&e);
    }
    ols_ui_notify_post_ignored(ign, 3);
}

static const wchar_t *row_text(HWND lv, int row, int col)
{
    static wchar_t buf[256];
    LVITEMW it;
    memset(&it, 0, sizeof it);
    it.iSubItem = col;
    it.pszText = buf;
    it.cchTextMax = 256;
    buf[0] = 0;
    SendMessageW(lv, LVM_GETITEMTEXTW, (WPARAM)row, (LPARAM)&it);
    return buf;
}

static void test_notify(void)
{
    ols_ui_ctx ctx;
    ols_ui_notify_stats st;
    ols_thread *th = NULL;
    ols_sync_report rep;
    HWND w, now, log, ign, lv;
    LVITEMW it;
    int n;

    memset(&ctx, 0, sizeof ctx);
    ctx.sync_now = on_sync_now;
    ctx.pause = on_pause;
    ctx.clear_ignored = on_clear;
    ols_ui_notify_reset();
    w = ols_ui_notify_open(NULL, &ctx, OLS_UI_NC_NOW);
    OK(w && IsWindow(w), "the Notification Center opens");
    if (!w)
        return;
    pump();
    now = ols_ui_notify_page(OLS_UI_NC_NOW);
    log = ols_ui_notify_page(OLS_UI_NC_LOG);
    ign = ols_ui_notify_page(OLS_UI_NC_IGNORED);
    OK(now && log && ign, "three tabs");
    OK(ols_ui_notify_open(NULL, &ctx, OLS_UI_NC_NOW) == w, "opening again reuses it");
    OK(SendDlgItemMessageW(w, IDC_NC_TAB, TCM_GETITEMCOUNT, 0, 0) == OLS_UI_NC_COUNT, "tab items");
    ols_ui_notify_reset();
    pump();

    /* a worker floods it while the UI thread is busy elsewhere (not pumping) */
    OK(ols_thread_start(&th, flood, NULL) == OLS_OK, "flood thread");
    ols_thread_join(th);
    ols_ui_notify_get_stats(&st);
    OK(st.updates == FLOOD + EVENTS + 1, "every post counted (%llu)", st.updates);
    OK(st.wakes <= 2, "the flood became %llu wake-up message(s), not %llu", st.wakes, st.updates);
    PUMP_UNTIL(!wcscmp(text_of(now, IDC_NC_DOWN), L"20000 of 20000"));
    OK(!wcscmp(text_of(now, IDC_NC_DOWN), L"20000 of 20000"), "downloaded X/Y (%ls)",
       text_of(now, IDC_NC_DOWN));
    OK(!wcscmp(text_of(now, IDC_NC_UP), L"7 of 9"), "uploaded X/Y (%ls)", text_of(now, IDC_NC_UP));
    OK(!wcscmp(text_of(now, IDC_NC_INTERNAL), L"11 of 12"), "internal X/Y (%ls)",
       text_of(now, IDC_NC_INTERNAL));
    OK(!wcscmp(text_of(now, IDC_NC_FOLDER), L"INBOX/Work"), "current folder (%ls)",
       text_of(now, IDC_NC_FOLDER));
    OK(!wcscmp(text_of(now, IDC_NC_FOLDERS), L"1 of 3"), "folders (%ls)",
       text_of(now, IDC_NC_FOLDERS));
    OK(!wcscmp(text_of(now, IDC_NC_STATE), L"synchronizing"), "state (%ls)",
       text_of(now, IDC_NC_STATE));
    OK(wcsstr(text_of(now, IDC_NC_RATE), L"/s") != NULL, "a rate (%ls)", text_of(now, IDC_NC_RATE));
    OK(SendDlgItemMessageW(now, IDC_NC_PROGRESS, PBM_GETPOS, 0, 0) > 900,
       "the progress bar is near its end (%d)",
       (int)SendDlgItemMessageW(now, IDC_NC_PROGRESS, PBM_GETPOS, 0, 0));

    /* the session log keeps the last 200 */
    lv = GetDlgItem(log, IDC_NC_LOG);
    n = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
    OK(n == OLS_UI_NC_MAX_EVENTS, "session log rows (%d)", n);
    OK(!wcscmp(row_text(lv, 0, 2), L"event 50"), "oldest kept row (%ls)", row_text(lv, 0, 2));
    OK(!wcscmp(row_text(lv, n - 1, 2), L"event 249 +"), "newest row, marked with details (%ls)",
       row_text(lv, n - 1, 2));
    OK(!wcscmp(row_text(lv, n - 1, 1), L"INBOX"), "folder column (%ls)", row_text(lv, n - 1, 1));
    OK(!wcscmp(row_text(lv, 10, 3), L"failed"), "result column (%ls)", row_text(lv, 10, 3));
    memset(&it, 0, sizeof it);
    it.stateMask = it.state = LVIS_SELECTED;
    SendMessageW(lv, LVM_SETITEMSTATE, (WPARAM)(n - 1), (LPARAM)&it);
    pump();
    OK(!wcscmp(text_of(log, IDC_NC_DETAILS), L"details of event 249"), "details shown (%ls)",
       text_of(log, IDC_NC_DETAILS));

    /* tabs switch pages */
    ols_ui_notify_select(OLS_UI_NC_LOG);
    OK(IsWindowVisible(log) && !IsWindowVisible(now), "the log tab is shown");
    OK(SendDlgItemMessageW(w, IDC_NC_TAB, TCM_GETCURSEL, 0, 0) == OLS_UI_NC_LOG, "tab selected");

    /* ignored items, and clearing them through the host */
    lv = GetDlgItem(ign, IDC_NC_IGNORED);
    OK(SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0) == 3, "three ignored items");
    OK(!wcscmp(text_of(ign, IDC_NC_IGN_COUNT), L"Ignored items: 3 (folders: 2)"),
       "counted per folder (%ls)", text_of(ign, IDC_NC_IGN_COUNT));
    SendDlgItemMessageW(ign, IDC_NC_IGN_CLEAR, BM_CLICK, 0, 0);
    PUMP_UNTIL(SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0) == 0);
    OK(g_cleared == 1, "the host was asked to clear the ignore lists");
    OK(SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0) == 0, "the list is empty");

    /* Sync now and Pause reach the host */
    SendDlgItemMessageW(now, IDC_NC_SYNC, BM_CLICK, 0, 0);
    OK(g_sync_now == 1, "sync now");
    SendDlgItemMessageW(now, IDC_NC_PAUSE, BM_CLICK, 0, 0);
    OK(g_paused == 1, "paused");
    OK(!wcscmp(text_of(now, IDC_NC_PAUSE), L"&Resume"), "the button offers to resume (%ls)",
       text_of(now, IDC_NC_PAUSE));
    OK(!wcscmp(text_of(now, IDC_NC_STATE), L"paused"), "state paused");
    SendDlgItemMessageW(now, IDC_NC_PAUSE, BM_CLICK, 0, 0);
    OK(g_paused == 0, "resumed");

    /* the end of a pass */
    memset(&rep, 0, sizeof rep);
    rep.folders = 3;
    rep.downloaded = FLOOD;
    rep.uploaded = 7;
    ols_ui_notify_post_report(&rep, OLS_OK, NULL);
    PUMP_UNTIL(!wcscmp(text_of(now, IDC_NC_STATE), L"idle"));
    OK(!wcscmp(text_of(now, IDC_NC_STATE), L"idle"), "idle after the report");
    OK(wcsstr(text_of(now, IDC_NC_LAST), L"20000 down, 7 up, 0 failed") != NULL,
       "last sync summary (%ls)", text_of(now, IDC_NC_LAST));
    lv = GetDlgItem(log, IDC_NC_LOG);
    n = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
    OK(!wcscmp(row_text(lv, n - 2, 1), L"INBOX/Work") &&
           !wcscmp(row_text(lv, n - 2, 2), L"Folder synced") &&
           !wcscmp(row_text(lv, n - 2, 3), L"19999 new, 0 up"),
       "the folder's own line comes from the progress (%ls: %ls)", row_text(lv, n - 2, 1),
       row_text(lv, n - 2, 3));
    OK(!wcscmp(row_text(lv, n - 1, 2), L"Sync finished +") &&
           !wcscmp(row_text(lv, n - 1, 3), L"3 folders, 20000 down, 7 up, 0 failed"),
       "the pass has a line (%ls: %ls)", row_text(lv, n - 1, 2), row_text(lv, n - 1, 3));
    memset(&it, 0, sizeof it);
    it.stateMask = it.state = LVIS_SELECTED;
    SendMessageW(lv, LVM_SETITEMSTATE, (WPARAM)(n - 1), (LPARAM)&it);
    pump();
    OK(wcsstr(text_of(log, IDC_NC_DETAILS), L"20000 downloaded, 7 uploaded") != NULL,
       "its details are the report (%ls)", text_of(log, IDC_NC_DETAILS));

    /* closing; posts to a closed window go to the model only */
    SendDlgItemMessageW(w, IDC_NC_CLOSE, BM_CLICK, 0, 0);
    PUMP_UNTIL(!IsWindow(w));
    OK(!IsWindow(w) && ols_ui_notify_window() == NULL, "Close closes it");
    ols_ui_notify_get_stats(&st);
    {
        unsigned long long wakes = st.wakes;
        ols_sync_progress p;
        memset(&p, 0, sizeof p);
        p.down_done = 5;
        p.down_total = 6;
        ols_ui_notify_post_progress(&p);
        ols_ui_notify_get_stats(&st);
        OK(st.wakes == wakes, "no message to a closed window");
    }
    w = ols_ui_notify_open(NULL, &ctx, OLS_UI_NC_LOG);
    OK(w != NULL, "reopens");
    if (w) {
        now = ols_ui_notify_page(OLS_UI_NC_NOW);
        OK(!wcscmp(text_of(now, IDC_NC_DOWN), L"5 of 6"), "and shows what was posted meanwhile (%ls)",
           text_of(now, IDC_NC_DOWN));
        lv = GetDlgItem(ols_ui_notify_page(OLS_UI_NC_LOG), IDC_NC_LOG);
        OK(SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0) == OLS_UI_NC_MAX_EVENTS, "and the log");
        DestroyWindow(w);
        pump();
    }
}

static VOID CALLBACK cancel_modal(HWND h, UINT m, UINT_PTR id, DWORD t)
{
    HWND sheet = ols_ui_settings_window();
    (void)h;
    (void)m;
    (void)t;
    KillTimer(NULL, id);
    if (sheet)
        PropSheet_PressButton(sheet, PSBTN_CANCEL);
}

static void test_modal(void)
{
    ols_settings *set;
    ols_ui_ctx ctx;
    int saved;
    OK(ols_settings_new(&set) == OLS_OK, "settings");
    memset(&ctx, 0, sizeof ctx);
    ctx.settings = set;
    SetTimer(NULL, 0, 10, cancel_modal);
    saved = ols_ui_settings_run(NULL, &ctx, OLS_UI_TAB_ABOUT);
    OK(saved == 0, "the modal dialog returns after Cancel with nothing saved");
    OK(ols_ui_settings_window() == NULL, "and is gone");
    ols_settings_free(set);
}

int main(void)
{
    char *dir = t_scratch("ui");
    ols_pool *pool;
    ols_uiqueue *uq;
    OK(ols_pool_new(2, &pool) == OLS_OK, "pool");
    OK(ols_uiqueue_new(&uq) == OLS_OK, "ui queue");
    test_strings();
    test_settings(dir, pool, ols_uiqueue_cq(uq));
    test_connection_and_logs(dir, pool, ols_uiqueue_cq(uq));
    test_notify();
    test_modal();
    ols_pool_shutdown(pool, OLS_POOL_CANCEL);
    ols_uiqueue_free(uq);
    free(dir);
    return T_DONE();
}
