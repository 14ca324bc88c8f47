/* The Notification Center fed by the real sync engine, against the seeded Dovecot fixture
 * (run through tests/fixture/dovecot_fixture.py run -- wine ...): a pass runs on a worker
 * thread with ols_ui_notify_sync_progress as its progress callback while this (UI) thread
 * pumps messages; afterwards the window must show the engine's own last counters and its
 * report, and the session log lines per folder whose new messages add up to the pass. */
#include <windows.h>

#include <commctrl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "notify_center.h"
#include "settings_dlg.h"
#include "uiqueue.h"
#include "olsync/imap.h"
#include "olsync/log.h"
#include "olsync/store.h"
#include "olsync/sync.h"
#include "t.h"
#include "uikit.h"

#define PATIENCE_MS 600000 /* a liveness bound for the pass, not a timing check */

static const char *env(const char *k)
{
    const char *v = getenv(k);
    if (!v || !*v) {
        fprintf(stderr, "test_ui_sync: %s is not set (run me through dovecot_fixture.py run)\n", k);
        exit(2);
    }
    return v;
}

typedef struct pass {
    ols_sync_opts o;
    ols_sync_report rep;
    ols_status st;
    ols_err err;
    ols_mutex *lock;
    ols_sync_progress first, last; /* as the engine reported them */
    int have_first;
    unsigned folder_changes;
    char folder[512];
    atomic_int done;
    ols_thread *thread;
} pass;

static void on_progress(void *ctx, const ols_sync_progress *p)
{
    pass *ps = ctx;
    const char *f = p->folder ? p->folder : "";
    ols_mutex_lock(ps->lock);
    if (!ps->have_first) {
        ps->first = *p;
        ps->have_first = 1;
    }
    ps->last = *p;
    ps->last.folder = NULL;
    if (strcmp(f, ps->folder)) {
        if (ps->folder[0])
            ps->folder_changes++; /* a folder finished */
        snprintf(ps->folder, sizeof ps->folder, "%s", f);
    }
    ols_mutex_unlock(ps->lock);
    ols_ui_notify_sync_progress(NULL, p); /* what the add-in does */
}

static void run_pass(void *arg)
{
    pass *ps = arg;
    ps->st = ols_sync_run(&ps->o, &ps->rep, &ps->err);
    ols_mutex_lock(ps->lock);
    if (ps->folder[0])
        ps->folder_changes++;
    ps->folder[0] = 0;
    ols_mutex_unlock(ps->lock);
    ols_ui_notify_post_report(&ps->rep, ps->st, ps->err.msg);
    atomic_store(&ps->done, 1);
}

static void pump_until_done(pass *ps, HWND page)
{
    DWORD t0 = GetTickCount();
    MSG m;
    wchar_t state[64];
    for (;;) {
        while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
            TranslateMessage(&m);
            DispatchMessageW(&m);
        }
        GetDlgItemTextW(page, IDC_NC_STATE, state, 64);
        if ((atomic_load(&ps->done) && !wcscmp(state, L"idle")) ||
            GetTickCount() - t0 > PATIENCE_MS)
            break;
        MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);
    }
    if (atomic_load(&ps->done) && ps->thread) {
        ols_thread_join(ps->thread);
        ps->thread = NULL;
    }
}

static const wchar_t *text_of(HWND page, int id)
{
    static wchar_t buf[4][512];
    static int k;
    wchar_t *b = buf[k++ & 3];
    b[0] = 0;
    GetDlgItemTextW(page, id, b, 512);
    return b;
}

static void row(HWND lv, int i, int col, wchar_t *out, int n)
{
    LVITEMW it;
    memset(&it, 0, sizeof it);
    it.iSubItem = col;
    it.pszText = out;
    it.cchTextMax = n;
    out[0] = 0;
    SendMessageW(lv, LVM_GETITEMTEXTW, (WPARAM)i, (LPARAM)&it);
}

