/* The ribbon: the customUI XML built from one control table, and the callbacks Office
 * resolves by name (GetIDsOfNames) and calls through IDispatch::Invoke. */
#include "addin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "olsync/log.h"

enum kind { K_TAB, K_GROUP, K_BUTTON, K_CHECK, K_SEPARATOR, K_MENU };

enum {
    F_PROFILE = 1,     /* only with an olsync profile */
    F_NO_PROFILE = 2,  /* only without one */
    F_LARGE = 4,       /* large ribbon button (32 px icon) */
    F_CONTACTS = 8,    /* only on contact folders */
    F_WHY_STATE = 16,  /* greyed: needs the engine's state database */
    F_WHY_ACL = 32,    /* greyed: needs the engine's IMAP ACL support */
    F_WHY_SHARED = 64, /* greyed: needs the engine's shared accounts */
};

struct control {
    const wchar_t *id; /* or the idMso of a built-in context menu */
    enum kind kind;
    enum ctl parent;
    enum str_id label; /* the _L string; _T and _D follow it */
    const wchar_t *icon;
    unsigned flags;
    int job; /* the job kind it starts (greyed while one runs), or -1: folder syncs queue */
};

static const struct control controls[C_COUNT] = {
    [C_TAB] = {L"olsTab", K_TAB, C_TAB, S_TAB, NULL, 0, -1},
    [C_GRP_SYNC] = {L"olsGroupSync", K_GROUP, C_TAB, S_GRP_SYNC, NULL, F_PROFILE, -1},
    [C_FOLDERTREE] = {L"olsFolderTree", K_BUTTON, C_GRP_SYNC, S_FOLDERTREE_L, L"foldertree",
                      F_PROFILE | F_LARGE, JOB_STRUCTURE_SYNC},
    [C_SYNCNOW] = {L"olsSyncNow", K_BUTTON, C_GRP_SYNC, S_SYNCNOW_L, L"sync",
                   F_PROFILE | F_LARGE, JOB_SYNC_ALL},
    [C_ACTIVITY] = {L"olsActivity", K_BUTTON, C_GRP_SYNC, S_ACTIVITY_L, L"activity",
                    F_PROFILE | F_LARGE, -1},
    [C_GRP_SERVER] = {L"olsGroupServer", K_GROUP, C_TAB, S_GRP_SERVER, NULL, F_PROFILE, -1},
    [C_RULES] = {L"olsRules", K_BUTTON, C_GRP_SERVER, S_RULES_L, L"filter",
                 F_PROFILE | F_LARGE, JOB_SIEVE_RULES},
    [C_FORWARD] = {L"olsForwarder", K_BUTTON, C_GRP_SERVER, S_FORWARD_L, L"forward",
                   F_PROFILE | F_LARGE, JOB_SIEVE_FORWARD},
    [C_RESPONDER] = {L"olsResponder", K_BUTTON, C_GRP_SERVER, S_RESPONDER_L, L"autoreply",
                     F_PROFILE | F_LARGE, JOB_SIEVE_VACATION},
    [C_GRP_PROFILE] = {L"olsGroupProfile", K_GROUP, C_TAB, S_GRP_PROFILE, NULL, 0, -1},
    [C_NEWPROFILE] = {L"olsNewProfile", K_BUTTON, C_GRP_PROFILE, S_NEWPROFILE_L,
                      L"newprofile", F_LARGE, -1},
    [C_BINDPROFILE] = {L"olsBindProfile", K_BUTTON, C_GRP_PROFILE, S_BINDPROFILE_L,
                       L"bindprofile", F_LARGE, -1},
    [C_GRP_OPTIONS] = {L"olsGroupOptions", K_GROUP, C_TAB, S_GRP_OPTIONS, NULL, 0, -1},
    [C_LICENSE] = {L"olsLicense", K_BUTTON, C_GRP_OPTIONS, S_LICENSE_L, L"license", F_LARGE,
                   -1},
    [C_SETTINGS] = {L"olsSettings", K_BUTTON, C_GRP_OPTIONS, S_SETTINGS_L, L"settings",
                    F_LARGE, -1},
    [C_HELP] = {L"olsHelp", K_BUTTON, C_GRP_OPTIONS, S_HELP_L, L"help",
                F_NO_PROFILE | F_LARGE, -1},
    [C_MENU_FOLDER] = {L"ContextMenuFolder", K_MENU, C_MENU_FOLDER, S_TAB, NULL, 0, -1},
    [C_CTX_SEP] = {L"olsFolderSeparator", K_SEPARATOR, C_MENU_FOLDER, S_TAB, NULL, 0, -1},
    [C_CTX_SYNCFOLDER] = {L"olsFolderSync", K_BUTTON, C_MENU_FOLDER, S_CTX_SYNCFOLDER_L,
                          L"syncfolder", F_PROFILE, -1},
    [C_CTX_PRIORITY] = {L"olsFolderPriority", K_CHECK, C_MENU_FOLDER, S_CTX_PRIORITY_L, NULL,
                        F_PROFILE | F_WHY_STATE, -1},
    [C_CTX_AUTOSYNC] = {L"olsFolderAutoSync", K_CHECK, C_MENU_FOLDER, S_CTX_AUTOSYNC_L, NULL,
                        F_PROFILE | F_WHY_STATE, -1},
    [C_CTX_CLEARIGNORE] = {L"olsFolderClearIgnored", K_BUTTON, C_MENU_FOLDER,
                           S_CTX_CLEARIGNORE_L, L"clearignore", F_PROFILE | F_WHY_STATE, -1},
    [C_CTX_SHARING] = {L"olsFolderSharing", K_BUTTON, C_MENU_FOLDER, S_CTX_SHARING_L,
                       L"share", F_PROFILE | F_WHY_ACL, -1},
    [C_CTX_ABOOK] = {L"olsFolderAddressBook", K_CHECK, C_MENU_FOLDER, S_CTX_ABOOK_L, NULL,
                     F_PROFILE | F_CONTACTS, -1},
    [C_CTX_REMOVESHARED] = {L"olsFolderRemoveShared", K_BUTTON, C_MENU_FOLDER,
                            S_CTX_REMOVESHARED_L, L"removeshared", F_PROFILE | F_WHY_SHARED,
                            -1},
    [C_MENU_CONTACT] = {L"ContextMenuContactItem", K_MENU, C_MENU_CONTACT, S_TAB, NULL, 0, -1},
    [C_CTX_ITEM_SEP] = {L"olsContactSeparator", K_SEPARATOR, C_MENU_CONTACT, S_TAB, NULL, 0,
                        -1},
    [C_CTX_ITEM_SYNCFOLDER] = {L"olsContactFolderSync", K_BUTTON, C_MENU_CONTACT,
                               S_CTX_SYNCFOLDER_L, L"syncfolder", F_PROFILE, -1},
};

