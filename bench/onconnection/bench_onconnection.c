/* How long OutlookSync.dll's OnConnection takes (Outlook disables add-ins that load
 * slowly; the target is under 50 ms). Loads the DLL as Outlook does, then times
 * OnConnection alone over many connect/disconnect cycles and prints median and p95.
 *
 *   bench_onconnection OutlookSync.dll [runs]
 *
 * Settings and logs go to a scratch folder under %TEMP% with an account configured, so
 * the "olsync profile" path (which schedules the startup folder-tree sync) is measured. */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <ole2.h>
#include <shellapi.h>

#include <stdio.h>
#include <stdlib.h>

#include "office_addin.h"

typedef HRESULT(WINAPI *get_class_fn)(REFCLSID, REFIID, void **);

/* An Application that answers nothing, like the host emulator's. */
static HRESULT WINAPI app_QueryInterface(IDispatch *iface, REFIID iid, void **out)
{
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IDispatch)) {
        *out = iface;
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}
static ULONG WINAPI app_AddRef(IDispatch *iface) { (void)iface; return 2; }
static ULONG WINAPI app_Release(IDispatch *iface) { (void)iface; return 1; }
static HRESULT WINAPI app_GetTypeInfoCount(IDispatch *iface, UINT *n)
{
    (void)iface;
    *n = 0;
    return S_OK;
}
static HRESULT WINAPI app_GetTypeInfo(IDispatch *iface, UINT i, LCID l, ITypeInfo **ti)
{
    (void)iface, (void)i, (void)l;
    *ti = NULL;
    return E_NOTIMPL;
}
static HRESULT WINAPI app_GetIDsOfNames(IDispatch *iface, REFIID iid, LPOLESTR *n, UINT c, LCID l,
                                        DISPID *ids)
{
    (void)iface, (void)iid, (void)n, (void)c, (void)l, (void)ids;
    return E_NOTIMPL;
}
static HRESULT WINAPI app_Invoke(IDispatch *iface, DISPID id, REFIID iid, LCID l, WORD f,
                                 DISPPARAMS *dp, VARIANT *r, EXCEPINFO *ei, UINT *ae)
{
    (void)iface, (void)id, (void)iid, (void)l, (void)f, (void)dp, (void)r, (void)ei, (void)ae;
    return E_NOTIMPL;
}
static const IDispatchVtbl app_vtbl = {app_QueryInterface, app_AddRef, app_Release,
                                       app_GetTypeInfoCount, app_GetTypeInfo,
                                       app_GetIDsOfNames, app_Invoke};
static IDispatch app = {&app_vtbl};

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void pump(void)
{
    MSG msg;
    while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) {
        TranslateMessage(&msg);
        DispatchMessageW(&msg);
    }
}

int main(int argc, char **argv)
{
    const char *dll = argc > 1 ? argv[1] : "OutlookSync.dll";
    int runs = argc > 2 ? atoi(argv[2]) : 200, i;
    wchar_t tmp[MAX_PATH], dir[MAX_PATH], cfg[MAX_PATH], env[2 * MAX_PATH];
    double *ms, first = 0, sum = 0;
    LARGE_INTEGER freq, t0, t1;
    get_class_fn get_class;
    IClassFactory *cf = NULL;
    HMODULE m;
    FILE *f;

    if (runs < 1)
        runs = 1;
    ms = calloc((size_t)runs, sizeof *ms);
    OleInitialize(NULL);
    GetTempPathW(MAX_PATH, tmp);
    swprintf(dir, MAX_PATH, L"%lsolsync-bench-%lu", tmp, GetCurrentProcessId());
    CreateDirectoryW(dir, NULL);
    swprintf(env, 2 * MAX_PATH, L"APPDATA=%ls", dir);
    _wputenv(env);
    swprintf(env, 2 * MAX_PATH, L"LOCALAPPDATA=%ls", dir);
    _wputenv(env);
    _putenv("OLSYNC_NO_MODAL=1");
    swprintf(cfg, MAX_PATH, L"%ls\\olsync", dir);
    CreateDirectoryW(cfg, NULL);
    swprintf(cfg, MAX_PATH, L"%ls\\olsync\\config.json", dir);
    f = _wfopen(cfg, L"wb");
    if (f) {
        fputs("{\"account\": {\"email\": \"bench@example.org\", \"imap\": {\"host\": \"127.0.0.1\"}}}\n", f);
        fclose(f);
    }

    m = LoadLibraryA(dll);
    get_class = m ? (get_class_fn)(void *)GetProcAddress(m, "DllGetClassObject") : NULL;
    if (!get_class || FAILED(get_class(&CLSID_OlsyncOutlookAddin, &IID_IClassFactory,
                                       (void **)&cf))) {
        fprintf(stderr, "cannot load the add-in from %s\n", dll);
        return 1;
    }
    QueryPerformanceFrequency(&freq);
    for (i = 0; i < runs; i++) {
        IDTExtensibility2 *ext = NULL;
        SAFEARRAY *custom = SafeArrayCreateVector(VT_VARIANT, 0, 0);
        HRESULT hr = IClassFactory_CreateInstance(cf, NULL, &IID_IDTExtensibility2,
                                                  (void **)&ext);
        if (FAILED(hr)) {
            fprintf(stderr, "CreateInstance: %08lx\n", (unsigned long)hr);
            return 1;
        }
        QueryPerformanceCounter(&t0);
        hr = IDTExtensibility2_OnConnection(ext, &app, ext_cm_Startup, NULL, &custom);
        QueryPerformanceCounter(&t1);
        ms[i] = (double)(t1.QuadPart - t0.QuadPart) * 1000.0 / (double)freq.QuadPart;
        if (i == 0)
            first = ms[i];
        sum += ms[i];
        pump(); /* let the startup work be scheduled, as Outlook's loop would */
        IDTExtensibility2_OnBeginShutdown(ext, &custom);
        IDTExtensibility2_OnDisconnection(ext, ext_dm_HostShutdown, &custom);
        IDTExtensibility2_Release(ext);
        SafeArrayDestroy(custom);
    }
    IClassFactory_Release(cf);
    qsort(ms, (size_t)runs, sizeof *ms, cmp);
    printf("OnConnection over %d runs: median %.2f ms, p95 %.2f ms, mean %.2f ms, max %.2f ms, "
           "first (cold) %.2f ms\n",
           runs, ms[runs / 2], ms[(runs * 95 + 99) / 100 - 1], sum / runs, ms[runs - 1], first);
    FreeLibrary(m);
    {
        /* the scratch settings and logs go again */
        wchar_t from[MAX_PATH + 1] = {0};
        SHFILEOPSTRUCTW op = {0};
        wcsncpy(from, dir, MAX_PATH - 1); /* double NUL: the array is zeroed */
        op.wFunc = FO_DELETE;
        op.pFrom = from;
        op.fFlags = FOF_NO_UI;
        if (SHFileOperationW(&op) != 0)
            fprintf(stderr, "scratch folder %ls left behind\n", dir);
    }
    OleUninitialize();
    free(ms);
    return 0;
}
