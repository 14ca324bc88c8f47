/* OutlookSync.dll loads, exports the COM entry points, and unloads cleanly. */
#include <windows.h>
#include <objbase.h>

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
    if (get_class) {
        HRESULT hr = get_class(&IID_IUnknown, &IID_IClassFactory, &obj);
        OK(hr == CLASS_E_CLASSNOTAVAILABLE && obj == NULL,
           "unknown class refused with NULL out (hr %08lx)", (unsigned long)hr);
    }
    if (can_unload)
        OK(can_unload() == S_OK, "nothing alive: may unload");
    OK(FreeLibrary(m), "FreeLibrary");
    return T_DONE();
}