/* The callbacks named in the XML and their DISPIDs. */
enum {
    CB_ON_LOAD = 0x100,
    CB_LOAD_IMAGE,
    CB_GET_LABEL,
    CB_GET_SCREENTIP,
    CB_GET_SUPERTIP,
    CB_GET_ENABLED,
    CB_GET_VISIBLE,
    CB_GET_IMAGE,
    CB_ON_ACTION,
    CB_ON_TOGGLE,
    CB_GET_PRESSED,
};

static const struct {
    const wchar_t *name;
    DISPID id;
} callbacks[] = {
    {L"olsOnLoad", CB_ON_LOAD},         {L"olsLoadImage", CB_LOAD_IMAGE},
    {L"olsGetLabel", CB_GET_LABEL},     {L"olsGetScreentip", CB_GET_SCREENTIP},
    {L"olsGetSupertip", CB_GET_SUPERTIP}, {L"olsGetEnabled", CB_GET_ENABLED},
    {L"olsGetVisible", CB_GET_VISIBLE}, {L"olsGetImage", CB_GET_IMAGE},
    {L"olsOnAction", CB_ON_ACTION},     {L"olsOnToggle", CB_ON_TOGGLE},
    {L"olsGetPressed", CB_GET_PRESSED},
};

unsigned ribbon_control_count(void) { return C_COUNT; }
const wchar_t *ribbon_control_id(unsigned c) { return c < C_COUNT ? controls[c].id : L"?"; }
enum str_id ribbon_label(unsigned c) { return c < C_COUNT ? controls[c].label : S_TAB; }

