/* After an installation: the Outlook host emulator (tests/win32/host_emulator.c, compiled
 * in here whole) loads the *installed* add-in the way Outlook does, from the registration
 * the installer wrote, and checks that registration against the DLL's own.
 *
 *   installed_host C:\...\x64\OutlookSync.dll user|machine
 *
 * 1. Outlook's path: the Addins key (LoadBehavior=3) -> ProgID -> CLSID ->
 *    InprocServer32, which must name this DLL; LoadLibrary, class factory, OnConnection,
 *    the Explorer ribbon and every getter, shutdown, DllCanUnloadNow.
 * 2. The installer wrote what DllInstall writes: the DLL's own unregistration leaves none
 *    of the add-in's keys behind (so the installer added nothing it does not know), and
 *    its registration then gives the registry back exactly as the installer left it.
 * The add-in's settings and log go to a scratch folder, not the installing user's. */
#define main host_emulator_main
#include "../win32/host_emulator.c"
#undef main

int main(int argc, char **argv)
{
    typedef HRESULT(WINAPI * install_fn)(BOOL, LPCWSTR);
    wchar_t dll[MAX_PATH], dll_reg[MAX_PATH], appdata[MAX_PATH], local[MAX_PATH], *scratch_w;
    char *scratch, *as_installed, *after;
    const wchar_t *scope;
    HKEY root;
    HMODULE m;
    CLSID clsid;
    install_fn install;
    HRESULT hr;

    if (argc < 3 || (strcmp(argv[2], "user") && strcmp(argv[2], "machine"))) {
        fprintf(stderr, "usage: installed_host OutlookSync.dll user|machine\n");
        return 2;
    }
    root = !strcmp(argv[2], "machine") ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
    scope = root == HKEY_LOCAL_MACHINE ? L"machine" : L"user";
    OleInitialize(NULL);
    MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, dll, MAX_PATH);

    scratch = t_scratch("installed");
    scratch_w = calloc(MAX_PATH, sizeof *scratch_w);
    MultiByteToWideChar(CP_UTF8, 0, scratch, -1, scratch_w, MAX_PATH);
    swprintf(appdata, MAX_PATH, L"%ls\\roaming", scratch_w);
    swprintf(local, MAX_PATH, L"%ls\\local", scratch_w);
    CreateDirectoryW(appdata, NULL);
    CreateDirectoryW(local, NULL);
    swprintf(log_dir, MAX_PATH, L"%ls\\olsync\\logs", local);
    set_env("APPDATA", appdata);
    set_env("LOCALAPPDATA", local);
    _putenv("OLSYNC_NO_MODAL=1");
    _putenv("OLSYNC_TEST_FAULT=");
    write_config(appdata, profile_en);

    as_installed = snapshot(root);

    /* 1. Outlook starts */
    if (resolve_addin(root, &clsid, dll_reg, MAX_PATH)) {
        OK(!_wcsicmp(dll_reg, dll), "InprocServer32 is the installed DLL: %ls", dll_reg);
        m = LoadLibraryW(dll_reg);
        OK(m != NULL, "LoadLibrary(InprocServer32) (%lu)", GetLastError());
        if (m) {
            get_class_fn get_class =
                (get_class_fn)(void *)GetProcAddress(m, "DllGetClassObject");
            struct life l;
            OK(get_class != NULL, "DllGetClassObject");
            if (get_class && connect_addin(get_class, &l)) {
                ribbon_load(&l, 1);
                query_all(1);
                shutdown_addin(&l, m);
            }
            OK(FreeLibrary(m), "FreeLibrary");
        }
    }

    /* 2. the registration is the DLL's own */
    m = LoadLibraryW(dll);
    OK(m != NULL, "LoadLibrary %ls (%lu)", dll, GetLastError());
    install = m ? (install_fn)(void *)GetProcAddress(m, "DllInstall") : NULL;
    OK(install != NULL, "DllInstall");
    if (install) {
        hr = install(FALSE, scope);
        OK(hr == S_OK, "DllInstall(FALSE, %ls) (hr %08lx)", scope, (unsigned long)hr);
        OK(!key_exists(root, addins_key, KEY_WOW64_64KEY), "no Addins key left");
        OK(!key_exists(root, L"Software\\Classes\\" OLSYNC_PROGID, KEY_WOW64_64KEY),
           "no ProgID key left");
        OK(!key_exists(root, L"Software\\Classes\\CLSID\\" OLSYNC_CLSID_STR, KEY_WOW64_64KEY),
           "no CLSID key left");
        hr = install(TRUE, scope);
        OK(hr == S_OK, "DllInstall(TRUE, %ls) (hr %08lx)", scope, (unsigned long)hr);
        after = snapshot(root);
        OK(!strcmp(as_installed, after), "DllInstall writes what the installer wrote");
        if (strcmp(as_installed, after))
            report_diff(as_installed, after);
        free(after);
    }
    if (m)
        FreeLibrary(m);
    free(as_installed);
    if (!t_fail)
        remove_tree(scratch_w);
    else
        fprintf(stderr, "add-in log and settings kept in %s\n", scratch);
    free(scratch_w);
    free(scratch);
    OleUninitialize();
    return T_DONE();
}
