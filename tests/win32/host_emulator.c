/* Outlook host emulator: a test double for Outlook that loads the real OutlookSync.dll the
 * way Outlook does and drives it through its whole life.
 *
 * It registers the DLL (per user or per machine), finds the Addins key, resolves
 * ProgID -> CLSID -> InprocServer32 from the registry itself (Wine's CoCreateInstance does
 * not look at HKCU classes), loads the DLL, creates the add-in through its class factory
 * and calls IDTExtensibility2 with an emulated Application: a fake IDispatch that records
 * its calls (Wine-test SET_EXPECT / CHECK_CALLED style) and answers E_NOTIMPL. It asks for
 * the Explorer ribbon, checks that every callback named in the XML resolves, calls every
 * getter for every control with an emulated IRibbonControl, fires every action, shuts the
 * add-in down, and checks reference counts, DllCanUnloadNow and unregistration.
 *
 *   host_emulator OutlookSync.dll user|machine|failing-host|fault
 */
#define COBJMACROS
#define CONST_VTABLE
#include <windows.h>
#include <ole2.h>
#include <olectl.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "office_addin.h"
#include "t.h"

/* ---- call recording, as in Wine's tests ---- */

#define DEFINE_EXPECT(func) static int expect_##func, called_##func
#define SET_EXPECT(func) (expect_##func = 1, called_##func = 0)
#define CHECK_EXPECT2(func)                                                                \
    do {                                                                                   \
        OK(expect_##func, "unexpected call " #func);                                       \
        called_##func++;                                                                   \
    } while (0)
#define CHECK_CALLED(func)                                                                 \
    do {                                                                                   \
        OK(called_##func > 0, "expected " #func);                                          \
        expect_##func = 0;                                                                 \
    } while (0)
#define CHECK_NOT_CALLED(func) OK(called_##func == 0, #func " called %d times", called_##func)

DEFINE_EXPECT(app_GetIDsOfNames);
DEFINE_EXPECT(app_Invoke);

static int failing;      /* 1: every host method but IUnknown's fails; 2: QI fails too */
static wchar_t log_dir[MAX_PATH];

/* ---- emulated Outlook objects: Application, folders, a selection, an item ---- */

enum fake_kind { FK_APP, FK_FOLDER, FK_SELECTION, FK_ITEM };

struct fake {
    IDispatch IDispatch_iface;
    LONG ref;
    enum fake_kind kind;
    const wchar_t *path; /* folder */
    LONG item_type;      /* folder: olMailItem 0, olContactItem 2 */
    VARIANT_BOOL abook;  /* folder: ShowAsOutlookAB */
    int puts;
    struct fake *child;  /* selection -> item, item -> folder */
};

static inline struct fake *impl_from_IDispatch(IDispatch *iface)
{
    return CONTAINING_RECORD(iface, struct fake, IDispatch_iface);
}

static HRESULT WINAPI fake_QueryInterface(IDispatch *iface, REFIID iid, void **out)
{
    *out = NULL;
    if (failing >= 2)
        return E_FAIL;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IDispatch)) {
        *out = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG WINAPI fake_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&impl_from_IDispatch(iface)->ref);
}

static ULONG WINAPI fake_Release(IDispatch *iface)
{
    return InterlockedDecrement(&impl_from_IDispatch(iface)->ref); /* static objects */
}

static HRESULT WINAPI fake_GetTypeInfoCount(IDispatch *iface, UINT *n)
{
    (void)iface;
    *n = 0;
    return failing ? E_FAIL : S_OK;
}

static HRESULT WINAPI fake_GetTypeInfo(IDispatch *iface, UINT i, LCID lcid, ITypeInfo **ti)
{
    (void)iface, (void)i, (void)lcid;
    *ti = NULL;
    return failing ? E_FAIL : E_NOTIMPL;
}

static const struct {
    enum fake_kind kind;
    const wchar_t *name;
    DISPID id;
} fake_names[] = {
    {FK_FOLDER, L"FolderPath", 1},   {FK_FOLDER, L"DefaultItemType", 2},
    {FK_FOLDER, L"ShowAsOutlookAB", 3}, {FK_SELECTION, L"Item", 10},
    {FK_ITEM, L"Parent", 20},
};

static HRESULT WINAPI fake_GetIDsOfNames(IDispatch *iface, REFIID iid, LPOLESTR *names, UINT n,
                                         LCID lcid, DISPID *ids)
{
    struct fake *f = impl_from_IDispatch(iface);
    size_t k;
    (void)iid, (void)lcid, (void)n;
    ids[0] = DISPID_UNKNOWN;
    if (f->kind == FK_APP) {
        CHECK_EXPECT2(app_GetIDsOfNames);
        return failing ? E_FAIL : E_NOTIMPL;
    }
    if (failing)
        return E_FAIL;
    for (k = 0; k < sizeof fake_names / sizeof fake_names[0]; k++)
        if (fake_names[k].kind == f->kind && !_wcsicmp(names[0], fake_names[k].name)) {
            ids[0] = fake_names[k].id;
            return S_OK;
        }
    return DISP_E_UNKNOWNNAME;
}

static HRESULT WINAPI fake_Invoke(IDispatch *iface, DISPID id, REFIID iid, LCID lcid, WORD flags,
                                  DISPPARAMS *dp, VARIANT *res, EXCEPINFO *ei, UINT *argerr)
{
    struct fake *f = impl_from_IDispatch(iface);
    (void)iid, (void)lcid, (void)ei, (void)argerr;
    if (f->kind == FK_APP) {
        CHECK_EXPECT2(app_Invoke);
        return failing ? E_FAIL : E_NOTIMPL;
    }
    if (failing)
        return E_FAIL;
    switch (id) {
    case 1:
        V_VT(res) = VT_BSTR;
        V_BSTR(res) = SysAllocString(f->path);
        return S_OK;
    case 2:
        V_VT(res) = VT_I4;
        V_I4(res) = f->item_type;
        return S_OK;
    case 3:
        if (flags & DISPATCH_PROPERTYPUT) {
            OK(dp->cArgs == 1 && dp->cNamedArgs == 1 &&
                   dp->rgdispidNamedArgs[0] == DISPID_PROPERTYPUT &&
                   V_VT(&dp->rgvarg[0]) == VT_BOOL,
               "ShowAsOutlookAB put with one named VT_BOOL argument");
            f->abook = V_BOOL(&dp->rgvarg[0]);
            f->puts++;
            return S_OK;
        }
        V_VT(res) = VT_BOOL;
        V_BOOL(res) = f->abook;
        return S_OK;
    case 10:
        OK(dp->cArgs == 1 && V_VT(&dp->rgvarg[0]) == VT_I4 && V_I4(&dp->rgvarg[0]) == 1,
           "Selection.Item(1)");
        /* fall through */
    case 20:
        V_VT(res) = VT_DISPATCH;
        V_DISPATCH(res) = &f->child->IDispatch_iface;
        IDispatch_AddRef(V_DISPATCH(res));
        return S_OK;
    default:
        return DISP_E_MEMBERNOTFOUND;
    }
}

static const IDispatchVtbl fake_vtbl = {
    fake_QueryInterface, fake_AddRef, fake_Release, fake_GetTypeInfoCount,
    fake_GetTypeInfo,    fake_GetIDsOfNames, fake_Invoke,
};

static struct fake app = {{&fake_vtbl}, 1, FK_APP, NULL, 0, 0, 0, NULL};
static struct fake inbox = {{&fake_vtbl}, 1, FK_FOLDER, L"\\\\Personal\\Inbox", 0, 0, 0, NULL};
static struct fake contacts = {{&fake_vtbl}, 1, FK_FOLDER, L"\\\\Personal\\Contacts", 2, 0, 0,
                               NULL};
static struct fake contact = {{&fake_vtbl}, 1, FK_ITEM, NULL, 0, 0, 0, &contacts};
static struct fake selection = {{&fake_vtbl}, 1, FK_SELECTION, NULL, 0, 0, 0, &contact};

/* ---- emulated IRibbonUI ---- */

struct fake_ui {
    IRibbonUI IRibbonUI_iface;
    LONG ref;
    int invalidated;
};

static inline struct fake_ui *impl_from_IRibbonUI(IRibbonUI *iface)
{
    return CONTAINING_RECORD(iface, struct fake_ui, IRibbonUI_iface);
}