/* ---- the XML ---- */

struct wbuf {
    wchar_t *p;
    size_t len, cap;
    int failed;
};

static void put(struct wbuf *b, const wchar_t *s)
{
    size_t n = wcslen(s);
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
        wchar_t *p = realloc(b->p, cap * sizeof *p);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n * sizeof *s);
    b->len += n;
    b->p[b->len] = 0;
}

static void attr(struct wbuf *b, const wchar_t *name, const wchar_t *value)
{
    put(b, L" ");
    put(b, name);
    put(b, L"=\"");
    put(b, value); /* ids and callback names are plain ASCII: nothing to escape */
    put(b, L"\"");
}

static void put_control(struct wbuf *b, unsigned c)
{
    const struct control *k = &controls[c];
    switch (k->kind) {
    case K_BUTTON:
        put(b, L"<button");
        break;
    case K_CHECK:
        put(b, L"<checkBox");
        break;
    case K_SEPARATOR:
        put(b, L"<menuSeparator");
        attr(b, L"id", k->id);
        put(b, L"/>");
        return;
    default:
        return;
    }
    attr(b, L"id", k->id);
    if (k->flags & F_LARGE)
        attr(b, L"size", L"large");
    attr(b, L"getLabel", L"olsGetLabel");
    attr(b, L"getScreentip", L"olsGetScreentip");
    attr(b, L"getSupertip", L"olsGetSupertip");
    if (k->icon && (k->flags & F_LARGE))
        attr(b, L"getImage", L"olsGetImage"); /* picked per DPI for each control */
    else if (k->icon)
        attr(b, L"image", k->icon); /* menus: through loadImage */
    attr(b, L"getEnabled", L"olsGetEnabled");
    attr(b, L"getVisible", L"olsGetVisible");
    if (k->kind == K_CHECK) {
        attr(b, L"getPressed", L"olsGetPressed");
        attr(b, L"onAction", L"olsOnToggle");
    } else {
        attr(b, L"onAction", L"olsOnAction");
    }
    put(b, L"/>");
}

static void put_children(struct wbuf *b, unsigned parent)
{
    unsigned c;
    for (c = 0; c < C_COUNT; c++)
        if (controls[c].parent == parent && c != parent)
            put_control(b, c);
}

HRESULT ribbon_get_custom_ui(struct addin *a, BSTR ribbon_id, BSTR *xml)
{
    struct wbuf b = {NULL, 0, 0, 0};
    unsigned c;
    char *rid = ols_utf8(ribbon_id ? ribbon_id : L"");
    guard_fault_point("GetCustomUI");
    OLS_LOG_DEBUG(ADDIN_LOG, "GetCustomUI(%s)", rid ? rid : "?");
    free(rid);
    *xml = NULL;
    if (!ribbon_id || wcscmp(ribbon_id, L"Microsoft.Outlook.Explorer") != 0)
        return S_OK; /* inspectors and other windows: nothing of ours */
    if (!addin_feature_ok(a, FEAT_RIBBON))
        return S_OK;
    put(&b, L"<customUI xmlns=\"http://schemas.microsoft.com/office/2009/07/customui\"");
    attr(&b, L"onLoad", L"olsOnLoad");
    attr(&b, L"loadImage", L"olsLoadImage");
    put(&b, L"><ribbon><tabs><tab");
    attr(&b, L"id", controls[C_TAB].id);
    attr(&b, L"getLabel", L"olsGetLabel");
    attr(&b, L"getVisible", L"olsGetVisible");
    put(&b, L">");
    for (c = 0; c < C_COUNT; c++) {
        if (controls[c].kind != K_GROUP)
            continue;
        put(&b, L"<group");
        attr(&b, L"id", controls[c].id);
        attr(&b, L"getLabel", L"olsGetLabel");
        attr(&b, L"getVisible", L"olsGetVisible");
        put(&b, L">");
        put_children(&b, c);
        put(&b, L"</group>");
    }
    put(&b, L"</tab></tabs></ribbon><contextMenus>");
    for (c = 0; c < C_COUNT; c++) {
        if (controls[c].kind != K_MENU)
            continue;
        put(&b, L"<contextMenu");
        attr(&b, L"idMso", controls[c].id);
        put(&b, L">");
        put_children(&b, c);
        put(&b, L"</contextMenu>");
    }
    put(&b, L"</contextMenus></customUI>");
    if (b.failed) {
        free(b.p);
        return E_OUTOFMEMORY;
    }
    *xml = SysAllocString(b.p);
    free(b.p);
    return *xml ? S_OK : E_OUTOFMEMORY;
}

