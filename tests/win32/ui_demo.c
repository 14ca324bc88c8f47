/* Opens the Settings dialog or the Notification Center without Outlook, for screenshots
 * and trying them by hand.
 *
 *   ols_ui_demo settings [--tab N] [--config FILE] [--locked FILE] [--folders FILE]
 *                        [--test-connection] [--invalid-port]
 *   ols_ui_demo notify   [--tab N] [--config FILE] [--report FILE] [--events FILE]
 *                        [--ignored FILE] [--sample]
 *                        [--select ROW]  (selects a session log row, -1 the last: its
 *                        details show)
 *   common: [--ready FILE]  written once the window is shown and painted
 *           [--sync [--mark-ignored N]]  first a real pass of the engine against the server
 *           in OLS_TEST_* (the Dovecot fixture: tests/fixture/dovecot_fixture.py run --
 *           wine ols_ui_demo ...), into a fresh Maildir; it feeds the Notification Center
 *           live, and the Synchronization tab lists its folders. --mark-ignored records
 *           three failures for the first N messages of INBOX in the state (the fixture
 *           makes none), so the ignored items tab has real entries of the state to show
 *
 * --report takes the JSON of `olsync sync --json`; --events lines "folder|action|result|
 * details|failed"; --ignored lines "folder|item|reason|tries"; --folders lines
 * "path|auto|priority". --sample posts made-up counters instead (and says so in the log). */
#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "notify_center.h"
#include "olsync/log.h"
#include "olsync/sync.h"
#include "plat/plat.h"
#include "settings_dlg.h"
#include "uiqueue.h"
#include "uikit.h"
#ifdef OLS_UI_DEMO_SYNC
#include "sync/state.h"
#endif

