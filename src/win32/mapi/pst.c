/* Opening the account's PST from a MAPI session: find its MSUPST MS service in the profile
 * or add one (Unicode PST), then open the store it provides. Needs a real MAPI profile
 * (Outlook's); under Wine this code is only exercised against a scripted session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapi_rt.h"
#include "mapi_store.h"
#include "olsync/log.h"

#define PST_SERVICE "MSUPST MS"

static int uid_eq(const SBinary *b, const MAPIUID *u)
{
    return b->cb == sizeof *u && !memcmp(b->lpb, u->ab, sizeof *u);
}

/* The store of a message service: the stores table row with that PR_SERVICE_UID. */
static ols_status open_service_store(IMAPISession *ses, const MAPIUID *svc, IMsgStore **out,
                                     ols_err *err)
{
    IMAPITable *t = NULL;
    SRowSet *rows = NULL;
    SizedSPropTagArray(2, arr) = {2, {PR_ENTRYID, PR_SERVICE_UID}};
    HRESULT hr = ses->lpVtbl->GetMsgStoresTable(ses, 0, &t);
    ULONG i;
    ols_status st = OLS_ENOENT;
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "GetMsgStoresTable");
    hr = t->lpVtbl->SetColumns(t, (LPSPropTagArray)&arr, 0);
    if (SUCCEEDED(hr))
        hr = t->lpVtbl->QueryRows(t, 0x7fffffff, 0, &rows);
    t->lpVtbl->Release(t);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "the stores table");
    for (i = 0; rows && i < rows->cRows && st == OLS_ENOENT; i++) {
        const SPropValue *e = ols_mapi_find(rows->aRow[i].lpProps, rows->aRow[i].cValues,
                                            PR_ENTRYID);
        const SPropValue *u = ols_mapi_find(rows->aRow[i].lpProps, rows->aRow[i].cValues,
                                            PR_SERVICE_UID);
        if (!e || !u || !uid_eq(&u->Value.bin, svc))
            continue;
        hr = ses->lpVtbl->OpenMsgStore(ses, 0, e->Value.bin.cb, (LPENTRYID)e->Value.bin.lpb, NULL,
                                       MDB_WRITE | MAPI_BEST_ACCESS | MDB_NO_DIALOG, out);
        st = FAILED(hr) ? ols_mapi_err(err, hr, "OpenMsgStore") : OLS_OK;
    }
    ols_mapi_free_rows(rows);
    if (st == OLS_ENOENT)
        ols_err_set(err, OLS_ENOENT, "the PST service has no store in this session");
    return st;
}

/* Does this PST service's provider point at path? (PR_PST_PATH_W in its profile section) */
static int service_has_path(IMsgServiceAdmin *admin, MAPIUID *svc, const wchar_t *path)
{
    IProviderAdmin *pa = NULL;
    IMAPITable *t = NULL;
    SRowSet *rows = NULL;
    SizedSPropTagArray(1, arr) = {1, {PR_PROVIDER_UID}};
    ULONG i;
    int hit = 0;
    if (FAILED(admin->lpVtbl->AdminProviders(admin, svc, 0, &pa)))
        return 0;
    if (SUCCEEDED(pa->lpVtbl->GetProviderTable(pa, 0, &t))) {
        if (SUCCEEDED(t->lpVtbl->SetColumns(t, (LPSPropTagArray)&arr, 0)) &&
            SUCCEEDED(t->lpVtbl->QueryRows(t, 0x7fffffff, 0, &rows))) {
            for (i = 0; rows && i < rows->cRows && !hit; i++) {
                const SPropValue *u = ols_mapi_find(rows->aRow[i].lpProps,
                                                    rows->aRow[i].cValues, PR_PROVIDER_UID);
                IProfSect *sect = NULL;
                SPropValue *v = NULL;
                if (!u || u->Value.bin.cb != sizeof(MAPIUID))
                    continue;
                if (FAILED(pa->lpVtbl->OpenProfileSection(pa, (LPMAPIUID)u->Value.bin.lpb, NULL,
                                                          0, &sect)))
                    continue;
                if (SUCCEEDED(ols_mapi_get_one((IMAPIProp *)sect, PR_PST_PATH_W, &v))) {
                    hit = !_wcsicmp(v->Value.lpszW, path);
                    ols_mapi_free(v);
                }
                sect->lpVtbl->Release(sect);
            }
        }
        ols_mapi_free_rows(rows);
        t->lpVtbl->Release(t);
    }
    pa->lpVtbl->Release(pa);
    return hit;
}