/* ---- state ---- */

int ribbon_enabled(struct addin *a, unsigned c, enum str_id *why)
{
    const struct control *k = &controls[c];
    enum str_id dummy;
    if (!why)
        why = &dummy;
    if (a->closing) {
        *why = S_WHY_CLOSING;
        return 0;
    }
    if (!addin_feature_ok(a, FEAT_CONTROL0 + c)) {
        *why = S_WHY_GUARD;
        return 0;
    }
    if ((k->flags & F_PROFILE) && !a->has_profile) {
        *why = S_WHY_NO_PROFILE;
        return 0;
    }
    if (k->flags & (F_WHY_STATE | F_WHY_ACL | F_WHY_SHARED)) {
        *why = (k->flags & F_WHY_STATE) ? S_WHY_STATE_DB
               : (k->flags & F_WHY_ACL) ? S_WHY_ACL
                                        : S_WHY_SHARED;
        return 0;
    }
    if (k->job >= 0 && a->busy[k->job]) {
        *why = S_WHY_RUNNING;
        return 0;
    }
    return 1;
}

static int is_contact_folder(struct addin *a, IDispatch *context)
{
    IDispatch *folder = NULL;
    VARIANT v;
    HRESULT hr;
    int yes = 0;
    if (!context || !addin_feature_ok(a, FEAT_CONTEXT))
        return 0;
    hr = host_context_folder(context, &folder);
    if (SUCCEEDED(hr))
        hr = host_get(folder, L"DefaultItemType", &v);
    if (SUCCEEDED(hr) && SUCCEEDED(VariantChangeType(&v, &v, 0, VT_I4)))
        yes = V_I4(&v) == 2; /* olContactItem */
    else
        OLS_LOG_DEBUG(ADDIN_LOG, "folder type unknown (0x%08lx)", (unsigned long)hr);
    if (SUCCEEDED(hr))
        VariantClear(&v);
    if (folder)
        IDispatch_Release(folder);
    return yes;
}

static int visible(struct addin *a, unsigned c, IDispatch *context)
{
    const struct control *k = &controls[c];
    if (!addin_feature_ok(a, FEAT_RIBBON))
        return 0;
    if ((k->flags & F_PROFILE) && !a->has_profile)
        return 0;
    if ((k->flags & F_NO_PROFILE) && a->has_profile)
        return 0;
    if (k->flags & F_CONTACTS) {
        int yes = 0;
        OLS_GUARDED("getVisible:context", &a->disabled[FEAT_CONTEXT],
                    yes = is_contact_folder(a, context), yes = 0);
        return yes;
    }
    return 1;
}

void ribbon_invalidate(struct addin *a)
{
    HRESULT hr;
    if (!a->ribbon || a->closing)
        return;
    hr = IRibbonUI_Invalidate(a->ribbon);
    if (FAILED(hr))
        OLS_LOG_WARN(ADDIN_LOG, "the ribbon did not refresh (0x%08lx)", (unsigned long)hr);
}

/* ---- the callbacks ---- */