static HRESULT WINAPI ui_QueryInterface(IRibbonUI *iface, REFIID iid, void **out)
{
    *out = NULL;
    if (failing >= 2)
        return E_FAIL;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IDispatch) ||
        IsEqualIID(iid, &IID_IRibbonUI)) {
        *out = iface;
        IRibbonUI_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG WINAPI ui_AddRef(IRibbonUI *iface)
{
    return InterlockedIncrement(&impl_from_IRibbonUI(iface)->ref);
}

static ULONG WINAPI ui_Release(IRibbonUI *iface)
{
    return InterlockedDecrement(&impl_from_IRibbonUI(iface)->ref);
}

static HRESULT WINAPI ui_GetTypeInfoCount(IRibbonUI *iface, UINT *n)
{
    (void)iface;
    *n = 0;
    return failing ? E_FAIL : S_OK;
}

static HRESULT WINAPI ui_GetTypeInfo(IRibbonUI *iface, UINT i, LCID lcid, ITypeInfo **ti)
{
    (void)iface, (void)i, (void)lcid;
    *ti = NULL;
    return failing ? E_FAIL : E_NOTIMPL;
}

static HRESULT WINAPI ui_GetIDsOfNames(IRibbonUI *iface, REFIID iid, LPOLESTR *names, UINT n,
                                       LCID lcid, DISPID *ids)
{
    (void)iface, (void)iid, (void)names, (void)n, (void)lcid, (void)ids;
    return failing ? E_FAIL : E_NOTIMPL;
}

static HRESULT WINAPI ui_Invoke(IRibbonUI *iface, DISPID id, REFIID iid, LCID lcid, WORD flags,
                                DISPPARAMS *dp, VARIANT *res, EXCEPINFO *ei, UINT *argerr)
{
    (void)iface, (void)id, (void)iid, (void)lcid, (void)flags, (void)dp, (void)res, (void)ei,
        (void)argerr;
    return failing ? E_FAIL : E_NOTIMPL;
}

static HRESULT WINAPI ui_Invalidate(IRibbonUI *iface)
{
    impl_from_IRibbonUI(iface)->invalidated++;
    return failing ? E_FAIL : S_OK;
}

static HRESULT WINAPI ui_InvalidateControl(IRibbonUI *iface, BSTR id)
{
    (void)iface, (void)id;
    return failing ? E_FAIL : S_OK;
}

static HRESULT WINAPI ui_ActivateTab(IRibbonUI *iface, BSTR id)
{
    (void)iface, (void)id;
    return failing ? E_FAIL : S_OK;
}

static HRESULT WINAPI ui_ActivateTabQ(IRibbonUI *iface, BSTR id, BSTR ns)
{
    (void)iface, (void)id, (void)ns;
    return failing ? E_FAIL : S_OK;
}

static const IRibbonUIVtbl ui_vtbl = {
    ui_QueryInterface, ui_AddRef,         ui_Release,           ui_GetTypeInfoCount,
    ui_GetTypeInfo,    ui_GetIDsOfNames,  ui_Invoke,            ui_Invalidate,
    ui_InvalidateControl, ui_InvalidateControl, ui_ActivateTab, ui_ActivateTab,
    ui_ActivateTabQ,
};

static struct fake_ui ribbon_ui = {{&ui_vtbl}, 1, 0};

/* ---- emulated IRibbonControl ---- */

struct fake_control {
    IRibbonControl IRibbonControl_iface;
    LONG ref;
    const wchar_t *id;
    IDispatch *context;
};

static inline struct fake_control *impl_from_IRibbonControl(IRibbonControl *iface)
{
    return CONTAINING_RECORD(iface, struct fake_control, IRibbonControl_iface);
}

static HRESULT WINAPI ctl_QueryInterface(IRibbonControl *iface, REFIID iid, void **out)
{
    *out = NULL;
    if (failing >= 2)
        return E_FAIL;
    if (IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IDispatch) ||
        IsEqualIID(iid, &IID_IRibbonControl)) {
        *out = iface;
        IRibbonControl_AddRef(iface);
        return S_OK;
    }
    return E_NOINTERFACE;
}

static ULONG WINAPI ctl_AddRef(IRibbonControl *iface)
{
    return InterlockedIncrement(&impl_from_IRibbonControl(iface)->ref);
}

static ULONG WINAPI ctl_Release(IRibbonControl *iface)
{
    return InterlockedDecrement(&impl_from_IRibbonControl(iface)->ref);
}

static HRESULT WINAPI ctl_GetTypeInfoCount(IRibbonControl *iface, UINT *n)
{
    (void)iface;
    *n = 0;
    return failing ? E_FAIL : S_OK;
}

static HRESULT WINAPI ctl_GetTypeInfo(IRibbonControl *iface, UINT i, LCID lcid, ITypeInfo **ti)
{
    (void)iface, (void)i, (void)lcid;
    *ti = NULL;
    return failing ? E_FAIL : E_NOTIMPL;
}

static HRESULT WINAPI ctl_GetIDsOfNames(IRibbonControl *iface, REFIID iid, LPOLESTR *names,
                                        UINT n, LCID lcid, DISPID *ids)
{
    (void)iface, (void)iid, (void)names, (void)n, (void)lcid, (void)ids;
    return failing ? E_FAIL : E_NOTIMPL;
}

static HRESULT WINAPI ctl_Invoke(IRibbonControl *iface, DISPID id, REFIID iid, LCID lcid,
                                 WORD flags, DISPPARAMS *dp, VARIANT *res, EXCEPINFO *ei,
                                 UINT *argerr)
{
    (void)iface, (void)id, (void)iid, (void)lcid, (void)flags, (void)dp, (void)res, (void)ei,
        (void)argerr;
    return failing ? E_FAIL : E_NOTIMPL;
}

static HRESULT WINAPI ctl_get_Id(IRibbonControl *iface, BSTR *id)
{
    *id = NULL;
    if (failing)
        return E_FAIL;
    *id = SysAllocString(impl_from_IRibbonControl(iface)->id);
    return S_OK;
}

static HRESULT WINAPI ctl_get_Context(IRibbonControl *iface, IDispatch **ctx)
{
    struct fake_control *c = impl_from_IRibbonControl(iface);
    *ctx = NULL;
    if (failing)
        return E_FAIL;
    *ctx = c->context;
    if (*ctx)
        IDispatch_AddRef(*ctx);
    return S_OK;
}

static HRESULT WINAPI ctl_get_Tag(IRibbonControl *iface, BSTR *tag)
{
    (void)iface;
    *tag = NULL;
    if (failing)
        return E_FAIL;
    *tag = SysAllocString(L"");
    return S_OK;
}

static const IRibbonControlVtbl ctl_vtbl = {
    ctl_QueryInterface, ctl_AddRef,      ctl_Release, ctl_GetTypeInfoCount, ctl_GetTypeInfo,
    ctl_GetIDsOfNames,  ctl_Invoke,      ctl_get_Id,  ctl_get_Context,      ctl_get_Tag,
};

/* ---- a small XML reader: enough to check the customUI is well formed and list it ---- */

#define MAX_EL 128
#define MAX_ATTR 16

struct attr {
    wchar_t name[32];
    wchar_t value[128];
};

struct el {
    wchar_t name[32];
    int parent;
    unsigned nattr;
    struct attr attr[MAX_ATTR];
    /* answers collected from the add-in */
    wchar_t label[256], supertip[512];
    int enabled, visible;
};

static struct el els[MAX_EL];
static unsigned nels;

static const wchar_t *get_attr(const struct el *e, const wchar_t *name)
{
    unsigned i;
    for (i = 0; i < e->nattr; i++)
        if (!wcscmp(e->attr[i].name, name))
            return e->attr[i].value;
    return NULL;
}

static int read_name(const wchar_t **p, wchar_t *out, size_t n)
{
    size_t i = 0;
    while (**p && (iswalnum(**p) || **p == L':' || **p == L'_' || **p == L'-' || **p == L'.')) {
        if (i + 1 >= n)
            return 0;
        out[i++] = *(*p)++;
    }
    out[i] = 0;
    return i > 0;
}

