/* fake_msgstore_session: a scripted MAPI profile session around fake_msgstore (see
 * fake_msgstore.h): the stores table, OpenMsgStore, and the service administration a PST
 * is added with. Only what opening or creating a PST touches is implemented; the rest
 * answers MAPI_E_NO_SUPPORT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_msgstore.h"
#include "mapi_rt.h"

#define CALL(m) (fake_called[FM_##m]++)
#define PR_SERVICE_NAME_A_ PROP_TAG(PT_STRING8, 0x3D09)
#define MAX_SVC 8

typedef struct svc {
    MAPIUID uid;
    char name[64];
    wchar_t path[MAX_PATH];
    fake_msgstore *store; /* once configured */
    int is_default;
} svc;

typedef struct fsession {
    IMAPISession IMAPISession_iface;
    LONG ref;
    fake_session_opts o;
    svc svcs[MAX_SVC];
    int nsvc;
    BYTE next;
    wchar_t last_path[MAX_PATH];
    ULONG last_flags;
    ULONG_PTR last_ui;
} fsession;

static fsession *impl_from_IMAPISession(IMAPISession *i)
{
    return CONTAINING_RECORD(i, fsession, IMAPISession_iface);
}

static void new_uid(fsession *s, MAPIUID *u)
{
    memset(u, 0, sizeof *u);
    u->ab[0] = 0x5a;
    u->ab[15] = ++s->next;
}

static svc *svc_by_uid(fsession *s, const MAPIUID *u)
{
    int i;
    for (i = 0; i < s->nsvc; i++)
        if (!memcmp(&s->svcs[i].uid, u, sizeof *u))
            return &s->svcs[i];
    return NULL;
}

/* a store entry id: "STOR" + the service uid */
static void store_eid(const svc *v, BYTE out[20])
{
    memcpy(out, "STOR", 4);
    memcpy(out + 4, v->uid.ab, 16);
}

/* ---- IProfSect: a property bag with PR_PST_PATH_W ---- */
typedef struct fsect {
    IProfSect IProfSect_iface;
    LONG ref;
    wchar_t path[MAX_PATH];
} fsect;