struct svc_list {
    MAPIUID *v;
    size_t n;
};

/* The UIDs of the profile's PST services. */
static HRESULT pst_services(IMsgServiceAdmin *admin, struct svc_list *out)
{
    IMAPITable *t = NULL;
    SRowSet *rows = NULL;
    SizedSPropTagArray(2, arr) = {2, {PR_SERVICE_UID, PROP_TAG(PT_STRING8, 0x3D09)}};
    HRESULT hr = admin->lpVtbl->GetMsgServiceTable(admin, 0, &t);
    ULONG i;
    out->v = NULL;
    out->n = 0;
    if (FAILED(hr))
        return hr;
    hr = t->lpVtbl->SetColumns(t, (LPSPropTagArray)&arr, 0);
    if (SUCCEEDED(hr))
        hr = t->lpVtbl->QueryRows(t, 0x7fffffff, 0, &rows);
    t->lpVtbl->Release(t);
    if (FAILED(hr))
        return hr;
    out->v = calloc(rows && rows->cRows ? rows->cRows : 1, sizeof *out->v);
    for (i = 0; out->v && rows && i < rows->cRows; i++) {
        const SPropValue *u = ols_mapi_find(rows->aRow[i].lpProps, rows->aRow[i].cValues,
                                            PR_SERVICE_UID);
        const SPropValue *nm = ols_mapi_find(rows->aRow[i].lpProps, rows->aRow[i].cValues,
                                             PROP_TAG(PT_STRING8, 0x3D09));
        if (u && nm && u->Value.bin.cb == sizeof(MAPIUID) && !_stricmp(nm->Value.lpszA, PST_SERVICE))
            memcpy(&out->v[out->n++], u->Value.bin.lpb, sizeof(MAPIUID));
    }
    ols_mapi_free_rows(rows);
    return out->v ? S_OK : MAPI_E_NOT_ENOUGH_MEMORY;
}