/* Returns 1 when the document is well formed (as far as this reader looks). */
static int parse_xml(const wchar_t *s)
{
    int stack[32], depth = 0;
    const wchar_t *p = s;
    nels = 0;
    while (*p) {
        if (*p != L'<') {
            p++;
            continue;
        }
        if (p[1] == L'?') {
            p = wcsstr(p, L"?>");
            if (!p)
                return 0;
            p += 2;
        } else if (!wcsncmp(p, L"<!--", 4)) {
            p = wcsstr(p, L"-->");
            if (!p)
                return 0;
            p += 3;
        } else if (p[1] == L'/') {
            wchar_t name[32];
            p += 2;
            if (!read_name(&p, name, 32) || *p != L'>' || depth == 0 ||
                wcscmp(name, els[stack[depth - 1]].name))
                return 0;
            depth--;
            p++;
        } else {
            struct el *e;
            if (nels >= MAX_EL || depth >= 32)
                return 0;
            e = &els[nels];
            memset(e, 0, sizeof *e);
            e->parent = depth ? stack[depth - 1] : -1;
            p++;
            if (!read_name(&p, e->name, 32))
                return 0;
            for (;;) {
                wchar_t q;
                size_t i = 0;
                struct attr *a;
                while (iswspace(*p))
                    p++;
                if (*p == L'/' && p[1] == L'>') {
                    p += 2;
                    nels++;
                    break;
                }
                if (*p == L'>') {
                    p++;
                    stack[depth++] = (int)nels++;
                    break;
                }
                if (e->nattr >= MAX_ATTR)
                    return 0;
                a = &e->attr[e->nattr++];
                if (!read_name(&p, a->name, 32) || *p++ != L'=')
                    return 0;
                q = *p++;
                if (q != L'"' && q != L'\'')
                    return 0;
                while (*p && *p != q && *p != L'<') {
                    if (i + 1 >= 128)
                        return 0;
                    a->value[i++] = *p++;
                }
                if (*p != q)
                    return 0;
                a->value[i] = 0;
                p++;
            }
        }
    }
    return depth == 0 && nels > 0;
}

static int find_el(const wchar_t *id)
{
    unsigned i;
    for (i = 0; i < nels; i++) {
        const wchar_t *v = get_attr(&els[i], L"id");
        if (v && !wcscmp(v, id))
            return (int)i;
    }
    return -1;
}

/* The idMso of the context menu an element sits in, or NULL on the ribbon. */
static const wchar_t *menu_of(int i)
{
    for (; i >= 0; i = els[i].parent)
        if (!wcscmp(els[i].name, L"contextMenu"))
            return get_attr(&els[i], L"idMso");
    return NULL;
}

/* ---- calling the add-in's callbacks the way Office does ---- */

static IDispatch *addin_disp; /* the IRibbonExtensibility, as IDispatch */

static HRESULT call_cb(const wchar_t *name, VARIANT *args, UINT nargs, VARIANT *res)
{
    VARIANT rev[4];
    DISPPARAMS dp = {rev, NULL, nargs, 0};
    LPOLESTR n = (LPOLESTR)name;
    DISPID id = DISPID_UNKNOWN;
    UINT i;
    HRESULT hr = IDispatch_GetIDsOfNames(addin_disp, &IID_NULL, &n, 1, LOCALE_USER_DEFAULT, &id);
    if (FAILED(hr))
        return hr;
    for (i = 0; i < nargs; i++)
        rev[nargs - 1 - i] = args[i]; /* Office passes arguments last to first */
    if (res)
        VariantInit(res);
    return IDispatch_Invoke(addin_disp, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_METHOD, &dp,
                            res, NULL, NULL);
}

static struct fake_control controls[MAX_EL];

static void make_controls(void)
{
    unsigned i;
    for (i = 0; i < nels; i++) {
        const wchar_t *menu = menu_of((int)i);
        controls[i].IRibbonControl_iface.lpVtbl = &ctl_vtbl;
        controls[i].ref = 1;
        controls[i].id = get_attr(&els[i], L"id");
        controls[i].context = !menu ? NULL
                              : !wcscmp(menu, L"ContextMenuFolder")
                                  ? &(get_attr(&els[i], L"id") &&
                                              wcsstr(get_attr(&els[i], L"id"), L"AddressBook")
                                          ? &contacts
                                          : &inbox)
                                         ->IDispatch_iface
                                  : &selection.IDispatch_iface;
    }
}

static HRESULT call_ctl(const wchar_t *cb, unsigned i, VARIANT *extra, VARIANT *res)
{
    VARIANT args[2];
    V_VT(&args[0]) = VT_DISPATCH;
    V_DISPATCH(&args[0]) = (IDispatch *)&controls[i].IRibbonControl_iface;
    if (extra)
        args[1] = *extra;
    return call_cb(cb, args, extra ? 2 : 1, res);
}

/* Checks an IPictureDisp: a 32-bit bitmap of the given size with real transparency. */
static void check_picture(VARIANT *v, int px, const wchar_t *what)
{
    IPicture *pic = NULL;
    OLE_HANDLE h = 0;
    SHORT type = 0;
    BITMAP bm;
    HRESULT hr;
    OK(V_VT(v) == VT_DISPATCH && V_DISPATCH(v), "%ls: picture is VT_DISPATCH (vt %d)", what,
       V_VT(v));
    if (V_VT(v) != VT_DISPATCH || !V_DISPATCH(v))
        return;
    hr = IDispatch_QueryInterface(V_DISPATCH(v), &IID_IPicture, (void **)&pic);
    OK(hr == S_OK, "%ls: IPicture (hr %08lx)", what, (unsigned long)hr);
    if (!pic)
        return;
    IPicture_get_Type(pic, &type);
    OK(type == PICTYPE_BITMAP, "%ls: bitmap picture (type %d)", what, type);
    IPicture_get_Handle(pic, &h);
    memset(&bm, 0, sizeof bm);
    OK(h && GetObjectW((HBITMAP)(ULONG_PTR)h, sizeof bm, &bm) == sizeof bm,
       "%ls: bitmap handle", what);
    OK(bm.bmWidth == px && bm.bmHeight == px && bm.bmBitsPixel == 32,
       "%ls: %dx%d 32-bit expected, got %ldx%ld %d-bit", what, px, px, bm.bmWidth, bm.bmHeight,
       bm.bmBitsPixel);
    if (bm.bmBits && bm.bmBitsPixel == 32) {
        const unsigned char *b = bm.bmBits;
        int i, clear = 0, solid = 0;
        for (i = 0; i < bm.bmWidth * bm.bmHeight; i++) {
            clear += b[4 * i + 3] == 0;
            solid += b[4 * i + 3] == 255;
        }
        OK(clear > 0 && solid > 0, "%ls: alpha channel used (%d clear, %d solid)", what, clear,
           solid);
    }
    IPicture_Release(pic);
}

/* Every getter named in the XML, for every control: the answers land in els[]. */
static void query_all(int expect_ok)
{
    static const wchar_t *const getters[] = {L"getLabel",   L"getScreentip", L"getSupertip",
                                            L"getEnabled", L"getVisible",   L"getImage",
                                            L"getPressed"};
    unsigned i, g;
    for (i = 0; i < nels; i++) {
        struct el *e = &els[i];
        if (!get_attr(e, L"id"))
            continue;
        for (g = 0; g < sizeof getters / sizeof getters[0]; g++) {
            const wchar_t *cb = get_attr(e, getters[g]);
            VARIANT r;
            HRESULT hr;
            if (!cb)
                continue;
            hr = call_ctl(cb, i, NULL, &r);
            if (!expect_ok) {
                /* a failing host: any HRESULT will do, a crash will not */
                VariantClear(&r);
                continue;
            }
            OK(hr == S_OK, "%ls(%ls) hr %08lx", getters[g], e->attr[0].value, (unsigned long)hr);
            if (FAILED(hr))
                continue;
            if (g <= 2) {
                OK(V_VT(&r) == VT_BSTR, "%ls(%ls) returns a string", getters[g],
                   get_attr(e, L"id"));
                if (V_VT(&r) == VT_BSTR && V_BSTR(&r)) {
                    if (g == 0)
                        OK(SysStringLen(V_BSTR(&r)) > 0, "label of %ls", get_attr(e, L"id"));
                    if (g == 0)
                        wcsncpy(e->label, V_BSTR(&r), 255);
                    if (g == 2)
                        wcsncpy(e->supertip, V_BSTR(&r), 511);
                }
            } else if (g == 5) {
                check_picture(&r, wcscmp(get_attr(e, L"size") ? get_attr(e, L"size") : L"",
                                         L"large")
                                      ? 16
                                      : 32,
                              get_attr(e, L"id"));
            } else {
                OK(V_VT(&r) == VT_BOOL, "%ls(%ls) returns VT_BOOL (vt %d)", getters[g],
                   get_attr(e, L"id"), V_VT(&r));
                if (g == 3)
                    e->enabled = V_BOOL(&r) != VARIANT_FALSE;
                if (g == 4)
                    e->visible = V_BOOL(&r) != VARIANT_FALSE;
            }
            VariantClear(&r);
        }
        /* image="name" goes through the customUI's loadImage */
        if (get_attr(e, L"image")) {
            VARIANT arg, r;
            HRESULT hr;
            V_VT(&arg) = VT_BSTR;
            V_BSTR(&arg) = SysAllocString(get_attr(e, L"image"));
            hr = call_cb(get_attr(&els[0], L"loadImage"), &arg, 1, &r);
            if (expect_ok) {
                OK(hr == S_OK, "loadImage(%ls) hr %08lx", V_BSTR(&arg), (unsigned long)hr);
                if (hr == S_OK)
                    check_picture(&r, 16, V_BSTR(&arg));
            }
            VariantClear(&r);
            VariantClear(&arg);
        }
    }
}

