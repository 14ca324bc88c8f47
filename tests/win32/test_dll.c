/* OutlookSync.dll loads, exports the COM entry points, hands out a class factory for its
 * own CLSID only, and unloads cleanly. */
#define COBJMACROS
#include <windows.h>
#include <objbase.h>

#include "office_addin.h"
#include "t.h"

typedef HRESULT(WINAPI *get_class_fn)(REFCLSID, REFIID, void **);
typedef HRESULT(WINAPI *simple_fn)(void);

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "OutlookSync.dll";
    HMODULE m = LoadLibraryA(path);
    get_class_fn get_class;
    simple_fn can_unload;
    void *obj = (void *)1;
    OK(m != NULL, "LoadLibrary(%s) error %lu", path, GetLastError());
    if (!m)
        return T_DONE();
    get_class = (get_class_fn)(void *)GetProcAddress(m, "DllGetClassObject");
    can_unload = (simple_fn)(void *)GetProcAddress(m, "DllCanUnloadNow");
    OK(get_class != NULL, "DllGetClassObject exported");
    OK(can_unload != NULL, "DllCanUnloadNow exported");
    OK(GetProcAddress(m, "DllRegisterServer") != NULL, "DllRegisterServer exported");
    OK(GetProcAddress(m, "DllUnregisterServer") != NULL, "DllUnregisterServer exported");
    OK(GetProcAddress(m, "DllInstall") != NULL, "DllInstall exported");
    if (get_class) {
        IClassFactory *cf = NULL;
        IUnknown *unk = NULL;
        HRESULT hr = get_class(&IID_IUnknown, &IID_IClassFactory, &obj);
        OK(hr == CLASS_E_CLASSNOTAVAILABLE && obj == NULL,
           "unknown class refused with NULL out (hr %08lx)", (unsigned long)hr);
        hr = get_class(&CLSID_OlsyncOutlookAddin, &IID_IClassFactory, (void **)&cf);
        OK(hr == S_OK && cf != NULL, "class factory for our CLSID (hr %08lx)", (unsigned long)hr);
        if (cf) {
            OK(can_unload && can_unload() == S_FALSE, "factory held: must stay loaded");
            hr = IClassFactory_CreateInstance(cf, (IUnknown *)cf, &IID_IUnknown, (void **)&unk);
            OK(hr == CLASS_E_NOAGGREGATION && !unk, "no aggregation (hr %08lx)",
               (unsigned long)hr);
            hr = IClassFactory_CreateInstance(cf, NULL, &IID_IClassFactory, (void **)&unk);
            OK(hr == E_NOINTERFACE && !unk, "object is no factory (hr %08lx)", (unsigned long)hr);
            hr = IClassFactory_CreateInstance(cf, NULL, &IID_IUnknown, (void **)&unk);
            OK(hr == S_OK && unk, "CreateInstance (hr %08lx)", (unsigned long)hr);
            IClassFactory_Release(cf);
            if (unk) {
                OK(can_unload && can_unload() == S_FALSE, "object alive: must stay loaded");
                OK(IUnknown_Release(unk) == 0, "last reference");
            }
        }
        hr = get_class(&CLSID_OlsyncOutlookAddin, &IID_IDispatch, &obj);
        OK(hr == E_NOINTERFACE && obj == NULL, "factory QI for IDispatch refused (hr %08lx)",
           (unsigned long)hr);
    }
    if (can_unload)
        OK(can_unload() == S_OK, "nothing alive: may unload");
    OK(FreeLibrary(m), "FreeLibrary");
    return T_DONE();
}
