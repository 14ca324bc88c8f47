/* The add-in object: IDTExtensibility2 (connect, shut down), IRibbonExtensibility, and
 * the IDispatch both share for the ribbon callbacks. */
#include "addin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "olsync/log.h"
#include "plat/plat.h"

static LONG log_users;     /* connected objects that opened the log */
static LONG uiqueue_users; /* live ui queues, for the window class */

static inline struct addin *impl_from_IDTExtensibility2(IDTExtensibility2 *iface)
{
    return CONTAINING_RECORD(iface, struct addin, IDTExtensibility2_iface);
}

static inline struct addin *impl_from_IRibbonExtensibility(IRibbonExtensibility *iface)
{
    return CONTAINING_RECORD(iface, struct addin, IRibbonExtensibility_iface);
}

int addin_feature_ok(struct addin *a, unsigned feature)
{
    return feature < a->nfeatures && !a->disabled[feature];
}

void addin_message(struct addin *a, UINT icon, const wchar_t *text)
{
    if (a->no_modal || a->closing) {
        char *u = ols_utf8(text);
        OLS_LOG_INFO(ADDIN_LOG, "message for the user (%s): %s",
                     a->closing ? "not shown while closing" : "not shown, OLSYNC_NO_MODAL",
                     u ? u : "?");
        free(u);
        return;
    }
    MessageBoxW(GetActiveWindow(), text, ols_str(a->lang, S_TAB), MB_OK | icon);
}

/* ---- settings and log ---- */

static char *setting(ols_settings *s, const char *key)
{
    char *v = s ? ols_settings_get_str(s, key) : NULL;
    return v ? v : calloc(1, 1);
}

void addin_apply_settings(struct addin *a, ols_settings *s)
{
    char *email = setting(s, "account.email"), *host = setting(s, "account.imap.host");
    char *lang = setting(s, "ui.language");
    int had = a->has_profile;
    enum ols_lang old_lang = a->lang;
    if (a->settings)
        ols_settings_free(a->settings);
    a->settings = s;
    /* an olsync profile exists once an account is configured */
    a->has_profile = (email && *email) || (host && *host);
    a->lang = ols_lang_from_code(lang);
    if (lang && *lang && strcmp(lang, ols_lang_code(a->lang)) != 0)
        OLS_LOG_INFO(ADDIN_LOG, "no %s translation yet; the ribbon speaks English", lang);
    if (had != a->has_profile || old_lang != a->lang)
        OLS_LOG_INFO(ADDIN_LOG, "state: %s, language %s",
                     a->has_profile ? "olsync profile" : "no olsync profile",
                     ols_lang_code(a->lang));
    free(email);
    free(host);
    free(lang);
}

/* Reads %APPDATA%\olsync\config.json. A missing file means defaults; a broken one is
 * reported later in the log and defaults apply: neither may stop Outlook loading us. */
static ols_settings *read_settings(const char *path, ols_err *err)
{
    ols_settings *s = NULL;
    ols_err_clear(err);
    if (ols_settings_new(&s) != OLS_OK)
        return NULL;
    if (path)
        ols_settings_load_file(s, path, err);
    return s;
}

static void open_log(ols_settings *s, unsigned keep_days)
{
    char *state = ols_dir_state(), *dir = state ? ols_path_join(state, "logs") : NULL;
    char *lvl = setting(s, "log.level");
    int level = ols_log_level_parse(lvl);
    ols_log_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.dir = dir;
    cfg.level = level < 0 ? OLS_LOG_INFO : (ols_log_level)level;
    cfg.keep_days = keep_days;
    cfg.max_file_bytes = s ? (uint64_t)ols_settings_get_int(s, "log.max_file_mb") << 20 : 0;
    cfg.data_trace = s ? ols_settings_get_bool(s, "log.data_trace") : 0;
    ols_log_open(&cfg, NULL); /* no log folder is no reason to fail the load */
    free(lvl);
    free(dir);
    free(state);
}

/* ---- connect and shut down ---- */

static void teardown(struct addin *a)
{
    a->closing = 1;
    actions_close_windows(a); /* they use the pool and the UI queue */
    if (a->pool) {
        ols_pool_shutdown(a->pool, OLS_POOL_CANCEL); /* queued jobs complete as cancelled */
        a->pool = NULL;
    }
    if (a->ui) {
        ols_uiqueue_free(a->ui); /* runs those completions here, on the UI thread */
        a->ui = NULL;
        if (InterlockedDecrement(&uiqueue_users) == 0)
            UnregisterClassW(L"olsync.uiqueue", ols_module); /* the DLL may unload next */
    }
    if (a->ribbon) {
        IRibbonUI_Release(a->ribbon);
        a->ribbon = NULL;
    }
    if (a->app) {
        IDispatch_Release(a->app);
        a->app = NULL;
    }
}