HRESULT ribbon_get_ids(struct addin *a, LPOLESTR *names, UINT n, DISPID *ids)
{
    UINT i;
    size_t k;
    (void)a;
    if (!names || !ids || n == 0)
        return E_INVALIDARG;
    for (i = 0; i < n; i++)
        ids[i] = DISPID_UNKNOWN;
    if (!names[0])
        return DISP_E_UNKNOWNNAME;
    for (k = 0; k < sizeof callbacks / sizeof callbacks[0]; k++) {
        if (!_wcsicmp(names[0], callbacks[k].name)) { /* IDispatch names ignore case */
            ids[0] = callbacks[k].id;
            return n == 1 ? S_OK : DISP_E_UNKNOWNNAME; /* our callbacks have no named args */
        }
    }
    return DISP_E_UNKNOWNNAME;
}

/* rgvarg holds the arguments last to first. */
static VARIANT *arg(DISPPARAMS *dp, UINT i)
{
    VARIANT *v = &dp->rgvarg[dp->cArgs - 1 - i];
    while (V_VT(v) == (VT_VARIANT | VT_BYREF) && V_VARIANTREF(v))
        v = V_VARIANTREF(v);
    return v;
}

static IUnknown *arg_object(VARIANT *v)
{
    switch (V_VT(v)) {
    case VT_DISPATCH:
        return (IUnknown *)V_DISPATCH(v);
    case VT_UNKNOWN:
        return V_UNKNOWN(v);
    case VT_DISPATCH | VT_BYREF:
        return V_DISPATCHREF(v) ? (IUnknown *)*V_DISPATCHREF(v) : NULL;
    case VT_UNKNOWN | VT_BYREF:
        return V_UNKNOWNREF(v) ? *V_UNKNOWNREF(v) : NULL;
    default:
        return NULL;
    }
}

/* The control a callback is about, and (if asked) its context object. */
static HRESULT control_of(VARIANT *v, unsigned *ctl, IDispatch **context)
{
    IUnknown *unk = arg_object(v);
    IRibbonControl *rc = NULL;
    BSTR id = NULL;
    HRESULT hr;
    unsigned c;
    if (context)
        *context = NULL;
    if (!unk)
        return DISP_E_TYPEMISMATCH;
    hr = IUnknown_QueryInterface(unk, &IID_IRibbonControl, (void **)&rc);
    if (SUCCEEDED(hr) && rc) {
        hr = IRibbonControl_get_Id(rc, &id);
        if (SUCCEEDED(hr) && context && FAILED(IRibbonControl_get_Context(rc, context)))
            *context = NULL; /* no context is a normal answer for ribbon buttons */
        IRibbonControl_Release(rc);
    } else {
        /* not the dual interface: ask for property 1 (Id) late-bound */
        IDispatch *d = NULL;
        VARIANT r;
        DISPPARAMS none = {NULL, NULL, 0, 0};
        hr = IUnknown_QueryInterface(unk, &IID_IDispatch, (void **)&d);
        if (SUCCEEDED(hr) && d) {
            VariantInit(&r);
            hr = IDispatch_Invoke(d, 1, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_PROPERTYGET,
                                  &none, &r, NULL, NULL);
            if (SUCCEEDED(hr) && V_VT(&r) == VT_BSTR) {
                id = V_BSTR(&r);
            } else {
                VariantClear(&r);
                hr = FAILED(hr) ? hr : DISP_E_TYPEMISMATCH;
            }
            IDispatch_Release(d);
        }
    }
    if (FAILED(hr)) {
        if (context && *context) {
            IDispatch_Release(*context);
            *context = NULL;
        }
        return hr;
    }
    for (c = 0; c < C_COUNT; c++) {
        if (id && !wcscmp(id, controls[c].id) && controls[c].kind != K_MENU) {
            *ctl = c;
            SysFreeString(id);
            return S_OK;
        }
    }
    SysFreeString(id);
    if (context && *context) {
        IDispatch_Release(*context);
        *context = NULL;
    }
    return DISP_E_MEMBERNOTFOUND; /* not one of ours */
}

static HRESULT ret_bstr(VARIANT *r, const wchar_t *s)
{
    V_VT(r) = VT_BSTR;
    V_BSTR(r) = SysAllocString(s);
    return V_BSTR(r) ? S_OK : E_OUTOFMEMORY;
}

