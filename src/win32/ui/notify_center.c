/* The Notification Center. A process-wide model, guarded by a lock, holds what workers
 * post; the window reads it when a wake-up message arrives. At most one wake-up is in
 * the queue at a time, so no flood of updates can fill the UI thread's message queue. */
#include "notify_center.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "plat/plat.h"
#include "ui_strings.h"
#include "uikit.h"

#define WM_OLS_NC_WAKE (WM_APP + 0x220)
#define NW 420 /* window size in dialog units */
#define NH 240
#define FOLDER_MAX 260

/* ---- the model, shared with worker threads ---- */

typedef struct ev {
    int64_t when_ms;
    wchar_t *folder, *action, *result, *details;
    int failed;
} ev;

typedef struct ign {
    wchar_t *folder, *item, *reason;
    unsigned tries;
} ign;

static struct model {
    CRITICAL_SECTION lock;
    ols_sync_progress prog; /* .folder is not used: see folder */
    wchar_t folder[FOLDER_MAX];
    /* the folder in progress and the counters when it started, for its log line */
    wchar_t ev_folder[FOLDER_MAX];
    uint64_t ev_new0, ev_up0;
    int running;
    ev ring[OLS_UI_NC_MAX_EVENTS];
    uint64_t ev_count; /* events ever posted; ring[i % MAX] */
    ign *ign;
    size_t n_ign;
    unsigned ign_gen;
    int have_report;
    ols_sync_report rep;
    ols_status rep_st;
    wchar_t rep_msg[256];
    int64_t rep_when;
    HWND hwnd;
    int wake_pending;
    ols_ui_notify_stats stats;
} M;

static INIT_ONCE g_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK model_init(PINIT_ONCE once, void *param, void **ctx)
{
    (void)once;
    (void)param;
    (void)ctx;
    InitializeCriticalSection(&M.lock);
    return TRUE;
}

static void lock(void)
{
    InitOnceExecuteOnce(&g_once, model_init, NULL, NULL);
    EnterCriticalSection(&M.lock);
}

static void unlock(void) { LeaveCriticalSection(&M.lock); }

/* Called with the lock held, after a change: wake the window unless a wake is queued. */
static void wake_locked(void)
{
    M.stats.updates++;
    if (!M.hwnd || M.wake_pending)
        return;
    if (PostMessageW(M.hwnd, WM_OLS_NC_WAKE, 0, 0)) {
        M.wake_pending = 1;
        M.stats.wakes++;
    }
}

static void copy_wide(wchar_t *dst, size_t n, const char *utf8)
{
    dst[0] = 0;
    if (utf8 && *utf8 && !MultiByteToWideChar(CP_UTF8, 0, utf8, -1, dst, (int)n)) {
        /* too long for the buffer: keep what fits */
        int got = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0);
        wchar_t *w = got > 0 ? malloc((size_t)got * sizeof *w) : NULL;
        if (w && MultiByteToWideChar(CP_UTF8, 0, utf8, -1, w, got)) {
            wcsncpy(dst, w, n - 1);
            dst[n - 1] = 0;
        }
        free(w);
    }
}

static wchar_t *dup_wide(const char *utf8) { return utf8 ? ols_ui_wide(utf8) : NULL; }

static void ev_free(ev *e);

/* With the lock held: append to the ring (the oldest goes when it is full). */
static void push_locked(ev *n)
{
    ev *slot = &M.ring[M.ev_count % OLS_UI_NC_MAX_EVENTS];
    ev_free(slot);
    *slot = *n;
    M.ev_count++;
}

/* With the lock held: the log line of the folder that was current until `now`: the new
 * messages it found (growth of down_total) and its uploads. The engine reports progress
 * whenever it enters a folder of its folder pass, which is where both grow, so these are
 * exact there; its download queue runs later, across folders, throttled to a report per
 * 100 ms, so downloads are not split by folder: the pass's own line has them. A folder
 * where nothing was found or uploaded gets no line. */
static void folder_done_locked(const ols_sync_progress *now)
{
    ev n;
    wchar_t res[128];
    uint64_t found = now->down_total > M.ev_new0 ? now->down_total - M.ev_new0 : 0;
    uint64_t up = now->up_done > M.ev_up0 ? now->up_done - M.ev_up0 : 0;
    if (!M.ev_folder[0] || (!found && !up)) {
        M.ev_folder[0] = 0;
        return;
    }
    swprintf(res, 128, ols_ui_s(TX_NC_EV_FOLDER_RES), (unsigned long long)found,
             (unsigned long long)up);
    memset(&n, 0, sizeof n);
    n.when_ms = ols_wall_ms();
    n.folder = _wcsdup(M.ev_folder);
    n.action = _wcsdup(ols_ui_s(TX_NC_EV_FOLDER));
    n.result = _wcsdup(res);
    push_locked(&n);
    M.ev_folder[0] = 0;
}

