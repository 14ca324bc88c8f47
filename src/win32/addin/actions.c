/* What the ribbon and context menu entries do: background jobs on the worker pool, whose
 * results come back to the UI thread through the ui queue, or a window. */
#include "addin.h"

#include <shellapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "notify_center.h"
#include "settings_dlg.h"
#include "olsync/log.h"
#include "olsync/version.h"
#include "plat/plat.h"

static const char *const job_names[JOB_KIND_COUNT] = {
    [JOB_STRUCTURE_SYNC] = "folder-tree-sync", [JOB_SYNC_ALL] = "sync-all",
    [JOB_SYNC_FOLDER] = "sync-folder",         [JOB_SIEVE_RULES] = "sieve-rules",
    [JOB_SIEVE_FORWARD] = "sieve-forward",     [JOB_SIEVE_VACATION] = "sieve-vacation",
    [JOB_SETTINGS_RELOAD] = "settings-reload", [JOB_LOG_MAINTENANCE] = "log-maintenance",
};

struct job {
    struct addin *a; /* outlives the job: shutdown drains every completion first */
    enum job_kind kind;
    unsigned ctl;         /* the control that asked, or C_COUNT for startup work */
    volatile LONG *flag;  /* switched off if the job faults */
    int by_user;
    char *folder;         /* JOB_SYNC_FOLDER: Outlook's folder path */
    char *config_path;    /* JOB_SETTINGS_RELOAD */
    char host[256];       /* copied on the UI thread: workers never read the settings */
    ols_settings *loaded; /* JOB_SETTINGS_RELOAD result */
    unsigned keep_days;   /* JOB_LOG_MAINTENANCE: what the settings say */
    uint64_t max_file_bytes;
    int data_trace;
    ols_status st;
    char msg[512];
};

static void msgf(struct addin *a, UINT icon, enum str_id fmt, ...)
{
    wchar_t text[2048];
    va_list ap;
    va_start(ap, fmt);
    vswprintf(text, sizeof text / sizeof text[0], ols_str(a->lang, fmt), ap);
    va_end(ap);
    addin_message(a, icon, text);
}

static void free_job(struct job *j)
{
    if (j->loaded)
        ols_settings_free(j->loaded);
    free(j->folder);
    free(j->config_path);
    free(j);
}

/* ---- on a worker ---- */

static ols_status engine_missing(struct job *j, const char *what)
{
    if (!j->host[0]) {
        snprintf(j->msg, sizeof j->msg, "no IMAP account is configured");
        return OLS_EINVAL;
    }
    snprintf(j->msg, sizeof j->msg, "the %s is not linked into the add-in yet", what);
    return OLS_EUNSUPPORTED;
}

static ols_status job_work(ols_job_ctx *ctx, struct job *j)
{
    char point[64];
    ols_err err;
    snprintf(point, sizeof point, "job:%s", job_names[j->kind]);
    guard_fault_point(point);
    if (ols_job_cancelled(ctx))
        return OLS_ECANCELED;
    switch (j->kind) {
    case JOB_STRUCTURE_SYNC:
    case JOB_SYNC_ALL:
    case JOB_SYNC_FOLDER:
        /* The engine (src/sync) syncs through a store backend; Outlook's (MAPI) backend
         * is not written yet, so the add-in cannot run it. */
        return engine_missing(j, "sync engine");
    case JOB_SIEVE_RULES:
    case JOB_SIEVE_FORWARD:
    case JOB_SIEVE_VACATION:
        return engine_missing(j, "ManageSieve client");
    case JOB_SETTINGS_RELOAD:
        if (ols_settings_new(&j->loaded) != OLS_OK)
            return OLS_ENOMEM;
        if (ols_settings_load_file(j->loaded, j->config_path, &err) != OLS_OK) {
            snprintf(j->msg, sizeof j->msg, "%s", err.msg);
            ols_settings_free(j->loaded);
            j->loaded = NULL;
            return err.code;
        }
        return OLS_OK;
    case JOB_LOG_MAINTENANCE: {
        /* opening the log again with the retention setting deletes older files; it
         * lists the log folder, so it waits for a worker rather than OnConnection */
        char *dir = ols_log_dir();
        ols_log_config cfg;
        ols_status st = OLS_OK;
        if (dir && j->keep_days) {
            memset(&cfg, 0, sizeof cfg);
            cfg.dir = dir;
            cfg.level = ols_log_get_level();
            cfg.keep_days = j->keep_days;
            cfg.max_file_bytes = j->max_file_bytes;
            cfg.data_trace = j->data_trace;
            st = ols_log_open(&cfg, &err);
            if (st != OLS_OK)
                snprintf(j->msg, sizeof j->msg, "%s", err.msg);
        }
        free(dir);
        return st;
    }
    default:
        return OLS_EINVAL;
    }
}

