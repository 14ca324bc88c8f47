/* OutlookSync.dll entry points. The COM add-in object, class factory and registration
 * arrive with the add-in issue; until then the DLL answers honestly that it has no class. */
#include <windows.h>
#include <objbase.h>
#include <olectl.h>

static HINSTANCE g_module;
static volatile LONG g_locks; /* live objects + LockServer count */

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) {
        g_module = inst;
        DisableThreadLibraryCalls(inst);
    }
    return TRUE;
}

HRESULT WINAPI DllGetClassObject(REFCLSID clsid, REFIID iid, void **out)
{
    (void)clsid;
    (void)iid;
    if (!out)
        return E_POINTER;
    *out = NULL;
    return CLASS_E_CLASSNOTAVAILABLE;
}

HRESULT WINAPI DllCanUnloadNow(void) { return g_locks == 0 ? S_OK : S_FALSE; }

/* Registration is not built yet: refuse rather than pretend to have registered. */
HRESULT WINAPI DllRegisterServer(void) { return SELFREG_E_CLASS; }
HRESULT WINAPI DllUnregisterServer(void) { return SELFREG_E_CLASS; }