void ols_ui_notify_post_progress(const ols_sync_progress *p)
{
    wchar_t folder[FOLDER_MAX];
    if (!p)
        return;
    copy_wide(folder, FOLDER_MAX, p->folder); /* outside the lock: it may allocate */
    lock();
    if (wcscmp(folder, M.ev_folder)) {
        folder_done_locked(p);
        wcscpy(M.ev_folder, folder);
        M.ev_new0 = p->down_total;
        M.ev_up0 = p->up_done;
    }
    M.prog = *p;
    M.prog.folder = NULL;
    wcscpy(M.folder, folder);
    M.running = 1;
    wake_locked();
    unlock();
}

void ols_ui_notify_sync_progress(void *ctx, const ols_sync_progress *p)
{
    (void)ctx;
    ols_ui_notify_post_progress(p);
}

/* The log line of a finished pass; its details are the whole report. */
static ev report_event(const ols_sync_report *r, ols_status st, const wchar_t *msg)
{
    ev n;
    wchar_t res[256], det[2048], in[32], out[32], guard[600];
    memset(&n, 0, sizeof n);
    n.when_ms = ols_wall_ms();
    ols_ui_bytes(r->bytes_in, in, 32);
    ols_ui_bytes(r->bytes_out, out, 32);
    swprintf(det, 2048, ols_ui_s(TX_NC_EV_DETAILS), r->folders, r->folders_created_local,
             r->folders_created_remote, r->folders_deleted_local, r->folders_deleted_remote,
             r->folders_renamed, (unsigned long long)r->downloaded,
             (unsigned long long)r->uploaded, (unsigned long long)r->moved,
             (unsigned long long)r->deleted_local, (unsigned long long)r->deleted_remote,
             (unsigned long long)r->flags_local, (unsigned long long)r->flags_remote,
             (unsigned long long)r->failed, (unsigned long long)r->ignored,
             (unsigned long long)r->queued, in, out);
    if (r->tripped) {
        wchar_t *names = ols_ui_wide(r->tripped_names);
        swprintf(guard, 600, ols_ui_s(TX_NC_EV_GUARD), names ? names : L"");
        free(names);
        wcsncat(det, guard, 2048 - wcslen(det) - 1);
    }
    if (st == OLS_OK) {
        swprintf(res, 256, ols_ui_s(TX_NC_EV_DONE_RES), r->folders,
                 (unsigned long long)r->downloaded, (unsigned long long)r->uploaded,
                 (unsigned long long)r->failed);
        n.action = _wcsdup(ols_ui_s(TX_NC_EV_DONE));
    } else {
        swprintf(res, 256, L"%ls", msg && *msg ? msg : L"?");
        n.action = _wcsdup(ols_ui_s(TX_NC_EV_STOPPED));
        n.failed = 1;
    }
    n.result = _wcsdup(res);
    n.details = _wcsdup(det);
    return n;
}

void ols_ui_notify_post_report(const ols_sync_report *r, ols_status st, const char *msg)
{
    wchar_t m[256];
    ols_sync_report zero;
    ev n;
    copy_wide(m, 256, msg);
    if (!r) {
        memset(&zero, 0, sizeof zero);
        r = &zero;
    }
    n = report_event(r, st, m);
    lock();
    folder_done_locked(&M.prog);
    push_locked(&n);
    M.rep = *r;
    M.rep_st = st;
    wcscpy(M.rep_msg, m);
    M.rep_when = ols_wall_ms();
    M.have_report = 1;
    M.running = 0;
    M.folder[0] = 0;
    wake_locked();
    unlock();
}

static void ev_free(ev *e)
{
    free(e->folder);
    free(e->action);
    free(e->result);
    free(e->details);
    memset(e, 0, sizeof *e);
}

void ols_ui_notify_post_event(const ols_ui_event *e)
{
    ev n;
    if (!e)
        return;
    memset(&n, 0, sizeof n);
    n.when_ms = e->when_ms ? e->when_ms : ols_wall_ms();
    n.folder = dup_wide(e->folder);
    n.action = dup_wide(e->action);
    n.result = dup_wide(e->result);
    n.details = e->details && *e->details ? dup_wide(e->details) : NULL;
    n.failed = e->failed;
    lock();
    push_locked(&n);
    wake_locked();
    unlock();
}

static void ign_free(ign *v, size_t n)
{
    size_t i;
    for (i = 0; v && i < n; i++) {
        free(v[i].folder);
        free(v[i].item);
        free(v[i].reason);
    }
    free(v);
}