static HRESULT fire(unsigned i, int expect_ok)
{
    VARIANT pressed, r;
    HRESULT hr;
    const wchar_t *cb = get_attr(&els[i], L"onAction");
    if (!cb)
        return S_OK;
    V_VT(&pressed) = VT_BOOL;
    V_BOOL(&pressed) = VARIANT_TRUE;
    hr = call_ctl(cb, i, wcscmp(els[i].name, L"checkBox") ? NULL : &pressed, &r);
    if (expect_ok)
        OK(hr == S_OK, "onAction(%ls) hr %08lx", get_attr(&els[i], L"id"), (unsigned long)hr);
    VariantClear(&r);
    return hr;
}

static void fire_all(int expect_ok)
{
    unsigned i;
    for (i = 0; i < nels; i++)
        fire(i, expect_ok);
}

/* ---- the log the add-in writes, and waiting for its jobs ---- */

static char *read_logs(void)
{
    WIN32_FIND_DATAW fd;
    wchar_t pat[MAX_PATH];
    HANDLE h;
    size_t len = 0;
    char *all = calloc(1, 1);
    swprintf(pat, MAX_PATH, L"%ls\\*.log", log_dir);
    h = FindFirstFileW(pat, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return all;
    do {
        wchar_t path[MAX_PATH];
        FILE *f;
        swprintf(path, MAX_PATH, L"%ls\\%ls", log_dir, fd.cFileName);
        f = _wfopen(path, L"rb");
        if (f) {
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
                char *p = realloc(all, len + n + 1);
                if (!p)
                    break;
                all = p;
                memcpy(all + len, buf, n);
                len += n;
                all[len] = 0;
            }
            fclose(f);
        }
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return all;
}

static int log_has(const char *needle)
{
    char *all = read_logs();
    int yes = all && strstr(all, needle) != NULL;
    free(all);
    return yes;
}

static void pump(DWORD ms)
{
    DWORD end = GetTickCount() + ms;
    MSG msg;
    do {
        if (MsgWaitForMultipleObjects(0, NULL, FALSE, 20, QS_ALLINPUT) == WAIT_OBJECT_0)
            while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) {
                TranslateMessage(&msg);
                DispatchMessageW(&msg);
            }
    } while ((LONG)(GetTickCount() - end) < 0);
}

/* Runs the message loop (where job results arrive) until the log says what we wait for. */
static int wait_log(const char *needle)
{
    DWORD end = GetTickCount() + 30000; /* generous: a slow CI machine is not a failure */
    while (!log_has(needle)) {
        if ((LONG)(GetTickCount() - end) >= 0)
            return 0;
        pump(50);
    }
    return 1;
}

#define EXPECT_LOG(needle) OK(wait_log(needle), "log line: %s", needle)

/* ---- the registry ---- */

static const wchar_t addins_key[] = L"Software\\Microsoft\\Office\\Outlook\\Addins\\" OLSYNC_PROGID;

struct snap {
    char *text;
    size_t len, cap;
};

static void snap_add(struct snap *s, const wchar_t *fmt, ...)
{
    wchar_t line[2048];
    char u[6144];
    va_list ap;
    int n;
    va_start(ap, fmt);
    vswprintf(line, 2048, fmt, ap);
    va_end(ap);
    n = WideCharToMultiByte(CP_UTF8, 0, line, -1, u, sizeof u, NULL, NULL);
    if (n <= 0)
        return;
    if (s->len + (size_t)n + 1 > s->cap) {
        size_t cap = s->cap * 2 + (size_t)n + 4096;
        char *p = realloc(s->text, cap);
        if (!p)
            return;
        s->text = p;
        s->cap = cap;
    }
    memcpy(s->text + s->len, u, (size_t)n - 1);
    s->len += (size_t)n - 1;
    s->text[s->len++] = '\n';
    s->text[s->len] = 0;
}