static ols_status job_run(ols_job_ctx *ctx, void *arg)
{
    struct job *j = arg;
    ols_status st = OLS_EIO;
    char where[64];
    snprintf(where, sizeof where, "job:%s", job_names[j->kind]);
    OLS_GUARDED(where, j->flag, st = job_work(ctx, j),
                (st = OLS_EIO, snprintf(j->msg, sizeof j->msg, "internal error")));
    j->st = st;
    return st;
}

/* ---- back on the UI thread ---- */

static void report(struct addin *a, struct job *j, ols_status st)
{
    const wchar_t *what = ols_str(a->lang, ribbon_label(j->ctl));
    if (st == OLS_OK)
        return;
    if (*j->flag) { /* the crash guard caught this job: the control is off now */
        msgf(a, MB_ICONERROR, S_MSG_GUARD, what);
    } else if (st == OLS_EINVAL && !j->host[0]) {
        msgf(a, MB_ICONINFORMATION, S_MSG_NO_ACCOUNT, what);
    } else if (st == OLS_EUNSUPPORTED) {
        msgf(a, MB_ICONINFORMATION,
             j->kind >= JOB_SIEVE_RULES && j->kind <= JOB_SIEVE_VACATION ? S_MSG_SIEVE_MISSING
                                                                         : S_MSG_ENGINE_MISSING,
             what);
    } else {
        wchar_t *why = ols_wide(j->msg[0] ? j->msg : ols_status_name(st));
        msgf(a, MB_ICONWARNING, S_MSG_JOB_FAILED, what, why ? why : L"?");
        free(why);
    }
}

static void job_done_impl(struct job *j, ols_status st)
{
    struct addin *a = j->a;
    char point[64];
    snprintf(point, sizeof point, "done:%s", job_names[j->kind]);
    a->busy[j->kind]--;
    a->jobs_in_flight--;
    if (st == OLS_ECANCELED || a->closing) {
        OLS_LOG_DEBUG(ADDIN_LOG, "job %s: %s", job_names[j->kind],
                      st == OLS_ECANCELED ? "cancelled" : "finished during shutdown");
        return;
    }
    guard_fault_point(point);
    if (st == OLS_OK)
        OLS_LOG_INFO(ADDIN_LOG, "job %s finished", job_names[j->kind]);
    else
        OLS_LOG_INFO(ADDIN_LOG, "job %s%s%s: %s (%s)", job_names[j->kind], j->folder ? " " : "",
                     j->folder ? j->folder : "", j->msg[0] ? j->msg : "failed",
                     ols_status_name(st));
    if (j->kind == JOB_SETTINGS_RELOAD) {
        if (j->loaded) {
            addin_apply_settings(a, j->loaded); /* takes it */
            j->loaded = NULL;
        }
        ribbon_invalidate(a);
        return;
    }
    if (j->kind == JOB_LOG_MAINTENANCE)
        return;
    ribbon_invalidate(a); /* the button that was greyed while this ran comes back */
    if (j->by_user)
        report(a, j, st);
}

static void job_done(void *arg, ols_status st)
{
    struct job *j = arg;
    char where[64];
    snprintf(where, sizeof where, "done:%s", job_names[j->kind]);
    OLS_GUARDED(where, j->flag, job_done_impl(j, st), (void)0);
    free_job(j);
}