void ols_ui_notify_post_ignored(const ols_ui_ignored *items, size_t n)
{
    ign *v = n ? calloc(n, sizeof *v) : NULL, *old;
    size_t i, old_n;
    if (n && !v)
        return;
    for (i = 0; i < n; i++) {
        v[i].folder = dup_wide(items[i].folder);
        v[i].item = dup_wide(items[i].item);
        v[i].reason = dup_wide(items[i].reason);
        v[i].tries = items[i].tries;
    }
    lock();
    old = M.ign;
    old_n = M.n_ign;
    M.ign = v;
    M.n_ign = n;
    M.ign_gen++;
    wake_locked();
    unlock();
    ign_free(old, old_n);
}

void ols_ui_notify_reset(void)
{
    ev ring[OLS_UI_NC_MAX_EVENTS];
    ign *old;
    size_t old_n, i;
    lock();
    memcpy(ring, M.ring, sizeof ring);
    memset(M.ring, 0, sizeof M.ring);
    old = M.ign;
    old_n = M.n_ign;
    M.ign = NULL;
    M.n_ign = 0;
    M.ign_gen++;
    memset(&M.prog, 0, sizeof M.prog);
    M.folder[0] = 0;
    M.ev_folder[0] = 0;
    M.running = 0;
    M.have_report = 0;
    M.ev_count = 0;
    wake_locked();
    memset(&M.stats, 0, sizeof M.stats); /* counts start after the reset */
    unlock();
    for (i = 0; i < OLS_UI_NC_MAX_EVENTS; i++)
        ev_free(&ring[i]);
    ign_free(old, old_n);
}

void ols_ui_notify_get_stats(ols_ui_notify_stats *st)
{
    lock();
    *st = M.stats;
    unlock();
}

/* ---- the window (UI thread) ---- */

typedef struct row {
    wchar_t *details;
    int failed;
} row;

typedef struct ncwin {
    ols_ui_ctx *ctx;
    HWND hwnd, tab, page[OLS_UI_NC_COUNT];
    DLGTEMPLATE *tmpl, *ptmpl;
    uint64_t shown; /* events up to here are in the list */
    uint64_t shown_reset;
    unsigned ign_gen;
    int paused;
} ncwin;

static ncwin *g_nc;

static void set_text(HWND page, int id, const wchar_t *t) { SetDlgItemTextW(page, id, t); }