/* Test connection on the Login tab against the fixture: a real login, and a refused one. */
static void test_login(ols_pool *pool, ols_cqueue *cq)
{
    ols_settings *set;
    ols_ui_ctx ctx;
    HWND sheet, pg;
    wchar_t *pw, buf[512];
    DWORD t0;
    MSG m;
    int round;
    OK(ols_settings_new(&set) == OLS_OK, "settings");
    ols_settings_set(set, "account.discover", "false", NULL);
    ols_settings_set(set, "account.imap.host", env("OLS_TEST_IMAP_HOST"), NULL);
    ols_settings_set(set, "account.imap.port", env("OLS_TEST_IMAP_PORT"), NULL);
    ols_settings_set(set, "account.imap.security", "starttls", NULL);
    ols_settings_set(set, "account.user", env("OLS_TEST_USER"), NULL);
    ols_settings_set(set, "tls.ca_file", env("OLS_TEST_CA_FILE"), NULL);
    memset(&ctx, 0, sizeof ctx);
    ctx.settings = set;
    ctx.pool = pool;
    ctx.cq = cq;
    sheet = ols_ui_settings_open(NULL, &ctx, OLS_UI_TAB_LOGIN);
    OK(sheet != NULL, "the Settings dialog opens");
    if (!sheet)
        return;
    pg = ols_ui_settings_page(OLS_UI_TAB_LOGIN);
    for (round = 0; round < 2; round++) {
        pw = ols_ui_wide(round == 0 ? env("OLS_TEST_PASSWORD") : "not-the-password");
        SetDlgItemTextW(pg, IDC_PASSWORD, pw ? pw : L"");
        free(pw);
        SendDlgItemMessageW(pg, IDC_TEST, BM_CLICK, 0, 0);
        t0 = GetTickCount();
        while (!IsWindowEnabled(GetDlgItem(pg, IDC_TEST)) && GetTickCount() - t0 < PATIENCE_MS) {
            while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
                TranslateMessage(&m);
                DispatchMessageW(&m);
            }
            MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);
        }
        GetDlgItemTextW(pg, IDC_TEST_RESULT, buf, 512);
        fprintf(stderr, "  test connection %d: %ls\n", round, buf);
        if (round == 0)
            OK(wcsstr(buf, L"Logged in to") && wcsstr(buf, L"STARTTLS"),
               "the right password logs in over STARTTLS (%ls)", buf);
        else
            OK(wcsstr(buf, L"The test failed") != NULL, "a wrong one is refused (%ls)", buf);
    }
    PropSheet_PressButton(sheet, PSBTN_CANCEL);
    t0 = GetTickCount();
    while (IsWindow(sheet) && GetTickCount() - t0 < PATIENCE_MS) {
        while (PeekMessageW(&m, NULL, 0, 0, PM_REMOVE)) {
            TranslateMessage(&m);
            DispatchMessageW(&m);
        }
        MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT);
    }
    ols_settings_free(set);
}

/* One pass shown in the window; checks that what it shows is what the engine said. */
static void check_pass(const char *name, pass *ps, HWND now, HWND lv, int rows_before)
{
    wchar_t want[128], action[128], result[128];
    unsigned long long sum_new = 0, sum_up = 0, d, u;
    unsigned folder_rows = 0, bad_rows = 0;
    int i, n;

    OK(ps->st == OLS_OK, "%s: the pass ran: %s", name, ps->err.msg);
    swprintf(want, 128, L"%llu of %llu", (unsigned long long)ps->last.down_done,
             (unsigned long long)ps->last.down_total);
    OK(!wcscmp(text_of(now, IDC_NC_DOWN), want), "%s: downloaded shows %ls (engine %ls)", name,
       text_of(now, IDC_NC_DOWN), want);
    swprintf(want, 128, L"%llu of %llu", (unsigned long long)ps->last.up_done,
             (unsigned long long)ps->last.up_total);
    OK(!wcscmp(text_of(now, IDC_NC_UP), want), "%s: uploaded shows %ls (engine %ls)", name,
       text_of(now, IDC_NC_UP), want);
    swprintf(want, 128, L"%llu of %llu", (unsigned long long)ps->last.internal_done,
             (unsigned long long)ps->last.internal_total);
    OK(!wcscmp(text_of(now, IDC_NC_INTERNAL), want), "%s: internal shows %ls (engine %ls)", name,
       text_of(now, IDC_NC_INTERNAL), want);
    swprintf(want, 128, L"%u of %u", ps->last.folders_done, ps->last.folders_total);
    OK(!wcscmp(text_of(now, IDC_NC_FOLDERS), want), "%s: folders show %ls (engine %ls)", name,
       text_of(now, IDC_NC_FOLDERS), want);
    swprintf(want, 128, L"%llu down, %llu up, %llu failed, %u folders",
             (unsigned long long)ps->rep.downloaded, (unsigned long long)ps->rep.uploaded,
             (unsigned long long)ps->rep.failed, ps->rep.folders);
    OK(wcsstr(text_of(now, IDC_NC_LAST), want) != NULL, "%s: last sync shows \"%ls\" (report %ls)",
       name, text_of(now, IDC_NC_LAST), want);

    /* the session log: a line per folder, adding up to the pass, then the pass itself */
    n = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
    for (i = rows_before; i < n; i++) {
        row(lv, i, 2, action, 128);
        row(lv, i, 3, result, 128);
        if (wcscmp(action, L"Folder synced"))
            continue;
        folder_rows++;
        if (swscanf(result, L"%llu new, %llu up", &d, &u) == 2 && (d || u)) {
            sum_new += d;
            sum_up += u;
        } else {
            bad_rows++;
        }
    }
    OK(folder_rows <= ps->folder_changes, "%s: %u folder lines for %u folders the engine named",
       name, folder_rows, ps->folder_changes);
    OK(bad_rows == 0, "%s: %u folder lines without numbers", name, bad_rows);
    if (ps->last.down_total + ps->last.up_done > ps->first.down_total + ps->first.up_done)
        OK(folder_rows > 0, "%s: a pass that moved mail has folder lines", name);
    else
        OK(folder_rows == 0, "%s: a pass that moved nothing has no folder lines (%u)", name,
           folder_rows);
    OK(sum_new == ps->last.down_total - ps->first.down_total,
       "%s: the folders' new messages add up to the pass's (%llu, engine %llu)", name, sum_new,
       (unsigned long long)(ps->last.down_total - ps->first.down_total));
    OK(sum_up == ps->last.up_done - ps->first.up_done,
       "%s: folder lines add up to the uploads (%llu, engine %llu)", name, sum_up,
       (unsigned long long)(ps->last.up_done - ps->first.up_done));
    row(lv, n - 1, 2, action, 128);
    OK(!wcscmp(action, L"Sync finished +"), "%s: the pass ends the log (%ls)", name,
       action);
}