/* Every key and value below path (recursive), or only the names of its sub-keys. */
static void snap_key(struct snap *s, HKEY root, const wchar_t *path, REGSAM view, int recurse)
{
    HKEY k;
    DWORD i;
    wchar_t name[512];
    if (RegOpenKeyExW(root, path, 0, KEY_READ | view, &k) != ERROR_SUCCESS) {
        snap_add(s, L"%p %ls (absent)", (void *)root, path);
        return;
    }
    snap_add(s, L"%p %ls", (void *)root, path);
    for (i = 0;; i++) {
        BYTE data[2048];
        DWORD nlen = 512, dlen = sizeof data, type;
        DWORD sum = 0, j;
        if (RegEnumValueW(k, i, name, &nlen, NULL, &type, data, &dlen) != ERROR_SUCCESS)
            break;
        for (j = 0; j < dlen && j < sizeof data; j++)
            sum = sum * 31 + data[j];
        snap_add(s, L"  value %ls type %lu len %lu sum %08lx", name, type, dlen, sum);
    }
    for (i = 0;; i++) {
        DWORD nlen = 512;
        wchar_t sub[2048];
        if (RegEnumKeyExW(k, i, name, &nlen, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        if (recurse) {
            swprintf(sub, 2048, L"%ls\\%ls", path, name);
            snap_key(s, root, sub, view, 1);
        } else {
            snap_add(s, L"  key %ls", name);
        }
    }
    RegCloseKey(k);
}

static char *snapshot(HKEY root)
{
    struct snap s = {NULL, 0, 0};
    REGSAM views[2] = {KEY_WOW64_64KEY, KEY_WOW64_32KEY};
    int v;
    for (v = 0; v < 2; v++) {
        snap_key(&s, root, L"Software\\Microsoft\\Office", views[v], 1);
        snap_key(&s, root, L"Software\\Classes", views[v], 0);
        snap_key(&s, root, L"Software\\Classes\\CLSID", views[v], 0);
        snap_key(&s, root, L"Software\\Classes\\" OLSYNC_PROGID, views[v], 1);
        snap_key(&s, root, L"Software\\Classes\\CLSID\\" OLSYNC_CLSID_STR, views[v], 1);
    }
    return s.text ? s.text : calloc(1, 1);
}

static void report_diff(const char *a, const char *b)
{
    size_t line = 1;
    while (*a && *a == *b) {
        if (*a == '\n')
            line++;
        a++, b++;
    }
    if (*a || *b)
        fprintf(stderr, "registry differs at snapshot line %zu:\n  before: %.120s\n  after:  %.120s\n",
                line, a, b);
}

static int key_exists(HKEY root, const wchar_t *path, REGSAM view)
{
    HKEY k;
    if (RegOpenKeyExW(root, path, 0, KEY_READ | view, &k) != ERROR_SUCCESS)
        return 0;
    RegCloseKey(k);
    return 1;
}

static void delete_if_empty(HKEY root, const wchar_t *path)
{
    HKEY k;
    DWORD nsub = 1, nval = 1;
    if (RegOpenKeyExW(root, path, 0, KEY_READ | KEY_WOW64_64KEY, &k) != ERROR_SUCCESS)
        return;
    RegQueryInfoKeyW(k, NULL, NULL, NULL, &nsub, NULL, NULL, &nval, NULL, NULL, NULL, NULL);
    RegCloseKey(k);
    if (!nsub && !nval)
        RegDeleteKeyExW(root, path, KEY_WOW64_64KEY, 0);
}

/* Keys of our own beside the add-in's. Removing them also removes the parents the test
 * had to create for them, so the registry ends as it began. */
static void set_sentinels(HKEY root, int on)
{
    static const wchar_t *const keys[] = {
        L"Software\\Microsoft\\Office\\Outlook\\Addins\\olsync.TestSentinel",
        L"Software\\Classes\\olsync.TestSentinel",
    };
    static const wchar_t *const parents[] = {
        L"Software\\Microsoft\\Office\\Outlook\\Addins", L"Software\\Microsoft\\Office\\Outlook",
        L"Software\\Microsoft\\Office", L"Software\\Classes",
    };
    static int existed[sizeof parents / sizeof parents[0]];
    size_t i;
    if (on)
        for (i = 0; i < sizeof parents / sizeof parents[0]; i++)
            existed[i] = key_exists(root, parents[i], KEY_WOW64_64KEY);
    for (i = 0; i < 2; i++) {
        if (on) {
            HKEY k;
            DWORD one = 1;
            OK(RegCreateKeyExW(root, keys[i], 0, NULL, 0, KEY_WRITE | KEY_WOW64_64KEY, NULL, &k,
                               NULL) == ERROR_SUCCESS,
               "sentinel %ls", keys[i]);
            RegSetValueExW(k, L"keep", 0, REG_DWORD, (const BYTE *)&one, sizeof one);
            RegCloseKey(k);
        } else {
            OK(key_exists(root, keys[i], KEY_WOW64_64KEY), "sentinel %ls survived", keys[i]);
            RegDeleteKeyExW(root, keys[i], KEY_WOW64_64KEY, 0);
        }
    }
    if (!on)
        for (i = 0; i < sizeof parents / sizeof parents[0]; i++)
            if (!existed[i])
                delete_if_empty(root, parents[i]);
}

/* A value in the 64-bit view, of the type asked for. */
static int read_value(HKEY root, const wchar_t *path, const wchar_t *name, DWORD want, void *out,
                      DWORD size)
{
    HKEY k;
    DWORD type = 0;
    LSTATUS rc = RegOpenKeyExW(root, path, 0, KEY_READ | KEY_WOW64_64KEY, &k);
    if (rc != ERROR_SUCCESS)
        return 0;
    memset(out, 0, size);
    rc = RegQueryValueExW(k, name, NULL, &type, out, &size);
    RegCloseKey(k);
    return rc == ERROR_SUCCESS && type == want;
}

static int read_sz(HKEY root, const wchar_t *path, const wchar_t *name, wchar_t *out, DWORD n)
{
    int ok = read_value(root, path, name, REG_SZ, out, (n - 1) * sizeof(wchar_t));
    out[n - 1] = 0;
    return ok;
}

/* What Outlook does at startup: Addins key -> ProgID -> CLSID -> InprocServer32. */
static int resolve_addin(HKEY root, CLSID *clsid, wchar_t *dll, DWORD ndll)
{
    wchar_t path[512], value[256], tm[64];
    DWORD behavior = 0, size = sizeof behavior;
    HKEY addins;
    DWORD i;
    int found = 0;
    HKEY roots[2] = {HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};
    int r;

    /* enumerate the Addins key as Outlook does, rather than open ours by name */
    if (RegOpenKeyExW(root, L"Software\\Microsoft\\Office\\Outlook\\Addins", 0,
                      KEY_READ | KEY_WOW64_64KEY, &addins) != ERROR_SUCCESS)
        return 0;
    for (i = 0;; i++) {
        wchar_t name[256];
        DWORD nlen = 256;
        if (RegEnumKeyExW(addins, i, name, &nlen, NULL, NULL, NULL, NULL) != ERROR_SUCCESS)
            break;
        if (!wcscmp(name, OLSYNC_PROGID))
            found = 1;
    }
    RegCloseKey(addins);
    OK(found, "Addins\\%ls listed", OLSYNC_PROGID);
    if (!found)
        return 0;
    OK(read_value(root, addins_key, L"LoadBehavior", REG_DWORD, &behavior, size) &&
           behavior == 3,
       "LoadBehavior=3 (%lu)", behavior);
    OK(read_sz(root, addins_key, L"FriendlyName", value, 256) && value[0], "FriendlyName");
    OK(read_sz(root, addins_key, L"Description", value, 256) && value[0], "Description");

    /* ProgID -> CLSID: per-user classes first, as in HKEY_CLASSES_ROOT */
    for (r = 0; r < 2; r++)
        if (read_sz(roots[r], L"Software\\Classes\\" OLSYNC_PROGID L"\\CLSID", NULL, value, 256))
            break;
    OK(r < 2, "ProgID %ls has a CLSID", OLSYNC_PROGID);
    if (r == 2 || FAILED(CLSIDFromString(value, clsid)))
        return 0;
    OK(IsEqualCLSID(clsid, &CLSID_OlsyncOutlookAddin), "CLSID %ls", value);
    swprintf(path, 512, L"Software\\Classes\\CLSID\\%ls\\InprocServer32", value);
    OK(read_sz(roots[r], path, NULL, dll, ndll), "InprocServer32 path");
    OK(read_sz(roots[r], path, L"ThreadingModel", tm, 64) && !wcscmp(tm, L"Apartment"),
       "ThreadingModel=Apartment");
    swprintf(path, 512, L"Software\\Classes\\CLSID\\%ls\\ProgID", value);
    OK(read_sz(roots[r], path, NULL, value, 256) && !wcscmp(value, OLSYNC_PROGID),
       "CLSID\\ProgID back to the ProgID");
    OK(GetFileAttributesW(dll) != INVALID_FILE_ATTRIBUTES, "InprocServer32 file exists: %ls",
       dll);
    return 1;
}

/* ---- one life of the add-in: create, connect, ribbon, actions, shut down ---- */

typedef HRESULT(WINAPI *get_class_fn)(REFCLSID, REFIID, void **);

static void write_config(const wchar_t *appdata, const char *text)
{
    wchar_t dir[MAX_PATH], path[MAX_PATH];
    FILE *f;
    swprintf(dir, MAX_PATH, L"%ls\\olsync", appdata);
    CreateDirectoryW(dir, NULL);
    swprintf(path, MAX_PATH, L"%ls\\config.json", dir);
    if (!text) {
        DeleteFileW(path);
        return;
    }
    f = _wfopen(path, L"wb");
    OK(f != NULL, "write %ls", path);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static const char profile_en[] =
    "{\"account\": {\"email\": \"alice@example.org\", \"imap\": {\"host\": \"127.0.0.1\"}}}\n";
static const char profile_de[] =
    "{\"account\": {\"email\": \"alice@example.org\", \"imap\": {\"host\": \"127.0.0.1\"}},\n"
    " \"ui\": {\"language\": \"de\"}}\n";

static int state(const wchar_t *id, int *enabled, int *visible)
{
    int i = find_el(id);
    OK(i >= 0, "control %ls in the XML", id);
    if (i < 0)
        return 0;
    if (enabled)
        *enabled = els[i].enabled;
    if (visible)
        *visible = els[i].visible;
    return 1;
}

#define EXPECT_VISIBLE(id, want)                                                           \
    do {                                                                                   \
        int v_ = -1;                                                                       \
        state(id, NULL, &v_);                                                              \
        OK(v_ == (want), "%ls visible %d, expected %d", id, v_, (want));                   \
    } while (0)
#define EXPECT_ENABLED(id, want)                                                           \
    do {                                                                                   \
        int e_ = -1;                                                                       \
        state(id, &e_, NULL);                                                              \
        OK(e_ == (want), "%ls enabled %d, expected %d", id, e_, (want));                   \
    } while (0)

static void check_no_profile_state(void)
{
    static const wchar_t *const shown[] = {L"olsTab", L"olsGroupProfile", L"olsNewProfile",
                                           L"olsBindProfile", L"olsGroupOptions", L"olsLicense",
                                           L"olsSettings", L"olsHelp"};
    static const wchar_t *const hidden[] = {L"olsGroupSync", L"olsGroupServer", L"olsSyncNow",
                                            L"olsFolderTree", L"olsActivity", L"olsRules",
                                            L"olsForwarder", L"olsResponder", L"olsFolderSync",
                                            L"olsContactFolderSync"};
    size_t i;
    for (i = 0; i < sizeof shown / sizeof shown[0]; i++)
        EXPECT_VISIBLE(shown[i], 1);
    for (i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        EXPECT_VISIBLE(hidden[i], 0);
}

static void check_profile_state(void)
{
    static const wchar_t *const shown[] = {
        L"olsTab",      L"olsGroupSync",      L"olsFolderTree",   L"olsSyncNow",
        L"olsActivity", L"olsGroupServer",    L"olsRules",        L"olsForwarder",
        L"olsResponder", L"olsNewProfile",    L"olsBindProfile",  L"olsLicense",
        L"olsSettings", L"olsFolderSync",     L"olsFolderPriority", L"olsFolderAutoSync",
        L"olsFolderClearIgnored", L"olsFolderSharing", L"olsFolderAddressBook",
        L"olsFolderRemoveShared", L"olsContactFolderSync"};
    static const wchar_t *const greyed[] = {L"olsFolderPriority", L"olsFolderAutoSync",
                                            L"olsFolderClearIgnored", L"olsFolderSharing",
                                            L"olsFolderRemoveShared"};
    size_t i;
    for (i = 0; i < sizeof shown / sizeof shown[0]; i++)
        EXPECT_VISIBLE(shown[i], 1);
    EXPECT_VISIBLE(L"olsHelp", 0);
    for (i = 0; i < sizeof greyed / sizeof greyed[0]; i++) {
        int k = find_el(greyed[i]);
        EXPECT_ENABLED(greyed[i], 0);
        /* a greyed entry says why in its tooltip */
        OK(k >= 0 && (wcsstr(els[k].supertip, L"not part of this build") ||
                      wcsstr(els[k].supertip, L"in diesem Build")),
           "%ls tooltip explains: %ls", greyed[i], k >= 0 ? els[k].supertip : L"");
    }
    EXPECT_ENABLED(L"olsSyncNow", 1);
    EXPECT_ENABLED(L"olsFolderSync", 1);
    EXPECT_ENABLED(L"olsFolderAddressBook", 1);
}

struct life {
    IUnknown *unk;
    IDTExtensibility2 *ext;
    IRibbonExtensibility *rx;
    SAFEARRAY *custom;
};

static int connect_addin(get_class_fn get_class, struct life *l)
{
    IClassFactory *cf = NULL;
    HRESULT hr;
    memset(l, 0, sizeof *l);
    hr = get_class(&CLSID_OlsyncOutlookAddin, &IID_IClassFactory, (void **)&cf);
    OK(hr == S_OK && cf, "class factory (hr %08lx)", (unsigned long)hr);
    if (!cf)
        return 0;
    hr = IClassFactory_CreateInstance(cf, NULL, &IID_IUnknown, (void **)&l->unk);
    IClassFactory_Release(cf);
    OK(hr == S_OK && l->unk, "CreateInstance (hr %08lx)", (unsigned long)hr);
    if (!l->unk)
        return 0;
    hr = IUnknown_QueryInterface(l->unk, &IID_IDTExtensibility2, (void **)&l->ext);
    OK(hr == S_OK, "IDTExtensibility2 (hr %08lx)", (unsigned long)hr);
    if (FAILED(hr))
        return 0;
    l->custom = SafeArrayCreateVector(VT_VARIANT, 0, 0);

    /* OnConnection only stores the Application: it must not call into it */
    SET_EXPECT(app_GetIDsOfNames);
    called_app_GetIDsOfNames = 0;
    expect_app_GetIDsOfNames = 0;
    expect_app_Invoke = 0;
    called_app_Invoke = 0;
    hr = IDTExtensibility2_OnConnection(l->ext, &app.IDispatch_iface, ext_cm_Startup, NULL,
                                        &l->custom);
    OK(hr == S_OK, "OnConnection (hr %08lx)", (unsigned long)hr);
    CHECK_NOT_CALLED(app_GetIDsOfNames);
    CHECK_NOT_CALLED(app_Invoke);
    if (failing < 2)
        OK(app.ref == 2, "Application held once while connected (ref %ld)", app.ref);
    OK(IDTExtensibility2_OnAddInsUpdate(l->ext, &l->custom) == S_OK, "OnAddInsUpdate");
    SET_EXPECT(app_GetIDsOfNames);
    SET_EXPECT(app_Invoke);
    OK(IDTExtensibility2_OnStartupComplete(l->ext, &l->custom) == S_OK, "OnStartupComplete");
    CHECK_CALLED(app_GetIDsOfNames); /* it asks for the Version, and copes with E_NOTIMPL */
    expect_app_Invoke = 0;

    hr = IUnknown_QueryInterface(l->unk, &IID_IRibbonExtensibility, (void **)&l->rx);
    OK(hr == S_OK, "IRibbonExtensibility (hr %08lx)", (unsigned long)hr);
    if (FAILED(hr))
        return 0;
    hr = IRibbonExtensibility_QueryInterface(l->rx, &IID_IDispatch, (void **)&addin_disp);
    OK(hr == S_OK, "IDispatch (hr %08lx)", (unsigned long)hr);
    return SUCCEEDED(hr);
}

static void ribbon_load(struct life *l, int expect_ok)
{
    BSTR id = SysAllocString(L"Microsoft.Outlook.Explorer"), xml = NULL;
    BSTR other = SysAllocString(L"Microsoft.Outlook.Mail.Read");
    static const wchar_t *const callback_attrs[] = {
        L"onLoad",     L"loadImage",  L"getLabel",  L"getScreentip", L"getSupertip",
        L"getEnabled", L"getVisible", L"getImage",  L"onAction",     L"getPressed"};
    HRESULT hr = IRibbonExtensibility_GetCustomUI(l->rx, other, &xml);
    unsigned i, a;
    size_t k;
    int ncb = 0, resolved = 0;
    OK(hr == S_OK && !xml, "no ribbon for an inspector (hr %08lx)", (unsigned long)hr);
    SysFreeString(xml);
    xml = NULL;
    hr = IRibbonExtensibility_GetCustomUI(l->rx, id, &xml);
    OK(hr == S_OK && xml, "GetCustomUI(Explorer) (hr %08lx)", (unsigned long)hr);
    if (!xml)
        goto out;
    OK(parse_xml(xml), "ribbon XML is well formed");
    OK(nels > 0 && !wcscmp(els[0].name, L"customUI") &&
           get_attr(&els[0], L"xmlns") &&
           !wcscmp(get_attr(&els[0], L"xmlns"),
                   L"http://schemas.microsoft.com/office/2009/07/customui"),
       "customUI root in the 2009/07 namespace");
    OK(find_el(L"olsTab") >= 0 && !wcscmp(els[find_el(L"olsTab")].name, L"tab"), "own tab");
    for (i = 0, k = 0; i < nels; i++)
        if (!wcscmp(els[i].name, L"contextMenu") && get_attr(&els[i], L"idMso") &&
            !wcscmp(get_attr(&els[i], L"idMso"), L"ContextMenuFolder"))
            k++;
    OK(k == 1, "a ContextMenuFolder section");
    /* every callback named anywhere in the XML resolves through GetIDsOfNames */
    for (i = 0; i < nels; i++)
        for (a = 0; a < els[i].nattr; a++)
            for (k = 0; k < sizeof callback_attrs / sizeof callback_attrs[0]; k++)
                if (!wcscmp(els[i].attr[a].name, callback_attrs[k])) {
                    LPOLESTR n = els[i].attr[a].value;
                    DISPID did = DISPID_UNKNOWN;
                    ncb++;
                    hr = IDispatch_GetIDsOfNames(addin_disp, &IID_NULL, &n, 1, 0, &did);
                    OK(hr == S_OK && did != DISPID_UNKNOWN, "callback %ls=%ls resolves (hr %08lx)",
                       els[i].attr[a].name, n, (unsigned long)hr);
                    resolved += hr == S_OK;
                }
    OK(ncb > 40 && resolved == ncb, "%d of %d callbacks resolved", resolved, ncb);
    {
        LPOLESTR n = L"noSuchCallback";
        DISPID did = 0;
        hr = IDispatch_GetIDsOfNames(addin_disp, &IID_NULL, &n, 1, 0, &did);
        OK(hr == DISP_E_UNKNOWNNAME && did == DISPID_UNKNOWN, "unknown name refused");
    }
    make_controls();
    /* onLoad hands over the IRibbonUI */
    {
        VARIANT arg;
        V_VT(&arg) = VT_DISPATCH;
        V_DISPATCH(&arg) = (IDispatch *)&ribbon_ui.IRibbonUI_iface;
        hr = call_cb(get_attr(&els[0], L"onLoad"), &arg, 1, NULL);
        OK(hr == S_OK, "onLoad (hr %08lx)", (unsigned long)hr);
        if (expect_ok)
            OK(ribbon_ui.ref == 2, "IRibbonUI kept (ref %ld)", ribbon_ui.ref);
    }
out:
    SysFreeString(xml);
    SysFreeString(id);
    SysFreeString(other);
}

static void shutdown_addin(struct life *l, HMODULE m)
{
    typedef HRESULT(WINAPI * can_unload_fn)(void);
    can_unload_fn can_unload = (can_unload_fn)(void *)GetProcAddress(m, "DllCanUnloadNow");
    HRESULT hr;
    unsigned i;
    OK(IDTExtensibility2_OnBeginShutdown(l->ext, &l->custom) == S_OK, "OnBeginShutdown");
    /* after OnBeginShutdown the add-in holds no Outlook object any more */
    OK(app.ref == 1, "Application released (ref %ld)", app.ref);
    OK(ribbon_ui.ref == 1, "IRibbonUI released (ref %ld)", ribbon_ui.ref);
    hr = IDTExtensibility2_OnDisconnection(l->ext, ext_dm_HostShutdown, &l->custom);
    OK(hr == S_OK, "OnDisconnection (hr %08lx)", (unsigned long)hr);
    OK(can_unload() == S_FALSE, "still referenced: DllCanUnloadNow S_FALSE");
    if (addin_disp)
        IDispatch_Release(addin_disp);
    addin_disp = NULL;
    if (l->rx)
        IRibbonExtensibility_Release(l->rx);
    IDTExtensibility2_Release(l->ext);
    OK(IUnknown_Release(l->unk) == 0, "last reference to the add-in");
    OK(can_unload() == S_OK, "DllCanUnloadNow S_OK after the last release");
    SafeArrayDestroy(l->custom);
    /* every reference the add-in took on an emulated object was given back */
    OK(app.ref == 1 && ribbon_ui.ref == 1 && inbox.ref == 1 && contacts.ref == 1 &&
           contact.ref == 1 && selection.ref == 1,
       "host refs back to start: app %ld ui %ld inbox %ld contacts %ld item %ld sel %ld",
       app.ref, ribbon_ui.ref, inbox.ref, contacts.ref, contact.ref, selection.ref);
    for (i = 0; i < nels; i++)
        OK(controls[i].ref == 1 || !controls[i].id, "control %ls ref %ld", controls[i].id,
           controls[i].ref);
}

static const wchar_t *label_of(const wchar_t *id)
{
    int i = find_el(id);
    return i >= 0 ? els[i].label : L"";
}

/* ---- scenarios ---- */

static void scenario_normal(get_class_fn get_class, HMODULE m, const wchar_t *appdata,
                            int with_profile)
{
    struct life l;
    int before, i;
    failing = 0;
    if (!connect_addin(get_class, &l))
        return;
    ribbon_load(&l, 1);
    query_all(1);
    if (with_profile) {
        check_profile_state();
        OK(!wcscmp(label_of(L"olsSettings"), L"Settings"), "English label: %ls",
           label_of(L"olsSettings"));
        /* startup work runs once Outlook's message loop turns, after OnConnection */
        EXPECT_LOG("job folder-tree-sync queued (startup)");
        EXPECT_LOG("job folder-tree-sync: the sync engine is not linked into the add-in yet");
    } else {
        check_no_profile_state();
    }

    /* every action of every button and tick box */
    before = ribbon_ui.invalidated;
    fire_all(1);
    EXPECT_LOG("Settings window opened");
    EXPECT_LOG("would open the Mail control panel");
    EXPECT_LOG("License and updates are part of the Settings window");
    EXPECT_LOG("job settings-reload finished");
    if (with_profile) {
        EXPECT_LOG("Notification Center opened");
        EXPECT_LOG("job sync-all: the sync engine is not linked into the add-in yet");
        EXPECT_LOG("job sieve-rules: the ManageSieve client is not linked into the add-in yet");
        EXPECT_LOG("job sieve-forward: the ManageSieve client is not linked");
        EXPECT_LOG("job sieve-vacation: the ManageSieve client is not linked");
        EXPECT_LOG("job sync-folder \\\\Personal\\Inbox: the sync engine is not linked");
        /* the contact item's menu finds the folder through Selection.Item(1).Parent */
        EXPECT_LOG("job sync-folder \\\\Personal\\Contacts: the sync engine is not linked");
        EXPECT_LOG("could not start: the sync engine is not linked into this build");
        OK(contacts.abook == VARIANT_TRUE && contacts.puts == 1,
           "Show in address book set ShowAsOutlookAB (puts %d)", contacts.puts);
        OK(inbox.puts == 0, "greyed tick boxes changed nothing");
        EXPECT_LOG("pressed while unavailable; ignored");
    } else {
        /* without a profile the sync entries are hidden, and ignored if pressed anyway */
        EXPECT_LOG("pressed while unavailable; ignored");
        EXPECT_LOG("keeps Outlook in sync with an IMAP server");
    }
    OK(ribbon_ui.invalidated > before, "IRibbonUI::Invalidate after state changes (%d)",
       ribbon_ui.invalidated - before);
    pump(200);
    query_all(1);
    if (with_profile) {
        int k = find_el(L"olsFolderAddressBook");
        check_profile_state(); /* nothing greyed for good: jobs have finished */
        /* getPressed reads the folder's switch back */
        if (k >= 0) {
            VARIANT r;
            HRESULT hr = call_ctl(get_attr(&els[k], L"getPressed"), (unsigned)k, NULL, &r);
            OK(hr == S_OK && V_VT(&r) == VT_BOOL && V_BOOL(&r) == VARIANT_TRUE,
               "getPressed(address book) follows the folder");
        }
    } else {
        /* the settings change: an account and German; Settings reloads the file */
        write_config(appdata, profile_de);
        before = ribbon_ui.invalidated;
        i = find_el(L"olsSettings");
        OK(i >= 0 && fire((unsigned)i, 1) == S_OK, "Settings pressed");
        EXPECT_LOG("state: olsync profile, language de");
        pump(100);
        OK(ribbon_ui.invalidated > before, "Invalidate after the profile appeared");
        query_all(1);
        check_profile_state();
        OK(!wcscmp(label_of(L"olsSettings"), L"Einstellungen"), "German label: %ls",
           label_of(L"olsSettings"));
        OK(!wcscmp(label_of(L"olsSyncNow"), L"Jetzt abgleichen"), "German label: %ls",
           label_of(L"olsSyncNow"));
    }
    shutdown_addin(&l, m);
    (void)i;
}

static void scenario_failing(get_class_fn get_class, HMODULE m, int level)
{
    struct life l;
    failing = level;
    if (!connect_addin(get_class, &l)) {
        failing = 0;
        return;
    }
    ribbon_load(&l, 0);
    query_all(0);
    fire_all(0);
    pump(300);
    failing = 0;
    shutdown_addin(&l, m);
}

static void scenario_fault(get_class_fn get_class, HMODULE m)
{
    struct life l;
    int i;
    HRESULT hr;
    failing = 0;
    /* one action faults on the UI thread, one job on a worker, one completion on the UI */
    _putenv("OLSYNC_TEST_FAULT=onAction:olsFolderTree,job:sieve-rules,done:sieve-forward");
    if (!connect_addin(get_class, &l))
        return;
    ribbon_load(&l, 1);
    query_all(1);
    EXPECT_ENABLED(L"olsFolderTree", 1);
    i = find_el(L"olsFolderTree");
    hr = i >= 0 ? fire((unsigned)i, 0) : E_FAIL;
    OK(hr == E_UNEXPECTED, "the faulting action returns an error, not a crash (hr %08lx)",
       (unsigned long)hr);
    EXPECT_LOG("crash guard: onAction:olsFolderTree faulted (exception 0xc0000005");
    i = find_el(L"olsRules");
    OK(i >= 0 && fire((unsigned)i, 1) == S_OK, "Rules pressed");
    EXPECT_LOG("crash guard: job:sieve-rules faulted");
    EXPECT_LOG("job sieve-rules: internal error (EIO)");
    i = find_el(L"olsForwarder");
    OK(i >= 0 && fire((unsigned)i, 1) == S_OK, "Forwarding pressed");
    EXPECT_LOG("crash guard: done:sieve-forward faulted");
    pump(100);
    query_all(1);
    /* the failing features are off; everything else still works */
    EXPECT_ENABLED(L"olsFolderTree", 0);
    EXPECT_ENABLED(L"olsRules", 0);
    EXPECT_ENABLED(L"olsForwarder", 0);
    i = find_el(L"olsFolderTree");
    OK(i >= 0 && wcsstr(els[i].supertip, L"internal error"), "tooltip says why: %ls",
       i >= 0 ? els[i].supertip : L"");
    EXPECT_ENABLED(L"olsSyncNow", 1);
    EXPECT_ENABLED(L"olsResponder", 1);
    i = find_el(L"olsSyncNow");
    OK(i >= 0 && fire((unsigned)i, 1) == S_OK, "Sync now still works");
    EXPECT_LOG("job sync-all: the sync engine is not linked");
    shutdown_addin(&l, m);

    /* a fault in a ribbon getter turns the ribbon off, not the add-in; one in the
     * startup work (run from the UI queue's window) only that work */
    _putenv("OLSYNC_TEST_FAULT=getLabel,startup");
    if (!connect_addin(get_class, &l))
        return;
    ribbon_load(&l, 1);
    i = find_el(L"olsTab");
    if (i >= 0) {
        VARIANT r;
        hr = call_ctl(get_attr(&els[i], L"getLabel"), (unsigned)i, NULL, &r);
        OK(hr == E_UNEXPECTED, "faulting getLabel returns an error (hr %08lx)",
           (unsigned long)hr);
        VariantClear(&r);
        hr = call_ctl(get_attr(&els[i], L"getVisible"), (unsigned)i, NULL, &r);
        OK(hr == S_OK && V_VT(&r) == VT_BOOL && V_BOOL(&r) == VARIANT_FALSE,
           "then the tab hides itself");
    }
    i = find_el(L"olsSyncNow");
    OK(i >= 0 && fire((unsigned)i, 1) == S_OK, "the sync action still runs");
    EXPECT_LOG("crash guard: ribbon callback faulted");
    EXPECT_LOG("crash guard: startup faulted");
    shutdown_addin(&l, m);
    _putenv("OLSYNC_TEST_FAULT=");
}

/* Removes a scratch folder and everything in it. */
static void remove_tree(const wchar_t *dir)
{
    WIN32_FIND_DATAW fd;
    wchar_t pat[MAX_PATH], path[MAX_PATH];
    HANDLE h;
    swprintf(pat, MAX_PATH, L"%ls\\*", dir);
    h = FindFirstFileW(pat, &fd);
    if (h != INVALID_HANDLE_VALUE) {
        do {
            if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
                continue;
            swprintf(path, MAX_PATH, L"%ls\\%ls", dir, fd.cFileName);
            if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                remove_tree(path);
            else
                DeleteFileW(path);
        } while (FindNextFileW(h, &fd));
        FindClose(h);
    }
    RemoveDirectoryW(dir);
}

/* The CRT's copies (getenv, _wgetenv) and the process environment alike. */
static void set_env(const char *name, const wchar_t *value)
{
    wchar_t wname[64], wbuf[2 * MAX_PATH];
    MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, 64);
    swprintf(wbuf, 2 * MAX_PATH, L"%ls=%ls", wname, value);
    _wputenv(wbuf);
    SetEnvironmentVariableW(wname, value);
}

int main(int argc, char **argv)
{
    const char *scenario = argc > 2 ? argv[2] : "user";
    int per_machine = !strcmp(scenario, "machine") || !strcmp(scenario, "fault");
    HKEY root = per_machine ? HKEY_LOCAL_MACHINE : HKEY_CURRENT_USER;
    typedef HRESULT(WINAPI * reg_fn)(void);
    typedef HRESULT(WINAPI * install_fn)(BOOL, LPCWSTR);
    wchar_t dll_arg[MAX_PATH], dll_full[MAX_PATH], dll_reg[MAX_PATH], appdata[MAX_PATH],
        local[MAX_PATH], *scratch_w;
    char *scratch, *orig, *baseline, *after;
    HMODULE m;
    CLSID clsid;
    HRESULT hr;
    get_class_fn get_class;

    if (argc < 2) {
        fprintf(stderr, "usage: host_emulator OutlookSync.dll user|machine|failing-host|fault\n");
        return 2;
    }
    OleInitialize(NULL);
    MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, dll_arg, MAX_PATH);
    GetFullPathNameW(dll_arg, MAX_PATH, dll_full, NULL);

    /* the add-in's folders go to a scratch place; message boxes go to the log */
    scratch = t_scratch("host");
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
    if (!strcmp(scenario, "user"))
        write_config(appdata, NULL); /* no settings file at all */
    else if (!strcmp(scenario, "failing-host"))
        write_config(appdata, "{ \"account\": { this is not JSON\n"); /* a broken one */
    else
        write_config(appdata, profile_en);

    /* registry before, then sentinels of our own beside the keys we expect */
    orig = snapshot(root);
    set_sentinels(root, 1);
    baseline = snapshot(root);

    /* 1. install: register the DLL */
    m = LoadLibraryW(dll_full);
    OK(m != NULL, "LoadLibrary %ls (%lu)", dll_full, GetLastError());
    if (!m)
        return T_DONE();
    if (per_machine && !strcmp(scenario, "machine")) {
        hr = ((reg_fn)(void *)GetProcAddress(m, "DllRegisterServer"))();
        OK(hr == S_OK, "DllRegisterServer (hr %08lx)", (unsigned long)hr);
    } else {
        hr = ((install_fn)(void *)GetProcAddress(m, "DllInstall"))(
            TRUE, per_machine ? L"machine" : L"user");
        OK(hr == S_OK, "DllInstall(TRUE, %s) (hr %08lx)", per_machine ? "machine" : "user",
           (unsigned long)hr);
    }
    hr = ((install_fn)(void *)GetProcAddress(m, "DllInstall"))(TRUE, L"bogus");
    OK(hr == E_INVALIDARG, "DllInstall with an unknown scope refused (hr %08lx)",
       (unsigned long)hr);
    FreeLibrary(m);
    OK(key_exists(root, addins_key, KEY_WOW64_64KEY), "Addins key in the 64-bit view");
    if (per_machine) /* the other view stays clean: a 32-bit Outlook cannot load us */
        OK(!key_exists(root, L"Software\\Classes\\CLSID\\" OLSYNC_CLSID_STR, KEY_WOW64_32KEY) &&
               !key_exists(root, addins_key, KEY_WOW64_32KEY),
           "nothing in the 32-bit view");
    else
        OK(!key_exists(HKEY_LOCAL_MACHINE, addins_key, KEY_WOW64_64KEY),
           "per-user registration wrote nothing per machine");

    /* 2. Outlook starts: find the add-in and load it like Outlook does */
    if (resolve_addin(root, &clsid, dll_reg, MAX_PATH)) {
        OK(!_wcsicmp(dll_reg, dll_full), "InprocServer32 is this DLL: %ls", dll_reg);
        m = LoadLibraryW(dll_reg);
        OK(m != NULL, "LoadLibrary(InprocServer32) (%lu)", GetLastError());
        get_class = m ? (get_class_fn)(void *)GetProcAddress(m, "DllGetClassObject") : NULL;
        OK(get_class != NULL, "DllGetClassObject");
        if (get_class) {
            if (!strcmp(scenario, "user") || !strcmp(scenario, "machine")) {
                scenario_normal(get_class, m, appdata, per_machine);
            } else if (!strcmp(scenario, "failing-host")) {
                scenario_failing(get_class, m, 1);
                scenario_failing(get_class, m, 2);
                OK(log_has("settings not loaded, using defaults"), "broken settings file noted");
                OK(log_has("connected (mode 1, no olsync profile"),
                   "loaded with defaults despite the broken file");
            } else if (!strcmp(scenario, "fault")) {
                scenario_fault(get_class, m);
            }
        }
        if (m)
            OK(FreeLibrary(m), "FreeLibrary");
    }

    /* 3. uninstall: exactly what was written goes, the sentinels stay */
    m = LoadLibraryW(dll_full);
    if (m) {
        if (per_machine && !strcmp(scenario, "machine"))
            hr = ((install_fn)(void *)GetProcAddress(m, "DllInstall"))(FALSE, L"machine");
        else if (per_machine)
            hr = ((reg_fn)(void *)GetProcAddress(m, "DllUnregisterServer"))();
        else
            hr = ((install_fn)(void *)GetProcAddress(m, "DllInstall"))(FALSE, L"user");
        OK(hr == S_OK, "unregister (hr %08lx)", (unsigned long)hr);
        hr = ((install_fn)(void *)GetProcAddress(m, "DllInstall"))(
            FALSE, per_machine ? L"machine" : L"user");
        OK(hr == S_OK, "unregistering twice is fine (hr %08lx)", (unsigned long)hr);
        FreeLibrary(m);
    }
    OK(!key_exists(root, addins_key, KEY_WOW64_64KEY), "Addins key gone");
    OK(!key_exists(root, L"Software\\Classes\\" OLSYNC_PROGID, KEY_WOW64_64KEY), "ProgID gone");
    OK(!key_exists(root, L"Software\\Classes\\CLSID\\" OLSYNC_CLSID_STR, KEY_WOW64_64KEY),
       "CLSID gone");
    after = snapshot(root);
    OK(!strcmp(baseline, after), "registry as before registration, sentinels included");
    if (strcmp(baseline, after))
        report_diff(baseline, after);
    set_sentinels(root, 0);
    free(after);
    after = snapshot(root);
    OK(!strcmp(orig, after), "registry as at the start");
    if (strcmp(orig, after))
        report_diff(orig, after);
    free(after);
    free(baseline);
    free(orig);
    if (!t_fail)
        remove_tree(scratch_w); /* kept when something failed: the add-in's log is there */
    else
        fprintf(stderr, "add-in log and settings kept in %s\n", scratch);
    free(scratch_w);
    free(scratch);
    OleUninitialize();
    return T_DONE();
}