static void fmt_time(int64_t ms, wchar_t *out, size_t n)
{
    struct tm tm;
    ols_localtime((time_t)(ms / 1000), &tm);
    swprintf(out, n, L"%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void xofy(HWND page, int id, uint64_t x, uint64_t y)
{
    wchar_t t[96];
    swprintf(t, 96, ols_ui_s(TX_NC_XOFY), (unsigned long long)x, (unsigned long long)y);
    set_text(page, id, t);
}

static void show_counters(ncwin *w)
{
    HWND p = w->page[OLS_UI_NC_NOW];
    ols_sync_progress pr;
    wchar_t folder[FOLDER_MAX], t[512], a[32], b[32], when[16], msg[256];
    uint64_t done, total;
    int running, have_rep, pos;
    ols_sync_report rep;
    ols_status rst;
    int64_t rwhen;

    lock();
    pr = M.prog;
    wcscpy(folder, M.folder);
    running = M.running;
    have_rep = M.have_report;
    rep = M.rep;
    rst = M.rep_st;
    wcscpy(msg, M.rep_msg);
    rwhen = M.rep_when;
    unlock();

    set_text(p, IDC_NC_STATE, ols_ui_s(w->paused    ? TX_NC_STATE_PAUSED
                                       : running ? TX_NC_STATE_SYNCING
                                                 : TX_NC_STATE_IDLE));
    set_text(p, IDC_NC_FOLDER, folder[0] ? folder : ols_ui_s(TX_NC_NONE));
    xofy(p, IDC_NC_FOLDERS, pr.folders_done, pr.folders_total);
    xofy(p, IDC_NC_DOWN, pr.down_done, pr.down_total);
    xofy(p, IDC_NC_UP, pr.up_done, pr.up_total);
    xofy(p, IDC_NC_INTERNAL, pr.internal_done, pr.internal_total);
    done = pr.down_done + pr.up_done;
    total = pr.down_total + pr.up_total;
    if (!total) {
        done = pr.folders_done;
        total = pr.folders_total;
    }
    pos = total ? (int)((done > total ? total : done) * 1000 / total) : 0;
    SendDlgItemMessageW(p, IDC_NC_PROGRESS, PBM_SETPOS, (WPARAM)pos, 0);
    if (pr.elapsed_ms >= 200) {
        ols_ui_bytes((pr.bytes_in + pr.bytes_out) * 1000 / pr.elapsed_ms, a, 32);
        swprintf(t, 512, L"%ls/s", a);
    } else {
        wcscpy(t, ols_ui_s(TX_NC_NONE));
    }
    set_text(p, IDC_NC_RATE, t);
    ols_ui_bytes(pr.bytes_in, a, 32);
    ols_ui_bytes(pr.bytes_out, b, 32);
    swprintf(t, 512, ols_ui_s(TX_NC_TRAFFIC_FMT), a, b);
    set_text(p, IDC_NC_TRAFFIC, t);
    if (!have_rep) {
        wcscpy(t, ols_ui_s(TX_NC_LAST_NONE));
    } else {
        fmt_time(rwhen, when, 16);
        if (rst == OLS_OK)
            swprintf(t, 512, ols_ui_s(TX_NC_LAST_OK), when, (unsigned long long)rep.downloaded,
                     (unsigned long long)rep.uploaded, (unsigned long long)rep.failed,
                     rep.folders);
        else
            swprintf(t, 512, ols_ui_s(TX_NC_LAST_ERR), when, msg[0] ? msg : L"?");
    }
    set_text(p, IDC_NC_LAST, t);
}

static void lv_text(HWND lv, int item, int sub, const wchar_t *t)
{
    LVITEMW it;
    memset(&it, 0, sizeof it);
    it.iSubItem = sub;
    it.pszText = (wchar_t *)(t ? t : L"");
    SendMessageW(lv, LVM_SETITEMTEXTW, (WPARAM)item, (LPARAM)&it);
}

static void show_events(ncwin *w)
{
    HWND lv = GetDlgItem(w->page[OLS_UI_NC_LOG], IDC_NC_LOG);
    uint64_t total, first, i;
    int added = 0;
    lock();
    total = M.ev_count;
    if (total < w->shown) {
        /* the model was reset */
        SendMessageW(lv, LVM_DELETEALLITEMS, 0, 0);
        w->shown = 0;
    }
    first = total > OLS_UI_NC_MAX_EVENTS ? total - OLS_UI_NC_MAX_EVENTS : 0;
    if (w->shown < first)
        w->shown = first;
    SendMessageW(lv, WM_SETREDRAW, FALSE, 0);
    for (i = w->shown; i < total; i++) {
        const ev *e = &M.ring[i % OLS_UI_NC_MAX_EVENTS];
        row *r = calloc(1, sizeof *r);
        wchar_t t[16], action[300];
        LVITEMW it;
        int idx;
        if (!r)
            break;
        r->details = e->details ? _wcsdup(e->details) : NULL;
        r->failed = e->failed;
        fmt_time(e->when_ms, t, 16);
        memset(&it, 0, sizeof it);
        it.mask = LVIF_TEXT | LVIF_PARAM;
        it.iItem = INT_MAX;
        it.pszText = t;
        it.lParam = (LPARAM)r;
        idx = (int)SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
        if (idx < 0) {
            free(r->details);
            free(r);
            break;
        }
        lv_text(lv, idx, 1, e->folder);
        swprintf(action, 300, L"%ls%ls", e->action ? e->action : L"", e->details ? L" +" : L"");
        lv_text(lv, idx, 2, action);
        lv_text(lv, idx, 3, e->result);
        added++;
    }
    w->shown = i;
    unlock();
    while (SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0) > OLS_UI_NC_MAX_EVENTS)
        SendMessageW(lv, LVM_DELETEITEM, 0, 0);
    SendMessageW(lv, WM_SETREDRAW, TRUE, 0);
    if (added) {
        int n = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
        SendMessageW(lv, LVM_ENSUREVISIBLE, (WPARAM)(n - 1), FALSE);
        InvalidateRect(lv, NULL, TRUE);
    }
}

static void show_ignored(ncwin *w)
{
    HWND p = w->page[OLS_UI_NC_IGNORED], lv = GetDlgItem(p, IDC_NC_IGNORED);
    size_t i;
    unsigned folders = 0;
    wchar_t t[128];
    lock();
    if (w->ign_gen == M.ign_gen && SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0) == (LRESULT)M.n_ign) {
        unlock();
        return;
    }
    w->ign_gen = M.ign_gen;
    SendMessageW(lv, WM_SETREDRAW, FALSE, 0);
    SendMessageW(lv, LVM_DELETEALLITEMS, 0, 0);
    for (i = 0; i < M.n_ign; i++) {
        const ign *g = &M.ign[i];
        LVITEMW it;
        wchar_t tries[16];
        int idx;
        size_t k;
        /* count folders: a folder counts at its first item */
        for (k = 0; k < i; k++)
            if (M.ign[k].folder && g->folder && !wcscmp(M.ign[k].folder, g->folder))
                break;
        if (k == i)
            folders++;
        memset(&it, 0, sizeof it);
        it.mask = LVIF_TEXT;
        it.iItem = (int)i;
        it.pszText = g->folder ? g->folder : (wchar_t *)L"";
        idx = (int)SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
        if (idx < 0)
            break;
        lv_text(lv, idx, 1, g->item);
        lv_text(lv, idx, 2, g->reason);
        swprintf(tries, 16, L"%u", g->tries);
        lv_text(lv, idx, 3, tries);
    }
    swprintf(t, 128, ols_ui_s(TX_NC_IGN_COUNT), (unsigned)M.n_ign, folders);
    unlock();
    SendMessageW(lv, WM_SETREDRAW, TRUE, 0);
    InvalidateRect(lv, NULL, TRUE);
    set_text(p, IDC_NC_IGN_COUNT, t);
    EnableWindow(GetDlgItem(p, IDC_NC_IGN_CLEAR), SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0) > 0);
}