static HRESULT ret_bool(VARIANT *r, int yes)
{
    V_VT(r) = VT_BOOL;
    V_BOOL(r) = yes ? VARIANT_TRUE : VARIANT_FALSE;
    return S_OK;
}

static HRESULT ret_picture(struct addin *a, VARIANT *r, const wchar_t *icon, unsigned base_px)
{
    IPictureDisp *pic = NULL;
    HRESULT hr = E_UNEXPECTED;
    if (!icon)
        return DISP_E_MEMBERNOTFOUND;
    if (!addin_feature_ok(a, FEAT_IMAGES))
        return E_FAIL; /* the button shows without its icon */
    OLS_GUARDED("getImage", &a->disabled[FEAT_IMAGES],
                (guard_fault_point("getImage"), hr = images_load(icon, base_px, &pic)),
                hr = E_UNEXPECTED);
    if (FAILED(hr)) {
        char *n = ols_utf8(icon);
        OLS_LOG_WARN(ADDIN_LOG, "icon %s: 0x%08lx", n ? n : "?", (unsigned long)hr);
        free(n);
        return hr;
    }
    V_VT(r) = VT_DISPATCH;
    V_DISPATCH(r) = (IDispatch *)pic;
    return S_OK;
}

static HRESULT on_load(struct addin *a, VARIANT *v)
{
    IUnknown *unk = arg_object(v);
    IRibbonUI *ui = NULL;
    HRESULT hr;
    if (!unk)
        return DISP_E_TYPEMISMATCH;
    hr = IUnknown_QueryInterface(unk, &IID_IRibbonUI, (void **)&ui);
    if (FAILED(hr) || !ui) {
        OLS_LOG_WARN(ADDIN_LOG, "onLoad: no IRibbonUI (0x%08lx); the ribbon will not refresh",
                     (unsigned long)hr);
        return S_OK; /* the ribbon works, only without refreshes */
    }
    if (a->ribbon)
        IRibbonUI_Release(a->ribbon);
    if (a->closing) { /* too late: shutdown has let go of the host's objects */
        IRibbonUI_Release(ui);
        ui = NULL;
    }
    a->ribbon = ui;
    OLS_LOG_DEBUG(ADDIN_LOG, "ribbon loaded");
    return S_OK;
}

/* Runs a control's action under a guard of its own: a fault switches off that control. */
static HRESULT guarded_action(struct addin *a, DISPID cb, unsigned c, IDispatch *context,
                              int pressed)
{
    HRESULT hr = E_UNEXPECTED;
    char where[96], *id = ols_utf8(controls[c].id);
    snprintf(where, sizeof where, "onAction:%s", id ? id : "?");
    free(id);
    OLS_GUARDED(where, &a->disabled[FEAT_CONTROL0 + c],
                (guard_fault_point(where),
                 hr = cb == CB_ON_TOGGLE ? actions_toggle(a, c, context, pressed)
                                         : actions_run(a, c, context)),
                hr = E_UNEXPECTED);
    if (hr == E_UNEXPECTED && !addin_feature_ok(a, FEAT_CONTROL0 + c)) {
        wchar_t msg[512];
        swprintf(msg, sizeof msg / sizeof msg[0], ols_str(a->lang, S_MSG_GUARD),
                 ols_str(a->lang, controls[c].label));
        ribbon_invalidate(a); /* show it greyed out */
        addin_message(a, MB_ICONERROR, msg);
    }
    return hr;
}