static fsect *impl_from_IProfSect(IProfSect *i) { return CONTAINING_RECORD(i, fsect, IProfSect_iface); }
static HRESULT STDMETHODCALLTYPE ps_qi(IProfSect *i, REFIID r, void **ppv)
{
    if (IsEqualIID(r, &IID_IUnknown) || IsEqualIID(r, &IID_IMAPIProp) ||
        IsEqualIID(r, &IID_IProfSect)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE ps_addref(IProfSect *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IProfSect(i)->ref);
}
static ULONG STDMETHODCALLTYPE ps_release(IProfSect *i)
{
    fsect *p = impl_from_IProfSect(i);
    LONG r = InterlockedDecrement(&p->ref);
    if (!r)
        free(p);
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE ps_lasterr(IProfSect *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_save(IProfSect *i, ULONG f)
{
    (void)i, (void)f;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE ps_getprops(IProfSect *i, LPSPropTagArray tags, ULONG flags,
                                             ULONG *n, LPSPropValue *out)
{
    fsect *p = impl_from_IProfSect(i);
    SPropValue *v;
    ULONG k;
    (void)flags;
    if (!tags)
        return MAPI_E_NO_SUPPORT;
    if (FAILED(ols_mapi_alloc(tags->cValues * sizeof *v + 1, (void **)&v)))
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (k = 0; k < tags->cValues; k++) {
        memset(&v[k], 0, sizeof v[k]);
        if (tags->aulPropTag[k] == PR_PST_PATH_W && p->path[0]) {
            void *m = NULL;
            size_t len = (wcslen(p->path) + 1) * 2;
            ols_mapi_alloc_more((ULONG)len, v, &m);
            v[k].ulPropTag = PR_PST_PATH_W;
            v[k].Value.lpszW = m ? memcpy(m, p->path, len) : NULL;
        } else {
            v[k].ulPropTag = CHANGE_PROP_TYPE(tags->aulPropTag[k], PT_ERROR);
            v[k].Value.err = MAPI_E_NOT_FOUND;
        }
    }
    *n = tags->cValues;
    *out = v;
    return S_OK;
}
#define PS_NOSUP(name, ...)                                                                \
    static HRESULT STDMETHODCALLTYPE name(IProfSect *i, __VA_ARGS__)                       \
    {                                                                                      \
        (void)i;                                                                           \
        return MAPI_E_NO_SUPPORT;                                                          \
    }
static HRESULT STDMETHODCALLTYPE ps_proplist(IProfSect *i, ULONG f, LPSPropTagArray *o)
{
    (void)i, (void)f, (void)o;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_openprop(IProfSect *i, ULONG t, LPCIID iid, ULONG a, ULONG f,
                                             LPUNKNOWN *o)
{
    (void)i, (void)t, (void)iid, (void)a, (void)f, (void)o;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_setprops(IProfSect *i, ULONG n, LPSPropValue v,
                                             LPSPropProblemArray *p)
{
    (void)i, (void)n, (void)v, (void)p;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_delprops(IProfSect *i, LPSPropTagArray t, LPSPropProblemArray *p)
{
    (void)i, (void)t, (void)p;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_copyto(IProfSect *i, ULONG a, LPCIID b, LPSPropTagArray c,
                                           ULONG_PTR d, LPMAPIPROGRESS e, LPCIID f, LPVOID g,
                                           ULONG h, LPSPropProblemArray *k)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)k;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_copyprops(IProfSect *i, LPSPropTagArray a, ULONG_PTR b,
                                              LPMAPIPROGRESS c, LPCIID d, LPVOID e, ULONG f,
                                              LPSPropProblemArray *g)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_names(IProfSect *i, LPSPropTagArray *a, LPGUID b, ULONG c,
                                          ULONG *d, LPMAPINAMEID **e)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ps_ids(IProfSect *i, ULONG n, LPMAPINAMEID *a, ULONG f,
                                        LPSPropTagArray *o)
{
    (void)i, (void)n, (void)a, (void)f, (void)o;
    return MAPI_E_NO_SUPPORT;
}
static const IProfSectVtbl sect_vtbl = {ps_qi,      ps_addref,   ps_release,  ps_lasterr,
                                        ps_save,    ps_getprops, ps_proplist, ps_openprop,
                                        ps_setprops, ps_delprops, ps_copyto,  ps_copyprops,
                                        ps_names,   ps_ids};

/* ---- IProviderAdmin: one provider per PST service ---- */
typedef struct fprov {
    IProviderAdmin IProviderAdmin_iface;
    LONG ref;
    fsession *s;
    MAPIUID svc;
} fprov;

static fprov *impl_from_IProviderAdmin(IProviderAdmin *i)
{
    return CONTAINING_RECORD(i, fprov, IProviderAdmin_iface);
}
static HRESULT STDMETHODCALLTYPE pa_qi(IProviderAdmin *i, REFIID r, void **ppv)
{
    if (IsEqualIID(r, &IID_IUnknown) || IsEqualIID(r, &IID_IProviderAdmin)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE pa_addref(IProviderAdmin *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IProviderAdmin(i)->ref);
}
static ULONG STDMETHODCALLTYPE pa_release(IProviderAdmin *i)
{
    fprov *p = impl_from_IProviderAdmin(i);
    LONG r = InterlockedDecrement(&p->ref);
    if (!r) {
        p->s->IMAPISession_iface.lpVtbl->Release(&p->s->IMAPISession_iface);
        free(p);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE pa_lasterr(IProviderAdmin *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
/* the provider's uid is the service's with the last byte flipped */
static HRESULT STDMETHODCALLTYPE pa_table(IProviderAdmin *i, ULONG f, LPMAPITABLE *out)
{
    fprov *p = impl_from_IProviderAdmin(i);
    MAPIUID pu = p->svc;
    SPropValue v;
    const SPropValue *rows[1] = {&v};
    ULONG n[1] = {1};
    (void)f;
    pu.ab[15] ^= 0xff;
    memset(&v, 0, sizeof v);
    v.ulPropTag = PR_PROVIDER_UID;
    v.Value.bin.cb = sizeof pu;
    v.Value.bin.lpb = pu.ab;
    return fake_table_new(1, rows, n, out);
}
static HRESULT STDMETHODCALLTYPE pa_create(IProviderAdmin *i, LPWSTR a, ULONG b, LPSPropValue c,
                                           ULONG_PTR d, ULONG e, MAPIUID *f)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE pa_delete(IProviderAdmin *i, LPMAPIUID u)
{
    (void)i, (void)u;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE pa_opensect(IProviderAdmin *i, LPMAPIUID u, LPCIID iid, ULONG f,
                                             LPPROFSECT *out)
{
    fprov *p = impl_from_IProviderAdmin(i);
    MAPIUID pu = p->svc;
    svc *v = svc_by_uid(p->s, &p->svc);
    fsect *sect;
    (void)iid, (void)f;
    CALL(OpenProfileSection);
    pu.ab[15] ^= 0xff;
    if (!u || memcmp(u, &pu, sizeof pu) || !v)
        return MAPI_E_NOT_FOUND;
    sect = calloc(1, sizeof *sect);
    if (!sect)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    sect->IProfSect_iface.lpVtbl = &sect_vtbl;
    sect->ref = 1;
    wcscpy(sect->path, v->path);
    *out = &sect->IProfSect_iface;
    return S_OK;
}
static const IProviderAdminVtbl prov_vtbl = {pa_qi,     pa_addref, pa_release, pa_lasterr,
                                             pa_table,  pa_create, pa_delete,  pa_opensect};

/* ---- IMsgServiceAdmin2 ---- */
typedef struct fadmin {
    IMsgServiceAdmin2 IMsgServiceAdmin2_iface;
    LONG ref;
    fsession *s;
} fadmin;

static fadmin *impl_from_admin(IMsgServiceAdmin2 *i)
{
    return CONTAINING_RECORD(i, fadmin, IMsgServiceAdmin2_iface);
}
static HRESULT STDMETHODCALLTYPE ad_qi(IMsgServiceAdmin2 *i, REFIID r, void **ppv)
{
    fadmin *a = impl_from_admin(i);
    if (IsEqualIID(r, &IID_IUnknown) || IsEqualIID(r, &IID_IMsgServiceAdmin) ||
        (IsEqualIID(r, &IID_IMsgServiceAdmin2) && !a->s->o.no_admin2)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE ad_addref(IMsgServiceAdmin2 *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_admin(i)->ref);
}
static ULONG STDMETHODCALLTYPE ad_release(IMsgServiceAdmin2 *i)
{
    fadmin *a = impl_from_admin(i);
    LONG r = InterlockedDecrement(&a->ref);
    if (!r) {
        a->s->IMAPISession_iface.lpVtbl->Release(&a->s->IMAPISession_iface);
        free(a);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE ad_lasterr(IMsgServiceAdmin2 *i, HRESULT h, ULONG f,
                                            LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ad_table(IMsgServiceAdmin2 *i, ULONG f, LPMAPITABLE *out)
{
    fsession *s = impl_from_admin(i)->s;
    SPropValue v[MAX_SVC][2];
    const SPropValue *rows[MAX_SVC];
    ULONG n[MAX_SVC];
    int k;
    (void)f;
    CALL(GetMsgServiceTable);
    for (k = 0; k < s->nsvc; k++) {
        memset(v[k], 0, sizeof v[k]);
        v[k][0].ulPropTag = PR_SERVICE_UID;
        v[k][0].Value.bin.cb = sizeof(MAPIUID);
        v[k][0].Value.bin.lpb = s->svcs[k].uid.ab;
        v[k][1].ulPropTag = PR_SERVICE_NAME_A_;
        v[k][1].Value.lpszA = s->svcs[k].name;
        rows[k] = v[k];
        n[k] = 2;
    }
    return fake_table_new((ULONG)s->nsvc, rows, n, out);
}
static HRESULT add_service(fsession *s, LPWSTR name, MAPIUID *uid)
{
    svc *v;
    if (s->nsvc == MAX_SVC)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    v = &s->svcs[s->nsvc++];
    memset(v, 0, sizeof *v);
    new_uid(s, &v->uid);
    /* 8-bit strings unless MAPI_UNICODE, as in MAPI */
    snprintf(v->name, sizeof v->name, "%s", (const char *)name);
    if (uid)
        *uid = v->uid;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE ad_create(IMsgServiceAdmin2 *i, LPWSTR name, LPWSTR display,
                                           ULONG_PTR ui, ULONG flags)
{
    (void)display, (void)flags;
    CALL(CreateMsgService);
    impl_from_admin(i)->s->last_ui = ui;
    return add_service(impl_from_admin(i)->s, name, NULL);
}
static HRESULT STDMETHODCALLTYPE ad_delete(IMsgServiceAdmin2 *i, LPMAPIUID u)
{
    fsession *s = impl_from_admin(i)->s;
    svc *v = svc_by_uid(s, u);
    CALL(DeleteMsgService);
    if (!v)
        return MAPI_E_NOT_FOUND;
    if (v->store)
        fake_msgstore_release(v->store);
    *v = s->svcs[--s->nsvc];
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE ad_copy(IMsgServiceAdmin2 *i, LPMAPIUID a, LPWSTR b, LPCIID c,
                                         LPCIID d, LPVOID e, ULONG_PTR f, ULONG g)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ad_rename(IMsgServiceAdmin2 *i, LPMAPIUID a, ULONG b, LPWSTR c)
{
    (void)i, (void)a, (void)b, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ad_configure(IMsgServiceAdmin2 *i, LPMAPIUID u, ULONG_PTR ui,
                                              ULONG flags, ULONG n, LPSPropValue props)
{
    fsession *s = impl_from_admin(i)->s;
    svc *v = svc_by_uid(s, u);
    ULONG k;
    (void)flags;
    CALL(ConfigureMsgService);
    s->last_ui = ui;
    if (!v)
        return MAPI_E_NOT_FOUND;
    for (k = 0; k < n; k++) {
        if (props[k].ulPropTag == PR_PST_PATH_W) {
            wcsncpy(s->last_path, props[k].Value.lpszW, MAX_PATH - 1);
            wcsncpy(v->path, props[k].Value.lpszW, MAX_PATH - 1);
        }
        if (props[k].ulPropTag == PR_PST_CONFIG_FLAGS)
            s->last_flags = props[k].Value.ul;
    }
    if (s->o.fail_configure)
        return MAPI_E_EXTENDED_ERROR;
    if (!v->path[0])
        return MAPI_E_UNCONFIGURED;
    if (!v->store)
        v->store = fake_msgstore_new(NULL);
    return v->store ? S_OK : MAPI_E_NOT_ENOUGH_MEMORY;
}
static HRESULT STDMETHODCALLTYPE ad_opensect(IMsgServiceAdmin2 *i, LPMAPIUID a, LPCIID b, ULONG c,
                                             LPPROFSECT *d)
{
    (void)i, (void)a, (void)b, (void)c, (void)d;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ad_order(IMsgServiceAdmin2 *i, ULONG a, LPMAPIUID b, ULONG c)
{
    (void)i, (void)a, (void)b, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ad_providers(IMsgServiceAdmin2 *i, LPMAPIUID u, ULONG f,
                                              LPPROVIDERADMIN *out)
{
    fadmin *a = impl_from_admin(i);
    fprov *p;
    (void)f;
    CALL(AdminProviders);
    if (!svc_by_uid(a->s, u))
        return MAPI_E_NOT_FOUND;
    p = calloc(1, sizeof *p);
    if (!p)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    p->IProviderAdmin_iface.lpVtbl = &prov_vtbl;
    p->ref = 1;
    p->s = a->s;
    p->svc = *u;
    a->s->IMAPISession_iface.lpVtbl->AddRef(&a->s->IMAPISession_iface);
    *out = &p->IProviderAdmin_iface;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE ad_primary(IMsgServiceAdmin2 *i, LPMAPIUID a, ULONG b)
{
    (void)i, (void)a, (void)b;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ad_provtable(IMsgServiceAdmin2 *i, ULONG a, LPMAPITABLE *b)
{
    (void)i, (void)a, (void)b;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ad_createex(IMsgServiceAdmin2 *i, LPWSTR name, LPWSTR display,
                                             ULONG_PTR ui, ULONG flags, LPMAPIUID uid)
{
    (void)display, (void)flags;
    CALL(CreateMsgServiceEx);
    impl_from_admin(i)->s->last_ui = ui;
    return add_service(impl_from_admin(i)->s, name, uid);
}
static HRESULT STDMETHODCALLTYPE ad_deleteex(IMsgServiceAdmin2 *i, LPMAPIUID a, ULONG b)
{
    (void)b;
    return ad_delete(i, a);
}
static const IMsgServiceAdmin2Vtbl admin_vtbl = {
    ad_qi,       ad_addref,   ad_release,   ad_lasterr, ad_table,    ad_create, ad_delete,
    ad_copy,     ad_rename,   ad_configure, ad_opensect, ad_order,   ad_providers, ad_primary,
    ad_provtable, ad_createex, ad_deleteex};

/* ---- IMAPISession ---- */
static HRESULT STDMETHODCALLTYPE se_qi(IMAPISession *i, REFIID r, void **ppv)
{
    if (IsEqualIID(r, &IID_IUnknown) || IsEqualIID(r, &IID_IMAPISession)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE se_addref(IMAPISession *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IMAPISession(i)->ref);
}
static ULONG STDMETHODCALLTYPE se_release(IMAPISession *i)
{
    fsession *s = impl_from_IMAPISession(i);
    LONG r = InterlockedDecrement(&s->ref);
    if (!r) {
        int k;
        for (k = 0; k < s->nsvc; k++)
            if (s->svcs[k].store)
                fake_msgstore_release(s->svcs[k].store);
        free(s);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE se_lasterr(IMAPISession *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_stores(IMAPISession *i, ULONG f, LPMAPITABLE *out)
{
    fsession *s = impl_from_IMAPISession(i);
    SPropValue v[MAX_SVC][4];
    BYTE eids[MAX_SVC][20];
    const SPropValue *rows[MAX_SVC];
    ULONG n[MAX_SVC], k = 0;
    int j;
    (void)f;
    CALL(GetMsgStoresTable);
    for (j = 0; j < s->nsvc; j++) {
        if (!s->svcs[j].store)
            continue; /* a service that was never configured has no store */
        store_eid(&s->svcs[j], eids[k]);
        memset(v[k], 0, sizeof v[k]);
        v[k][0].ulPropTag = PR_ENTRYID;
        v[k][0].Value.bin.cb = 20;
        v[k][0].Value.bin.lpb = eids[k];
        v[k][1].ulPropTag = PR_SERVICE_UID;
        v[k][1].Value.bin.cb = sizeof(MAPIUID);
        v[k][1].Value.bin.lpb = s->svcs[j].uid.ab;
        v[k][2].ulPropTag = PR_DEFAULT_STORE;
        v[k][2].Value.b = (unsigned short)s->svcs[j].is_default;
        v[k][3].ulPropTag = PR_DISPLAY_NAME_W;
        v[k][3].Value.lpszW = (LPWSTR)(s->svcs[j].is_default ? L"Outlook" : L"olsync");
        rows[k] = v[k];
        n[k] = 4;
        k++;
    }
    return fake_table_new(k, rows, n, out);
}
static HRESULT STDMETHODCALLTYPE se_openstore(IMAPISession *i, ULONG_PTR ui, ULONG cb,
                                              LPENTRYID e, LPCIID iid, ULONG flags, LPMDB *out)
{
    fsession *s = impl_from_IMAPISession(i);
    int j;
    (void)ui, (void)iid;
    CALL(OpenMsgStore);
    if (!(flags & MDB_WRITE))
        return MAPI_E_NO_ACCESS; /* the backend must ask for write access */
    for (j = 0; j < s->nsvc; j++) {
        BYTE eid[20];
        if (!s->svcs[j].store)
            continue;
        store_eid(&s->svcs[j], eid);
        if (cb == 20 && !memcmp(e, eid, 20)) {
            *out = fake_msgstore_iface(s->svcs[j].store);
            return S_OK;
        }
    }
    return MAPI_E_NOT_FOUND;
}
static HRESULT STDMETHODCALLTYPE se_ab(IMAPISession *i, ULONG_PTR a, LPCIID b, ULONG c,
                                      LPADRBOOK *d)
{
    (void)i, (void)a, (void)b, (void)c, (void)d;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_sect(IMAPISession *i, LPMAPIUID a, LPCIID b, ULONG c,
                                        LPPROFSECT *d)
{
    (void)i, (void)a, (void)b, (void)c, (void)d;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_status(IMAPISession *i, ULONG a, LPMAPITABLE *b)
{
    (void)i, (void)a, (void)b;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_openentry(IMAPISession *i, ULONG a, LPENTRYID b, LPCIID c,
                                              ULONG d, ULONG *e, LPUNKNOWN *f)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_compare(IMAPISession *i, ULONG a, LPENTRYID b, ULONG c,
                                            LPENTRYID d, ULONG e, ULONG *f)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_advise(IMAPISession *i, ULONG a, LPENTRYID b, ULONG c,
                                           LPMAPIADVISESINK d, ULONG_PTR *e)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_unadvise(IMAPISession *i, ULONG_PTR a)
{
    (void)i, (void)a;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_msgopts(IMAPISession *i, ULONG_PTR a, ULONG b, LPWSTR c,
                                            LPMESSAGE d)
{
    (void)i, (void)a, (void)b, (void)c, (void)d;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_defopts(IMAPISession *i, LPWSTR a, ULONG b, ULONG *c,
                                            LPSPropValue *d)
{
    (void)i, (void)a, (void)b, (void)c, (void)d;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_adrtypes(IMAPISession *i, ULONG a, ULONG *b, LPWSTR **c)
{
    (void)i, (void)a, (void)b, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_identity(IMAPISession *i, ULONG *a, LPENTRYID *b)
{
    (void)i, (void)a, (void)b;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_logoff(IMAPISession *i, ULONG_PTR a, ULONG b, ULONG c)
{
    (void)i, (void)a, (void)b, (void)c;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE se_setdefault(IMAPISession *i, ULONG a, ULONG b, LPENTRYID c)
{
    (void)i, (void)a, (void)b, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_admin(IMAPISession *i, ULONG f, LPSERVICEADMIN *out)
{
    fsession *s = impl_from_IMAPISession(i);
    fadmin *a = calloc(1, sizeof *a);
    (void)f;
    CALL(AdminServices);
    if (!a)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    a->IMsgServiceAdmin2_iface.lpVtbl = &admin_vtbl;
    a->ref = 1;
    a->s = s;
    i->lpVtbl->AddRef(i);
    *out = (LPSERVICEADMIN)&a->IMsgServiceAdmin2_iface; /* the first vtable part is the same */
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE se_showform(IMAPISession *i, ULONG_PTR a, LPMDB b,
                                             LPMAPIFOLDER c, LPCIID d, ULONG e, LPMESSAGE f,
                                             ULONG g, ULONG h, ULONG k, ULONG l, LPSTR m)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)k,
        (void)l, (void)m;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE se_prepform(IMAPISession *i, LPCIID a, LPMESSAGE b, ULONG *c)
{
    (void)i, (void)a, (void)b, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static const IMAPISessionVtbl session_vtbl = {
    se_qi,       se_addref,  se_release,  se_lasterr,   se_stores,   se_openstore, se_ab,
    se_sect,     se_status,  se_openentry, se_compare,  se_advise,   se_unadvise,  se_msgopts,
    se_defopts,  se_adrtypes, se_identity, se_logoff,   se_setdefault, se_admin,   se_showform,
    se_prepform};

IMAPISession *fake_session_new(const fake_session_opts *o)
{
    fsession *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->IMAPISession_iface.lpVtbl = &session_vtbl;
    s->ref = 1;
    if (o)
        s->o = *o;
    /* the profile's own PST, the default store */
    add_service(s, (LPWSTR) "MSUPST MS", NULL);
    wcscpy(s->svcs[0].path, L"C:\\Users\\me\\Documents\\Outlook Files\\Outlook.pst");
    s->svcs[0].store = fake_msgstore_new(NULL);
    s->svcs[0].is_default = 1;
    return &s->IMAPISession_iface;
}

const wchar_t *fake_session_last_pst_path(IMAPISession *s)
{
    return impl_from_IMAPISession(s)->last_path;
}
ULONG fake_session_last_pst_flags(IMAPISession *s) { return impl_from_IMAPISession(s)->last_flags; }
ULONG_PTR fake_session_last_ui_param(IMAPISession *s) { return impl_from_IMAPISession(s)->last_ui; }
int fake_session_services(IMAPISession *s) { return impl_from_IMAPISession(s)->nsvc; }
