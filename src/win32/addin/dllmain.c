/* OutlookSync.dll entry points: DllMain, the class factory and the module lock count. */
#include "addin.h"

#include <olectl.h>

#include "guard.h"

HINSTANCE ols_module;
static volatile LONG module_locks; /* live add-in objects + LockServer + factory refs */

void ols_module_lock(void) { InterlockedIncrement(&module_locks); }
void ols_module_unlock(void) { InterlockedDecrement(&module_locks); }

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    if (reason == DLL_PROCESS_ATTACH) {
        ols_module = inst;
        DisableThreadLibraryCalls(inst);
        guard_process_init(inst);
    } else if (reason == DLL_PROCESS_DETACH && !reserved) {
        /* FreeLibrary (not process exit): no handler may point into unloaded code */
        guard_process_fini();
    }
    return TRUE;
}

/* ---- class factory: one static object, its references count as module locks ---- */

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID iid, void **out)
{
    if (!out)
        return E_POINTER;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IClassFactory)) {
        *out = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    (void)iface;
    ols_module_lock();
    return 2;
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    (void)iface;
    ols_module_unlock();
    return 1;
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID iid,
                                             void **out)
{
    (void)iface;
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (outer)
        return CLASS_E_NOAGGREGATION;
    return ols_addin_create(iid, out);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    (void)iface;
    if (lock)
        ols_module_lock();
    else
        ols_module_unlock();
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
    factory_QueryInterface, factory_AddRef,     factory_Release,
    factory_CreateInstance, factory_LockServer,
};

static IClassFactory addin_factory = {&factory_vtbl};

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID iid, void **out)
{
    if (!out)
        return E_POINTER;
    *out = NULL;
    if (!clsid || !iid)
        return E_INVALIDARG;
    if (!IsEqualCLSID(clsid, &CLSID_OlsyncOutlookAddin))
        return CLASS_E_CLASSNOTAVAILABLE;
    return IClassFactory_QueryInterface(&addin_factory, iid, out);
}

HRESULT WINAPI DllCanUnloadNow(void) { return module_locks == 0 ? S_OK : S_FALSE; }

/* regsvr32 OutlookSync.dll: for all users (needs administrator rights). */
HRESULT WINAPI DllRegisterServer(void) { return ols_register(1); }
HRESULT WINAPI DllUnregisterServer(void) { return ols_unregister(1); }

/* regsvr32 /n /i:user OutlookSync.dll (per user) or /i:machine (all users);
 * with /u the same scope is unregistered. */
HRESULT WINAPI DllInstall(BOOL install, LPCWSTR cmdline)
{
    int per_machine;
    if (!cmdline || !*cmdline || !_wcsicmp(cmdline, L"machine"))
        per_machine = 1;
    else if (!_wcsicmp(cmdline, L"user"))
        per_machine = 0;
    else
        return E_INVALIDARG;
    return install ? ols_register(per_machine) : ols_unregister(per_machine);
}