static HRESULT connect_impl(struct addin *a, IDispatch *app, ext_ConnectMode mode)
{
    LARGE_INTEGER t0, t1, freq;
    const char *nm = getenv("OLSYNC_NO_MODAL");
    char *cfgdir;
    ols_err err;
    ols_settings *s;
    ols_status st;
    unsigned workers;

    QueryPerformanceCounter(&t0);
    if (a->connected) {
        OLS_LOG_WARN(ADDIN_LOG, "OnConnection called twice; keeping the first connection");
        return S_OK;
    }
    a->closing = 0;
    a->no_modal = nm && *nm && strcmp(nm, "0") != 0;

    cfgdir = ols_dir_config();
    free(a->config_path);
    a->config_path = cfgdir ? ols_path_join(cfgdir, "config.json") : NULL;
    free(cfgdir);
    s = read_settings(a->config_path, &err);
    if (InterlockedIncrement(&log_users) == 1)
        open_log(s, 0); /* old files are purged later, by a pool job */
    guard_read_fault_points();
    guard_fault_point("OnConnection");
    if (err.code != OLS_OK)
        OLS_LOG_WARN(ADDIN_LOG, "settings not loaded, using defaults: %s", err.msg);
    if (s)
        addin_apply_settings(a, s);
    else
        OLS_LOG_ERR(ADDIN_LOG, "out of memory reading settings; using defaults");

    if (app) {
        IDispatch_AddRef(app);
        a->app = app;
    }
    workers = ols_cpu_count();
    workers = workers < 2 ? 2 : workers > 4 ? 4 : workers;
    st = ols_pool_new(workers, &a->pool);
    if (st != OLS_OK) {
        a->pool = NULL;
        OLS_LOG_ERR(ADDIN_LOG, "no worker pool (%s): background work is off",
                    ols_status_name(st));
    }
    st = ols_uiqueue_new(&a->ui);
    if (st != OLS_OK) {
        a->ui = NULL;
        OLS_LOG_ERR(ADDIN_LOG, "no UI queue (%s): background work is off", ols_status_name(st));
    } else {
        InterlockedIncrement(&uiqueue_users);
    }
    a->connected = 1;
    actions_schedule_startup(a);

    QueryPerformanceCounter(&t1);
    QueryPerformanceFrequency(&freq);
    OLS_LOG_INFO(ADDIN_LOG, "connected (mode %d, %s, %s) in %.2f ms", (int)mode,
                 a->has_profile ? "olsync profile" : "no olsync profile", ols_lang_code(a->lang),
                 (double)(t1.QuadPart - t0.QuadPart) * 1000.0 / (double)freq.QuadPart);
    return S_OK;
}

static void disconnect_impl(struct addin *a, int final)
{
    guard_fault_point("OnDisconnection");
    teardown(a);
    if (final && a->connected) {
        a->connected = 0;
        OLS_LOG_INFO(ADDIN_LOG, "disconnected");
        if (InterlockedDecrement(&log_users) == 0)
            ols_log_close();
    }
}

static void startup_complete_impl(struct addin *a)
{
    VARIANT v;
    HRESULT hr;
    guard_fault_point("OnStartupComplete");
    if (!a->app)
        return;
    hr = host_get(a->app, L"Version", &v);
    if (SUCCEEDED(hr) && V_VT(&v) == VT_BSTR && V_BSTR(&v)) {
        char *ver = ols_utf8(V_BSTR(&v));
        OLS_LOG_INFO(ADDIN_LOG, "Outlook %s has started", ver ? ver : "?");
        free(ver);
    } else {
        OLS_LOG_INFO(ADDIN_LOG, "Outlook has started (its version is unknown: 0x%08lx)",
                     (unsigned long)hr);
    }
    VariantClear(&v);
}

/* ---- IUnknown ---- */

static HRESULT query_interface(struct addin *a, REFIID iid, void **out)
{
    if (!out)
        return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IDispatch) ||
        IsEqualIID(iid, &IID_IDTExtensibility2)) {
        *out = &a->IDTExtensibility2_iface;
    } else if (IsEqualIID(iid, &IID_IRibbonExtensibility)) {
        *out = &a->IRibbonExtensibility_iface;
    } else {
        *out = NULL;
        return E_NOINTERFACE;
    }
    InterlockedIncrement(&a->ref);
    return S_OK;
}

static void destroy(struct addin *a)
{
    if (a->connected || a->pool || a->app || a->ribbon) {
        OLS_LOG_WARN(ADDIN_LOG, "released while still connected: shutting down now");
        disconnect_impl(a, 1);
    }
    if (a->settings)
        ols_settings_free(a->settings);
    free(a->config_path);
    free((void *)a->disabled);
    free(a);
    guard_uninstall();
    ols_module_unlock();
}