static int submit(struct addin *a, enum job_kind kind, unsigned ctl, int by_user, char *folder)
{
    struct job *j;
    ols_job_spec spec;
    ols_status st;
    char *host;
    if (!a->pool || !a->ui || a->closing) {
        free(folder);
        if (by_user)
            msgf(a, MB_ICONWARNING, S_MSG_NOT_NOW, ols_str(a->lang, ribbon_label(ctl)),
                 ols_str(a->lang, a->closing ? S_WHY_CLOSING : S_WHY_GUARD));
        return 0;
    }
    j = calloc(1, sizeof *j);
    if (!j) {
        free(folder);
        OLS_LOG_ERR(ADDIN_LOG, "out of memory starting %s", job_names[kind]);
        return 0;
    }
    j->a = a;
    j->kind = kind;
    j->ctl = ctl;
    j->flag = ctl < C_COUNT ? &a->disabled[FEAT_CONTROL0 + ctl] : &a->disabled[FEAT_STARTUP];
    j->by_user = by_user;
    j->folder = folder;
    host = a->settings ? ols_settings_get_str(a->settings, "account.imap.host") : NULL;
    snprintf(j->host, sizeof j->host, "%s", host ? host : "");
    free(host);
    if (kind == JOB_SETTINGS_RELOAD) {
        j->config_path = a->config_path ? strdup(a->config_path) : NULL;
        if (!j->config_path) {
            free_job(j);
            return 0;
        }
    }
    if (kind == JOB_LOG_MAINTENANCE && a->settings &&
        ols_settings_get_bool(a->settings, "log.auto_delete"))
        j->keep_days = (unsigned)ols_settings_get_int(a->settings, "log.keep_days");
    if (kind == JOB_LOG_MAINTENANCE && a->settings) {
        j->max_file_bytes = (uint64_t)ols_settings_get_int(a->settings, "log.max_file_mb") << 20;
        j->data_trace = ols_settings_get_bool(a->settings, "log.data_trace");
    }
    memset(&spec, 0, sizeof spec);
    spec.run = job_run;
    spec.done = job_done;
    spec.arg = j;
    spec.prio = by_user ? OLS_PRIO_NOW : OLS_PRIO_LOW;
    spec.group = 1;
    spec.cq = ols_uiqueue_cq(a->ui);
    /* logged first: a worker may have run the job before submit returns */
    OLS_LOG_INFO(ADDIN_LOG, "job %s%s%s queued (%s)", job_names[kind], folder ? " " : "",
                 folder ? folder : "", by_user ? "asked by the user" : "startup");
    st = ols_pool_submit(a->pool, &spec, NULL);
    if (st != OLS_OK) {
        OLS_LOG_ERR(ADDIN_LOG, "cannot start %s: %s", job_names[kind], ols_status_name(st));
        free_job(j);
        return 0;
    }
    a->busy[kind]++;
    a->jobs_in_flight++;
    if (ctl < C_COUNT)
        ribbon_invalidate(a); /* grey the button while it runs */
    return 1;
}

/* ---- the Settings and Notification Center windows (src/win32/ui) ---- */
static void ui_applied(void *user)
{
    actions_reload_settings(user); /* the add-in follows what the window saved */
}

static void ui_sync_now(void *user)
{
    submit(user, JOB_SYNC_ALL, C_SYNCNOW, 1, NULL);
}

/* 1 when a window can open: the pool and the UI queue run, and the windows' own settings
 * are loaded (once; they stay while a window is open). */
static int windows_ctx(struct addin *a)
{
    if (a->closing || !a->pool || !a->ui || !a->config_path)
        return 0;
    if (!ols_ui_settings_window() && !ols_ui_notify_window()) {
        ols_err err = {0};
        ols_settings_free(a->ui_settings);
        a->ui_settings = NULL;
        if (ols_settings_new(&a->ui_settings) != OLS_OK)
            return 0;
        if (ols_settings_load_file(a->ui_settings, a->config_path, &err) != OLS_OK)
            OLS_LOG_WARN("addin", "settings for the window: %s (defaults shown)", err.msg);
    }
    memset(&a->uictx, 0, sizeof a->uictx);
    a->uictx.settings = a->ui_settings;
    a->uictx.settings_path = a->config_path;
    a->uictx.pool = a->pool;
    a->uictx.cq = ols_uiqueue_cq(a->ui);
    a->uictx.user = a;
    a->uictx.applied = ui_applied;
    a->uictx.sync_now = ui_sync_now;
    return 1;
}

void actions_close_windows(struct addin *a)
{
    HWND w;
    if ((w = ols_ui_settings_window()) != NULL)
        DestroyWindow(w);
    if ((w = ols_ui_notify_window()) != NULL)
        DestroyWindow(w);
    ols_settings_free(a->ui_settings);
    a->ui_settings = NULL;
}

void actions_reload_settings(struct addin *a)
{
    submit(a, JOB_SETTINGS_RELOAD, C_SETTINGS, 0, NULL);
}

/* Runs on the UI thread once Outlook's message loop turns again, i.e. after
 * OnConnection has returned: no network or disk work may begin before that. */