static const char *opt(int argc, char **argv, const char *name)
{
    int i;
    for (i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return NULL;
}

static int flag(int argc, char **argv, const char *name)
{
    int i;
    for (i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return 1;
    return 0;
}

static char *slurp(const char *path)
{
    char *buf = NULL;
    size_t len;
    ols_err err = {0};
    if (ols_file_read_all(path, 1 << 20, &buf, &len, &err) != OLS_OK) {
        fprintf(stderr, "ols_ui_demo: %s\n", err.msg);
        return NULL;
    }
    return buf;
}

/* Splits a line at '|' into at most n fields (in place). */
static int split(char *line, char **f, int n)
{
    int k = 0;
    char *p = line, *bar;
    line[strcspn(line, "\r\n")] = 0;
    while (k < n) {
        f[k++] = p;
        bar = strchr(p, '|');
        if (!bar)
            break;
        *bar = 0;
        p = bar + 1;
    }
    return k;
}

static void demo_sync_now(void *u)
{
    ols_ui_event e = {0, NULL, "Sync requested", "queued", NULL, 0};
    (void)u;
    ols_ui_notify_post_event(&e);
}

static void demo_pause(void *u, int paused)
{
    ols_ui_event e = {0, NULL, paused ? "Paused by the user" : "Resumed", "ok", NULL, 0};
    (void)u;
    ols_ui_notify_post_event(&e);
}

static void demo_clear(void *u) { (void)u; }

static int demo_save_path(void *u, wchar_t *path, size_t n)
{
    wchar_t dir[MAX_PATH];
    (void)u;
    GetTempPathW(MAX_PATH, dir);
    swprintf(path, n, L"%lsolsync-logs.zip", dir);
    return 1;
}

static uint64_t jnum(cJSON *o, const char *k)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (uint64_t)v->valuedouble : 0;
}

/* Counters of a finished `olsync sync --json` run: what the window shows at its end. */
static int post_report_file(const char *path)
{
    char *text = slurp(path);
    cJSON *o = text ? cJSON_Parse(text) : NULL, *st;
    ols_sync_report r;
    ols_sync_progress p;
    free(text);
    if (!o)
        return 0;
    memset(&r, 0, sizeof r);
    r.folders = (unsigned)jnum(o, "folders");
    r.downloaded = jnum(o, "downloaded");
    r.uploaded = jnum(o, "uploaded");
    r.failed = jnum(o, "failed");
    r.ignored = jnum(o, "ignored");
    r.bytes_in = jnum(o, "bytes_in");
    r.bytes_out = jnum(o, "bytes_out");
    memset(&p, 0, sizeof p);
    p.folders_done = p.folders_total = r.folders;
    p.down_done = p.down_total = r.downloaded;
    p.up_done = p.up_total = r.uploaded;
    p.bytes_in = r.bytes_in;
    p.bytes_out = r.bytes_out;
    p.elapsed_ms = jnum(o, "elapsed_ms");
    p.internal_done = p.internal_total = r.downloaded;
    ols_ui_notify_post_progress(&p);
    st = cJSON_GetObjectItemCaseSensitive(o, "status");
    ols_ui_notify_post_report(&r,
                              cJSON_IsString(st) && strcmp(st->valuestring, "OK") ? OLS_EIO : OLS_OK,
                              cJSON_IsString(st) ? st->valuestring : "");
    cJSON_Delete(o);
    return 1;
}

static void post_events_file(const char *path)
{
    char *text = slurp(path), *line, *next;
    for (line = text; line && *line; line = next) {
        char *f[5] = {0};
        ols_ui_event e;
        int k;
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        k = split(line, f, 5);
        if (k < 3)
            continue;
        memset(&e, 0, sizeof e);
        e.folder = *f[0] ? f[0] : NULL;
        e.action = f[1];
        e.result = f[2];
        e.details = k > 3 && *f[3] ? f[3] : NULL;
        e.failed = k > 4 && atoi(f[4]);
        ols_ui_notify_post_event(&e);
    }
    free(text);
}

static void post_ignored_file(const char *path)
{
    char *text = slurp(path), *line, *next;
    ols_ui_ignored items[256];
    size_t n = 0;
    for (line = text; line && *line && n < 256; line = next) {
        char *f[4] = {0};
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        if (split(line, f, 4) < 3)
            continue;
        items[n].folder = f[0];
        items[n].item = f[1];
        items[n].reason = f[2];
        items[n].tries = f[3] ? (unsigned)atoi(f[3]) : 3;
        n++;
    }
    ols_ui_notify_post_ignored(items, n);
    free(text);
}

/* Made-up numbers of a pass in full swing, for trying the window by hand. */
static void post_sample(void)
{
    static const struct {
        const char *folder, *action, *result, *details;
        int failed;
    } evs[] = {
        {NULL, "Database check", "ok", NULL, 0},
        {NULL, "Folder list", "14 folders, 1 new", "New: Projects/2026", 0},
        {"INBOX", "Item sync", "212 new, 4 changed", NULL, 0},
        {"Sent", "Item sync", "37 new", NULL, 0},
        {"Drafts", "Skipped", "stays local", NULL, 0},
        {"Projects", "Item sync", "58 new", NULL, 0},
        {"Projects/2026", "Item sync", "failed: message too large",
         "UID 311: 48 MB is over the 25 MB size limit; headers kept, body skipped.", 1},
        {"Calendar", "Groupware", "12 events", NULL, 0},
        {"Contacts", "Groupware", "140 contacts", NULL, 0},
        {"INBOX", "Upload", "3 appended", "Moved from Outlook: 3 messages, 1.2 MB", 0},
    };
    static const ols_ui_ignored ign[] = {
        {"Projects/2026", "Quarterly report (UID 311)", "over the size limit", 3},
        {"Archive", "Re: invoice 4411 (UID 90)", "server refused the flag change", 3},
        {"Archive", "Scan 2025-11-02.pdf (UID 93)", "server timed out", 3},
    };
    ols_sync_progress p;
    size_t i, n = sizeof evs / sizeof evs[0];
    int64_t now = ols_wall_ms();
    for (i = 0; i < n; i++) {
        /* spread over the last few minutes, as a real session would */
        ols_ui_event e = {now - (int64_t)(n - i) * 23000, evs[i].folder, evs[i].action,
                          evs[i].result, evs[i].details, evs[i].failed};
        ols_ui_notify_post_event(&e);
    }
    ols_ui_notify_post_ignored(ign, sizeof ign / sizeof ign[0]);
    memset(&p, 0, sizeof p);
    p.folder = "Projects";
    p.folders_done = 5;
    p.folders_total = 14;
    p.down_done = 307;
    p.down_total = 512;
    p.up_done = 3;
    p.up_total = 5;
    p.bytes_in = 24u * 1024 * 1024 + 400 * 1024;
    p.bytes_out = 1300 * 1024;
    p.internal_done = 290;
    p.internal_total = 307;
    p.elapsed_ms = 19000;
    ols_ui_notify_post_progress(&p);
}

static ols_ui_folder *load_folders(const char *path, size_t *n)
{
    static const char *const sample[] = {"INBOX", "INBOX/Receipts", "Sent", "Drafts", "Trash",
                                         "Projects", "Projects/2026", "Archive", "Calendar",
                                         "Contacts", "Tasks"};
    ols_ui_folder *v = calloc(256, sizeof *v);
    char *text = path ? slurp(path) : NULL, *line, *next;
    size_t k = 0;
    if (!v)
        return NULL;
    if (!text) {
        for (k = 0; k < sizeof sample / sizeof sample[0]; k++) {
            v[k].path = sample[k];
            v[k].automatic = strcmp(sample[k], "Trash") != 0 && strcmp(sample[k], "Drafts") != 0;
            v[k].priority = !strcmp(sample[k], "INBOX") || !strcmp(sample[k], "Calendar");
        }
        *n = k;
        return v;
    }
    for (line = text; line && *line && k < 256; line = next) {
        char *f[3] = {0};
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        if (split(line, f, 3) < 1 || !*f[0])
            continue;
        v[k].path = strdup(f[0]);
        v[k].automatic = f[1] ? atoi(f[1]) : 1;
        v[k].priority = f[2] ? atoi(f[2]) : 0;
        k++;
    }
    /* text stays allocated: nothing else in it is used */
    *n = k;
    return v;
}

#ifdef OLS_UI_DEMO_SYNC
/* ---- a real pass against the fixture ---- */

static struct demo_sync {
    ols_imap_config imap;
    ols_store *store;
    char *state_path;
    ols_pool *pool;
    ols_cqueue *cq;
    ols_sync_report rep;
    ols_err err;
    ols_status st;
    int busy, passes;
} D;

static const char *need_env(const char *k)
{
    const char *v = getenv(k);
    if (!v || !*v) {
        fprintf(stderr, "ols_ui_demo: %s is not set (run me through dovecot_fixture.py run)\n", k);
        exit(2);
    }
    return v;
}

static int ignored_cb(void *ctx, const char *folder, const char *key, const char *reason,
                      unsigned failures)
{
    ols_ui_ignored *v = ctx, *it;
    size_t n = 0;
    while (v[n].folder)
        n++;
    if (n >= 255)
        return 1;
    it = &v[n];
    it->folder = strdup(folder);
    if (!strncmp(key, "uid:", 4)) {
        char k[64];
        snprintf(k, sizeof k, "UID %s", key + 4);
        it->item = strdup(k);
    } else {
        it->item = strdup(key);
    }
    it->reason = strdup(reason ? reason : "");
    it->tries = failures;
    return 0;
}

/* The state's ignore list, as the Notification Center shows it. */
static void post_state_ignored(void)
{
    ols_state *st = NULL;
    ols_ui_ignored *v = calloc(256, sizeof *v);
    size_t n;
    if (!v || ols_state_open_ro(D.state_path, &st, NULL) != OLS_OK) {
        free(v);
        return;
    }
    ols_state_ignored_list(st, ignored_cb, v, NULL);
    ols_state_close(st);
    for (n = 0; v[n].folder; n++)
        ;
    ols_ui_notify_post_ignored(v, n);
    for (n = 0; v[n].folder; n++) {
        free((char *)v[n].folder);
        free((char *)v[n].item);
        free((char *)v[n].reason);
    }
    free(v);
}

static void mark_ignored(int n)
{
    ols_state *st = NULL;
    ols_state_folder f;
    char key[32];
    int uid, k;
    if (n <= 0 || ols_state_open(D.state_path, &st, NULL) != OLS_OK)
        return;
    if (ols_state_folder_get(st, "INBOX", &f, NULL) == OLS_OK)
        for (uid = 1; uid <= n; uid++) {
            snprintf(key, sizeof key, "uid:%d", uid);
            for (k = 0; k < 3; k++)
                ols_state_fail(st, f.id, key, "fetch failed (marked by ui_demo)");
        }
    ols_state_close(st);
}

static ols_status pass_run(ols_job_ctx *jc, void *arg)
{
    ols_sync_opts o;
    (void)jc;
    (void)arg;
    memset(&o, 0, sizeof o);
    o.imap = &D.imap;
    o.store = D.store;
    o.state_path = D.state_path;
    o.progress = ols_ui_notify_sync_progress;
    memset(&D.err, 0, sizeof D.err);
    D.st = ols_sync_run(&o, &D.rep, &D.err);
    return D.st;
}

static void pass_done(void *arg, ols_status st)
{
    (void)arg;
    (void)st;
    ols_ui_notify_post_report(&D.rep, D.st, D.err.msg);
    post_state_ignored();
    D.busy = 0;
    D.passes++;
}

static void start_pass(void)
{
    ols_job_spec js;
    if (D.busy)
        return;
    memset(&js, 0, sizeof js);
    js.run = pass_run;
    js.done = pass_done;
    js.prio = OLS_PRIO_NORMAL;
    js.cq = D.cq;
    D.busy = 1;
    if (ols_pool_submit(D.pool, &js, NULL) != OLS_OK)
        D.busy = 0;
}

static void sync_now_real(void *u)
{
    (void)u;
    start_pass();
}

static void clear_real(void *u)
{
    ols_state *st = NULL;
    (void)u;
    if (ols_state_open(D.state_path, &st, NULL) == OLS_OK) {
        ols_state_ignored_reset(st, NULL);
        ols_state_close(st);
    }
    post_state_ignored();
}

static int folder_cb(void *ctx, const ols_state_folder *f)
{
    ols_ui_ctx *c = ctx;
    ols_ui_folder *v = (ols_ui_folder *)c->folders;
    if (c->n_folders >= 256)
        return 1;
    v[c->n_folders].path = strdup(f->path);
    v[c->n_folders].automatic = 1;
    v[c->n_folders].priority = !strcmp(f->path, "INBOX");
    c->n_folders++;
    return 0;
}

/* Set up the account from OLS_TEST_*; run one pass to its end, pumping messages. */
static int demo_sync_first(ols_ui_ctx *ctx, int mark)
{
    wchar_t tmp[MAX_PATH];
    char *t8, *dir, name[64], *mail;
    ols_err err = {0};
    MSG m;
    GetTempPathW(MAX_PATH, tmp);
    t8 = ols_ui_utf8(tmp);
    /* Wine reuses process ids from one session to the next: the clock makes it fresh */
    snprintf(name, sizeof name, "olsync-ui-demo-sync-%lu-%llu", (unsigned long)GetCurrentProcessId(),
             (unsigned long long)ols_wall_ms());
    dir = ols_path_join(t8 ? t8 : ".", name);
    free(t8);
    ols_mkdir_p(dir, NULL);
    mail = ols_path_join(dir, "Mail");
    D.state_path = ols_path_join(dir, "state.db");
    D.imap.host = need_env("OLS_TEST_IMAP_HOST");
    D.imap.port = (uint16_t)atoi(need_env("OLS_TEST_IMAPS_PORT"));
    D.imap.security = OLS_SEC_TLS;
    D.imap.tls.ca_file = need_env("OLS_TEST_CA_FILE");
    D.imap.tls.pin_file = ols_path_join(dir, "pins.json");
    D.imap.user = need_env("OLS_TEST_USER");
    D.imap.password = need_env("OLS_TEST_PASSWORD");
    D.imap.timeout_ms = 60000;
    if (ols_maildir_open(mail, &D.store, &err) != OLS_OK) {
        fprintf(stderr, "ols_ui_demo: %s\n", err.msg);
        return 0;
    }
    /* the Login tab's Test connection uses it (in memory only: a secret key is never saved) */
    ols_settings_set(ctx->settings, "account.password", D.imap.password, NULL);
    D.pool = ctx->pool;
    D.cq = ctx->cq;
    ctx->sync_now = sync_now_real;
    ctx->clear_ignored = clear_real;
    start_pass();
    while (D.busy && GetMessageW(&m, NULL, 0, 0) > 0) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
    }
    if (D.st != OLS_OK) {
        fprintf(stderr, "ols_ui_demo: the pass failed: %s\n", D.err.msg);
        return 0;
    }
    fprintf(stderr, "ols_ui_demo: pass done: %u folders, %llu downloaded, %llu uploaded\n",
            D.rep.folders, (unsigned long long)D.rep.downloaded,
            (unsigned long long)D.rep.uploaded);
    mark_ignored(mark);
    post_state_ignored();
    {
        ols_state *st = NULL;
        ctx->folders = calloc(256, sizeof *ctx->folders);
        ctx->n_folders = 0;
        if (ctx->folders && ols_state_open_ro(D.state_path, &st, NULL) == OLS_OK) {
            ols_state_folders(st, folder_cb, ctx, NULL);
            ols_state_close(st);
        }
    }
    free(mail);
    free(dir);
    return 1;
}
#endif