static void refresh(ncwin *w)
{
    lock();
    M.wake_pending = 0; /* from here on a new post wakes us again */
    unlock();
    show_counters(w);
    show_events(w);
    show_ignored(w);
}

/* ---- building ---- */

static void label(HWND p, ols_ui_str t, int x, int y, int w)
{
    ols_ui_ctl(p, L"STATIC", ols_ui_s(t), SS_LEFT | SS_NOPREFIX, 0, x, y, w, 9, -1);
}

static void value(HWND p, int id, int x, int y, int w, int h)
{
    ols_ui_ctl(p, L"STATIC", L"", SS_LEFT | SS_NOPREFIX | SS_ENDELLIPSIS, 0, x, y, w, h, id);
}

static void add_column(HWND lv, int idx, ols_ui_str title, int dlu)
{
    LVCOLUMNW c;
    RECT r = ols_ui_dlu(GetParent(lv), 0, 0, dlu, 1);
    memset(&c, 0, sizeof c);
    c.mask = LVCF_TEXT | LVCF_WIDTH | LVCF_SUBITEM;
    c.pszText = (wchar_t *)ols_ui_s(title);
    c.cx = r.right - r.left;
    c.iSubItem = idx;
    SendMessageW(lv, LVM_INSERTCOLUMNW, (WPARAM)idx, (LPARAM)&c);
}

static HWND listview(HWND p, int id, int x, int y, int w, int h)
{
    HWND lv = ols_ui_ctl(p, WC_LISTVIEWW, NULL,
                         LVS_REPORT | LVS_SINGLESEL | LVS_SHOWSELALWAYS | WS_TABSTOP | WS_GROUP,
                         WS_EX_CLIENTEDGE, x, y, w, h, id);
    SendMessageW(lv, LVM_SETEXTENDEDLISTVIEWSTYLE, 0,
                 LVS_EX_FULLROWSELECT | LVS_EX_DOUBLEBUFFER | LVS_EX_LABELTIP);
    return lv;
}

static void build_now(HWND p, int pw)
{
    const int lx = 6, lw = 96, vx = 104, vw = pw - 110;
    HWND b;
    label(p, TX_NC_STATE, lx, 6, lw);
    value(p, IDC_NC_STATE, vx, 6, vw, 9);
    label(p, TX_NC_FOLDER, lx, 19, lw);
    value(p, IDC_NC_FOLDER, vx, 19, vw, 9);
    label(p, TX_NC_FOLDERS, lx, 32, lw);
    value(p, IDC_NC_FOLDERS, vx, 32, vw, 9);
    label(p, TX_NC_DOWN, lx, 50, lw);
    value(p, IDC_NC_DOWN, vx, 50, vw, 9);
    label(p, TX_NC_UP, lx, 63, lw);
    value(p, IDC_NC_UP, vx, 63, vw, 9);
    label(p, TX_NC_INTERNAL, lx, 76, lw);
    value(p, IDC_NC_INTERNAL, vx, 76, vw, 9);
    b = ols_ui_ctl(p, PROGRESS_CLASSW, NULL, 0, 0, lx, 94, pw - 12, 10, IDC_NC_PROGRESS);
    SendMessageW(b, PBM_SETRANGE32, 0, 1000);
    label(p, TX_NC_RATE, lx, 112, lw);
    value(p, IDC_NC_RATE, vx, 112, vw, 9);
    label(p, TX_NC_TRAFFIC, lx, 125, lw);
    value(p, IDC_NC_TRAFFIC, vx, 125, vw, 9);
    label(p, TX_NC_LAST, lx, 143, lw);
    ols_ui_ctl(p, L"STATIC", L"", SS_LEFT | SS_NOPREFIX, 0, vx, 143, vw, 18, IDC_NC_LAST);
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(TX_NC_SYNC_NOW), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0,
               lx, 166, 74, 14, IDC_NC_SYNC);
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(TX_NC_PAUSE), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0,
               lx + 80, 166, 74, 14, IDC_NC_PAUSE);
}