static void startup_impl(struct addin *a)
{
    guard_fault_point("startup");
    submit(a, JOB_LOG_MAINTENANCE, C_COUNT, 0, NULL);
    if (a->has_profile && a->settings &&
        ols_settings_get_bool(a->settings, "sync.structure_on_start"))
        submit(a, JOB_STRUCTURE_SYNC, C_COUNT, 0, NULL);
}

static void startup(void *arg, ols_status st)
{
    struct addin *a = arg;
    if (st != OLS_OK || a->closing)
        return;
    /* runs from the UI queue's window, maybe inside a message box's loop: guard it
     * so a fault here never unwinds into an outer guarded call */
    OLS_GUARDED("startup", &a->disabled[FEAT_STARTUP], startup_impl(a), (void)0);
}

void actions_schedule_startup(struct addin *a)
{
    if (!a->ui || !a->pool)
        return;
    if (ols_cqueue_post(ols_uiqueue_cq(a->ui), startup, a, OLS_OK) != OLS_OK)
        OLS_LOG_ERR(ADDIN_LOG, "startup work could not be scheduled");
}

/* ---- the actions ---- */

static HRESULT folder_path(struct addin *a, IDispatch *context, char **path)
{
    IDispatch *folder = NULL;
    VARIANT v;
    HRESULT hr;
    *path = NULL;
    if (!addin_feature_ok(a, FEAT_CONTEXT))
        return E_FAIL;
    hr = host_context_folder(context, &folder);
    if (SUCCEEDED(hr)) {
        hr = host_get(folder, L"FolderPath", &v);
        IDispatch_Release(folder);
    }
    if (SUCCEEDED(hr)) {
        if (V_VT(&v) == VT_BSTR && V_BSTR(&v))
            *path = ols_utf8(V_BSTR(&v));
        VariantClear(&v);
        if (!*path)
            hr = DISP_E_TYPEMISMATCH;
    }
    return hr;
}

static HRESULT sync_folder(struct addin *a, unsigned c, IDispatch *context)
{
    char *path = NULL;
    HRESULT hr = folder_path(a, context, &path);
    if (FAILED(hr)) {
        OLS_LOG_WARN(ADDIN_LOG, "which folder to sync is unknown (0x%08lx)",
                     (unsigned long)hr);
        msgf(a, MB_ICONWARNING, S_MSG_FOLDER_UNKNOWN, (unsigned long)hr);
        return S_OK; /* the user was told; nothing for Office to report */
    }
    submit(a, JOB_SYNC_FOLDER, c, 1, path);
    return S_OK;
}

static void open_mail_panel(struct addin *a)
{
    HINSTANCE r;
    if (a->no_modal) {
        OLS_LOG_INFO(ADDIN_LOG, "New profile: would open the Mail control panel "
                                "(control.exe mlcfg32.cpl); not done under OLSYNC_NO_MODAL");
        return;
    }
    r = ShellExecuteW(NULL, L"open", L"control.exe", L"mlcfg32.cpl", NULL, SW_SHOWNORMAL);
    if ((INT_PTR)r <= 32) {
        OLS_LOG_WARN(ADDIN_LOG, "Mail control panel did not open (%ld)", (long)(INT_PTR)r);
        msgf(a, MB_ICONWARNING, S_MSG_NEWPROFILE_FAILED, (unsigned long)(INT_PTR)r);
    }
}

static void show_help(struct addin *a)
{
    char *logdir = ols_log_dir();
    wchar_t *ver = ols_wide(OLS_VERSION), *cfg = ols_wide(a->config_path ? a->config_path : "?"),
            *logs = ols_wide(logdir ? logdir : "?");
    msgf(a, MB_ICONINFORMATION, S_MSG_HELP, ver ? ver : L"?", cfg ? cfg : L"?",
         logs ? logs : L"?");
    free(ver);
    free(cfg);
    free(logs);
    free(logdir);
}

/* A message pointing at a file, e.g. where the settings live. */
static void msg_path(struct addin *a, enum str_id fmt, const char *path)
{
    wchar_t *w = ols_wide(path ? path : "?");
    msgf(a, MB_ICONINFORMATION, fmt, w ? w : L"?");
    free(w);
}