static HRESULT invoke_impl(struct addin *a, DISPID cb, DISPPARAMS *dp, VARIANT *r)
{
    IDispatch *context = NULL;
    unsigned c = 0;
    HRESULT hr;
    UINT want = cb == CB_ON_TOGGLE ? 2 : 1;

    if (dp->cArgs != want)
        return DISP_E_BADPARAMCOUNT;
    if (cb == CB_ON_LOAD)
        return on_load(a, arg(dp, 0));
    if (cb == CB_LOAD_IMAGE) {
        VARIANT *name = arg(dp, 0);
        if (V_VT(name) != VT_BSTR || !V_BSTR(name))
            return DISP_E_TYPEMISMATCH;
        return r ? ret_picture(a, r, V_BSTR(name), 16) : E_POINTER;
    }
    if (cb != CB_ON_ACTION && cb != CB_ON_TOGGLE && !r)
        return E_POINTER;
    hr = control_of(arg(dp, 0), &c,
                    (cb == CB_ON_ACTION || cb == CB_ON_TOGGLE || cb == CB_GET_PRESSED ||
                     cb == CB_GET_VISIBLE)
                        ? &context
                        : NULL);
    if (FAILED(hr))
        return hr;
    switch (cb) {
    case CB_GET_LABEL:
        guard_fault_point("getLabel");
        hr = ret_bstr(r, ols_str(a->lang, controls[c].label));
        break;
    case CB_GET_SCREENTIP:
        hr = ret_bstr(r, ols_str(a->lang, controls[c].kind <= K_GROUP ? controls[c].label
                                                                       : controls[c].label + 1));
        break;
    case CB_GET_SUPERTIP: {
        enum str_id why;
        if (controls[c].kind <= K_GROUP)
            hr = ret_bstr(r, L"");
        else if (ribbon_enabled(a, c, &why))
            hr = ret_bstr(r, ols_str(a->lang, controls[c].label + 2));
        else
            hr = ret_bstr(r, ols_str(a->lang, why));
        break;
    }
    case CB_GET_ENABLED:
        hr = ret_bool(r, ribbon_enabled(a, c, NULL));
        break;
    case CB_GET_VISIBLE:
        hr = ret_bool(r, visible(a, c, context));
        break;
    case CB_GET_IMAGE:
        hr = ret_picture(a, r, controls[c].icon, (controls[c].flags & F_LARGE) ? 32 : 16);
        break;
    case CB_GET_PRESSED: {
        VARIANT_BOOL on = VARIANT_FALSE;
        hr = actions_pressed(a, c, context, &on);
        ret_bool(r, SUCCEEDED(hr) && on == VARIANT_TRUE);
        hr = S_OK; /* unknown reads as not ticked */
        break;
    }
    case CB_ON_ACTION:
        if (controls[c].kind != K_BUTTON) {
            hr = DISP_E_MEMBERNOTFOUND;
            break;
        }
        hr = guarded_action(a, cb, c, context, 0);
        break;
    case CB_ON_TOGGLE: {
        VARIANT *p = arg(dp, 1), b;
        VariantInit(&b);
        if (controls[c].kind != K_CHECK) {
            hr = DISP_E_MEMBERNOTFOUND;
        } else if (FAILED(VariantChangeType(&b, p, 0, VT_BOOL))) {
            hr = DISP_E_TYPEMISMATCH;
        } else {
            hr = guarded_action(a, cb, c, context, V_BOOL(&b) != VARIANT_FALSE);
        }
        break;
    }
    default:
        hr = DISP_E_MEMBERNOTFOUND;
    }
    if (context)
        IDispatch_Release(context);
    return hr;
}

HRESULT ribbon_invoke(struct addin *a, DISPID id, WORD flags, DISPPARAMS *dp, VARIANT *result,
                      UINT *arg_err)
{
    HRESULT hr = E_UNEXPECTED;
    (void)arg_err;
    if (id < CB_ON_LOAD || id > CB_GET_PRESSED)
        return DISP_E_MEMBERNOTFOUND;
    if (!(flags & (DISPATCH_METHOD | DISPATCH_PROPERTYGET)))
        return DISP_E_MEMBERNOTFOUND;
    if (!dp || (dp->cArgs && !dp->rgvarg))
        return E_INVALIDARG;
    if (result)
        VariantInit(result);
    /* a fault outside an action switches off the ribbon's callbacks, not the add-in */
    OLS_GUARDED("ribbon callback", &a->disabled[FEAT_RIBBON],
                hr = invoke_impl(a, id, dp, result), hr = E_UNEXPECTED);
    if (hr == E_UNEXPECTED && !addin_feature_ok(a, FEAT_RIBBON))
        ribbon_invalidate(a); /* getVisible now hides our tab */
    return hr;
}