static void build_log(HWND p, int pw, int ph)
{
    HWND lv = listview(p, IDC_NC_LOG, 4, 4, pw - 8, ph - 70);
    add_column(lv, 0, TX_NC_COL_TIME, 38);
    add_column(lv, 1, TX_NC_COL_FOLDER, 110);
    add_column(lv, 2, TX_NC_COL_ACTION, 76);
    add_column(lv, 3, TX_NC_COL_RESULT, pw - 8 - 38 - 110 - 76 - 14);
    ols_ui_ctl(p, L"STATIC", ols_ui_s(TX_NC_LOG_HINT), SS_LEFT | SS_NOPREFIX, 0, 4, ph - 63,
               pw - 8, 9, -1);
    ols_ui_ctl(p, L"EDIT", L"",
               ES_MULTILINE | ES_READONLY | ES_AUTOVSCROLL | WS_VSCROLL | WS_TABSTOP | WS_GROUP,
               WS_EX_CLIENTEDGE, 4, ph - 52, pw - 8, 48, IDC_NC_DETAILS);
}

static void build_ignored(HWND p, int pw, int ph)
{
    HWND lv = listview(p, IDC_NC_IGNORED, 4, 4, pw - 8, ph - 64);
    add_column(lv, 0, TX_NC_COL_FOLDER, 110);
    add_column(lv, 1, TX_NC_COL_ITEM, 90);
    add_column(lv, 2, TX_NC_COL_REASON, pw - 8 - 110 - 90 - 40 - 14);
    add_column(lv, 3, TX_NC_COL_TRIES, 40);
    ols_ui_ctl(p, L"STATIC", L"", SS_LEFT | SS_NOPREFIX, 0, 4, ph - 56, pw - 8, 9,
               IDC_NC_IGN_COUNT);
    ols_ui_ctl(p, L"STATIC", ols_ui_s(TX_NC_IGN_HINT), SS_LEFT | SS_NOPREFIX, 0, 4, ph - 44,
               pw - 8, 18, -1);
    ols_ui_ctl(p, L"BUTTON", ols_ui_s(TX_NC_IGN_CLEAR), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0, 4,
               ph - 20, 110, 14, IDC_NC_IGN_CLEAR);
}

static void select_tab(ncwin *w, int tab)
{
    int i;
    if (tab < 0 || tab >= OLS_UI_NC_COUNT)
        tab = 0;
    if (SendMessageW(w->tab, TCM_GETCURSEL, 0, 0) != tab)
        SendMessageW(w->tab, TCM_SETCURSEL, (WPARAM)tab, 0);
    for (i = 0; i < OLS_UI_NC_COUNT; i++)
        ShowWindow(w->page[i], i == tab ? SW_SHOW : SW_HIDE);
}

static void show_details(ncwin *w, int item, int popup)
{
    HWND p = w->page[OLS_UI_NC_LOG], lv = GetDlgItem(p, IDC_NC_LOG);
    LVITEMW it;
    row *r;
    memset(&it, 0, sizeof it);
    it.mask = LVIF_PARAM;
    it.iItem = item;
    if (item < 0 || !SendMessageW(lv, LVM_GETITEMW, 0, (LPARAM)&it) || !it.lParam) {
        SetDlgItemTextW(p, IDC_NC_DETAILS, L"");
        return;
    }
    r = (row *)it.lParam;
    SetDlgItemTextW(p, IDC_NC_DETAILS, r->details ? r->details : ols_ui_s(TX_NC_NO_DETAILS));
    if (popup && r->details)
        MessageBoxW(w->hwnd, r->details, ols_ui_s(TX_NC_DETAILS_TITLE), MB_OK | MB_ICONINFORMATION);
}

