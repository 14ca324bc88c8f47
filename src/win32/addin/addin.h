/* The add-in object shared by the files of OutlookSync.dll: state, features, helpers. */
#ifndef OLS_ADDIN_H
#define OLS_ADDIN_H

#define COBJMACROS
#define CONST_VTABLE /* vtables are static const, Wine style */
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include "office_addin.h"
#include "olsync/pool.h"
#include "olsync/settings.h"
#include "strings.h"
#include "uiqueue.h"
#include "ui.h"

#define ADDIN_LOG "addin"

/* What the crash guard can switch off for the rest of the session. Every ribbon
 * control's action is a feature of its own, so one bad button leaves the others. */
enum {
    FEAT_STARTUP,  /* the work OnConnection schedules */
    FEAT_RIBBON,   /* GetCustomUI and the label/state callbacks */
    FEAT_IMAGES,   /* getImage / loadImage */
    FEAT_CONTEXT,  /* asking the host about the folder a context menu is for */
    FEAT_CONTROL0  /* + control index: that control's action */
};

/* Every element of the ribbon XML that has an id, in document order (ribbon.c). */
enum ctl {
    C_TAB,
    C_GRP_SYNC,
    C_FOLDERTREE,
    C_SYNCNOW,
    C_ACTIVITY,
    C_GRP_SERVER,
    C_RULES,
    C_FORWARD,
    C_RESPONDER,
    C_GRP_PROFILE,
    C_NEWPROFILE,
    C_BINDPROFILE,
    C_GRP_OPTIONS,
    C_LICENSE,
    C_SETTINGS,
    C_HELP,
    C_MENU_FOLDER,
    C_CTX_SEP,
    C_CTX_SYNCFOLDER,
    C_CTX_PRIORITY,
    C_CTX_AUTOSYNC,
    C_CTX_CLEARIGNORE,
    C_CTX_SHARING,
    C_CTX_ABOOK,
    C_CTX_REMOVESHARED,
    C_MENU_CONTACT,
    C_CTX_ITEM_SEP,
    C_CTX_ITEM_SYNCFOLDER,
    C_COUNT
};

/* Kinds of background job; a kind runs at most once at a time. */
enum job_kind {
    JOB_STRUCTURE_SYNC,
    JOB_SYNC_ALL,
    JOB_SYNC_FOLDER,
    JOB_SIEVE_RULES,
    JOB_SIEVE_FORWARD,
    JOB_SIEVE_VACATION,
    JOB_SETTINGS_RELOAD,
    JOB_LOG_MAINTENANCE,
    JOB_KIND_COUNT
};

struct addin {
    IDTExtensibility2 IDTExtensibility2_iface;
    IRibbonExtensibility IRibbonExtensibility_iface;
    LONG ref;

    /* host objects, released on shutdown */
    IDispatch *app;
    IRibbonUI *ribbon;

    int connected;  /* between OnConnection and OnDisconnection */
    int closing;    /* shutdown started: no new work, no UI */
    int no_modal;   /* OLSYNC_NO_MODAL: message boxes go to the log */

    ols_settings *settings; /* UI thread only */
    char *config_path;
    int has_profile;
    enum ols_lang lang;

    ols_pool *pool;
    ols_uiqueue *ui;
    unsigned busy[JOB_KIND_COUNT]; /* jobs of each kind in flight */
    unsigned jobs_in_flight;

    volatile LONG *disabled; /* per feature, set by the crash guard */
    unsigned nfeatures;

    /* The Settings and Notification Center windows (src/win32/ui). They get settings of
     * their own, read from the file when the first window opens: a->settings may be
     * replaced by a reload while a window is open. Freed once both windows are gone. */
    ols_ui_ctx uictx;
    ols_settings *ui_settings;
};

/* dllmain.c: the module and its lock count (live objects + LockServer + factory refs) */
extern HINSTANCE ols_module;
void ols_module_lock(void);
void ols_module_unlock(void);
HRESULT ols_addin_create(REFIID iid, void **out);
/* actions.c: close the Settings and Notification Center windows (before the pool stops) */
void actions_close_windows(struct addin *a);

/* register.c */
HRESULT ols_register(int per_machine);
HRESULT ols_unregister(int per_machine);

/* ribbon.c: the XML, the control table and the callback dispatcher */
unsigned ribbon_control_count(void);
HRESULT ribbon_get_custom_ui(struct addin *a, BSTR ribbon_id, BSTR *xml);
HRESULT ribbon_get_ids(struct addin *a, LPOLESTR *names, UINT n, DISPID *ids);
HRESULT ribbon_invoke(struct addin *a, DISPID id, WORD flags, DISPPARAMS *dp, VARIANT *result,
                      UINT *arg_err);
void ribbon_invalidate(struct addin *a);
const wchar_t *ribbon_control_id(unsigned ctl);
enum str_id ribbon_label(unsigned ctl);
/* Whether a control can be used now; if not, *why names the reason. */
int ribbon_enabled(struct addin *a, unsigned ctl, enum str_id *why);

/* actions.c: what the buttons do */
HRESULT actions_run(struct addin *a, unsigned ctl, IDispatch *context);
HRESULT actions_toggle(struct addin *a, unsigned ctl, IDispatch *context, int pressed);
HRESULT actions_pressed(struct addin *a, unsigned ctl, IDispatch *context, VARIANT_BOOL *out);
void actions_schedule_startup(struct addin *a);
/* Reload the settings file off the UI thread, then refresh the ribbon. */
void actions_reload_settings(struct addin *a);
/* Apply a settings object (takes ownership) on the UI thread: profile state, language. */
void addin_apply_settings(struct addin *a, ols_settings *s);

/* hostobj.c: late-bound calls on Outlook objects; every failure is an HRESULT */
HRESULT host_get(IDispatch *obj, const wchar_t *name, VARIANT *out);
HRESULT host_put(IDispatch *obj, const wchar_t *name, const VARIANT *value);
HRESULT host_call1(IDispatch *obj, const wchar_t *name, const VARIANT *arg, VARIANT *out);
/* The folder a context menu is about: the context itself when it is a folder, else the
 * parent folder of the first selected item. */
HRESULT host_context_folder(IDispatch *context, IDispatch **folder);

/* images.c: PNG resources as IPictureDisp */
HRESULT images_load(const wchar_t *name, unsigned base_px, IPictureDisp **out);

/* misc */
char *ols_utf8(const wchar_t *w); /* malloc'd, NULL on failure */
wchar_t *ols_wide(const char *s); /* malloc'd, NULL on failure */
/* A message for the user: a message box, or a log line under OLSYNC_NO_MODAL. */
void addin_message(struct addin *a, UINT icon, const wchar_t *text);
int addin_feature_ok(struct addin *a, unsigned feature);

#endif
