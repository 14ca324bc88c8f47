/* Registration: COM class and ProgID, and the Outlook Addins key, per user or per machine.
 *
 * Keys are written in the registry view of this DLL's own bitness (KEY_WOW64_64KEY for
 * the x64 build, KEY_WOW64_32KEY for x86), whatever the bitness of the process that
 * registers it: an installer or regsvr32 of the other bitness still lands in the view
 * where an Outlook that can load this DLL looks. Nothing goes to the other view, since an
 * Outlook of the other bitness could not load it. Unregistering removes the values this
 * file writes and then each of its keys that is left empty; parents are never touched. */
#include "addin.h"

#include <olectl.h>
#include <stdio.h>

#define CLASS_NAME L"olsync Outlook add-in"
#define FRIENDLY_NAME L"olsync"
#define DESCRIPTION L"Two-way sync of Outlook folders with an IMAP server"

#define CLASSES L"Software\\Classes\\"
#define ADDINS L"Software\\Microsoft\\Office\\Outlook\\Addins\\"

#if defined(_WIN64)
#define OWN_VIEW KEY_WOW64_64KEY
#else
#define OWN_VIEW KEY_WOW64_32KEY
#endif

struct regval {
    const wchar_t *key;  /* under HKCU or HKLM */
    const wchar_t *name; /* NULL = the key's default value */
    DWORD type;
    const wchar_t *text; /* REG_SZ; NULL = the DLL's path */
    DWORD number;        /* REG_DWORD */
};

/* Parents before children; unregistering walks the list backwards. */
static const struct regval values[] = {
    {CLASSES OLSYNC_PROGID, NULL, REG_SZ, CLASS_NAME, 0},
    {CLASSES OLSYNC_PROGID L"\\CLSID", NULL, REG_SZ, OLSYNC_CLSID_STR, 0},
    {CLASSES L"CLSID\\" OLSYNC_CLSID_STR, NULL, REG_SZ, CLASS_NAME, 0},
    {CLASSES L"CLSID\\" OLSYNC_CLSID_STR L"\\ProgID", NULL, REG_SZ, OLSYNC_PROGID, 0},
    {CLASSES L"CLSID\\" OLSYNC_CLSID_STR L"\\InprocServer32", NULL, REG_SZ, NULL, 0},
    {CLASSES L"CLSID\\" OLSYNC_CLSID_STR L"\\InprocServer32", L"ThreadingModel", REG_SZ,
     L"Apartment", 0},
    {ADDINS OLSYNC_PROGID, L"LoadBehavior", REG_DWORD, NULL, 3}, /* load at startup */
    {ADDINS OLSYNC_PROGID, L"FriendlyName", REG_SZ, FRIENDLY_NAME, 0},
    {ADDINS OLSYNC_PROGID, L"Description", REG_SZ, DESCRIPTION, 0},
};
#define NVALUES (sizeof values / sizeof values[0])

static HKEY hive(int per_machine) { return per_machine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER; }

static LSTATUS write_value(HKEY root, const struct regval *v, const wchar_t *dll_path)
{
    HKEY k;
    LSTATUS rc = RegCreateKeyExW(root, v->key, 0, NULL, 0, KEY_SET_VALUE | OWN_VIEW, NULL, &k,
                                 NULL);
    if (rc != ERROR_SUCCESS)
        return rc;
    if (v->type == REG_DWORD) {
        rc = RegSetValueExW(k, v->name, 0, REG_DWORD, (const BYTE *)&v->number,
                            sizeof v->number);
    } else {
        const wchar_t *s = v->text ? v->text : dll_path;
        rc = RegSetValueExW(k, v->name, 0, REG_SZ, (const BYTE *)s,
                            (DWORD)((wcslen(s) + 1) * sizeof(wchar_t)));
    }
    RegCloseKey(k);
    return rc;
}

HRESULT ols_register(int per_machine)
{
    wchar_t path[MAX_PATH + 1];
    DWORD n = GetModuleFileNameW(ols_module, path, MAX_PATH + 1);
    size_t i;
    if (n == 0 || n > MAX_PATH)
        return SELFREG_E_CLASS; /* no path, or one too long to be registered */
    for (i = 0; i < NVALUES; i++) {
        LSTATUS rc = write_value(hive(per_machine), &values[i], path);
        if (rc != ERROR_SUCCESS) {
            ols_unregister(per_machine); /* all or nothing */
            return HRESULT_FROM_WIN32(rc);
        }
    }
    return S_OK;
}

/* Deletes key if nothing (no value, no sub-key) is left in it. */
static LSTATUS delete_if_empty(HKEY root, const wchar_t *key)
{
    HKEY k;
    DWORD nsub = 0, nval = 0;
    LSTATUS rc = RegOpenKeyExW(root, key, 0, KEY_QUERY_VALUE | OWN_VIEW, &k);
    if (rc == ERROR_FILE_NOT_FOUND)
        return ERROR_SUCCESS;
    if (rc != ERROR_SUCCESS)
        return rc;
    rc = RegQueryInfoKeyW(k, NULL, NULL, NULL, &nsub, NULL, NULL, &nval, NULL, NULL, NULL, NULL);
    RegCloseKey(k);
    if (rc != ERROR_SUCCESS)
        return rc;
    if (nsub || nval)
        return ERROR_SUCCESS; /* someone else keeps something here: leave it */
    rc = RegDeleteKeyExW(root, key, OWN_VIEW, 0);
    return rc == ERROR_FILE_NOT_FOUND ? ERROR_SUCCESS : rc;
}

HRESULT ols_unregister(int per_machine)
{
    HKEY root = hive(per_machine);
    LSTATUS first_error = ERROR_SUCCESS;
    size_t i;
    for (i = NVALUES; i-- > 0;) {
        const struct regval *v = &values[i];
        HKEY k;
        LSTATUS rc = RegOpenKeyExW(root, v->key, 0, KEY_SET_VALUE | OWN_VIEW, &k);
        if (rc == ERROR_SUCCESS) {
            rc = RegDeleteValueW(k, v->name);
            RegCloseKey(k);
        }
        if (rc == ERROR_FILE_NOT_FOUND)
            rc = ERROR_SUCCESS;
        /* the last value of a key: the key itself goes, if nothing else is in it */
        if (rc == ERROR_SUCCESS && (i == 0 || wcscmp(values[i - 1].key, v->key) != 0))
            rc = delete_if_empty(root, v->key);
        if (rc != ERROR_SUCCESS && first_error == ERROR_SUCCESS)
            first_error = rc;
    }
    return first_error == ERROR_SUCCESS ? S_OK : HRESULT_FROM_WIN32(first_error);
}