static INT_PTR on_notify(ncwin *w, HWND dlg, NMHDR *nm)
{
    if (nm->idFrom == IDC_NC_TAB && nm->code == TCN_SELCHANGE) {
        select_tab(w, (int)SendMessageW(w->tab, TCM_GETCURSEL, 0, 0));
        return TRUE;
    }
    if (nm->idFrom == IDC_NC_LOG) {
        if (nm->code == LVN_ITEMCHANGED) {
            NMLISTVIEW *l = (NMLISTVIEW *)nm;
            if ((l->uNewState & LVIS_SELECTED) && !(l->uOldState & LVIS_SELECTED))
                show_details(w, l->iItem, 0);
        } else if (nm->code == NM_DBLCLK) {
            show_details(w, ((NMITEMACTIVATE *)nm)->iItem, 1);
        } else if (nm->code == LVN_DELETEITEM) {
            row *r = (row *)((NMLISTVIEW *)nm)->lParam;
            if (r) {
                free(r->details);
                free(r);
            }
        } else if (nm->code == NM_CUSTOMDRAW) {
            NMLVCUSTOMDRAW *cd = (NMLVCUSTOMDRAW *)nm;
            LRESULT res = CDRF_DODEFAULT;
            if (cd->nmcd.dwDrawStage == CDDS_PREPAINT) {
                res = CDRF_NOTIFYITEMDRAW;
            } else if (cd->nmcd.dwDrawStage == CDDS_ITEMPREPAINT) {
                row *r = (row *)cd->nmcd.lItemlParam;
                if (r && r->failed)
                    cd->clrText = RGB(190, 0, 0);
            }
            SetWindowLongPtrW(dlg, DWLP_MSGRESULT, res);
            return TRUE;
        }
    }
    return FALSE;
}

static void on_command(ncwin *w, int id)
{
    switch (id) {
    case IDC_NC_SYNC:
        if (w->ctx && w->ctx->sync_now)
            w->ctx->sync_now(w->ctx->user);
        break;
    case IDC_NC_PAUSE:
        w->paused = !w->paused;
        SetDlgItemTextW(w->page[OLS_UI_NC_NOW], IDC_NC_PAUSE,
                        ols_ui_s(w->paused ? TX_NC_RESUME : TX_NC_PAUSE));
        if (w->ctx && w->ctx->pause)
            w->ctx->pause(w->ctx->user, w->paused);
        show_counters(w);
        break;
    case IDC_NC_IGN_CLEAR:
        if (w->ctx && w->ctx->clear_ignored)
            w->ctx->clear_ignored(w->ctx->user);
        /* the engine forgets them; the list empties now rather than on its next post */
        ols_ui_notify_post_ignored(NULL, 0);
        break;
    case IDC_NC_CLOSE:
    case IDCANCEL:
        DestroyWindow(w->hwnd);
        break;
    }
}

static INT_PTR CALLBACK page_proc(HWND p, UINT msg, WPARAM wp, LPARAM lp)
{
    ncwin *w = (ncwin *)GetWindowLongPtrW(p, DWLP_USER);
    switch (msg) {
    case WM_INITDIALOG:
        SetWindowLongPtrW(p, DWLP_USER, lp);
        return FALSE;
    case WM_COMMAND:
        if (w)
            on_command(w, LOWORD(wp));
        return TRUE;
    case WM_NOTIFY:
        return w ? on_notify(w, p, (NMHDR *)lp) : FALSE;
    }
    return FALSE;
}