static int start(pass *ps, const ols_sync_opts *o)
{
    memset(&ps->rep, 0, sizeof ps->rep);
    memset(&ps->err, 0, sizeof ps->err);
    ps->have_first = 0;
    ps->folder_changes = 0;
    ps->folder[0] = 0;
    atomic_store(&ps->done, 0);
    ps->o = *o;
    ps->o.progress = on_progress;
    ps->o.progress_ctx = ps;
    ps->thread = NULL;
    return ols_thread_start(&ps->thread, run_pass, ps) == OLS_OK;
}

int main(void)
{
    char *dir = t_scratch("ui-sync");
    char *mail = ols_path_join(dir, "Mail"), *state = ols_path_join(dir, "state.db");
    ols_imap_config imap;
    ols_store *store = NULL;
    ols_sync_opts o;
    ols_ui_ctx ctx;
    ols_log_config lc;
    ols_err err = {0};
    ols_pool *pool = NULL;
    ols_uiqueue *uq = NULL;
    pass ps;
    HWND w, now, lv;
    int rows;

    memset(&lc, 0, sizeof lc);
    lc.level = OLS_LOG_WARNING;
    lc.to_stderr = 1;
    ols_log_open(&lc, NULL);
    memset(&imap, 0, sizeof imap);
    imap.host = env("OLS_TEST_IMAP_HOST");
    imap.port = (uint16_t)atoi(env("OLS_TEST_IMAPS_PORT"));
    imap.security = OLS_SEC_TLS;
    imap.tls.ca_file = env("OLS_TEST_CA_FILE");
    imap.tls.pin_file = ols_path_join(dir, "pins.json");
    imap.user = env("OLS_TEST_USER");
    imap.password = env("OLS_TEST_PASSWORD");
    imap.timeout_ms = 60000;
    OK(ols_maildir_open(mail, &store, &err) == OLS_OK, "store: %s", err.msg);
    if (!store)
        return T_DONE();
    memset(&o, 0, sizeof o);
    o.imap = &imap;
    o.store = store;
    o.state_path = state;

    memset(&ctx, 0, sizeof ctx);
    ols_ui_notify_reset();
    w = ols_ui_notify_open(NULL, &ctx, OLS_UI_NC_NOW);
    OK(w != NULL, "the Notification Center opens");
    if (!w)
        return T_DONE();
    now = ols_ui_notify_page(OLS_UI_NC_NOW);
    lv = GetDlgItem(ols_ui_notify_page(OLS_UI_NC_LOG), IDC_NC_LOG);

    memset(&ps, 0, sizeof ps);
    ps.lock = ols_mutex_new();

    /* 1. the first pass downloads the seeded mailbox */
    rows = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
    OK(start(&ps, &o), "first pass starts");
    pump_until_done(&ps, now);
    OK(atomic_load(&ps.done), "the first pass ended");
    OK(ps.rep.downloaded >= 20, "real mail came down (%llu)", (unsigned long long)ps.rep.downloaded);
    OK(ps.last.down_done > 0, "the engine reported downloads in its progress");
    check_pass("first pass", &ps, now, lv, rows);
    {
        wchar_t f[128], r[128];
        int i, n = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0), inbox = 0;
        for (i = rows; i < n; i++) {
            row(lv, i, 1, f, 128);
            row(lv, i, 3, r, 128);
            if (!wcscmp(f, L"INBOX") && wcstoull(r, NULL, 10) > 0)
                inbox = 1;
            fprintf(stderr, "  log: %ls: %ls\n", f, r);
        }
        OK(inbox, "INBOX has a line with the new messages it had");
    }

    /* 2. a pass with nothing to do shows that too */
    rows = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
    OK(start(&ps, &o), "second pass starts");
    pump_until_done(&ps, now);
    OK(atomic_load(&ps.done), "the second pass ended");
    OK(ps.rep.downloaded == 0 && ps.rep.uploaded == 0, "nothing moved the second time");
    check_pass("second pass", &ps, now, lv, rows);

    DestroyWindow(w);

    /* 3. the Settings dialog's Test connection logs in to the same server */
    OK(ols_pool_new(1, &pool) == OLS_OK && ols_uiqueue_new(&uq) == OLS_OK, "pool and queue");
    if (pool && uq)
        test_login(pool, ols_uiqueue_cq(uq));
    if (pool)
        ols_pool_shutdown(pool, OLS_POOL_CANCEL);
    ols_uiqueue_free(uq);
    ols_store_close(store);
    ols_mutex_free(ps.lock);
    return T_DONE();
}