HRESULT actions_run(struct addin *a, unsigned c, IDispatch *context)
{
    enum str_id why;
    char *logdir;
    if (c >= C_COUNT)
        return E_INVALIDARG;
    if (!ribbon_enabled(a, c, &why)) {
        char *id = ols_utf8(ribbon_control_id(c));
        OLS_LOG_INFO(ADDIN_LOG, "%s pressed while unavailable; ignored", id ? id : "?");
        free(id);
        return S_OK;
    }
    switch (c) {
    case C_FOLDERTREE:
        submit(a, JOB_STRUCTURE_SYNC, c, 1, NULL);
        return S_OK;
    case C_SYNCNOW:
        submit(a, JOB_SYNC_ALL, c, 1, NULL);
        return S_OK;
    case C_RULES:
        submit(a, JOB_SIEVE_RULES, c, 1, NULL);
        return S_OK;
    case C_FORWARD:
        submit(a, JOB_SIEVE_FORWARD, c, 1, NULL);
        return S_OK;
    case C_RESPONDER:
        submit(a, JOB_SIEVE_VACATION, c, 1, NULL);
        return S_OK;
    case C_CTX_SYNCFOLDER:
    case C_CTX_ITEM_SYNCFOLDER:
        return sync_folder(a, c, context);
    case C_ACTIVITY:
        if (windows_ctx(a) && ols_ui_notify_open(NULL, &a->uictx, 0)) {
            OLS_LOG_INFO("addin", "Notification Center opened");
        } else {
            logdir = ols_log_dir();
            msg_path(a, S_MSG_ACTIVITY_NA, logdir);
            free(logdir);
        }
        return S_OK;
    case C_SETTINGS:
        actions_reload_settings(a); /* the file may have changed outside the window */
        if (windows_ctx(a) && ols_ui_settings_open(NULL, &a->uictx, 0))
            OLS_LOG_INFO("addin", "Settings window opened");
        else
            msg_path(a, S_MSG_SETTINGS_NA, a->config_path);
        return S_OK;
    case C_BINDPROFILE: /* binding is the Settings window's Login tab */
        msg_path(a, S_MSG_BIND_NA, a->config_path);
        actions_reload_settings(a);
        return S_OK;
    case C_LICENSE: /* a tab of the Settings window */
        addin_message(a, MB_ICONINFORMATION, ols_str(a->lang, S_MSG_LICENSE_NA));
        return S_OK;
    case C_NEWPROFILE:
        open_mail_panel(a);
        return S_OK;
    case C_HELP:
        show_help(a);
        return S_OK;
    default:
        return DISP_E_MEMBERNOTFOUND;
    }
}

HRESULT actions_toggle(struct addin *a, unsigned c, IDispatch *context, int pressed)
{
    IDispatch *folder = NULL;
    VARIANT v;
    HRESULT hr;
    if (c != C_CTX_ABOOK || !ribbon_enabled(a, c, NULL)) {
        OLS_LOG_INFO(ADDIN_LOG, "toggle of an unavailable entry ignored");
        return S_OK;
    }
    /* Outlook's own switch: a contact folder listed as an address book */
    hr = addin_feature_ok(a, FEAT_CONTEXT) ? host_context_folder(context, &folder) : E_FAIL;
    if (SUCCEEDED(hr)) {
        V_VT(&v) = VT_BOOL;
        V_BOOL(&v) = pressed ? VARIANT_TRUE : VARIANT_FALSE;
        hr = host_put(folder, L"ShowAsOutlookAB", &v);
        IDispatch_Release(folder);
    }
    if (FAILED(hr)) {
        OLS_LOG_WARN(ADDIN_LOG, "address book switch not changed (0x%08lx)", (unsigned long)hr);
        msgf(a, MB_ICONWARNING, S_MSG_FOLDER_UNKNOWN, (unsigned long)hr);
    } else {
        OLS_LOG_INFO(ADDIN_LOG, "folder %s the address book", pressed ? "added to" : "removed from");
    }
    return S_OK;
}

HRESULT actions_pressed(struct addin *a, unsigned c, IDispatch *context, VARIANT_BOOL *out)
{
    IDispatch *folder = NULL;
    VARIANT v;
    HRESULT hr;
    *out = VARIANT_FALSE;
    if (c != C_CTX_ABOOK)
        return S_OK; /* priority and automatic sync: not known without the engine */
    if (!addin_feature_ok(a, FEAT_CONTEXT))
        return E_FAIL;
    hr = host_context_folder(context, &folder);
    if (SUCCEEDED(hr)) {
        hr = host_get(folder, L"ShowAsOutlookAB", &v);
        IDispatch_Release(folder);
    }
    if (SUCCEEDED(hr)) {
        if (SUCCEEDED(VariantChangeType(&v, &v, 0, VT_BOOL)))
            *out = V_BOOL(&v);
        VariantClear(&v);
    }
    return hr;
}