static ULONG release(struct addin *a)
{
    ULONG ref = (ULONG)InterlockedDecrement(&a->ref);
    if (ref == 0)
        destroy(a);
    return ref;
}

/* ---- IDispatch, shared: the ribbon resolves its callbacks on either interface ---- */

static HRESULT get_type_info_count(UINT *n)
{
    if (!n)
        return E_POINTER;
    *n = 0; /* no type library: names are resolved by GetIDsOfNames alone */
    return S_OK;
}

static HRESULT get_ids(struct addin *a, REFIID iid, LPOLESTR *names, UINT n, DISPID *ids)
{
    HRESULT hr = E_UNEXPECTED;
    if (!IsEqualIID(iid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    OLS_GUARDED("GetIDsOfNames", &a->disabled[FEAT_RIBBON], hr = ribbon_get_ids(a, names, n, ids),
                hr = E_UNEXPECTED);
    return hr;
}

static HRESULT invoke(struct addin *a, DISPID id, REFIID iid, WORD flags, DISPPARAMS *dp,
                      VARIANT *result, EXCEPINFO *ei, UINT *arg_err)
{
    (void)ei;
    if (!IsEqualIID(iid, &IID_NULL))
        return DISP_E_UNKNOWNINTERFACE;
    return ribbon_invoke(a, id, flags, dp, result, arg_err); /* guards each callback */
}

/* ---- IDTExtensibility2 ---- */

static HRESULT WINAPI ext_QueryInterface(IDTExtensibility2 *iface, REFIID iid, void **out)
{
    return query_interface(impl_from_IDTExtensibility2(iface), iid, out);
}

static ULONG WINAPI ext_AddRef(IDTExtensibility2 *iface)
{
    return (ULONG)InterlockedIncrement(&impl_from_IDTExtensibility2(iface)->ref);
}

static ULONG WINAPI ext_Release(IDTExtensibility2 *iface)
{
    return release(impl_from_IDTExtensibility2(iface));
}

static HRESULT WINAPI ext_GetTypeInfoCount(IDTExtensibility2 *iface, UINT *n)
{
    (void)iface;
    return get_type_info_count(n);
}

static HRESULT WINAPI ext_GetTypeInfo(IDTExtensibility2 *iface, UINT i, LCID lcid, ITypeInfo **ti)
{
    (void)iface, (void)i, (void)lcid;
    if (ti)
        *ti = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI ext_GetIDsOfNames(IDTExtensibility2 *iface, REFIID iid, LPOLESTR *names,
                                        UINT n, LCID lcid, DISPID *ids)
{
    (void)lcid;
    return get_ids(impl_from_IDTExtensibility2(iface), iid, names, n, ids);
}

static HRESULT WINAPI ext_Invoke(IDTExtensibility2 *iface, DISPID id, REFIID iid, LCID lcid,
                                 WORD flags, DISPPARAMS *dp, VARIANT *result, EXCEPINFO *ei,
                                 UINT *arg_err)
{
    (void)lcid;
    return invoke(impl_from_IDTExtensibility2(iface), id, iid, flags, dp, result, ei, arg_err);
}

static HRESULT WINAPI ext_OnConnection(IDTExtensibility2 *iface, IDispatch *app,
                                       ext_ConnectMode mode, IDispatch *addin_inst,
                                       SAFEARRAY **custom)
{
    struct addin *a = impl_from_IDTExtensibility2(iface);
    HRESULT hr = S_OK;
    (void)addin_inst, (void)custom;
    /* a fault here leaves the add-in loaded with background work off */
    OLS_GUARDED("OnConnection", &a->disabled[FEAT_STARTUP], hr = connect_impl(a, app, mode),
                hr = S_OK);
    return hr;
}

static HRESULT WINAPI ext_OnDisconnection(IDTExtensibility2 *iface, ext_DisconnectMode mode,
                                          SAFEARRAY **custom)
{
    struct addin *a = impl_from_IDTExtensibility2(iface);
    (void)custom;
    OLS_LOG_INFO(ADDIN_LOG, "OnDisconnection (mode %d)", (int)mode);
    OLS_GUARDED("OnDisconnection", &a->disabled[FEAT_STARTUP], disconnect_impl(a, 1),
                (void)0);
    return S_OK;
}

static HRESULT WINAPI ext_OnAddInsUpdate(IDTExtensibility2 *iface, SAFEARRAY **custom)
{
    (void)iface, (void)custom;
    return S_OK;
}

static HRESULT WINAPI ext_OnStartupComplete(IDTExtensibility2 *iface, SAFEARRAY **custom)
{
    struct addin *a = impl_from_IDTExtensibility2(iface);
    (void)custom;
    OLS_GUARDED("OnStartupComplete", &a->disabled[FEAT_STARTUP], startup_complete_impl(a),
                (void)0);
    return S_OK;
}

static HRESULT WINAPI ext_OnBeginShutdown(IDTExtensibility2 *iface, SAFEARRAY **custom)
{
    struct addin *a = impl_from_IDTExtensibility2(iface);
    (void)custom;
    OLS_LOG_INFO(ADDIN_LOG, "OnBeginShutdown: cancelling background work");
    /* stop work and let go of Outlook's objects now; the log stays open for the rest */
    OLS_GUARDED("OnBeginShutdown", &a->disabled[FEAT_STARTUP], disconnect_impl(a, 0), (void)0);
    return S_OK;
}

static const IDTExtensibility2Vtbl ext_vtbl = {
    ext_QueryInterface,  ext_AddRef,          ext_Release,        ext_GetTypeInfoCount,
    ext_GetTypeInfo,     ext_GetIDsOfNames,   ext_Invoke,         ext_OnConnection,
    ext_OnDisconnection, ext_OnAddInsUpdate,  ext_OnStartupComplete, ext_OnBeginShutdown,
};

/* ---- IRibbonExtensibility ---- */

static HRESULT WINAPI rx_QueryInterface(IRibbonExtensibility *iface, REFIID iid, void **out)
{
    return query_interface(impl_from_IRibbonExtensibility(iface), iid, out);
}

static ULONG WINAPI rx_AddRef(IRibbonExtensibility *iface)
{
    return (ULONG)InterlockedIncrement(&impl_from_IRibbonExtensibility(iface)->ref);
}

static ULONG WINAPI rx_Release(IRibbonExtensibility *iface)
{
    return release(impl_from_IRibbonExtensibility(iface));
}

static HRESULT WINAPI rx_GetTypeInfoCount(IRibbonExtensibility *iface, UINT *n)
{
    (void)iface;
    return get_type_info_count(n);
}

static HRESULT WINAPI rx_GetTypeInfo(IRibbonExtensibility *iface, UINT i, LCID lcid,
                                     ITypeInfo **ti)
{
    (void)iface, (void)i, (void)lcid;
    if (ti)
        *ti = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI rx_GetIDsOfNames(IRibbonExtensibility *iface, REFIID iid, LPOLESTR *names,
                                       UINT n, LCID lcid, DISPID *ids)
{
    (void)lcid;
    return get_ids(impl_from_IRibbonExtensibility(iface), iid, names, n, ids);
}

static HRESULT WINAPI rx_Invoke(IRibbonExtensibility *iface, DISPID id, REFIID iid, LCID lcid,
                                WORD flags, DISPPARAMS *dp, VARIANT *result, EXCEPINFO *ei,
                                UINT *arg_err)
{
    (void)lcid;
    return invoke(impl_from_IRibbonExtensibility(iface), id, iid, flags, dp, result, ei,
                  arg_err);
}

static HRESULT WINAPI rx_GetCustomUI(IRibbonExtensibility *iface, BSTR ribbon_id, BSTR *xml)
{
    struct addin *a = impl_from_IRibbonExtensibility(iface);
    HRESULT hr = E_UNEXPECTED;
    if (!xml)
        return E_POINTER;
    *xml = NULL;
    OLS_GUARDED("GetCustomUI", &a->disabled[FEAT_RIBBON],
                hr = ribbon_get_custom_ui(a, ribbon_id, xml), hr = E_UNEXPECTED);
    return hr;
}

static const IRibbonExtensibilityVtbl rx_vtbl = {
    rx_QueryInterface, rx_AddRef,        rx_Release,   rx_GetTypeInfoCount,
    rx_GetTypeInfo,    rx_GetIDsOfNames, rx_Invoke,    rx_GetCustomUI,
};

HRESULT ols_addin_create(REFIID iid, void **out)
{
    struct addin *a = calloc(1, sizeof *a);
    HRESULT hr;
    if (!a)
        return E_OUTOFMEMORY;
    a->nfeatures = FEAT_CONTROL0 + ribbon_control_count();
    a->disabled = calloc(a->nfeatures, sizeof *a->disabled);
    if (!a->disabled) {
        free(a);
        return E_OUTOFMEMORY;
    }
    a->IDTExtensibility2_iface.lpVtbl = &ext_vtbl;
    a->IRibbonExtensibility_iface.lpVtbl = &rx_vtbl;
    a->ref = 1;
    a->lang = LANG_EN;
    ols_module_lock();
    guard_install();
    hr = query_interface(a, iid, out);
    release(a); /* the caller's reference is the only one left, or none on failure */
    return hr;
}