static INT_PTR CALLBACK main_proc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    ncwin *w = (ncwin *)GetWindowLongPtrW(h, DWLP_USER);
    switch (msg) {
    case WM_INITDIALOG: {
        static const ols_ui_str tabs[OLS_UI_NC_COUNT] = {TX_NC_TAB_NOW, TX_NC_TAB_LOG,
                                                         TX_NC_TAB_IGNORED};
        RECT rc, pr;
        int i, pw, ph;
        w = (ncwin *)lp;
        w->hwnd = h;
        SetWindowLongPtrW(h, DWLP_USER, lp);
        SetWindowTextW(h, ols_ui_s(TX_NC_TITLE));
        w->tab = ols_ui_ctl(h, WC_TABCONTROLW, NULL, WS_TABSTOP | WS_GROUP | TCS_FOCUSONBUTTONDOWN,
                            0, 6, 6, NW - 12, NH - 30, IDC_NC_TAB);
        for (i = 0; i < OLS_UI_NC_COUNT; i++) {
            TCITEMW ti;
            memset(&ti, 0, sizeof ti);
            ti.mask = TCIF_TEXT;
            ti.pszText = (wchar_t *)ols_ui_s(tabs[i]);
            SendMessageW(w->tab, TCM_INSERTITEMW, (WPARAM)i, (LPARAM)&ti);
        }
        ols_ui_ctl(h, L"BUTTON", ols_ui_s(TX_NC_CLOSE), BS_PUSHBUTTON | WS_TABSTOP | WS_GROUP, 0,
                   NW - 62, NH - 20, 56, 14, IDC_NC_CLOSE);
        /* pages fill the tab's display area; sizes in dialog units for the builders */
        GetWindowRect(w->tab, &rc);
        MapWindowPoints(NULL, h, (POINT *)&rc, 2);
        SendMessageW(w->tab, TCM_ADJUSTRECT, FALSE, (LPARAM)&rc);
        pr = ols_ui_dlu(h, 0, 0, 4, 8);
        pw = (rc.right - rc.left) * 4 / (pr.right > 0 ? pr.right : 4);
        ph = (rc.bottom - rc.top) * 8 / (pr.bottom > 0 ? pr.bottom : 8);
        for (i = 0; i < OLS_UI_NC_COUNT; i++) {
            HWND p = CreateDialogIndirectParamW(ols_ui_module(), w->ptmpl, h, page_proc,
                                                (LPARAM)w);
            if (!p)
                continue;
            w->page[i] = p;
            SetWindowPos(p, w->tab, rc.left, rc.top, rc.right - rc.left, rc.bottom - rc.top,
                         SWP_NOACTIVATE);
            if (i == OLS_UI_NC_NOW)
                build_now(p, pw);
            else if (i == OLS_UI_NC_LOG)
                build_log(p, pw, ph);
            else
                build_ignored(p, pw, ph);
        }
        return TRUE;
    }
    case WM_OLS_NC_WAKE:
        if (w)
            refresh(w);
        return TRUE;
    case WM_COMMAND:
        if (w)
            on_command(w, LOWORD(wp));
        return TRUE;
    case WM_NOTIFY:
        return w ? on_notify(w, h, (NMHDR *)lp) : FALSE;
    case WM_CLOSE:
        DestroyWindow(h);
        return TRUE;
    case WM_NCDESTROY:
        if (w) {
            lock();
            if (M.hwnd == h)
                M.hwnd = NULL;
            M.wake_pending = 0;
            unlock();
            ols_ui_modeless_remove(h);
            if (g_nc == w)
                g_nc = NULL;
            free(w->tmpl);
            free(w->ptmpl);
            free(w);
            SetWindowLongPtrW(h, DWLP_USER, 0);
        }
        return FALSE;
    }
    return FALSE;
}

HWND ols_ui_notify_open(HWND owner, ols_ui_ctx *ctx, int tab)
{
    ULONG_PTR cookie;
    ncwin *w;
    HWND h;
    if (g_nc) {
        select_tab(g_nc, tab);
        ShowWindow(g_nc->hwnd, SW_SHOWNORMAL);
        SetForegroundWindow(g_nc->hwnd);
        return g_nc->hwnd;
    }
    if (ctx && ctx->settings) {
        char *lang = ols_settings_get_str(ctx->settings, "ui.language");
        ols_ui_lang_set(ols_ui_lang_parse(lang));
        free(lang);
    }
    w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ctx = ctx;
    w->ign_gen = (unsigned)-1;
    w->tmpl = ols_ui_template(NW, NH,
                              WS_POPUP | WS_CAPTION | WS_SYSMENU | WS_MINIMIZEBOX | DS_CENTER |
                                  DS_MODALFRAME,
                              WS_EX_CONTROLPARENT | WS_EX_APPWINDOW, ols_ui_s(TX_NC_TITLE));
    w->ptmpl = ols_ui_template(10, 10, WS_CHILD | DS_CONTROL, WS_EX_CONTROLPARENT, L"");
    if (!w->tmpl || !w->ptmpl) {
        free(w->tmpl);
        free(w->ptmpl);
        free(w);
        return NULL;
    }
    g_nc = w;
    ols_ui_actctx_enter(&cookie);
    h = CreateDialogIndirectParamW(ols_ui_module(), w->tmpl, owner, main_proc, (LPARAM)w);
    ols_ui_actctx_leave(cookie);
    if (!h) {
        g_nc = NULL;
        free(w->tmpl);
        free(w->ptmpl);
        free(w);
        return NULL;
    }
    ols_ui_modeless_add(h, 0, w->tab);
    select_tab(w, tab);
    lock();
    M.hwnd = h;
    M.wake_pending = 0;
    unlock();
    refresh(w);
    ShowWindow(h, SW_SHOWNORMAL);
    return h;
}

HWND ols_ui_notify_window(void) { return g_nc ? g_nc->hwnd : NULL; }

HWND ols_ui_notify_page(int tab)
{
    if (!g_nc || tab < 0 || tab >= OLS_UI_NC_COUNT)
        return NULL;
    return g_nc->page[tab];
}

void ols_ui_notify_select(int tab)
{
    if (g_nc)
        select_tab(g_nc, tab);
}
