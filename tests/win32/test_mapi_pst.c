/* Opening the account's PST from a MAPI session (what the add-in hands over as
 * Application.Session.MAPIOBJECT), against fake_msgstore_session, a scripted profile: a
 * new Unicode PST service is added and configured, a second start finds it again, older
 * MAPI without IMsgServiceAdmin2 works, a failed configuration leaves no half-made
 * service, and without a PST path the profile's default store is used. */
#include <windows.h>

#include "fake_msgstore.h"
#include "mapi_rt.h"
#include "mapi_store.h"
#include "t.h"

static const wchar_t pst_path[] = L"C:\\Users\\me\\AppData\\Local\\olsync\\alice@example.org.pst";

static void all_counters_zero(void) { memset(fake_called, 0, sizeof fake_called); }

static ols_store *open_with(IMAPISession *ses, const wchar_t *path, ols_status want)
{
    ols_mapi_store_opts mo;
    ols_store *s = NULL;
    ols_err err = {0};
    ols_status st;
    memset(&mo, 0, sizeof mo);
    mo.converter = OLS_MAPI_CONV_OWN;
    mo.pst_path = path;
    mo.pst_display_name = "alice@example.org (olsync)";
    st = ols_mapi_store_open((IUnknown *)ses, &mo, &s, &err);
    OK(st == want, "open: %s (%s)", ols_status_name(st), err.msg);
    return st == OLS_OK ? s : NULL;
}

static void test_create_then_find(void)
{
    IMAPISession *ses = fake_session_new(NULL);
    ols_store *s;
    ols_err err = {0};
    all_counters_zero();
    s = open_with(ses, pst_path, OLS_OK);
    OK(CALLED(AdminServices) >= 1 && CALLED(GetMsgServiceTable) >= 1, "looked for the service");
    OK(CALLED(CreateMsgServiceEx) == 1 && CALLED(CreateMsgService) == 0,
       "created through IMsgServiceAdmin2");
    OK(CALLED(ConfigureMsgService) == 1, "configured once");
    OK(!wcscmp(fake_session_last_pst_path(ses), pst_path), "with the PST path");
    OK(fake_session_last_pst_flags(ses) == PST_CONFIG_UNICODE, "as a Unicode PST (%#lx)",
       (unsigned long)fake_session_last_pst_flags(ses));
    OK(fake_session_last_ui_param(ses) == 0, "no UI");
    OK(CALLED(OpenMsgStore) == 1, "its store opened (for writing, or the fake refuses)");
    OK(fake_session_services(ses) == 2, "one service added to the profile");
    if (s) {
        OK(s->ops->create_folder(s, "Work", NULL, &err) == OLS_OK, "the new PST is usable: %s",
           err.msg);
        ols_store_close(s);
    }

    /* the next Outlook start: found by its path, nothing created */
    all_counters_zero();
    s = open_with(ses, pst_path, OLS_OK);
    OK(CALLED(CreateMsgServiceEx) == 0 && CALLED(CreateMsgService) == 0 &&
           CALLED(ConfigureMsgService) == 0,
       "an existing PST service is reused");
    OK(CALLED(AdminProviders) >= 1 && CALLED(OpenProfileSection) >= 1,
       "recognised by PR_PST_PATH_W in its provider's profile section");
    OK(fake_session_services(ses) == 2, "still two services");
    if (s) {
        ols_store_folder *f = NULL;
        OK(s->ops->open_folder(s, "Work", &f, &err) == OLS_OK, "the same PST (Work is there)");
        if (f)
            s->ops->close_folder(f);
        ols_store_close(s);
    }
    ses->lpVtbl->Release(ses);
}

static void test_old_mapi(void)
{
    fake_session_opts o = {1, 0};
    IMAPISession *ses = fake_session_new(&o);
    ols_store *s;
    all_counters_zero();
    s = open_with(ses, pst_path, OLS_OK);
    OK(CALLED(CreateMsgService) == 1 && CALLED(CreateMsgServiceEx) == 0,
       "without IMsgServiceAdmin2: CreateMsgService, then the new service found by difference");
    OK(CALLED(ConfigureMsgService) == 1 && !wcscmp(fake_session_last_pst_path(ses), pst_path),
       "and configured");
    if (s)
        ols_store_close(s);
    ses->lpVtbl->Release(ses);
}

static void test_failed_configure(void)
{
    fake_session_opts o = {0, 1};
    IMAPISession *ses = fake_session_new(&o);
    all_counters_zero();
    open_with(ses, pst_path, OLS_EIO);
    OK(CALLED(DeleteMsgService) == 1, "the half-made service is removed again");
    OK(fake_session_services(ses) == 1, "the profile is as before");
    ses->lpVtbl->Release(ses);
}

static void test_default_store(void)
{
    IMAPISession *ses = fake_session_new(NULL);
    ols_store *s;
    ols_err err = {0};
    all_counters_zero();
    s = open_with(ses, NULL, OLS_OK);
    OK(CALLED(AdminServices) == 0 && CALLED(GetMsgStoresTable) == 1 && CALLED(OpenMsgStore) == 1,
       "no PST path: the default store from the stores table");
    if (s) {
        OK(s->ops->create_folder(s, "X", NULL, &err) == OLS_OK, "usable");
        ols_store_close(s);
    }
    ses->lpVtbl->Release(ses);
}

int main(void)
{
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    test_create_then_find();
    test_old_mapi();
    test_failed_configure();
    test_default_store();
    CoUninitialize();
    return T_DONE();
}