/* "x y width height" of the window on the screen, for cropping a screenshot. */
static void write_ready(const char *path, HWND win)
{
    FILE *f = path ? ols_fopen(path, "w") : NULL;
    RECT r;
    if (!f)
        return;
    if (GetWindowRect(win, &r))
        fprintf(f, "%ld %ld %ld %ld\n", (long)r.left, (long)r.top, (long)(r.right - r.left),
                (long)(r.bottom - r.top));
    fclose(f);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "settings";
    const char *config = opt(argc, argv, "--config"), *locked = opt(argc, argv, "--locked");
    const char *ready = opt(argc, argv, "--ready"), *tab_s = opt(argc, argv, "--tab");
    int tab = tab_s ? atoi(tab_s) : 0, ready_done = 0;
    ols_settings *set = NULL;
    ols_pool *pool = NULL;
    ols_uiqueue *uq = NULL;
    ols_ui_ctx ctx;
    ols_err err = {0};
    ols_log_config lc;
    HWND win;
    MSG m;
    wchar_t tmp[MAX_PATH];
    char *logdir, *tmp8;

    if (ols_settings_new(&set) != OLS_OK)
        return 2;
    if (config && ols_settings_load_file(set, config, &err) != OLS_OK) {
        fprintf(stderr, "ols_ui_demo: %s\n", err.msg);
        return 2;
    }
    if (locked) {
        char *text = slurp(locked);
        if (!text || ols_settings_load_locked(set, text, strlen(text), locked, &err) != OLS_OK) {
            fprintf(stderr, "ols_ui_demo: %s\n", err.msg);
            return 2;
        }
        free(text);
    }
    /* a log folder of its own, so the Logs tab has something to show */
    GetTempPathW(MAX_PATH, tmp);
    tmp8 = ols_ui_utf8(tmp);
    logdir = ols_path_join(tmp8 ? tmp8 : ".", "olsync-ui-demo-logs");
    free(tmp8);
    memset(&lc, 0, sizeof lc);
    lc.dir = logdir;
    lc.level = OLS_LOG_INFO;
    ols_log_open(&lc, NULL);
    OLS_LOG_INFO("ui", "ui_demo started: %s", what);

    ols_pool_new(2, &pool);
    ols_uiqueue_new(&uq);
    memset(&ctx, 0, sizeof ctx);
    ctx.settings = set;
    ctx.settings_path = config;
    ctx.pool = pool;
    ctx.cq = uq ? ols_uiqueue_cq(uq) : NULL;
    ctx.sync_now = demo_sync_now;
    ctx.pause = demo_pause;
    ctx.clear_ignored = demo_clear;
    ctx.pick_save_path = demo_save_path;
    ctx.folders = load_folders(opt(argc, argv, "--folders"), &ctx.n_folders);
    if (flag(argc, argv, "--sync")) {
#ifdef OLS_UI_DEMO_SYNC
        const char *mark = opt(argc, argv, "--mark-ignored");
        free(ctx.folders);
        if (!demo_sync_first(&ctx, mark ? atoi(mark) : 0))
            return 1;
#else
        fprintf(stderr, "ols_ui_demo: built without the sync engine\n");
        return 2;
#endif
    }

    if (!strcmp(what, "notify")) {
        const char *rep = opt(argc, argv, "--report"), *evs = opt(argc, argv, "--events");
        const char *ign = opt(argc, argv, "--ignored");
        if (rep)
            post_report_file(rep);
        if (evs)
            post_events_file(evs);
        if (ign)
            post_ignored_file(ign);
        if (flag(argc, argv, "--sample") || (!rep && !evs && !ign && !flag(argc, argv, "--sync")))
            post_sample();
        win = ols_ui_notify_open(NULL, &ctx, tab);
        if (win && opt(argc, argv, "--select")) {
            HWND lv = GetDlgItem(ols_ui_notify_page(OLS_UI_NC_LOG), IDC_NC_LOG);
            int row = atoi(opt(argc, argv, "--select"));
            LVITEMW it;
            if (row < 0) /* from the end: -1 is the last row */
                row += (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
            memset(&it, 0, sizeof it);
            it.stateMask = it.state = LVIS_SELECTED | LVIS_FOCUSED;
            SendMessageW(lv, LVM_SETITEMSTATE, (WPARAM)row, (LPARAM)&it);
            SendMessageW(lv, LVM_ENSUREVISIBLE, (WPARAM)row, FALSE);
        }
    } else {
        win = ols_ui_settings_open(NULL, &ctx, tab);
        if (win && flag(argc, argv, "--invalid-port")) {
            HWND pg;
            PropSheet_SetCurSel(win, NULL, OLS_UI_TAB_LOGIN);
            pg = ols_ui_settings_page(OLS_UI_TAB_LOGIN);
            SetDlgItemTextW(pg, IDC_IMAP_PORT, L"70000");
            PropSheet_Apply(win);
            PropSheet_SetCurSel(win, NULL, tab);
        }
        if (win && flag(argc, argv, "--test-connection")) {
            PropSheet_SetCurSel(win, NULL, OLS_UI_TAB_LOGIN);
            SendDlgItemMessageW(ols_ui_settings_page(OLS_UI_TAB_LOGIN), IDC_TEST, BM_CLICK, 0, 0);
        }
    }
    if (!win) {
        fprintf(stderr, "ols_ui_demo: the window did not open\n");
        return 1;
    }
    /* ready once the queue is idle and, when testing the connection, the answer is in */
    SetTimer(NULL, 0, 300, NULL);
    while (GetMessageW(&m, NULL, 0, 0) > 0) {
        TranslateMessage(&m);
        DispatchMessageW(&m);
        if (!ols_ui_settings_window() && !ols_ui_notify_window()) {
            if (getenv("OLS_UI_DEMO_DEBUG"))
                fprintf(stderr, "window gone after msg %x\n", m.message);
            break;
        }
        if (!ready_done && m.message == WM_TIMER) {
            HWND pg = ols_ui_settings_page(OLS_UI_TAB_LOGIN);
            HWND b = pg ? GetDlgItem(pg, IDC_TEST) : NULL;
            if (!flag(argc, argv, "--test-connection") || (b && IsWindowEnabled(b))) {
                write_ready(ready, win);
                ready_done = 1;
            }
        }
    }
    ols_pool_shutdown(pool, OLS_POOL_CANCEL);
    ols_uiqueue_free(uq);
    ols_settings_free(set);
    ols_log_close();
    free(logdir);
    return 0;
}