ols_status ols_mapi_pst_open(IMAPISession *ses, const wchar_t *path, const char *display_name,
                             IMsgStore **out, ols_err *err)
{
    IMsgServiceAdmin *admin = NULL;
    IMsgServiceAdmin2 *admin2 = NULL;
    struct svc_list before = {0}, after = {0};
    MAPIUID uid;
    size_t i, j;
    int found = 0;
    ols_status st;
    HRESULT hr = ses->lpVtbl->AdminServices(ses, 0, &admin);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "AdminServices");
    hr = pst_services(admin, &before);
    for (i = 0; SUCCEEDED(hr) && i < before.n && !found; i++)
        if (service_has_path(admin, &before.v[i], path)) {
            uid = before.v[i];
            found = 1;
        }
    if (SUCCEEDED(hr) && !found) {
        /* CreateMsgService takes 8-bit strings unless told otherwise (MFCMAPI does the
         * same); the display name goes in the active code page */
        char name[256];
        {
            wchar_t *w = ols_utf8_to_wide(display_name ? display_name : "olsync", -1);
            if (!w || !WideCharToMultiByte(CP_ACP, 0, w, -1, name, sizeof name, NULL, NULL))
                snprintf(name, sizeof name, "olsync");
            free(w);
        }
        if (SUCCEEDED(admin->lpVtbl->QueryInterface(admin, &IID_IMsgServiceAdmin2,
                                                    (void **)&admin2))) {
            hr = admin2->lpVtbl->CreateMsgServiceEx(admin2, (LPWSTR)PST_SERVICE, (LPWSTR)name, 0,
                                                    0, &uid);
            admin2->lpVtbl->Release(admin2);
            found = SUCCEEDED(hr);
        } else {
            /* older MAPI: the new service is the PST service that was not there before */
            hr = admin->lpVtbl->CreateMsgService(admin, (LPWSTR)PST_SERVICE, (LPWSTR)name, 0, 0);
            if (SUCCEEDED(hr))
                hr = pst_services(admin, &after);
            for (i = 0; SUCCEEDED(hr) && i < after.n && !found; i++) {
                int old = 0;
                for (j = 0; j < before.n; j++)
                    if (!memcmp(&after.v[i], &before.v[j], sizeof uid))
                        old = 1;
                if (!old) {
                    uid = after.v[i];
                    found = 1;
                }
            }
        }
        if (SUCCEEDED(hr) && found) {
            SPropValue v[2];
            memset(v, 0, sizeof v);
            v[0].ulPropTag = PR_PST_PATH_W;
            v[0].Value.lpszW = (LPWSTR)path;
            v[1].ulPropTag = PR_PST_CONFIG_FLAGS;
            v[1].Value.ul = PST_CONFIG_UNICODE;
            hr = admin->lpVtbl->ConfigureMsgService(admin, &uid, 0, 0, 2, v);
            if (FAILED(hr))
                admin->lpVtbl->DeleteMsgService(admin, &uid); /* no half-made service */
            else
                OLS_LOG_INFO("mapi", "added a PST service for the account to the profile");
        }
    }
    free(before.v);
    free(after.v);
    admin->lpVtbl->Release(admin);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "setting up the PST");
    if (!found)
        return ols_err_set(err, OLS_EIO, "the new PST service could not be found");
    st = open_service_store(ses, &uid, out, err);
    return st;
}

ols_status ols_mapi_default_store(IMAPISession *ses, IMsgStore **out, ols_err *err)
{
    IMAPITable *t = NULL;
    SRowSet *rows = NULL;
    SizedSPropTagArray(2, arr) = {2, {PR_ENTRYID, PR_DEFAULT_STORE}};
    HRESULT hr = ses->lpVtbl->GetMsgStoresTable(ses, 0, &t);
    ULONG i;
    ols_status st = OLS_ENOENT;
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "GetMsgStoresTable");
    hr = t->lpVtbl->SetColumns(t, (LPSPropTagArray)&arr, 0);
    if (SUCCEEDED(hr))
        hr = t->lpVtbl->QueryRows(t, 0x7fffffff, 0, &rows);
    t->lpVtbl->Release(t);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "the stores table");
    for (i = 0; rows && i < rows->cRows && st == OLS_ENOENT; i++) {
        const SPropValue *e = ols_mapi_find(rows->aRow[i].lpProps, rows->aRow[i].cValues,
                                            PR_ENTRYID);
        const SPropValue *d = ols_mapi_find(rows->aRow[i].lpProps, rows->aRow[i].cValues,
                                            PR_DEFAULT_STORE);
        if (!e || !d || !d->Value.b)
            continue;
        hr = ses->lpVtbl->OpenMsgStore(ses, 0, e->Value.bin.cb, (LPENTRYID)e->Value.bin.lpb, NULL,
                                       MDB_WRITE | MAPI_BEST_ACCESS | MDB_NO_DIALOG, out);
        st = FAILED(hr) ? ols_mapi_err(err, hr, "OpenMsgStore") : OLS_OK;
    }
    ols_mapi_free_rows(rows);
    if (st == OLS_ENOENT)
        ols_err_set(err, OLS_ENOENT, "the profile has no default store");
    return st;
}
