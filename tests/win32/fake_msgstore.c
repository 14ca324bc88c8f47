/* fake_msgstore: an in-memory MAPI message store (test double); see fake_msgstore.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "fake_msgstore.h"
#include "mapi_rt.h"
#include "mime.h"
#include "plat/plat.h"

unsigned fake_called[FM_COUNT];
static volatile LONG g_objects;

#define CALL(m) (fake_called[FM_##m]++)

/* ---- property bags: deep copies of SPropValue ---- */
typedef struct bag {
    SPropValue *v;
    size_t n, cap;
} bag;

static void val_free(SPropValue *v)
{
    ULONG i;
    switch (PROP_TYPE(v->ulPropTag)) {
    case PT_UNICODE:
        free(v->Value.lpszW);
        break;
    case PT_STRING8:
        free(v->Value.lpszA);
        break;
    case PT_BINARY:
        free(v->Value.bin.lpb);
        break;
    case PT_CLSID:
        free(v->Value.lpguid);
        break;
    case PT_MV_BINARY:
        for (i = 0; i < v->Value.MVbin.cValues; i++)
            free(v->Value.MVbin.lpbin[i].lpb);
        free(v->Value.MVbin.lpbin);
        break;
    case PT_MV_UNICODE:
        for (i = 0; i < v->Value.MVszW.cValues; i++)
            free(v->Value.MVszW.lppszW[i]);
        free(v->Value.MVszW.lppszW);
        break;
    case PT_MV_LONG:
        free(v->Value.MVl.lpl);
        break;
    default:
        break;
    }
    memset(v, 0, sizeof *v);
}

static int val_copy(SPropValue *d, const SPropValue *s)
{
    ULONG i;
    *d = *s;
    switch (PROP_TYPE(s->ulPropTag)) {
    case PT_UNICODE:
        d->Value.lpszW = _wcsdup(s->Value.lpszW ? s->Value.lpszW : L"");
        return d->Value.lpszW ? 0 : -1;
    case PT_STRING8:
        d->Value.lpszA = _strdup(s->Value.lpszA ? s->Value.lpszA : "");
        return d->Value.lpszA ? 0 : -1;
    case PT_BINARY:
        d->Value.bin.lpb = malloc(s->Value.bin.cb ? s->Value.bin.cb : 1);
        if (!d->Value.bin.lpb)
            return -1;
        if (s->Value.bin.cb)
            memcpy(d->Value.bin.lpb, s->Value.bin.lpb, s->Value.bin.cb);
        return 0;
    case PT_CLSID:
        d->Value.lpguid = malloc(sizeof(GUID));
        if (!d->Value.lpguid)
            return -1;
        *d->Value.lpguid = *s->Value.lpguid;
        return 0;
    case PT_MV_BINARY:
        d->Value.MVbin.lpbin = calloc(s->Value.MVbin.cValues + 1, sizeof(SBinary));
        if (!d->Value.MVbin.lpbin)
            return -1;
        for (i = 0; i < s->Value.MVbin.cValues; i++) {
            SBinary *b = &d->Value.MVbin.lpbin[i];
            b->cb = s->Value.MVbin.lpbin[i].cb;
            b->lpb = malloc(b->cb ? b->cb : 1);
            if (b->lpb && b->cb)
                memcpy(b->lpb, s->Value.MVbin.lpbin[i].lpb, b->cb);
        }
        return 0;
    case PT_MV_UNICODE:
        d->Value.MVszW.lppszW = calloc(s->Value.MVszW.cValues + 1, sizeof(wchar_t *));
        if (!d->Value.MVszW.lppszW)
            return -1;
        for (i = 0; i < s->Value.MVszW.cValues; i++)
            d->Value.MVszW.lppszW[i] = _wcsdup(s->Value.MVszW.lppszW[i]);
        return 0;
    case PT_MV_LONG:
        d->Value.MVl.lpl = malloc((s->Value.MVl.cValues + 1) * sizeof(LONG));
        if (!d->Value.MVl.lpl)
            return -1;
        memcpy(d->Value.MVl.lpl, s->Value.MVl.lpl, s->Value.MVl.cValues * sizeof(LONG));
        return 0;
    default:
        return 0;
    }
}

static size_t val_size(const SPropValue *v)
{
    switch (PROP_TYPE(v->ulPropTag)) {
    case PT_UNICODE:
        return wcslen(v->Value.lpszW) * 2;
    case PT_STRING8:
        return strlen(v->Value.lpszA);
    case PT_BINARY:
        return v->Value.bin.cb;
    default:
        return 8;
    }
}

static SPropValue *bag_find(const bag *b, ULONG tag)
{
    size_t i;
    for (i = 0; i < b->n; i++)
        if (PROP_ID(b->v[i].ulPropTag) == PROP_ID(tag))
            return &b->v[i];
    return NULL;
}

static int bag_set(bag *b, const SPropValue *v)
{
    SPropValue *old = bag_find(b, v->ulPropTag), nv;
    if (val_copy(&nv, v) != 0)
        return -1;
    if (old) {
        val_free(old);
        *old = nv;
        return 0;
    }
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 16;
        SPropValue *nn = realloc(b->v, nc * sizeof *nn);
        if (!nn) {
            val_free(&nv);
            return -1;
        }
        b->v = nn;
        b->cap = nc;
    }
    b->v[b->n++] = nv;
    return 0;
}

static void bag_del(bag *b, ULONG tag)
{
    SPropValue *v = bag_find(b, tag);
    if (!v)
        return;
    val_free(v);
    *v = b->v[--b->n];
}

static void bag_free(bag *b)
{
    size_t i;
    for (i = 0; i < b->n; i++)
        val_free(&b->v[i]);
    free(b->v);
    memset(b, 0, sizeof *b);
}

static int bag_copy(bag *d, const bag *s)
{
    size_t i;
    memset(d, 0, sizeof *d);
    for (i = 0; i < s->n; i++)
        if (bag_set(d, &s->v[i]) != 0)
            return -1;
    return 0;
}

static void bag_set_long(bag *b, ULONG tag, LONG l)
{
    SPropValue v;
    memset(&v, 0, sizeof v);
    v.ulPropTag = tag;
    v.Value.l = l;
    bag_set(b, &v);
}

static void bag_set_bin(bag *b, ULONG tag, const void *p, ULONG cb)
{
    SPropValue v;
    memset(&v, 0, sizeof v);
    v.ulPropTag = tag;
    v.Value.bin.cb = cb;
    v.Value.bin.lpb = (LPBYTE)p;
    bag_set(b, &v);
}

static void bag_set_w(bag *b, ULONG tag, const wchar_t *w)
{
    SPropValue v;
    memset(&v, 0, sizeof v);
    v.ulPropTag = tag;
    v.Value.lpszW = (LPWSTR)w;
    bag_set(b, &v);
}

static LONG bag_long(const bag *b, ULONG tag, LONG dflt)
{
    SPropValue *v = bag_find(b, tag);
    return v && PROP_TYPE(v->ulPropTag) == PROP_TYPE(tag) ? v->Value.l : dflt;
}

/* ---- the records ---- */
typedef struct frec_msg frec_msg;
typedef struct frec_folder frec_folder;

typedef struct frecip {
    bag props;
    ULONG rowid;
} frecip;

typedef struct fatt {
    bag props;
    ULONG num;
    frec_msg *embedded; /* ATTACH_EMBEDDED_MSG */
} fatt;

struct frec_msg {
    bag props;
    frecip *recips;
    size_t nrecips;
    fatt *atts;
    size_t natts;
    ULONG next_att, next_rowid;
    ULONG nid;
    ULONG folder; /* nid of the folder */
    int assoc, saved;
    unsigned version;
};

struct frec_folder {
    bag props;
    ULONG nid, parent;
    ULONG *kids;
    size_t nkids;
    ULONG *msgs;
    size_t nmsgs;
};

typedef struct named {
    GUID guid;
    ULONG kind;
    LONG id;
    wchar_t *name;
} named;

typedef struct sinkreg {
    IMAPIAdviseSink *sink;
    ULONG mask;
    ULONG_PTR conn;
} sinkreg;

enum { K_NONE = 0, K_FOLDER, K_MSG };
typedef struct slot {
    int kind;
    void *rec;
} slot;

struct fake_msgstore {
    IMsgStore iface;
    LONG ref;
    fake_opts o;
    BYTE uid[16];
    slot *nids;
    size_t nnids;
    ULONG root, subtree, inbox, sent, trash, outbox, drafts, junk;
    named *names;
    size_t nnames;
    sinkreg sinks[16];
    size_t nsinks;
    ULONG_PTR next_conn;
    uint64_t clock;
    bag props;
    char *persist_path; /* write-through to this file after every change */
};

static void msg_free(frec_msg *m);
static void persist(fake_msgstore *fs);

static void msg_clear(frec_msg *m)
{
    size_t i;
    bag_free(&m->props);
    for (i = 0; i < m->nrecips; i++)
        bag_free(&m->recips[i].props);
    free(m->recips);
    for (i = 0; i < m->natts; i++) {
        bag_free(&m->atts[i].props);
        if (m->atts[i].embedded)
            msg_free(m->atts[i].embedded);
    }
    free(m->atts);
    m->recips = NULL;
    m->atts = NULL;
    m->nrecips = m->natts = 0;
}

static void msg_free(frec_msg *m)
{
    if (!m)
        return;
    msg_clear(m);
    free(m);
}

static frec_msg *msg_dup(const frec_msg *s)
{
    frec_msg *d = calloc(1, sizeof *d);
    size_t i;
    if (!d)
        return NULL;
    *d = *s;
    d->recips = NULL;
    d->atts = NULL;
    bag_copy(&d->props, &s->props);
    if (s->nrecips) {
        d->recips = calloc(s->nrecips, sizeof *d->recips);
        for (i = 0; d->recips && i < s->nrecips; i++) {
            bag_copy(&d->recips[i].props, &s->recips[i].props);
            d->recips[i].rowid = s->recips[i].rowid;
        }
    }
    if (s->natts) {
        d->atts = calloc(s->natts, sizeof *d->atts);
        for (i = 0; d->atts && i < s->natts; i++) {
            bag_copy(&d->atts[i].props, &s->atts[i].props);
            d->atts[i].num = s->atts[i].num;
            d->atts[i].embedded = s->atts[i].embedded ? msg_dup(s->atts[i].embedded) : NULL;
        }
    }
    return d;
}

static size_t msg_size(const frec_msg *m)
{
    size_t n = 0, i;
    for (i = 0; i < m->props.n; i++)
        n += val_size(&m->props.v[i]) + 8;
    for (i = 0; i < m->nrecips; i++)
        n += 64;
    for (i = 0; i < m->natts; i++) {
        SPropValue *d = bag_find(&m->atts[i].props, PR_ATTACH_DATA_BIN);
        n += 64 + (d && PROP_TYPE(d->ulPropTag) == PT_BINARY ? d->Value.bin.cb : 0);
        if (m->atts[i].embedded)
            n += msg_size(m->atts[i].embedded);
    }
    return n;
}

static ULONG new_nid(fake_msgstore *fs, int kind, void *rec)
{
    slot *ns = realloc(fs->nids, (fs->nnids + 1) * sizeof *ns);
    if (!ns)
        return 0;
    fs->nids = ns;
    fs->nids[fs->nnids].kind = kind;
    fs->nids[fs->nnids].rec = rec;
    return (ULONG)(++fs->nnids); /* nid 0 is never used */
}

static frec_folder *folder_rec(fake_msgstore *fs, ULONG nid)
{
    return nid && nid <= fs->nnids && fs->nids[nid - 1].kind == K_FOLDER ? fs->nids[nid - 1].rec
                                                                       : NULL;
}

static frec_msg *msg_rec(fake_msgstore *fs, ULONG nid)
{
    return nid && nid <= fs->nnids && fs->nids[nid - 1].kind == K_MSG ? fs->nids[nid - 1].rec
                                                                    : NULL;
}

/* entry ids: flags(4) + store uid(16) + nid(4), as a PST makes them */
static void make_eid(const fake_msgstore *fs, ULONG nid, BYTE out[24])
{
    memset(out, 0, 4);
    memcpy(out + 4, fs->uid, 16);
    memcpy(out + 20, &nid, 4);
}

static ULONG parse_eid(const fake_msgstore *fs, ULONG cb, const BYTE *e)
{
    ULONG nid;
    if (cb != 24 || !e || memcmp(e + 4, fs->uid, 16) != 0)
        return 0;
    memcpy(&nid, e + 20, 4);
    return nid;
}

static uint64_t tick(fake_msgstore *fs)
{
    FILETIME ft;
    uint64_t now;
    GetSystemTimeAsFileTime(&ft);
    now = ols_filetime_u64(ft);
    fs->clock = now > fs->clock + 10000 ? now : fs->clock + 10000; /* moves on every save */
    return fs->clock;
}

static FILETIME ft_of(uint64_t v)
{
    FILETIME ft;
    ft.dwLowDateTime = (DWORD)v;
    ft.dwHighDateTime = (DWORD)(v >> 32);
    return ft;
}

static void notify(fake_msgstore *fs, ULONG event, ULONG nid, ULONG parent, ULONG old_nid,
                   ULONG old_parent, ULONG objtype)
{
    NOTIFICATION n;
    BYTE e[24], p[24], oe[24], op[24];
    size_t i;
    memset(&n, 0, sizeof n);
    n.ulEventType = event;
    make_eid(fs, nid, e);
    n.info.obj.cbEntryID = 24;
    n.info.obj.lpEntryID = (LPENTRYID)e;
    n.info.obj.ulObjType = objtype;
    if (parent) {
        make_eid(fs, parent, p);
        n.info.obj.cbParentID = 24;
        n.info.obj.lpParentID = (LPENTRYID)p;
    }
    if (old_nid) {
        make_eid(fs, old_nid, oe);
        n.info.obj.cbOldID = 24;
        n.info.obj.lpOldID = (LPENTRYID)oe;
    }
    if (old_parent) {
        make_eid(fs, old_parent, op);
        n.info.obj.cbOldParentID = 24;
        n.info.obj.lpOldParentID = (LPENTRYID)op;
    }
    for (i = 0; i < fs->nsinks; i++)
        if (fs->sinks[i].sink && (fs->sinks[i].mask & event))
            fs->sinks[i].sink->lpVtbl->OnNotify(fs->sinks[i].sink, 1, &n);
}

/* ---- handing values out through the MAPI allocator ---- */
static int out_copy(SPropValue *d, const SPropValue *s, void *parent, ULONG want_type,
                    ULONG limit)
{
    ULONG i;
    void *m = NULL;
    ULONG st = PROP_TYPE(s->ulPropTag);
    *d = *s;
    if (want_type == PT_STRING8 && st == PT_UNICODE) {
        int n = WideCharToMultiByte(CP_ACP, 0, s->Value.lpszW, -1, NULL, 0, NULL, NULL);
        d->ulPropTag = CHANGE_PROP_TYPE(s->ulPropTag, PT_STRING8);
        if (FAILED(ols_mapi_alloc_more((ULONG)n, parent, &m)))
            return -1;
        WideCharToMultiByte(CP_ACP, 0, s->Value.lpszW, -1, m, n, NULL, NULL);
        d->Value.lpszA = m;
        return 0;
    }
    if (want_type == PT_UNICODE && st == PT_STRING8) {
        int n = MultiByteToWideChar(CP_ACP, 0, s->Value.lpszA, -1, NULL, 0);
        d->ulPropTag = CHANGE_PROP_TYPE(s->ulPropTag, PT_UNICODE);
        if (FAILED(ols_mapi_alloc_more((ULONG)n * 2, parent, &m)))
            return -1;
        MultiByteToWideChar(CP_ACP, 0, s->Value.lpszA, -1, m, n);
        d->Value.lpszW = m;
        return 0;
    }
    if (limit && (st == PT_UNICODE || st == PT_BINARY || st == PT_STRING8) &&
        val_size(s) > limit) {
        d->ulPropTag = CHANGE_PROP_TYPE(s->ulPropTag, PT_ERROR);
        d->Value.err = MAPI_E_NOT_ENOUGH_MEMORY; /* use OpenProperty */
        return 0;
    }
    switch (st) {
    case PT_UNICODE: {
        size_t n = (wcslen(s->Value.lpszW) + 1) * 2;
        if (FAILED(ols_mapi_alloc_more((ULONG)n, parent, &m)))
            return -1;
        memcpy(m, s->Value.lpszW, n);
        d->Value.lpszW = m;
        return 0;
    }
    case PT_STRING8: {
        size_t n = strlen(s->Value.lpszA) + 1;
        if (FAILED(ols_mapi_alloc_more((ULONG)n, parent, &m)))
            return -1;
        memcpy(m, s->Value.lpszA, n);
        d->Value.lpszA = m;
        return 0;
    }
    case PT_BINARY:
        if (FAILED(ols_mapi_alloc_more(s->Value.bin.cb ? s->Value.bin.cb : 1, parent, &m)))
            return -1;
        if (s->Value.bin.cb)
            memcpy(m, s->Value.bin.lpb, s->Value.bin.cb);
        d->Value.bin.lpb = m;
        return 0;
    case PT_CLSID:
        if (FAILED(ols_mapi_alloc_more(sizeof(GUID), parent, &m)))
            return -1;
        memcpy(m, s->Value.lpguid, sizeof(GUID));
        d->Value.lpguid = m;
        return 0;
    case PT_MV_BINARY: {
        SBinary *arr;
        if (FAILED(ols_mapi_alloc_more((s->Value.MVbin.cValues + 1) * sizeof(SBinary), parent,
                                       (void **)&arr)))
            return -1;
        for (i = 0; i < s->Value.MVbin.cValues; i++) {
            arr[i].cb = s->Value.MVbin.lpbin[i].cb;
            if (FAILED(ols_mapi_alloc_more(arr[i].cb ? arr[i].cb : 1, parent, &m)))
                return -1;
            memcpy(m, s->Value.MVbin.lpbin[i].lpb, arr[i].cb);
            arr[i].lpb = m;
        }
        d->Value.MVbin.lpbin = arr;
        return 0;
    }
    case PT_MV_UNICODE: {
        LPWSTR *arr;
        if (FAILED(ols_mapi_alloc_more((s->Value.MVszW.cValues + 1) * sizeof(LPWSTR), parent,
                                       (void **)&arr)))
            return -1;
        for (i = 0; i < s->Value.MVszW.cValues; i++) {
            size_t n = (wcslen(s->Value.MVszW.lppszW[i]) + 1) * 2;
            if (FAILED(ols_mapi_alloc_more((ULONG)n, parent, &m)))
                return -1;
            memcpy(m, s->Value.MVszW.lppszW[i], n);
            arr[i] = m;
        }
        d->Value.MVszW.lppszW = arr;
        return 0;
    }
    case PT_MV_LONG:
        if (FAILED(ols_mapi_alloc_more((s->Value.MVl.cValues + 1) * sizeof(LONG), parent, &m)))
            return -1;
        memcpy(m, s->Value.MVl.lpl, s->Value.MVl.cValues * sizeof(LONG));
        d->Value.MVl.lpl = m;
        return 0;
    default:
        return 0;
    }
}

/* GetProps over a bag (computed values already merged into it by the caller). */
static HRESULT get_props(const bag *b, LPSPropTagArray tags, ULONG flags, ULONG *count,
                         LPSPropValue *out, ULONG limit)
{
    ULONG n = tags ? tags->cValues : (ULONG)b->n, i;
    SPropValue *v = NULL;
    HRESULT hr = S_OK;
    CALL(GetProps);
    if (!count || !out)
        return MAPI_E_INVALID_PARAMETER;
    if (FAILED(ols_mapi_alloc((n ? n : 1) * sizeof *v, (void **)&v)))
        return MAPI_E_NOT_ENOUGH_MEMORY;
    memset(v, 0, (n ? n : 1) * sizeof *v);
    for (i = 0; i < n; i++) {
        ULONG want = tags ? tags->aulPropTag[i] : b->v[i].ulPropTag;
        ULONG wt = PROP_TYPE(want);
        const SPropValue *have = tags ? bag_find(b, want) : &b->v[i];
        ULONG ht = have ? PROP_TYPE(have->ulPropTag) : 0;
        int ok = have && (wt == PT_UNSPECIFIED || wt == ht ||
                          (wt == PT_STRING8 && ht == PT_UNICODE) ||
                          (wt == PT_UNICODE && ht == PT_STRING8));
        if (!ok) {
            v[i].ulPropTag = CHANGE_PROP_TYPE(want, PT_ERROR);
            v[i].Value.err = MAPI_E_NOT_FOUND;
            hr = MAPI_W_ERRORS_RETURNED;
            continue;
        }
        if (wt == PT_UNSPECIFIED)
            wt = ht == PT_UNICODE && !(flags & MAPI_UNICODE) ? PT_STRING8 : ht;
        if (out_copy(&v[i], have, v, wt, limit) != 0) {
            ols_mapi_free(v);
            return MAPI_E_NOT_ENOUGH_MEMORY;
        }
        if (PROP_TYPE(v[i].ulPropTag) == PT_ERROR)
            hr = MAPI_W_ERRORS_RETURNED;
    }
    *count = n;
    *out = v;
    return hr;
}

static HRESULT get_prop_list(const bag *b, LPSPropTagArray *out)
{
    SPropTagArray *a;
    size_t i;
    if (FAILED(ols_mapi_alloc((ULONG)CbNewSPropTagArray(b->n + 1), (void **)&a)))
        return MAPI_E_NOT_ENOUGH_MEMORY;
    a->cValues = (ULONG)b->n;
    for (i = 0; i < b->n; i++)
        a->aulPropTag[i] = b->v[i].ulPropTag;
    *out = a;
    return S_OK;
}

static HRESULT problems(ULONG *idx, ULONG *tags, SCODE *codes, ULONG n, LPSPropProblemArray *out)
{
    SPropProblemArray *p;
    ULONG i;
    if (!out)
        return S_OK;
    *out = NULL;
    if (!n)
        return S_OK;
    if (FAILED(ols_mapi_alloc((ULONG)CbNewSPropProblemArray(n), (void **)&p)))
        return MAPI_E_NOT_ENOUGH_MEMORY;
    p->cProblem = n;
    for (i = 0; i < n; i++) {
        p->aProblem[i].ulIndex = idx[i];
        p->aProblem[i].ulPropTag = tags[i];
        p->aProblem[i].scode = codes[i];
    }
    *out = p;
    return S_OK;
}

static int is_computed_msg(ULONG tag)
{
    switch (PROP_ID(tag)) {
    case PROP_ID(PR_ENTRYID):
    case PROP_ID(PR_PARENT_ENTRYID):
    case PROP_ID(PR_STORE_ENTRYID):
    case PROP_ID(PR_RECORD_KEY):
    case PROP_ID(PR_OBJECT_TYPE):
    case PROP_ID(PR_MESSAGE_SIZE):
    case PROP_ID(PR_LAST_MODIFICATION_TIME):
    case PROP_ID(PR_CREATION_TIME):
    case PROP_ID(PR_ACCESS):
    case PROP_ID(PR_HASATTACH):
    case PROP_ID(PR_DISPLAY_TO_W):
    case PROP_ID(PR_DISPLAY_CC_W):
    case PROP_ID(PR_DISPLAY_BCC_W):
    case PROP_ID(PR_ATTACH_NUM):
    case PROP_ID(PR_ATTACH_SIZE):
    case PROP_ID(PR_INSTANCE_KEY):
    case PROP_ID(PR_ROWID):
        return 1;
    default:
        return 0;
    }
}

/* SetProps on a bag; computed tags and oversized values become problems. */
static HRESULT set_props(bag *b, ULONG n, LPSPropValue v, LPSPropProblemArray *probs,
                         int (*refuse)(void *ctx, ULONG tag), void *ctx, ULONG limit)
{
    ULONG i, np = 0, *idx = calloc(n + 1, sizeof *idx), *tags = calloc(n + 1, sizeof *tags);
    SCODE *codes = calloc(n + 1, sizeof *codes);
    HRESULT hr = S_OK;
    CALL(SetProps);
    if (!idx || !tags || !codes) {
        free(idx);
        free(tags);
        free(codes);
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    for (i = 0; i < n; i++) {
        ULONG t = PROP_TYPE(v[i].ulPropTag);
        SCODE sc = 0;
        if (t == PT_ERROR || t == PT_NULL)
            continue;
        if (PROP_ID(v[i].ulPropTag) == 0 || PROP_ID(v[i].ulPropTag) == PROP_ID_INVALID)
            sc = MAPI_E_INVALID_PARAMETER;
        else if (refuse && refuse(ctx, v[i].ulPropTag))
            sc = MAPI_E_COMPUTED;
        else if (limit && (t == PT_UNICODE || t == PT_BINARY || t == PT_STRING8) &&
                 val_size(&v[i]) > limit)
            sc = MAPI_E_NOT_ENOUGH_MEMORY;
        else if (bag_set(b, &v[i]) != 0)
            sc = MAPI_E_NOT_ENOUGH_MEMORY;
        if (sc) {
            idx[np] = i;
            tags[np] = v[i].ulPropTag;
            codes[np++] = sc;
        }
    }
    hr = problems(idx, tags, codes, np, probs);
    free(idx);
    free(tags);
    free(codes);
    return hr;
}

static HRESULT delete_props(bag *b, LPSPropTagArray tags, LPSPropProblemArray *probs,
                            int (*refuse)(void *ctx, ULONG tag), void *ctx)
{
    ULONG i, np = 0, n = tags ? tags->cValues : 0;
    ULONG *idx = calloc(n + 1, sizeof *idx), *pt = calloc(n + 1, sizeof *pt);
    SCODE *codes = calloc(n + 1, sizeof *codes);
    HRESULT hr;
    CALL(DeleteProps);
    if (!idx || !pt || !codes) {
        free(idx);
        free(pt);
        free(codes);
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    for (i = 0; i < n; i++) {
        if (refuse && refuse(ctx, tags->aulPropTag[i])) {
            idx[np] = i;
            pt[np] = tags->aulPropTag[i];
            codes[np++] = MAPI_E_COMPUTED;
            continue;
        }
        bag_del(b, tags->aulPropTag[i]);
    }
    hr = problems(idx, pt, codes, np, probs);
    free(idx);
    free(pt);
    free(codes);
    return hr;
}

/* ---- named properties ---- */
static HRESULT ids_from_names(fake_msgstore *fs, ULONG n, LPMAPINAMEID *names, ULONG flags,
                              LPSPropTagArray *out)
{
    SPropTagArray *a;
    ULONG i;
    HRESULT hr = S_OK;
    CALL(GetIDsFromNames);
    if (!n || !names)
        return MAPI_E_NO_SUPPORT; /* listing every name is not needed by anyone here */
    if (FAILED(ols_mapi_alloc((ULONG)CbNewSPropTagArray(n), (void **)&a)))
        return MAPI_E_NOT_ENOUGH_MEMORY;
    a->cValues = n;
    for (i = 0; i < n; i++) {
        const MAPINAMEID *q = names[i];
        size_t k;
        ULONG found = 0;
        for (k = 0; k < fs->nnames && !found; k++) {
            named *x = &fs->names[k];
            if (IsEqualGUID(&x->guid, q->lpguid) && x->kind == q->ulKind &&
                (q->ulKind == MNID_ID ? x->id == q->Kind.lID
                                      : !wcscmp(x->name, q->Kind.lpwstrName)))
                found = (ULONG)(0x8000 + k);
        }
        if (!found && (flags & MAPI_CREATE)) {
            named *nn = realloc(fs->names, (fs->nnames + 1) * sizeof *nn);
            if (nn) {
                fs->names = nn;
                nn[fs->nnames].guid = *q->lpguid;
                nn[fs->nnames].kind = q->ulKind;
                nn[fs->nnames].id = q->ulKind == MNID_ID ? q->Kind.lID : 0;
                nn[fs->nnames].name = q->ulKind == MNID_STRING ? _wcsdup(q->Kind.lpwstrName) : NULL;
                found = (ULONG)(0x8000 + fs->nnames);
                fs->nnames++;
                persist(fs);
            }
        }
        if (found) {
            a->aulPropTag[i] = PROP_TAG(PT_UNSPECIFIED, found);
        } else {
            a->aulPropTag[i] = PROP_TAG(PT_ERROR, PROP_ID_NULL);
            hr = MAPI_W_ERRORS_RETURNED;
        }
    }
    *out = a;
    return hr;
}

/* ---- streams ---- */
typedef struct fstream {
    IStream IStream_iface;
    LONG ref;
    BYTE *data;
    size_t n, cap, pos;
    int writable, dirty;
    IUnknown *owner; /* keeps the bag alive */
    bag *target;
    ULONG tag;
} fstream;

static fstream *impl_from_IStream(IStream *i) { return CONTAINING_RECORD(i, fstream, IStream_iface); }

static HRESULT STDMETHODCALLTYPE st_qi(IStream *i, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IStream) ||
        IsEqualIID(riid, &IID_ISequentialStream)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE st_addref(IStream *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IStream(i)->ref);
}
static ULONG STDMETHODCALLTYPE st_release(IStream *i)
{
    fstream *s = impl_from_IStream(i);
    LONG r = InterlockedDecrement(&s->ref);
    if (!r) {
        /* uncommitted writes are dropped, as a transacted store drops them */
        if (s->owner)
            s->owner->lpVtbl->Release(s->owner);
        free(s->data);
        free(s);
        InterlockedDecrement(&g_objects);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE st_read(IStream *i, void *pv, ULONG cb, ULONG *got)
{
    fstream *s = impl_from_IStream(i);
    size_t n = s->pos < s->n ? s->n - s->pos : 0;
    if (n > cb)
        n = cb;
    memcpy(pv, s->data + s->pos, n);
    s->pos += n;
    if (got)
        *got = (ULONG)n;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE st_write(IStream *i, const void *pv, ULONG cb, ULONG *put)
{
    fstream *s = impl_from_IStream(i);
    if (!s->writable)
        return STG_E_ACCESSDENIED;
    if (s->pos + cb > s->cap) {
        size_t nc = s->cap ? s->cap : 4096;
        BYTE *nd;
        while (nc < s->pos + cb)
            nc *= 2;
        nd = realloc(s->data, nc);
        if (!nd)
            return STG_E_MEDIUMFULL;
        s->data = nd;
        s->cap = nc;
    }
    memcpy(s->data + s->pos, pv, cb);
    s->pos += cb;
    if (s->pos > s->n)
        s->n = s->pos;
    s->dirty = 1;
    if (put)
        *put = cb;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE st_seek(IStream *i, LARGE_INTEGER move, DWORD origin,
                                         ULARGE_INTEGER *newpos)
{
    fstream *s = impl_from_IStream(i);
    LONGLONG base = origin == STREAM_SEEK_SET ? 0 : origin == STREAM_SEEK_CUR ? (LONGLONG)s->pos
                                                                              : (LONGLONG)s->n;
    if (base + move.QuadPart < 0)
        return STG_E_INVALIDFUNCTION;
    s->pos = (size_t)(base + move.QuadPart);
    if (newpos)
        newpos->QuadPart = s->pos;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE st_setsize(IStream *i, ULARGE_INTEGER size)
{
    fstream *s = impl_from_IStream(i);
    if (!s->writable)
        return STG_E_ACCESSDENIED;
    if (size.QuadPart > s->cap) {
        BYTE *nd = realloc(s->data, (size_t)size.QuadPart);
        if (!nd)
            return STG_E_MEDIUMFULL;
        s->data = nd;
        s->cap = (size_t)size.QuadPart;
    }
    if (size.QuadPart > s->n)
        memset(s->data + s->n, 0, (size_t)size.QuadPart - s->n);
    s->n = (size_t)size.QuadPart;
    s->dirty = 1;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE st_copyto(IStream *i, IStream *dst, ULARGE_INTEGER cb,
                                           ULARGE_INTEGER *read, ULARGE_INTEGER *written)
{
    (void)i, (void)dst, (void)cb, (void)read, (void)written;
    return E_NOTIMPL;
}
static HRESULT STDMETHODCALLTYPE st_commit(IStream *i, DWORD flags)
{
    fstream *s = impl_from_IStream(i);
    SPropValue v;
    wchar_t *w = NULL;
    (void)flags;
    CALL(StreamCommit);
    if (!s->writable || !s->target)
        return S_OK;
    memset(&v, 0, sizeof v);
    v.ulPropTag = s->tag;
    if (PROP_TYPE(s->tag) == PT_UNICODE) {
        size_t cnt = s->n / 2;
        w = malloc((cnt + 1) * sizeof *w);
        if (!w)
            return STG_E_MEDIUMFULL;
        memcpy(w, s->data, cnt * 2);
        w[cnt] = 0;
        while (cnt && !w[cnt - 1]) /* a terminator written into the stream is not content */
            w[--cnt] = 0;
        v.Value.lpszW = w;
    } else {
        v.ulPropTag = CHANGE_PROP_TYPE(s->tag, PT_BINARY);
        v.Value.bin.cb = (ULONG)s->n;
        v.Value.bin.lpb = s->data;
    }
    bag_set(s->target, &v);
    free(w);
    s->dirty = 0;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE st_revert(IStream *i)
{
    (void)i;
    return E_NOTIMPL;
}
static HRESULT STDMETHODCALLTYPE st_lock(IStream *i, ULARGE_INTEGER o, ULARGE_INTEGER cb, DWORD t)
{
    (void)i, (void)o, (void)cb, (void)t;
    return STG_E_INVALIDFUNCTION;
}
static HRESULT STDMETHODCALLTYPE st_stat(IStream *i, STATSTG *st, DWORD flag)
{
    fstream *s = impl_from_IStream(i);
    (void)flag;
    memset(st, 0, sizeof *st);
    st->type = STGTY_STREAM;
    st->cbSize.QuadPart = s->n;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE st_clone(IStream *i, IStream **out)
{
    (void)i;
    *out = NULL;
    return E_NOTIMPL;
}

static const IStreamVtbl stream_vtbl = {st_qi,     st_addref, st_release, st_read,   st_write,
                                        st_seek,   st_setsize, st_copyto, st_commit, st_revert,
                                        st_lock,   st_lock,   st_stat,   st_clone};

static HRESULT open_stream(bag *b, ULONG tag, ULONG flags, IUnknown *owner, int can_write,
                           IUnknown **out)
{
    fstream *s;
    const SPropValue *v = bag_find(b, tag);
    int create = (flags & MAPI_CREATE) != 0;
    if (!create && (!v || PROP_TYPE(v->ulPropTag) != PROP_TYPE(tag)))
        return MAPI_E_NOT_FOUND;
    if ((flags & (MAPI_CREATE | MAPI_MODIFY)) && !can_write)
        return MAPI_E_NO_ACCESS;
    s = calloc(1, sizeof *s);
    if (!s)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    s->IStream_iface.lpVtbl = (IStreamVtbl *)&stream_vtbl; /* mingw: no CONST_VTBL */
    s->ref = 1;
    s->writable = (flags & (MAPI_CREATE | MAPI_MODIFY)) != 0;
    s->target = b;
    s->tag = tag;
    s->owner = owner;
    owner->lpVtbl->AddRef(owner);
    if (!create && v) {
        const void *src = PROP_TYPE(v->ulPropTag) == PT_UNICODE ? (const void *)v->Value.lpszW
                                                                 : v->Value.bin.lpb;
        size_t n = PROP_TYPE(v->ulPropTag) == PT_UNICODE ? wcslen(v->Value.lpszW) * 2
                                                          : v->Value.bin.cb;
        s->data = malloc(n ? n : 1);
        if (s->data && n)
            memcpy(s->data, src, n);
        s->n = s->cap = n;
    }
    InterlockedIncrement(&g_objects);
    *out = (IUnknown *)&s->IStream_iface;
    return S_OK;
}

/* ---- tables ---- */
typedef struct ftable {
    IMAPITable IMAPITable_iface;
    LONG ref;
    bag *rows;
    size_t nrows, pos;
    SPropTagArray *cols;
    size_t *order; /* rows passing the restriction */
    size_t norder;
} ftable;

static ftable *impl_from_IMAPITable(IMAPITable *i)
{
    return CONTAINING_RECORD(i, ftable, IMAPITable_iface);
}

static HRESULT STDMETHODCALLTYPE tb_qi(IMAPITable *i, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPITable)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE tb_addref(IMAPITable *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IMAPITable(i)->ref);
}
static ULONG STDMETHODCALLTYPE tb_release(IMAPITable *i)
{
    ftable *t = impl_from_IMAPITable(i);
    LONG r = InterlockedDecrement(&t->ref);
    if (!r) {
        size_t k;
        for (k = 0; k < t->nrows; k++)
            bag_free(&t->rows[k]);
        free(t->rows);
        free(t->cols);
        free(t->order);
        free(t);
        InterlockedDecrement(&g_objects);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE tb_lasterr(IMAPITable *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_advise(IMAPITable *i, ULONG m, LPMAPIADVISESINK s,
                                           ULONG_PTR *c)
{
    (void)i, (void)m, (void)s, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_unadvise(IMAPITable *i, ULONG_PTR c)
{
    (void)i, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_status(IMAPITable *i, ULONG *s, ULONG *t)
{
    (void)i;
    *s = 0;
    *t = 0;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_setcols(IMAPITable *i, LPSPropTagArray cols, ULONG f)
{
    ftable *t = impl_from_IMAPITable(i);
    SPropTagArray *c;
    (void)f;
    if (!cols)
        return MAPI_E_INVALID_PARAMETER;
    c = malloc(CbNewSPropTagArray(cols->cValues));
    if (!c)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    memcpy(c, cols, CbNewSPropTagArray(cols->cValues));
    free(t->cols);
    t->cols = c;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_querycols(IMAPITable *i, ULONG f, LPSPropTagArray *out)
{
    (void)i, (void)f, (void)out;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_count(IMAPITable *i, ULONG f, ULONG *n)
{
    (void)f;
    *n = (ULONG)impl_from_IMAPITable(i)->norder;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_seek(IMAPITable *i, BOOKMARK origin, LONG rows, LONG *sought)
{
    ftable *t = impl_from_IMAPITable(i);
    LONG base = origin == BOOKMARK_BEGINNING ? 0 : origin == BOOKMARK_END ? (LONG)t->norder
                                                                          : (LONG)t->pos;
    LONG np = base + rows;
    if (origin > BOOKMARK_END)
        return MAPI_E_INVALID_BOOKMARK;
    if (np < 0)
        np = 0;
    if (np > (LONG)t->norder)
        np = (LONG)t->norder;
    if (sought)
        *sought = np - base;
    t->pos = (size_t)np;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_seekapprox(IMAPITable *i, ULONG a, ULONG b)
{
    (void)i, (void)a, (void)b;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_querypos(IMAPITable *i, ULONG *r, ULONG *a, ULONG *b)
{
    ftable *t = impl_from_IMAPITable(i);
    *r = (ULONG)t->pos;
    *a = (ULONG)t->pos;
    *b = (ULONG)t->norder;
    return S_OK;
}

static int restrict_ok(const bag *row, const SRestriction *r);

static int cmp_values(const SPropValue *a, const SPropValue *b)
{
    switch (PROP_TYPE(a->ulPropTag)) {
    case PT_LONG:
        return a->Value.l < b->Value.l ? -1 : a->Value.l > b->Value.l;
    case PT_BOOLEAN:
        return (a->Value.b != 0) - (b->Value.b != 0);
    case PT_UNICODE:
        return _wcsicmp(a->Value.lpszW, b->Value.lpszW);
    case PT_BINARY:
        if (a->Value.bin.cb != b->Value.bin.cb)
            return a->Value.bin.cb < b->Value.bin.cb ? -1 : 1;
        return memcmp(a->Value.bin.lpb, b->Value.bin.lpb, a->Value.bin.cb);
    case PT_SYSTIME: {
        uint64_t x = ols_filetime_u64(a->Value.ft), y = ols_filetime_u64(b->Value.ft);
        return x < y ? -1 : x > y;
    }
    default:
        return 2;
    }
}

static int restrict_ok(const bag *row, const SRestriction *r)
{
    ULONG i;
    if (!r)
        return 1;
    switch (r->rt) {
    case RES_AND:
        for (i = 0; i < r->res.resAnd.cRes; i++)
            if (!restrict_ok(row, &r->res.resAnd.lpRes[i]))
                return 0;
        return 1;
    case RES_OR:
        for (i = 0; i < r->res.resOr.cRes; i++)
            if (restrict_ok(row, &r->res.resOr.lpRes[i]))
                return 1;
        return 0;
    case RES_NOT:
        return !restrict_ok(row, r->res.resNot.lpRes);
    case RES_EXIST:
        return bag_find(row, r->res.resExist.ulPropTag) != NULL;
    case RES_PROPERTY: {
        const SPropValue *v = bag_find(row, r->res.resProperty.ulPropTag);
        int c;
        if (!v)
            return 0;
        c = cmp_values(v, r->res.resProperty.lpProp);
        switch (r->res.resProperty.relop) {
        case RELOP_EQ:
            return c == 0;
        case RELOP_NE:
            return c != 0;
        case RELOP_LT:
            return c < 0;
        case RELOP_LE:
            return c <= 0;
        case RELOP_GT:
            return c > 0 && c != 2;
        case RELOP_GE:
            return c >= 0 && c != 2;
        default:
            return 0;
        }
    }
    case RES_BITMASK: {
        const SPropValue *v = bag_find(row, r->res.resBitMask.ulPropTag);
        int nz = v && (v->Value.ul & r->res.resBitMask.ulMask);
        return r->res.resBitMask.relBMR == BMR_NEZ ? nz : !nz;
    }
    default:
        return 1;
    }
}

static HRESULT STDMETHODCALLTYPE tb_findrow(IMAPITable *i, LPSRestriction r, BOOKMARK origin,
                                            ULONG f)
{
    ftable *t = impl_from_IMAPITable(i);
    size_t k = origin == BOOKMARK_BEGINNING ? 0 : t->pos;
    (void)f;
    for (; k < t->norder; k++)
        if (restrict_ok(&t->rows[t->order[k]], r)) {
            t->pos = k;
            return S_OK;
        }
    return MAPI_E_NOT_FOUND;
}
static HRESULT STDMETHODCALLTYPE tb_restrict(IMAPITable *i, LPSRestriction r, ULONG f)
{
    ftable *t = impl_from_IMAPITable(i);
    size_t k;
    (void)f;
    t->norder = 0;
    for (k = 0; k < t->nrows; k++)
        if (restrict_ok(&t->rows[k], r))
            t->order[t->norder++] = k;
    t->pos = 0;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_bookmark(IMAPITable *i, BOOKMARK *b)
{
    /* a bookmark is pointer-sized (mingw-w64 declares it 32-bit) */
    *b = (BOOKMARK)impl_from_IMAPITable(i)->pos + ((BOOKMARK)1 << 40);
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_freebookmark(IMAPITable *i, BOOKMARK b)
{
    (void)i, (void)b;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_sort(IMAPITable *i, LPSSortOrderSet s, ULONG f)
{
    (void)i, (void)s, (void)f;
    return S_OK; /* insertion order is the order here */
}
static HRESULT STDMETHODCALLTYPE tb_querysort(IMAPITable *i, LPSSortOrderSet *s)
{
    (void)i, (void)s;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_queryrows(IMAPITable *i, LONG count, ULONG flags,
                                              LPSRowSet *out)
{
    ftable *t = impl_from_IMAPITable(i);
    size_t n = t->pos < t->norder ? t->norder - t->pos : 0, k;
    SRowSet *rs;
    CALL(QueryRows);
    if (count < 0)
        return MAPI_E_NO_SUPPORT;
    if ((size_t)count < n)
        n = (size_t)count;
    if (FAILED(ols_mapi_alloc((ULONG)CbNewSRowSet(n + 1), (void **)&rs)))
        return MAPI_E_NOT_ENOUGH_MEMORY;
    rs->cRows = 0;
    for (k = 0; k < n; k++) {
        const bag *row = &t->rows[t->order[t->pos + k]];
        ULONG nc = t->cols ? t->cols->cValues : (ULONG)row->n, c;
        SPropValue *v;
        if (FAILED(ols_mapi_alloc((nc ? nc : 1) * sizeof *v, (void **)&v))) {
            ols_mapi_free_rows(rs);
            return MAPI_E_NOT_ENOUGH_MEMORY;
        }
        memset(v, 0, (nc ? nc : 1) * sizeof *v);
        for (c = 0; c < nc; c++) {
            ULONG want = t->cols ? t->cols->aulPropTag[c] : row->v[c].ulPropTag;
            const SPropValue *have = t->cols ? bag_find(row, want) : &row->v[c];
            ULONG wt = PROP_TYPE(want), ht = have ? PROP_TYPE(have->ulPropTag) : 0;
            if (!have || (wt != PT_UNSPECIFIED && wt != ht)) {
                v[c].ulPropTag = CHANGE_PROP_TYPE(want, PT_ERROR);
                v[c].Value.err = MAPI_E_NOT_FOUND;
                continue;
            }
            out_copy(&v[c], have, v, ht, 0);
            /* tables cut long strings, as Exchange and PST tables do */
            if (ht == PT_UNICODE && wcslen(v[c].Value.lpszW) > 255)
                v[c].Value.lpszW[255] = 0;
        }
        rs->aRow[rs->cRows].ulAdrEntryPad = 0;
        rs->aRow[rs->cRows].cValues = nc;
        rs->aRow[rs->cRows].lpProps = v;
        rs->cRows++;
    }
    if (!(flags & TBL_NOADVANCE))
        t->pos += n;
    *out = rs;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_abort(IMAPITable *i)
{
    (void)i;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_expand(IMAPITable *i, ULONG a, LPBYTE b, ULONG c, ULONG d,
                                           LPSRowSet *e, ULONG *f)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_collapse(IMAPITable *i, ULONG a, LPBYTE b, ULONG c, ULONG *d)
{
    (void)i, (void)a, (void)b, (void)c, (void)d;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_wait(IMAPITable *i, ULONG a, ULONG b, ULONG *c)
{
    (void)i, (void)a, (void)b;
    if (c)
        *c = 0;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE tb_getcollapse(IMAPITable *i, ULONG a, ULONG b, LPBYTE c,
                                                ULONG *d, LPBYTE *e)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE tb_setcollapse(IMAPITable *i, ULONG a, ULONG b, LPBYTE c,
                                                BOOKMARK *d)
{
    (void)i, (void)a, (void)b, (void)c, (void)d;
    return MAPI_E_NO_SUPPORT;
}

static const IMAPITableVtbl table_vtbl = {
    tb_qi,      tb_addref,      tb_release,  tb_lasterr,   tb_advise,    tb_unadvise,
    tb_status,  tb_setcols,     tb_querycols, tb_count,    tb_seek,      tb_seekapprox,
    tb_querypos, tb_findrow,    tb_restrict, tb_bookmark,  tb_freebookmark, tb_sort,
    tb_querysort, tb_queryrows, tb_abort,    tb_expand,    tb_collapse,  tb_wait,
    tb_getcollapse, tb_setcollapse};

/* A snapshot table over rows the caller built (ownership passes to the table). */
static HRESULT make_table(bag *rows, size_t n, IMAPITable **out)
{
    ftable *t = calloc(1, sizeof *t);
    size_t k;
    if (!t)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    t->IMAPITable_iface.lpVtbl = &table_vtbl;
    t->ref = 1;
    t->rows = rows;
    t->nrows = n;
    t->order = calloc(n + 1, sizeof *t->order);
    if (!t->order) {
        free(t);
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    for (k = 0; k < n; k++)
        t->order[k] = k;
    t->norder = n;
    InterlockedIncrement(&g_objects);
    *out = &t->IMAPITable_iface;
    return S_OK;
}

HRESULT fake_table_new(ULONG nrows, const SPropValue *const *rows, const ULONG *ncols,
                       IMAPITable **out)
{
    bag *b = calloc(nrows + 1, sizeof *b);
    ULONG r, c;
    HRESULT hr;
    if (!b)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (r = 0; r < nrows; r++)
        for (c = 0; c < ncols[r]; c++)
            bag_set(&b[r], &rows[r][c]);
    hr = make_table(b, nrows, out);
    if (FAILED(hr)) {
        for (r = 0; r < nrows; r++)
            bag_free(&b[r]);
        free(b);
    }
    return hr;
}

/* ---- computed properties ---- */
static void msg_computed(fake_msgstore *fs, const frec_msg *m, bag *b)
{
    BYTE e[24];
    bag_copy(b, &m->props);
    if (m->saved) {
        make_eid(fs, m->nid, e);
        bag_set_bin(b, PR_ENTRYID, e, 24);
        bag_set_bin(b, PR_RECORD_KEY, e, 24);
    }
    if (m->folder) {
        make_eid(fs, m->folder, e);
        bag_set_bin(b, PR_PARENT_ENTRYID, e, 24);
    }
    bag_set_long(b, PR_OBJECT_TYPE, MAPI_MESSAGE);
    bag_set_long(b, PR_ACCESS, 0x3F);
}

static void folder_computed(fake_msgstore *fs, const frec_folder *f, bag *b)
{
    BYTE e[24];
    size_t k, unread = 0, normal = 0;
    bag_copy(b, &f->props);
    make_eid(fs, f->nid, e);
    bag_set_bin(b, PR_ENTRYID, e, 24);
    bag_set_bin(b, PR_RECORD_KEY, e, 24);
    if (f->parent) {
        make_eid(fs, f->parent, e);
        bag_set_bin(b, PR_PARENT_ENTRYID, e, 24);
    } else {
        bag_set_bin(b, PR_PARENT_ENTRYID, e, 24); /* the root is its own parent */
    }
    for (k = 0; k < f->nmsgs; k++) {
        frec_msg *m = msg_rec(fs, f->msgs[k]);
        if (!m || m->assoc)
            continue;
        normal++;
        if (!(bag_long(&m->props, PR_MESSAGE_FLAGS, 0) & MSGFLAG_READ))
            unread++;
    }
    bag_set_long(b, PR_CONTENT_COUNT, (LONG)normal);
    bag_set_long(b, PROP_TAG(PT_LONG, 0x3603), (LONG)unread); /* PR_CONTENT_UNREAD */
    {
        SPropValue v;
        memset(&v, 0, sizeof v);
        v.ulPropTag = PR_SUBFOLDERS;
        v.Value.b = f->nkids ? 1 : 0;
        bag_set(b, &v);
    }
    bag_set_long(b, PR_OBJECT_TYPE, MAPI_FOLDER);
    bag_set_long(b, PR_FOLDER_TYPE, f->parent ? FOLDER_GENERIC : FOLDER_ROOT);
}

/* ---- objects: forward declarations ---- */
typedef struct fmessage fmessage;
typedef struct fattach fattach;
typedef struct ffolder ffolder;

static HRESULT new_folder_obj(fake_msgstore *fs, ULONG nid, int writable, IMAPIFolder **out);
static HRESULT new_message_obj(fake_msgstore *fs, frec_msg *work, ULONG nid, ULONG folder,
                               int writable, fattach *owner, IMessage **out);
static HRESULT store_open_entry(fake_msgstore *fs, ULONG cb, LPENTRYID e, LPCIID iid, ULONG flags,
                                ULONG *type, LPUNKNOWN *unk);

/* ---- attachments ---- */
struct fattach {
    IAttach IAttach_iface;
    LONG ref;
    fmessage *owner;
    fatt work;
    int writable;
};

struct fmessage {
    IMessage IMessage_iface;
    LONG ref;
    fake_msgstore *fs;
    frec_msg *work;
    ULONG nid, folder;
    unsigned version;
    int writable, is_new;
    fattach *owner; /* an embedded message commits into this attachment */
};

static fattach *impl_from_IAttach(IAttach *i) { return CONTAINING_RECORD(i, fattach, IAttach_iface); }
static fmessage *impl_from_IMessage(IMessage *i)
{
    return CONTAINING_RECORD(i, fmessage, IMessage_iface);
}

static int refuse_att(void *ctx, ULONG tag)
{
    (void)ctx;
    return PROP_ID(tag) == PROP_ID(PR_ATTACH_NUM) || PROP_ID(tag) == PROP_ID(PR_ATTACH_SIZE) ||
           PROP_ID(tag) == PROP_ID(PR_OBJECT_TYPE);
}

static HRESULT STDMETHODCALLTYPE at_qi(IAttach *i, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProp) ||
        IsEqualIID(riid, &IID_IAttachment)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE at_addref(IAttach *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IAttach(i)->ref);
}
static ULONG STDMETHODCALLTYPE at_release(IAttach *i)
{
    fattach *a = impl_from_IAttach(i);
    LONG r = InterlockedDecrement(&a->ref);
    if (!r) {
        bag_free(&a->work.props);
        msg_free(a->work.embedded);
        a->owner->IMessage_iface.lpVtbl->Release(&a->owner->IMessage_iface);
        free(a);
        InterlockedDecrement(&g_objects);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE at_lasterr(IAttach *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE at_save(IAttach *i, ULONG flags)
{
    fattach *a = impl_from_IAttach(i);
    frec_msg *m = a->owner->work;
    size_t k;
    fatt *dst = NULL;
    (void)flags;
    CALL(SaveChanges);
    if (!a->writable)
        return MAPI_E_NO_ACCESS;
    for (k = 0; k < m->natts; k++)
        if (m->atts[k].num == a->work.num)
            dst = &m->atts[k];
    if (!dst) {
        fatt *na = realloc(m->atts, (m->natts + 1) * sizeof *na);
        if (!na)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        m->atts = na;
        dst = &m->atts[m->natts++];
        memset(dst, 0, sizeof *dst);
    } else {
        bag_free(&dst->props);
        msg_free(dst->embedded);
        dst->embedded = NULL;
    }
    dst->num = a->work.num;
    bag_copy(&dst->props, &a->work.props);
    dst->embedded = a->work.embedded ? msg_dup(a->work.embedded) : NULL;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE at_getprops(IAttach *i, LPSPropTagArray tags, ULONG flags,
                                             ULONG *n, LPSPropValue *out)
{
    fattach *a = impl_from_IAttach(i);
    bag b;
    HRESULT hr;
    bag_copy(&b, &a->work.props);
    bag_set_long(&b, PR_ATTACH_NUM, (LONG)a->work.num);
    bag_set_long(&b, PR_OBJECT_TYPE, MAPI_ATTACH);
    hr = get_props(&b, tags, flags, n, out, a->owner->fs->o.large_limit);
    bag_free(&b);
    return hr;
}
static HRESULT STDMETHODCALLTYPE at_proplist(IAttach *i, ULONG f, LPSPropTagArray *out)
{
    (void)f;
    return get_prop_list(&impl_from_IAttach(i)->work.props, out);
}
static HRESULT STDMETHODCALLTYPE at_openprop(IAttach *i, ULONG tag, LPCIID iid, ULONG opts,
                                             ULONG flags, LPUNKNOWN *out)
{
    fattach *a = impl_from_IAttach(i);
    (void)opts;
    CALL(OpenProperty);
    if (!iid || !out)
        return MAPI_E_INVALID_PARAMETER;
    if (PROP_ID(tag) == PROP_ID(PR_ATTACH_DATA_OBJ) && IsEqualIID(iid, &IID_IMessage)) {
        IMessage *m = NULL;
        HRESULT hr;
        frec_msg *work;
        if (flags & MAPI_CREATE) {
            if (!a->writable)
                return MAPI_E_NO_ACCESS;
            work = calloc(1, sizeof *work);
            if (!work)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            bag_set_long(&work->props, PR_MESSAGE_FLAGS, MSGFLAG_UNSENT | MSGFLAG_READ);
        } else {
            if (!a->work.embedded)
                return MAPI_E_NOT_FOUND;
            work = msg_dup(a->work.embedded);
            if (!work)
                return MAPI_E_NOT_ENOUGH_MEMORY;
        }
        hr = new_message_obj(a->owner->fs, work, 0, 0, a->writable, a, &m);
        if (FAILED(hr)) {
            msg_free(work);
            return hr;
        }
        impl_from_IMessage(m)->is_new = (flags & MAPI_CREATE) != 0;
        *out = (IUnknown *)m;
        return S_OK;
    }
    if (IsEqualIID(iid, &IID_IStream))
        return open_stream(&a->work.props, tag, flags, (IUnknown *)i, a->writable, out);
    return MAPI_E_INTERFACE_NOT_SUPPORTED;
}
static HRESULT STDMETHODCALLTYPE at_setprops(IAttach *i, ULONG n, LPSPropValue v,
                                             LPSPropProblemArray *p)
{
    fattach *a = impl_from_IAttach(i);
    if (!a->writable)
        return MAPI_E_NO_ACCESS;
    return set_props(&a->work.props, n, v, p, refuse_att, NULL, a->owner->fs->o.large_limit);
}
static HRESULT STDMETHODCALLTYPE at_delprops(IAttach *i, LPSPropTagArray t, LPSPropProblemArray *p)
{
    fattach *a = impl_from_IAttach(i);
    if (!a->writable)
        return MAPI_E_NO_ACCESS;
    return delete_props(&a->work.props, t, p, refuse_att, NULL);
}
static HRESULT STDMETHODCALLTYPE at_copyto(IAttach *i, ULONG a, LPCIID b, LPSPropTagArray c,
                                           ULONG_PTR d, LPMAPIPROGRESS e, LPCIID f, LPVOID g,
                                           ULONG h, LPSPropProblemArray *k)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)k;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE at_copyprops(IAttach *i, LPSPropTagArray a, ULONG_PTR b,
                                              LPMAPIPROGRESS c, LPCIID d, LPVOID e, ULONG f,
                                              LPSPropProblemArray *g)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE at_names(IAttach *i, LPSPropTagArray *a, LPGUID b, ULONG c,
                                          ULONG *d, LPMAPINAMEID **e)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE at_ids(IAttach *i, ULONG n, LPMAPINAMEID *names, ULONG flags,
                                        LPSPropTagArray *out)
{
    return ids_from_names(impl_from_IAttach(i)->owner->fs, n, names, flags, out);
}

static const IAttachVtbl attach_vtbl = {at_qi,      at_addref,  at_release, at_lasterr,
                                        at_save,    at_getprops, at_proplist, at_openprop,
                                        at_setprops, at_delprops, at_copyto, at_copyprops,
                                        at_names,   at_ids};

static HRESULT new_attach_obj(fmessage *owner, const fatt *src, ULONG num, IAttach **out)
{
    fattach *a = calloc(1, sizeof *a);
    if (!a)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    a->IAttach_iface.lpVtbl = &attach_vtbl;
    a->ref = 1;
    a->owner = owner;
    a->writable = owner->writable;
    owner->IMessage_iface.lpVtbl->AddRef(&owner->IMessage_iface);
    if (src) {
        bag_copy(&a->work.props, &src->props);
        a->work.embedded = src->embedded ? msg_dup(src->embedded) : NULL;
    }
    a->work.num = num;
    InterlockedIncrement(&g_objects);
    *out = &a->IAttach_iface;
    return S_OK;
}

/* ---- messages ---- */
static int refuse_msg(void *ctx, ULONG tag)
{
    fmessage *m = ctx;
    if (is_computed_msg(tag))
        return 1;
    /* read-only once the message was saved (MS-OXCMSG): change it with SetReadFlag */
    if (PROP_ID(tag) == PROP_ID(PR_MESSAGE_FLAGS) && !m->is_new)
        return 1;
    return 0;
}

static HRESULT STDMETHODCALLTYPE ms_qi(IMessage *i, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProp) ||
        IsEqualIID(riid, &IID_IMessage)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE ms_addref(IMessage *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IMessage(i)->ref);
}
static ULONG STDMETHODCALLTYPE ms_release(IMessage *i)
{
    fmessage *m = impl_from_IMessage(i);
    LONG r = InterlockedDecrement(&m->ref);
    if (!r) {
        msg_free(m->work); /* unsaved changes vanish */
        if (m->owner)
            m->owner->IAttach_iface.lpVtbl->Release(&m->owner->IAttach_iface);
        m->fs->iface.lpVtbl->Release(&m->fs->iface);
        free(m);
        InterlockedDecrement(&g_objects);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE ms_lasterr(IMessage *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}

static void compute_on_save(fake_msgstore *fs, frec_msg *w, int first)
{
    static const struct {
        LONG type;
        ULONG tag;
    } disp[] = {{MAPI_TO, PR_DISPLAY_TO_W}, {MAPI_CC, PR_DISPLAY_CC_W}, {MAPI_BCC, PR_DISPLAY_BCC_W}};
    size_t k, d;
    uint64_t now = tick(fs);
    SPropValue v;
    LONG flags = bag_long(&w->props, PR_MESSAGE_FLAGS, MSGFLAG_UNSENT | MSGFLAG_READ);
    memset(&v, 0, sizeof v);
    v.ulPropTag = PR_LAST_MODIFICATION_TIME;
    v.Value.ft = ft_of(now);
    bag_set(&w->props, &v);
    if (first || !bag_find(&w->props, PR_CREATION_TIME)) {
        v.ulPropTag = PR_CREATION_TIME;
        bag_set(&w->props, &v);
    }
    if (!bag_find(&w->props, PR_SEARCH_KEY)) {
        BYTE key[16];
        ols_random(key, sizeof key);
        bag_set_bin(&w->props, PR_SEARCH_KEY, key, 16);
    }
    flags &= ~(LONG)(MSGFLAG_UNMODIFIED | MSGFLAG_HASATTACH);
    if (w->natts)
        flags |= MSGFLAG_HASATTACH;
    bag_set_long(&w->props, PR_MESSAGE_FLAGS, flags);
    v.ulPropTag = PR_HASATTACH;
    v.Value.b = w->natts ? 1 : 0;
    bag_set(&w->props, &v);
    for (d = 0; d < 3; d++) {
        wchar_t buf[2048] = L"";
        for (k = 0; k < w->nrecips; k++) {
            SPropValue *n = bag_find(&w->recips[k].props, PR_DISPLAY_NAME_W);
            if (bag_long(&w->recips[k].props, PR_RECIPIENT_TYPE, 0) != disp[d].type || !n ||
                PROP_TYPE(n->ulPropTag) != PT_UNICODE)
                continue;
            if (buf[0] && wcslen(buf) + 2 < 2048)
                wcscat(buf, L"; ");
            if (wcslen(buf) + wcslen(n->Value.lpszW) < 2047)
                wcscat(buf, n->Value.lpszW);
        }
        bag_set_w(&w->props, disp[d].tag, buf);
    }
    bag_set_long(&w->props, PR_MESSAGE_SIZE, (LONG)msg_size(w));
}

static void folder_add_msg(frec_folder *f, ULONG nid)
{
    ULONG *n = realloc(f->msgs, (f->nmsgs + 1) * sizeof *n);
    if (!n)
        return;
    f->msgs = n;
    f->msgs[f->nmsgs++] = nid;
}

static void folder_remove_msg(frec_folder *f, ULONG nid)
{
    size_t k;
    for (k = 0; k < f->nmsgs; k++)
        if (f->msgs[k] == nid) {
            memmove(&f->msgs[k], &f->msgs[k + 1], (f->nmsgs - k - 1) * sizeof *f->msgs);
            f->nmsgs--;
            return;
        }
}

static HRESULT STDMETHODCALLTYPE ms_save(IMessage *i, ULONG flags)
{
    fmessage *m = impl_from_IMessage(i);
    fake_msgstore *fs = m->fs;
    CALL(SaveChanges);
    if (!m->writable)
        return MAPI_E_NO_ACCESS;
    if (m->owner) { /* embedded: into the attachment's working copy */
        compute_on_save(fs, m->work, m->is_new);
        msg_free(m->owner->work.embedded);
        m->owner->work.embedded = msg_dup(m->work);
        m->is_new = 0;
        return m->owner->work.embedded ? S_OK : MAPI_E_NOT_ENOUGH_MEMORY;
    }
    if (m->is_new) {
        frec_folder *f = folder_rec(fs, m->folder);
        frec_msg *rec;
        if (!f)
            return MAPI_E_OBJECT_DELETED;
        compute_on_save(fs, m->work, 1);
        rec = msg_dup(m->work);
        if (!rec)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        rec->nid = new_nid(fs, K_MSG, rec);
        rec->folder = m->folder;
        rec->saved = 1;
        rec->version = 1;
        folder_add_msg(f, rec->nid);
        m->nid = rec->nid;
        m->work->nid = rec->nid;
        m->work->saved = 1;
        m->work->folder = m->folder;
        m->version = 1;
        m->is_new = 0;
        notify(fs, fnevObjectCreated, rec->nid, m->folder, 0, 0, MAPI_MESSAGE);
    } else {
        frec_msg *rec = msg_rec(fs, m->nid), *copy;
        if (!rec)
            return MAPI_E_OBJECT_DELETED;
        if (rec->version != m->version && !(flags & FORCE_SAVE))
            return MAPI_E_OBJECT_CHANGED;
        compute_on_save(fs, m->work, 0);
        copy = msg_dup(m->work);
        if (!copy)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        copy->nid = rec->nid;
        copy->folder = rec->folder;
        copy->saved = 1;
        copy->version = rec->version + 1;
        msg_clear(rec);
        *rec = *copy;
        free(copy);
        m->version = rec->version;
        notify(fs, fnevObjectModified, rec->nid, rec->folder, 0, 0, MAPI_MESSAGE);
    }
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE ms_getprops(IMessage *i, LPSPropTagArray tags, ULONG flags,
                                             ULONG *n, LPSPropValue *out)
{
    fmessage *m = impl_from_IMessage(i);
    bag b;
    HRESULT hr;
    msg_computed(m->fs, m->work, &b);
    hr = get_props(&b, tags, flags, n, out, m->fs->o.large_limit);
    bag_free(&b);
    return hr;
}
static HRESULT STDMETHODCALLTYPE ms_proplist(IMessage *i, ULONG f, LPSPropTagArray *out)
{
    fmessage *m = impl_from_IMessage(i);
    bag b;
    HRESULT hr;
    (void)f;
    msg_computed(m->fs, m->work, &b);
    hr = get_prop_list(&b, out);
    bag_free(&b);
    return hr;
}
static HRESULT STDMETHODCALLTYPE ms_openprop(IMessage *i, ULONG tag, LPCIID iid, ULONG opts,
                                             ULONG flags, LPUNKNOWN *out)
{
    fmessage *m = impl_from_IMessage(i);
    (void)opts;
    CALL(OpenProperty);
    if (!iid || !out)
        return MAPI_E_INVALID_PARAMETER;
    if (IsEqualIID(iid, &IID_IStream))
        return open_stream(&m->work->props, tag, flags, (IUnknown *)i, m->writable, out);
    return MAPI_E_INTERFACE_NOT_SUPPORTED;
}
static HRESULT STDMETHODCALLTYPE ms_setprops(IMessage *i, ULONG n, LPSPropValue v,
                                             LPSPropProblemArray *p)
{
    fmessage *m = impl_from_IMessage(i);
    if (!m->writable)
        return MAPI_E_NO_ACCESS;
    return set_props(&m->work->props, n, v, p, refuse_msg, m, m->fs->o.large_limit);
}
static HRESULT STDMETHODCALLTYPE ms_delprops(IMessage *i, LPSPropTagArray t, LPSPropProblemArray *p)
{
    fmessage *m = impl_from_IMessage(i);
    if (!m->writable)
        return MAPI_E_NO_ACCESS;
    return delete_props(&m->work->props, t, p, refuse_msg, m);
}
static HRESULT STDMETHODCALLTYPE ms_copyto(IMessage *i, ULONG a, LPCIID b, LPSPropTagArray c,
                                           ULONG_PTR d, LPMAPIPROGRESS e, LPCIID f, LPVOID g,
                                           ULONG h, LPSPropProblemArray *k)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)k;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ms_copyprops(IMessage *i, LPSPropTagArray a, ULONG_PTR b,
                                              LPMAPIPROGRESS c, LPCIID d, LPVOID e, ULONG f,
                                              LPSPropProblemArray *g)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ms_names(IMessage *i, LPSPropTagArray *a, LPGUID b, ULONG c,
                                          ULONG *d, LPMAPINAMEID **e)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ms_ids(IMessage *i, ULONG n, LPMAPINAMEID *names, ULONG flags,
                                        LPSPropTagArray *out)
{
    return ids_from_names(impl_from_IMessage(i)->fs, n, names, flags, out);
}
static HRESULT STDMETHODCALLTYPE ms_atttable(IMessage *i, ULONG flags, LPMAPITABLE *out)
{
    fmessage *m = impl_from_IMessage(i);
    bag *rows = calloc(m->work->natts + 1, sizeof *rows);
    size_t k;
    HRESULT hr;
    (void)flags;
    if (!rows)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (k = 0; k < m->work->natts; k++) {
        const fatt *a = &m->work->atts[k];
        SPropValue *d = bag_find(&a->props, PR_ATTACH_DATA_BIN);
        bag_copy(&rows[k], &a->props);
        bag_del(&rows[k], PR_ATTACH_DATA_BIN); /* tables never carry the content */
        bag_set_long(&rows[k], PR_ATTACH_NUM, (LONG)a->num);
        bag_set_long(&rows[k], PR_ATTACH_SIZE,
                     (LONG)(d && PROP_TYPE(d->ulPropTag) == PT_BINARY ? d->Value.bin.cb : 0));
        bag_set_long(&rows[k], PR_OBJECT_TYPE, MAPI_ATTACH);
    }
    hr = make_table(rows, m->work->natts, out);
    if (FAILED(hr)) {
        for (k = 0; k < m->work->natts; k++)
            bag_free(&rows[k]);
        free(rows);
    }
    return hr;
}
static HRESULT STDMETHODCALLTYPE ms_openattach(IMessage *i, ULONG num, LPCIID iid, ULONG flags,
                                               LPATTACH *out)
{
    fmessage *m = impl_from_IMessage(i);
    size_t k;
    (void)iid, (void)flags;
    for (k = 0; k < m->work->natts; k++)
        if (m->work->atts[k].num == num)
            return new_attach_obj(m, &m->work->atts[k], num, out);
    return MAPI_E_NOT_FOUND;
}
static HRESULT STDMETHODCALLTYPE ms_createattach(IMessage *i, LPCIID iid, ULONG flags, ULONG *num,
                                                 LPATTACH *out)
{
    fmessage *m = impl_from_IMessage(i);
    (void)iid, (void)flags;
    CALL(CreateAttach);
    if (!m->writable)
        return MAPI_E_NO_ACCESS;
    *num = m->work->next_att++;
    return new_attach_obj(m, NULL, *num, out);
}
static HRESULT STDMETHODCALLTYPE ms_deleteattach(IMessage *i, ULONG num, ULONG_PTR ui,
                                                 LPMAPIPROGRESS p, ULONG flags)
{
    fmessage *m = impl_from_IMessage(i);
    size_t k;
    (void)ui, (void)p, (void)flags;
    CALL(DeleteAttach);
    if (!m->writable)
        return MAPI_E_NO_ACCESS;
    for (k = 0; k < m->work->natts; k++)
        if (m->work->atts[k].num == num) {
            bag_free(&m->work->atts[k].props);
            msg_free(m->work->atts[k].embedded);
            m->work->atts[k] = m->work->atts[--m->work->natts];
            return S_OK;
        }
    return MAPI_E_NOT_FOUND;
}
static HRESULT STDMETHODCALLTYPE ms_reciptable(IMessage *i, ULONG flags, LPMAPITABLE *out)
{
    fmessage *m = impl_from_IMessage(i);
    bag *rows = calloc(m->work->nrecips + 1, sizeof *rows);
    size_t k;
    HRESULT hr;
    (void)flags;
    if (!rows)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (k = 0; k < m->work->nrecips; k++) {
        bag_copy(&rows[k], &m->work->recips[k].props);
        bag_set_long(&rows[k], PR_ROWID, (LONG)m->work->recips[k].rowid);
    }
    hr = make_table(rows, m->work->nrecips, out);
    if (FAILED(hr)) {
        for (k = 0; k < m->work->nrecips; k++)
            bag_free(&rows[k]);
        free(rows);
    }
    return hr;
}
static HRESULT STDMETHODCALLTYPE ms_modrecips(IMessage *i, ULONG flags, LPADRLIST list)
{
    fmessage *m = impl_from_IMessage(i);
    frec_msg *w = m->work;
    ULONG k, j;
    CALL(ModifyRecipients);
    if (!m->writable)
        return MAPI_E_NO_ACCESS;
    if (!list)
        return MAPI_E_INVALID_PARAMETER;
    if (!(flags & (MODRECIP_ADD | MODRECIP_MODIFY | MODRECIP_REMOVE))) {
        for (k = 0; k < w->nrecips; k++)
            bag_free(&w->recips[k].props);
        w->nrecips = 0;
        flags = MODRECIP_ADD;
    }
    for (k = 0; k < list->cEntries; k++) {
        const ADRENTRY *e = &list->aEntries[k];
        const SPropValue *rid = NULL;
        for (j = 0; j < e->cValues; j++)
            if (e->rgPropVals[j].ulPropTag == PR_ROWID)
                rid = &e->rgPropVals[j];
        if (flags & MODRECIP_ADD) {
            frecip *nr = realloc(w->recips, (w->nrecips + 1) * sizeof *nr);
            if (!nr)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            w->recips = nr;
            memset(&nr[w->nrecips], 0, sizeof *nr);
            for (j = 0; j < e->cValues; j++)
                if (e->rgPropVals[j].ulPropTag != PR_ROWID)
                    bag_set(&nr[w->nrecips].props, &e->rgPropVals[j]);
            nr[w->nrecips].rowid = w->next_rowid++;
            w->nrecips++;
        } else {
            size_t r;
            if (!rid)
                return MAPI_E_INVALID_PARAMETER;
            for (r = 0; r < w->nrecips; r++)
                if (w->recips[r].rowid == rid->Value.ul)
                    break;
            if (r == w->nrecips)
                return MAPI_E_NOT_FOUND;
            if (flags & MODRECIP_REMOVE) {
                bag_free(&w->recips[r].props);
                w->recips[r] = w->recips[--w->nrecips];
            } else {
                bag_free(&w->recips[r].props);
                for (j = 0; j < e->cValues; j++)
                    if (e->rgPropVals[j].ulPropTag != PR_ROWID)
                        bag_set(&w->recips[r].props, &e->rgPropVals[j]);
            }
        }
    }
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE ms_submit(IMessage *i, ULONG flags)
{
    (void)i, (void)flags;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE ms_setreadflag(IMessage *i, ULONG flags)
{
    fmessage *m = impl_from_IMessage(i);
    LONG f = bag_long(&m->work->props, PR_MESSAGE_FLAGS, MSGFLAG_UNSENT | MSGFLAG_READ);
    CALL(SetReadFlag);
    f = flags & CLEAR_READ_FLAG ? f & ~(LONG)MSGFLAG_READ : f | (LONG)MSGFLAG_READ;
    bag_set_long(&m->work->props, PR_MESSAGE_FLAGS, f);
    if (!m->is_new && !m->owner) {
        /* takes effect in the store at once, without a save or a new modification time */
        frec_msg *rec = msg_rec(m->fs, m->nid);
        if (rec) {
            bag_set_long(&rec->props, PR_MESSAGE_FLAGS, f);
            notify(m->fs, fnevObjectModified, rec->nid, rec->folder, 0, 0, MAPI_MESSAGE);
        }
    }
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE ms_save_p(IMessage *i, ULONG f)
{
    HRESULT hr = ms_save(i, f);
    if (SUCCEEDED(hr))
        persist(impl_from_IMessage(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE ms_setreadflag_p(IMessage *i, ULONG f)
{
    HRESULT hr = ms_setreadflag(i, f);
    if (SUCCEEDED(hr))
        persist(impl_from_IMessage(i)->fs);
    return hr;
}

static const IMessageVtbl message_vtbl = {
    ms_qi,        ms_addref,     ms_release,      ms_lasterr,   ms_save_p,       ms_getprops,
    ms_proplist,  ms_openprop,   ms_setprops,     ms_delprops,  ms_copyto,     ms_copyprops,
    ms_names,     ms_ids,        ms_atttable,     ms_openattach, ms_createattach,
    ms_deleteattach, ms_reciptable, ms_modrecips, ms_submit,    ms_setreadflag_p};

static HRESULT new_message_obj(fake_msgstore *fs, frec_msg *work, ULONG nid, ULONG folder,
                               int writable, fattach *owner, IMessage **out)
{
    fmessage *m = calloc(1, sizeof *m);
    if (!m)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    m->IMessage_iface.lpVtbl = &message_vtbl;
    m->ref = 1;
    m->fs = fs;
    fs->iface.lpVtbl->AddRef(&fs->iface);
    m->work = work;
    m->nid = nid;
    m->folder = folder;
    m->version = work->version;
    m->writable = writable;
    m->owner = owner;
    if (owner)
        owner->IAttach_iface.lpVtbl->AddRef(&owner->IAttach_iface);
    InterlockedIncrement(&g_objects);
    *out = &m->IMessage_iface;
    return S_OK;
}

/* ---- folders ---- */
struct ffolder {
    IMAPIFolder IMAPIFolder_iface;
    LONG ref;
    fake_msgstore *fs;
    ULONG nid;
    int writable;
};

static ffolder *impl_from_IMAPIFolder(IMAPIFolder *i)
{
    return CONTAINING_RECORD(i, ffolder, IMAPIFolder_iface);
}

static int refuse_folder(void *ctx, ULONG tag)
{
    (void)ctx;
    return PROP_ID(tag) == PROP_ID(PR_ENTRYID) || PROP_ID(tag) == PROP_ID(PR_PARENT_ENTRYID) ||
           PROP_ID(tag) == PROP_ID(PR_CONTENT_COUNT) || PROP_ID(tag) == PROP_ID(PR_SUBFOLDERS) ||
           PROP_ID(tag) == PROP_ID(PR_OBJECT_TYPE) || PROP_ID(tag) == PROP_ID(PR_FOLDER_TYPE);
}

static HRESULT STDMETHODCALLTYPE fo_qi(IMAPIFolder *i, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProp) ||
        IsEqualIID(riid, &IID_IMAPIContainer) || IsEqualIID(riid, &IID_IMAPIFolder)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE fo_addref(IMAPIFolder *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IMAPIFolder(i)->ref);
}
static ULONG STDMETHODCALLTYPE fo_release(IMAPIFolder *i)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    LONG r = InterlockedDecrement(&f->ref);
    if (!r) {
        f->fs->iface.lpVtbl->Release(&f->fs->iface);
        free(f);
        InterlockedDecrement(&g_objects);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE fo_lasterr(IMAPIFolder *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_save(IMAPIFolder *i, ULONG f)
{
    (void)i, (void)f;
    return S_OK; /* folder properties are not transacted */
}
static HRESULT STDMETHODCALLTYPE fo_getprops(IMAPIFolder *i, LPSPropTagArray tags, ULONG flags,
                                             ULONG *n, LPSPropValue *out)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid);
    bag b;
    HRESULT hr;
    if (!r)
        return MAPI_E_OBJECT_DELETED;
    folder_computed(f->fs, r, &b);
    hr = get_props(&b, tags, flags, n, out, f->fs->o.large_limit);
    bag_free(&b);
    return hr;
}
static HRESULT STDMETHODCALLTYPE fo_proplist(IMAPIFolder *i, ULONG fl, LPSPropTagArray *out)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid);
    (void)fl;
    return r ? get_prop_list(&r->props, out) : MAPI_E_OBJECT_DELETED;
}
static HRESULT STDMETHODCALLTYPE fo_openprop(IMAPIFolder *i, ULONG tag, LPCIID iid, ULONG opts,
                                             ULONG flags, LPUNKNOWN *out)
{
    (void)i, (void)tag, (void)iid, (void)opts, (void)flags, (void)out;
    CALL(OpenProperty);
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_setprops(IMAPIFolder *i, ULONG n, LPSPropValue v,
                                             LPSPropProblemArray *p)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid);
    ULONG k;
    if (!r)
        return MAPI_E_OBJECT_DELETED;
    if (!f->writable)
        return MAPI_E_NO_ACCESS;
    for (k = 0; k < n; k++)
        if (v[k].ulPropTag == PR_DISPLAY_NAME_W) { /* a rename: unique among the siblings */
            frec_folder *parent = folder_rec(f->fs, r->parent);
            size_t c;
            for (c = 0; parent && c < parent->nkids; c++) {
                frec_folder *sib = folder_rec(f->fs, parent->kids[c]);
                SPropValue *dn = sib && sib != r ? bag_find(&sib->props, PR_DISPLAY_NAME_W) : NULL;
                if (dn && !_wcsicmp(dn->Value.lpszW, v[k].Value.lpszW))
                    return MAPI_E_COLLISION;
            }
        }
    return set_props(&r->props, n, v, p, refuse_folder, NULL, f->fs->o.large_limit);
}
static HRESULT STDMETHODCALLTYPE fo_delprops(IMAPIFolder *i, LPSPropTagArray t,
                                             LPSPropProblemArray *p)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid);
    if (!r)
        return MAPI_E_OBJECT_DELETED;
    return delete_props(&r->props, t, p, refuse_folder, NULL);
}
static HRESULT STDMETHODCALLTYPE fo_copyto(IMAPIFolder *i, ULONG a, LPCIID b, LPSPropTagArray c,
                                           ULONG_PTR d, LPMAPIPROGRESS e, LPCIID f, LPVOID g,
                                           ULONG h, LPSPropProblemArray *k)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)k;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_copyprops(IMAPIFolder *i, LPSPropTagArray a, ULONG_PTR b,
                                              LPMAPIPROGRESS c, LPCIID d, LPVOID e, ULONG f,
                                              LPSPropProblemArray *g)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_names(IMAPIFolder *i, LPSPropTagArray *a, LPGUID b, ULONG c,
                                          ULONG *d, LPMAPINAMEID **e)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_ids(IMAPIFolder *i, ULONG n, LPMAPINAMEID *names,
                                        ULONG flags, LPSPropTagArray *out)
{
    return ids_from_names(impl_from_IMAPIFolder(i)->fs, n, names, flags, out);
}
static HRESULT STDMETHODCALLTYPE fo_contents(IMAPIFolder *i, ULONG flags, LPMAPITABLE *out)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid);
    bag *rows;
    size_t k, n = 0;
    HRESULT hr;
    CALL(GetContentsTable);
    if (!r)
        return MAPI_E_OBJECT_DELETED;
    rows = calloc(r->nmsgs + 1, sizeof *rows);
    if (!rows)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (k = 0; k < r->nmsgs; k++) {
        frec_msg *m = msg_rec(f->fs, r->msgs[k]);
        if (!m || m->assoc != ((flags & MAPI_ASSOCIATED) != 0))
            continue;
        msg_computed(f->fs, m, &rows[n]);
        bag_del(&rows[n], PR_BODY_W); /* no bodies in tables */
        bag_del(&rows[n], PR_HTML);
        bag_del(&rows[n], PR_TRANSPORT_MESSAGE_HEADERS_W);
        n++;
    }
    hr = make_table(rows, n, out);
    if (FAILED(hr)) {
        for (k = 0; k < n; k++)
            bag_free(&rows[k]);
        free(rows);
    }
    return hr;
}
static HRESULT STDMETHODCALLTYPE fo_hierarchy(IMAPIFolder *i, ULONG flags, LPMAPITABLE *out)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid);
    bag *rows;
    size_t k, n = 0;
    HRESULT hr;
    (void)flags;
    CALL(GetHierarchyTable);
    if (!r)
        return MAPI_E_OBJECT_DELETED;
    rows = calloc(r->nkids + 1, sizeof *rows);
    if (!rows)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (k = 0; k < r->nkids; k++) {
        frec_folder *c = folder_rec(f->fs, r->kids[k]);
        if (c)
            folder_computed(f->fs, c, &rows[n++]);
    }
    hr = make_table(rows, n, out);
    if (FAILED(hr)) {
        for (k = 0; k < n; k++)
            bag_free(&rows[k]);
        free(rows);
    }
    return hr;
}
static HRESULT STDMETHODCALLTYPE fo_openentry(IMAPIFolder *i, ULONG cb, LPENTRYID e, LPCIID iid,
                                              ULONG flags, ULONG *type, LPUNKNOWN *unk)
{
    return store_open_entry(impl_from_IMAPIFolder(i)->fs, cb, e, iid, flags, type, unk);
}
static HRESULT STDMETHODCALLTYPE fo_setsearch(IMAPIFolder *i, LPSRestriction r, LPENTRYLIST l,
                                              ULONG f)
{
    (void)i, (void)r, (void)l, (void)f;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_getsearch(IMAPIFolder *i, ULONG f, LPSRestriction *r,
                                              LPENTRYLIST *l, ULONG *s)
{
    (void)i, (void)f, (void)r, (void)l, (void)s;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_createmsg(IMAPIFolder *i, LPCIID iid, ULONG flags,
                                              LPMESSAGE *out)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_msg *w;
    HRESULT hr;
    (void)iid;
    CALL(CreateMessage);
    if (!folder_rec(f->fs, f->nid))
        return MAPI_E_OBJECT_DELETED;
    if (!f->writable)
        return MAPI_E_NO_ACCESS;
    w = calloc(1, sizeof *w);
    if (!w)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    w->assoc = (flags & MAPI_ASSOCIATED) != 0;
    /* what a client-made message starts as: an unsent draft */
    bag_set_long(&w->props, PR_MESSAGE_FLAGS, MSGFLAG_UNSENT | MSGFLAG_READ | MSGFLAG_UNMODIFIED);
    hr = new_message_obj(f->fs, w, 0, f->nid, 1, NULL, out);
    if (FAILED(hr)) {
        msg_free(w);
        return hr;
    }
    impl_from_IMessage(*out)->is_new = 1;
    return S_OK;
}

static int in_folder(frec_folder *f, ULONG nid)
{
    size_t k;
    for (k = 0; k < f->nmsgs; k++)
        if (f->msgs[k] == nid)
            return 1;
    return 0;
}

static HRESULT STDMETHODCALLTYPE fo_copymsgs(IMAPIFolder *i, LPENTRYLIST list, LPCIID iid,
                                             LPVOID dest, ULONG_PTR ui, LPMAPIPROGRESS p,
                                             ULONG flags)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *src = folder_rec(f->fs, f->nid), *dst;
    ffolder *df;
    ULONG k;
    HRESULT hr = S_OK;
    (void)iid, (void)ui, (void)p;
    CALL(CopyMessages);
    if (!src || !list || !dest)
        return MAPI_E_INVALID_PARAMETER;
    df = impl_from_IMAPIFolder((IMAPIFolder *)dest);
    dst = folder_rec(f->fs, df->nid);
    if (!dst)
        return MAPI_E_OBJECT_DELETED;
    for (k = 0; k < list->cValues; k++) {
        ULONG nid = parse_eid(f->fs, list->lpbin[k].cb, list->lpbin[k].lpb);
        frec_msg *m = msg_rec(f->fs, nid);
        if (!m || !in_folder(src, nid)) {
            hr = MAPI_W_PARTIAL_COMPLETION;
            continue;
        }
        if (flags & MESSAGE_MOVE) {
            /* a PST keeps the message's node (and entry id) on a move */
            folder_remove_msg(src, nid);
            folder_add_msg(dst, nid);
            m->folder = dst->nid;
            m->version++;
            notify(f->fs, fnevObjectMoved, nid, dst->nid, nid, src->nid, MAPI_MESSAGE);
        } else {
            frec_msg *c = msg_dup(m);
            if (!c)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            c->nid = new_nid(f->fs, K_MSG, c);
            c->folder = dst->nid;
            c->version = 1;
            folder_add_msg(dst, c->nid);
            notify(f->fs, fnevObjectCopied, c->nid, dst->nid, nid, src->nid, MAPI_MESSAGE);
        }
    }
    return hr;
}
static HRESULT STDMETHODCALLTYPE fo_deletemsgs(IMAPIFolder *i, LPENTRYLIST list, ULONG_PTR ui,
                                               LPMAPIPROGRESS p, ULONG flags)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *src = folder_rec(f->fs, f->nid);
    ULONG k;
    HRESULT hr = S_OK;
    (void)ui, (void)p, (void)flags;
    CALL(DeleteMessages);
    if (!src || !list)
        return MAPI_E_INVALID_PARAMETER;
    if (!f->writable)
        return MAPI_E_NO_ACCESS;
    for (k = 0; k < list->cValues; k++) {
        ULONG nid = parse_eid(f->fs, list->lpbin[k].cb, list->lpbin[k].lpb);
        frec_msg *m = msg_rec(f->fs, nid);
        if (!m || !in_folder(src, nid)) {
            hr = MAPI_W_PARTIAL_COMPLETION;
            continue;
        }
        folder_remove_msg(src, nid);
        f->fs->nids[nid - 1].kind = K_NONE;
        f->fs->nids[nid - 1].rec = NULL;
        msg_free(m);
        notify(f->fs, fnevObjectDeleted, nid, src->nid, 0, 0, MAPI_MESSAGE);
    }
    return hr;
}

static frec_folder *find_kid(fake_msgstore *fs, frec_folder *parent, const wchar_t *name)
{
    size_t k;
    for (k = 0; k < parent->nkids; k++) {
        frec_folder *c = folder_rec(fs, parent->kids[k]);
        SPropValue *dn = c ? bag_find(&c->props, PR_DISPLAY_NAME_W) : NULL;
        if (dn && !_wcsicmp(dn->Value.lpszW, name))
            return c;
    }
    return NULL;
}

static frec_folder *add_folder(fake_msgstore *fs, frec_folder *parent, const wchar_t *name,
                               const wchar_t *cls)
{
    frec_folder *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->nid = new_nid(fs, K_FOLDER, f);
    f->parent = parent ? parent->nid : 0;
    bag_set_w(&f->props, PR_DISPLAY_NAME_W, name);
    if (cls)
        bag_set_w(&f->props, PR_CONTAINER_CLASS_W, cls);
    if (parent) {
        ULONG *nk = realloc(parent->kids, (parent->nkids + 1) * sizeof *nk);
        if (nk) {
            parent->kids = nk;
            parent->kids[parent->nkids++] = f->nid;
        }
    }
    return f;
}

static HRESULT STDMETHODCALLTYPE fo_createfolder(IMAPIFolder *i, ULONG type, LPWSTR name,
                                                 LPWSTR comment, LPCIID iid, ULONG flags,
                                                 LPMAPIFOLDER *out)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid), *c;
    wchar_t wbuf[512];
    const wchar_t *wname = name;
    (void)comment, (void)iid, (void)type;
    CALL(CreateFolder);
    if (!r)
        return MAPI_E_OBJECT_DELETED;
    if (!f->writable)
        return MAPI_E_NO_ACCESS;
    if (!name)
        return MAPI_E_INVALID_PARAMETER;
    if (!(flags & MAPI_UNICODE)) {
        MultiByteToWideChar(CP_ACP, 0, (const char *)name, -1, wbuf, 512);
        wname = wbuf;
    }
    if (!*wname)
        return MAPI_E_INVALID_PARAMETER;
    c = find_kid(f->fs, r, wname);
    if (c && !(flags & OPEN_IF_EXISTS))
        return MAPI_E_COLLISION;
    if (!c) {
        c = add_folder(f->fs, r, wname, NULL);
        if (!c)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        notify(f->fs, fnevObjectCreated, c->nid, r->nid, 0, 0, MAPI_FOLDER);
    }
    return new_folder_obj(f->fs, c->nid, 1, out);
}

static int is_below(fake_msgstore *fs, ULONG nid, ULONG ancestor)
{
    int guard = 0;
    while (nid && guard++ < 1000) {
        frec_folder *f = folder_rec(fs, nid);
        if (nid == ancestor)
            return 1;
        nid = f ? f->parent : 0;
    }
    return 0;
}

static void unlink_kid(frec_folder *parent, ULONG nid)
{
    size_t k;
    for (k = 0; k < parent->nkids; k++)
        if (parent->kids[k] == nid) {
            memmove(&parent->kids[k], &parent->kids[k + 1],
                    (parent->nkids - k - 1) * sizeof *parent->kids);
            parent->nkids--;
            return;
        }
}

static HRESULT STDMETHODCALLTYPE fo_copyfolder(IMAPIFolder *i, ULONG cb, LPENTRYID e, LPCIID iid,
                                               LPVOID dest, LPWSTR newname, ULONG_PTR ui,
                                               LPMAPIPROGRESS p, ULONG flags)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    fake_msgstore *fs = f->fs;
    frec_folder *src_parent = folder_rec(fs, f->nid), *dst, *moving;
    ULONG nid = parse_eid(fs, cb, (const BYTE *)e);
    wchar_t wbuf[512];
    const wchar_t *name = NULL;
    SPropValue *cur;
    (void)iid, (void)ui, (void)p;
    CALL(CopyFolder);
    moving = folder_rec(fs, nid);
    if (!src_parent || !moving || moving->parent != src_parent->nid || !dest)
        return MAPI_E_NOT_FOUND;
    if (!(flags & FOLDER_MOVE))
        return MAPI_E_NO_SUPPORT; /* copies of folders are not needed here */
    dst = folder_rec(fs, impl_from_IMAPIFolder((IMAPIFolder *)dest)->nid);
    if (!dst)
        return MAPI_E_OBJECT_DELETED;
    if (is_below(fs, dst->nid, nid))
        return MAPI_E_FOLDER_CYCLE;
    if (newname) {
        if (flags & MAPI_UNICODE) {
            name = newname;
        } else {
            MultiByteToWideChar(CP_ACP, 0, (const char *)newname, -1, wbuf, 512);
            name = wbuf;
        }
    }
    cur = bag_find(&moving->props, PR_DISPLAY_NAME_W);
    {
        frec_folder *clash = find_kid(fs, dst, name ? name : cur->Value.lpszW);
        if (clash && clash != moving)
            return MAPI_E_COLLISION;
    }
    unlink_kid(src_parent, nid);
    {
        ULONG *nk = realloc(dst->kids, (dst->nkids + 1) * sizeof *nk);
        if (!nk)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        dst->kids = nk;
        dst->kids[dst->nkids++] = nid;
    }
    moving->parent = dst->nid;
    if (name)
        bag_set_w(&moving->props, PR_DISPLAY_NAME_W, name);
    notify(fs, fnevObjectMoved, nid, dst->nid, nid, src_parent->nid, MAPI_FOLDER);
    return S_OK;
}

static void free_folder_tree(fake_msgstore *fs, ULONG nid)
{
    frec_folder *f = folder_rec(fs, nid);
    size_t k;
    if (!f)
        return;
    for (k = 0; k < f->nkids; k++)
        free_folder_tree(fs, f->kids[k]);
    for (k = 0; k < f->nmsgs; k++) {
        frec_msg *m = msg_rec(fs, f->msgs[k]);
        if (m) {
            fs->nids[f->msgs[k] - 1].kind = K_NONE;
            msg_free(m);
        }
    }
    bag_free(&f->props);
    free(f->kids);
    free(f->msgs);
    fs->nids[nid - 1].kind = K_NONE;
    fs->nids[nid - 1].rec = NULL;
    free(f);
}

static HRESULT STDMETHODCALLTYPE fo_deletefolder(IMAPIFolder *i, ULONG cb, LPENTRYID e,
                                                 ULONG_PTR ui, LPMAPIPROGRESS p, ULONG flags)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    fake_msgstore *fs = f->fs;
    frec_folder *parent = folder_rec(fs, f->nid), *victim;
    ULONG nid = parse_eid(fs, cb, (const BYTE *)e);
    size_t k, normal = 0;
    (void)ui, (void)p;
    CALL(DeleteFolder);
    victim = folder_rec(fs, nid);
    if (!parent || !victim || victim->parent != parent->nid)
        return MAPI_E_NOT_FOUND;
    if (!f->writable)
        return MAPI_E_NO_ACCESS;
    for (k = 0; k < victim->nmsgs; k++)
        if (msg_rec(fs, victim->msgs[k]))
            normal++;
    if (normal && !(flags & DEL_MESSAGES))
        return MAPI_E_HAS_MESSAGES;
    if (victim->nkids && !(flags & DEL_FOLDERS))
        return MAPI_E_HAS_FOLDERS;
    unlink_kid(parent, nid);
    free_folder_tree(fs, nid);
    notify(fs, fnevObjectDeleted, nid, parent->nid, 0, 0, MAPI_FOLDER);
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE fo_setreadflags(IMAPIFolder *i, LPENTRYLIST list, ULONG_PTR ui,
                                                 LPMAPIPROGRESS p, ULONG flags)
{
    ffolder *f = impl_from_IMAPIFolder(i);
    frec_folder *r = folder_rec(f->fs, f->nid);
    ULONG k;
    (void)ui, (void)p;
    if (!r || !list)
        return MAPI_E_INVALID_PARAMETER;
    for (k = 0; k < list->cValues; k++) {
        ULONG nid = parse_eid(f->fs, list->lpbin[k].cb, list->lpbin[k].lpb);
        frec_msg *m = msg_rec(f->fs, nid);
        LONG fl;
        if (!m || !in_folder(r, nid))
            continue;
        fl = bag_long(&m->props, PR_MESSAGE_FLAGS, 0);
        fl = flags & CLEAR_READ_FLAG ? fl & ~(LONG)MSGFLAG_READ : fl | (LONG)MSGFLAG_READ;
        bag_set_long(&m->props, PR_MESSAGE_FLAGS, fl);
        notify(f->fs, fnevObjectModified, nid, r->nid, 0, 0, MAPI_MESSAGE);
    }
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE fo_getstatus(IMAPIFolder *i, ULONG cb, LPENTRYID e, ULONG f,
                                              ULONG *s)
{
    (void)i, (void)cb, (void)e, (void)f;
    *s = 0;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE fo_setstatus(IMAPIFolder *i, ULONG cb, LPENTRYID e, ULONG a,
                                              ULONG b, ULONG *c)
{
    (void)i, (void)cb, (void)e, (void)a, (void)b, (void)c;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_savesort(IMAPIFolder *i, LPSSortOrderSet s, ULONG f)
{
    (void)i, (void)s, (void)f;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE fo_empty(IMAPIFolder *i, ULONG_PTR ui, LPMAPIPROGRESS p, ULONG f)
{
    (void)i, (void)ui, (void)p, (void)f;
    return MAPI_E_NO_SUPPORT;
}

static HRESULT STDMETHODCALLTYPE fo_setprops_p(IMAPIFolder *i, ULONG n, LPSPropValue v,
                                               LPSPropProblemArray *p)
{
    HRESULT hr = fo_setprops(i, n, v, p);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE fo_delprops_p(IMAPIFolder *i, LPSPropTagArray t,
                                               LPSPropProblemArray *p)
{
    HRESULT hr = fo_delprops(i, t, p);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE fo_copymsgs_p(IMAPIFolder *i, LPENTRYLIST l, LPCIID iid, LPVOID d,
                                               ULONG_PTR u, LPMAPIPROGRESS pr, ULONG f)
{
    HRESULT hr = fo_copymsgs(i, l, iid, d, u, pr, f);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE fo_deletemsgs_p(IMAPIFolder *i, LPENTRYLIST l, ULONG_PTR u,
                                                 LPMAPIPROGRESS pr, ULONG f)
{
    HRESULT hr = fo_deletemsgs(i, l, u, pr, f);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE fo_createfolder_p(IMAPIFolder *i, ULONG t, LPWSTR n, LPWSTR c,
                                                   LPCIID iid, ULONG f, LPMAPIFOLDER *o)
{
    HRESULT hr = fo_createfolder(i, t, n, c, iid, f, o);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE fo_copyfolder_p(IMAPIFolder *i, ULONG cb, LPENTRYID e, LPCIID iid,
                                                 LPVOID d, LPWSTR n, ULONG_PTR u, LPMAPIPROGRESS pr,
                                                 ULONG f)
{
    HRESULT hr = fo_copyfolder(i, cb, e, iid, d, n, u, pr, f);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE fo_deletefolder_p(IMAPIFolder *i, ULONG cb, LPENTRYID e,
                                                   ULONG_PTR u, LPMAPIPROGRESS pr, ULONG f)
{
    HRESULT hr = fo_deletefolder(i, cb, e, u, pr, f);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static HRESULT STDMETHODCALLTYPE fo_setreadflags_p(IMAPIFolder *i, LPENTRYLIST l, ULONG_PTR u,
                                                   LPMAPIPROGRESS pr, ULONG f)
{
    HRESULT hr = fo_setreadflags(i, l, u, pr, f);
    if (SUCCEEDED(hr))
        persist(impl_from_IMAPIFolder(i)->fs);
    return hr;
}

static const IMAPIFolderVtbl folder_vtbl = {
    fo_qi,        fo_addref,      fo_release,      fo_lasterr,     fo_save,
    fo_getprops,  fo_proplist,    fo_openprop,     fo_setprops_p,    fo_delprops_p,
    fo_copyto,    fo_copyprops,   fo_names,        fo_ids,         fo_contents,
    fo_hierarchy, fo_openentry,   fo_setsearch,    fo_getsearch,   fo_createmsg,
    fo_copymsgs_p,  fo_deletemsgs_p,  fo_createfolder_p, fo_copyfolder_p,  fo_deletefolder_p,
    fo_setreadflags_p, fo_getstatus, fo_setstatus,   fo_savesort,    fo_empty};

static HRESULT new_folder_obj(fake_msgstore *fs, ULONG nid, int writable, IMAPIFolder **out)
{
    ffolder *f = calloc(1, sizeof *f);
    if (!f)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    f->IMAPIFolder_iface.lpVtbl = &folder_vtbl;
    f->ref = 1;
    f->fs = fs;
    f->nid = nid;
    f->writable = writable;
    fs->iface.lpVtbl->AddRef(&fs->iface);
    InterlockedIncrement(&g_objects);
    *out = &f->IMAPIFolder_iface;
    return S_OK;
}

/* ---- the store ---- */
static fake_msgstore *impl_from_IMsgStore(IMsgStore *i)
{
    return CONTAINING_RECORD(i, fake_msgstore, iface);
}

static HRESULT store_open_entry(fake_msgstore *fs, ULONG cb, LPENTRYID e, LPCIID iid, ULONG flags,
                                ULONG *type, LPUNKNOWN *unk)
{
    ULONG nid;
    int writable = (flags & (MAPI_MODIFY | MAPI_BEST_ACCESS)) != 0;
    (void)iid;
    CALL(OpenEntry);
    if (!type || !unk)
        return MAPI_E_INVALID_PARAMETER;
    nid = cb == 0 ? fs->root : parse_eid(fs, cb, (const BYTE *)e);
    if (cb && !nid)
        return MAPI_E_INVALID_ENTRYID;
    if (folder_rec(fs, nid)) {
        *type = MAPI_FOLDER;
        return new_folder_obj(fs, nid, writable, (IMAPIFolder **)unk);
    }
    if (msg_rec(fs, nid)) {
        frec_msg *w = msg_dup(msg_rec(fs, nid));
        HRESULT hr;
        if (!w)
            return MAPI_E_NOT_ENOUGH_MEMORY;
        *type = MAPI_MESSAGE;
        /* only MAPI_MODIFY opens a message for writing (MAPI_BEST_ACCESS alone reads) */
        hr = new_message_obj(fs, w, nid, w->folder, (flags & MAPI_MODIFY) != 0, NULL,
                             (IMessage **)unk);
        if (FAILED(hr))
            msg_free(w);
        return hr;
    }
    return MAPI_E_NOT_FOUND;
}

static HRESULT STDMETHODCALLTYPE sto_qi(IMsgStore *i, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIProp) ||
        IsEqualIID(riid, &IID_IMsgStore)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE sto_addref(IMsgStore *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_IMsgStore(i)->ref);
}
static ULONG STDMETHODCALLTYPE sto_release(IMsgStore *i)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    LONG r = InterlockedDecrement(&fs->ref);
    if (!r) {
        size_t k;
        for (k = 0; k < fs->nsinks; k++)
            if (fs->sinks[k].sink)
                fs->sinks[k].sink->lpVtbl->Release(fs->sinks[k].sink);
        free_folder_tree(fs, fs->root);
        for (k = 0; k < fs->nnids; k++)
            if (fs->nids[k].kind == K_MSG)
                msg_free(fs->nids[k].rec);
        for (k = 0; k < fs->nnames; k++)
            free(fs->names[k].name);
        free(fs->names);
        free(fs->nids);
        free(fs->persist_path);
        bag_free(&fs->props);
        free(fs);
        InterlockedDecrement(&g_objects);
    }
    return (ULONG)r;
}
static HRESULT STDMETHODCALLTYPE sto_lasterr(IMsgStore *i, HRESULT h, ULONG f, LPMAPIERROR *e)
{
    (void)i, (void)h, (void)f;
    *e = NULL;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_save(IMsgStore *i, ULONG f)
{
    (void)i, (void)f;
    return S_OK;
}
static void store_computed(fake_msgstore *fs, bag *b)
{
    BYTE e[24];
    bag_copy(b, &fs->props);
    make_eid(fs, fs->subtree, e);
    bag_set_bin(b, PR_IPM_SUBTREE_ENTRYID, e, 24);
    make_eid(fs, fs->sent, e);
    bag_set_bin(b, PR_IPM_SENTMAIL_ENTRYID, e, 24);
    make_eid(fs, fs->trash, e);
    bag_set_bin(b, PR_IPM_WASTEBASKET_ENTRYID, e, 24);
    make_eid(fs, fs->outbox, e);
    bag_set_bin(b, PR_IPM_OUTBOX_ENTRYID, e, 24);
    bag_set_bin(b, PR_RECORD_KEY, fs->uid, 16);
    bag_set_long(b, PR_STORE_SUPPORT_MASK,
                 (LONG)(STORE_UNICODE_OK | 0x1 /* ENTRYID_UNIQUE */ | 0x100 /* NOTIFY_OK */));
    bag_set_w(b, PR_DISPLAY_NAME_W, L"olsync test PST");
    bag_set_long(b, PR_OBJECT_TYPE, MAPI_STORE);
}
static HRESULT STDMETHODCALLTYPE sto_getprops(IMsgStore *i, LPSPropTagArray tags, ULONG flags,
                                              ULONG *n, LPSPropValue *out)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    bag b;
    HRESULT hr;
    store_computed(fs, &b);
    hr = get_props(&b, tags, flags, n, out, fs->o.large_limit);
    bag_free(&b);
    return hr;
}
static HRESULT STDMETHODCALLTYPE sto_proplist(IMsgStore *i, ULONG f, LPSPropTagArray *out)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    bag b;
    HRESULT hr;
    (void)f;
    store_computed(fs, &b);
    hr = get_prop_list(&b, out);
    bag_free(&b);
    return hr;
}
static HRESULT STDMETHODCALLTYPE sto_openprop(IMsgStore *i, ULONG tag, LPCIID iid, ULONG opts,
                                              ULONG flags, LPUNKNOWN *out)
{
    (void)i, (void)tag, (void)iid, (void)opts, (void)flags, (void)out;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_setprops(IMsgStore *i, ULONG n, LPSPropValue v,
                                              LPSPropProblemArray *p)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    return set_props(&fs->props, n, v, p, NULL, NULL, fs->o.large_limit);
}
static HRESULT STDMETHODCALLTYPE sto_delprops(IMsgStore *i, LPSPropTagArray t, LPSPropProblemArray *p)
{
    return delete_props(&impl_from_IMsgStore(i)->props, t, p, NULL, NULL);
}
static HRESULT STDMETHODCALLTYPE sto_copyto(IMsgStore *i, ULONG a, LPCIID b, LPSPropTagArray c,
                                            ULONG_PTR d, LPMAPIPROGRESS e, LPCIID f, LPVOID g,
                                            ULONG h, LPSPropProblemArray *k)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g, (void)h, (void)k;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_copyprops(IMsgStore *i, LPSPropTagArray a, ULONG_PTR b,
                                               LPMAPIPROGRESS c, LPCIID d, LPVOID e, ULONG f,
                                               LPSPropProblemArray *g)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f, (void)g;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_names(IMsgStore *i, LPSPropTagArray *a, LPGUID b, ULONG c,
                                           ULONG *d, LPMAPINAMEID **e)
{
    (void)i, (void)a, (void)b, (void)c, (void)d, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_ids(IMsgStore *i, ULONG n, LPMAPINAMEID *names, ULONG flags,
                                         LPSPropTagArray *out)
{
    return ids_from_names(impl_from_IMsgStore(i), n, names, flags, out);
}
static HRESULT STDMETHODCALLTYPE sto_advise(IMsgStore *i, ULONG cb, LPENTRYID e, ULONG mask,
                                            LPMAPIADVISESINK sink, ULONG_PTR *conn)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    (void)cb, (void)e;
    CALL(Advise);
    if (fs->o.no_notify)
        return MAPI_E_NO_SUPPORT;
    if (!sink || !conn || fs->nsinks >= 16)
        return MAPI_E_INVALID_PARAMETER;
    fs->sinks[fs->nsinks].sink = sink;
    fs->sinks[fs->nsinks].mask = mask;
    fs->sinks[fs->nsinks].conn = ++fs->next_conn; /* above 4 GiB, see the header */
    sink->lpVtbl->AddRef(sink);
    *conn = fs->sinks[fs->nsinks].conn;
    fs->nsinks++;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE sto_unadvise(IMsgStore *i, ULONG_PTR conn)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    size_t k;
    CALL(Unadvise);
    for (k = 0; k < fs->nsinks; k++)
        if (fs->sinks[k].sink && fs->sinks[k].conn == conn) {
            fs->sinks[k].sink->lpVtbl->Release(fs->sinks[k].sink);
            fs->sinks[k].sink = NULL;
            return S_OK;
        }
    return MAPI_E_NOT_FOUND;
}
static HRESULT STDMETHODCALLTYPE sto_compare(IMsgStore *i, ULONG cb1, LPENTRYID e1, ULONG cb2,
                                             LPENTRYID e2, ULONG f, ULONG *res)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    ULONG a = parse_eid(fs, cb1, (const BYTE *)e1), b = parse_eid(fs, cb2, (const BYTE *)e2);
    (void)f;
    if (!a || !b)
        return MAPI_E_UNKNOWN_ENTRYID;
    *res = a == b;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE sto_openentry(IMsgStore *i, ULONG cb, LPENTRYID e, LPCIID iid,
                                               ULONG flags, ULONG *type, LPUNKNOWN *unk)
{
    return store_open_entry(impl_from_IMsgStore(i), cb, e, iid, flags, type, unk);
}
static HRESULT STDMETHODCALLTYPE sto_setreceive(IMsgStore *i, LPWSTR c, ULONG f, ULONG cb,
                                                LPENTRYID e)
{
    (void)i, (void)c, (void)f, (void)cb, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_getreceive(IMsgStore *i, LPWSTR cls, ULONG flags, ULONG *cb,
                                                LPENTRYID *eid, LPWSTR *explicit_)
{
    fake_msgstore *fs = impl_from_IMsgStore(i);
    BYTE *e;
    (void)cls, (void)flags;
    if (FAILED(ols_mapi_alloc(24, (void **)&e)))
        return MAPI_E_NOT_ENOUGH_MEMORY;
    make_eid(fs, fs->inbox, e);
    *cb = 24;
    *eid = (LPENTRYID)e;
    if (explicit_)
        *explicit_ = NULL;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE sto_receivetable(IMsgStore *i, ULONG f, LPMAPITABLE *t)
{
    (void)i, (void)f, (void)t;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_logoff(IMsgStore *i, ULONG *f)
{
    (void)i, (void)f;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE sto_abortsubmit(IMsgStore *i, ULONG cb, LPENTRYID e, ULONG f)
{
    (void)i, (void)cb, (void)e, (void)f;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_outgoing(IMsgStore *i, ULONG f, LPMAPITABLE *t)
{
    (void)i, (void)f, (void)t;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_lock(IMsgStore *i, LPMESSAGE m, ULONG s)
{
    (void)i, (void)m, (void)s;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_finished(IMsgStore *i, ULONG f, ULONG cb, LPENTRYID e)
{
    (void)i, (void)f, (void)cb, (void)e;
    return MAPI_E_NO_SUPPORT;
}
static HRESULT STDMETHODCALLTYPE sto_newmail(IMsgStore *i, LPNOTIFICATION n)
{
    (void)i, (void)n;
    return MAPI_E_NO_SUPPORT;
}

static HRESULT STDMETHODCALLTYPE sto_setprops_p(IMsgStore *i, ULONG n, LPSPropValue v,
                                                LPSPropProblemArray *p)
{
    HRESULT hr = sto_setprops(i, n, v, p);
    if (SUCCEEDED(hr))
        persist(impl_from_IMsgStore(i));
    return hr;
}

static const IMsgStoreVtbl store_vtbl = {
    sto_qi,        sto_addref,   sto_release,  sto_lasterr,   sto_save,       sto_getprops,
    sto_proplist,  sto_openprop, sto_setprops_p, sto_delprops,  sto_copyto,     sto_copyprops,
    sto_names,     sto_ids,      sto_advise,   sto_unadvise,  sto_compare,    sto_openentry,
    sto_setreceive, sto_getreceive, sto_receivetable, sto_logoff, sto_abortsubmit,
    sto_outgoing,  sto_lock,     sto_finished, sto_newmail};

fake_msgstore *fake_msgstore_new(const fake_opts *o)
{
    fake_msgstore *fs = calloc(1, sizeof *fs);
    frec_folder *root, *sub, *inbox, *f;
    frec_folder *sync_issues, *conflicts, *local_fail, *server_fail, *cal, *con, *tasks, *notes,
        *journal;
    BYTE e[24], ren[5][24];
    int de;
    if (!fs)
        return NULL;
    fs->iface.lpVtbl = &store_vtbl;
    fs->ref = 1;
    if (o)
        fs->o = *o;
    if (!fs->o.large_limit)
        fs->o.large_limit = 32768;
    ols_random(fs->uid, sizeof fs->uid);
    fs->next_conn = (ULONG_PTR)1 << 32; /* connections do not fit a ULONG */
    de = fs->o.german;
    root = add_folder(fs, NULL, L"", NULL);
    sub = add_folder(fs, root, de ? L"Oberste Ebene der Persönliche Ordner"
                                   : L"Top of Personal Folders",
                     NULL);
    add_folder(fs, root, L"Search Root", NULL);
    inbox = add_folder(fs, sub, de ? L"Posteingang" : L"Inbox", L"IPF.Note");
    fs->root = root->nid;
    fs->subtree = sub->nid;
    fs->inbox = inbox->nid;
    fs->sent = add_folder(fs, sub, de ? L"Gesendete Elemente" : L"Sent Items", L"IPF.Note")->nid;
    fs->trash =
        add_folder(fs, sub, de ? L"Gelöschte Elemente" : L"Deleted Items", L"IPF.Note")->nid;
    fs->outbox = add_folder(fs, sub, de ? L"Postausgang" : L"Outbox", L"IPF.Note")->nid;
    fs->drafts = add_folder(fs, sub, de ? L"Entwürfe" : L"Drafts", L"IPF.Note")->nid;
    fs->junk = add_folder(fs, sub, de ? L"Junk-E-Mail" : L"Junk E-mail", L"IPF.Note")->nid;
    cal = add_folder(fs, sub, de ? L"Kalender" : L"Calendar", L"IPF.Appointment");
    con = add_folder(fs, sub, de ? L"Kontakte" : L"Contacts", L"IPF.Contact");
    tasks = add_folder(fs, sub, de ? L"Aufgaben" : L"Tasks", L"IPF.Task");
    notes = add_folder(fs, sub, de ? L"Notizen" : L"Notes", L"IPF.StickyNote");
    journal = add_folder(fs, sub, de ? L"Journal" : L"Journal", L"IPF.Journal");
    sync_issues =
        add_folder(fs, sub, de ? L"Synchronisierungsprobleme" : L"Sync Issues", L"IPF.Note");
    conflicts = add_folder(fs, sync_issues, de ? L"Konflikte" : L"Conflicts", L"IPF.Note");
    local_fail =
        add_folder(fs, sync_issues, de ? L"Lokale Fehler" : L"Local Failures", L"IPF.Note");
    server_fail =
        add_folder(fs, sync_issues, de ? L"Serverfehler" : L"Server Failures", L"IPF.Note");
    /* the entry ids Outlook keeps on the Inbox and the root folder (MS-OXOSFLD) */
    for (f = inbox; f; f = f == inbox ? root : NULL) {
        SPropValue v;
        SBinary bins[5];
        int k;
        make_eid(fs, cal->nid, e);
        bag_set_bin(&f->props, PR_IPM_APPOINTMENT_ENTRYID, e, 24);
        make_eid(fs, con->nid, e);
        bag_set_bin(&f->props, PR_IPM_CONTACT_ENTRYID, e, 24);
        make_eid(fs, journal->nid, e);
        bag_set_bin(&f->props, PR_IPM_JOURNAL_ENTRYID, e, 24);
        make_eid(fs, notes->nid, e);
        bag_set_bin(&f->props, PR_IPM_NOTE_ENTRYID, e, 24);
        make_eid(fs, tasks->nid, e);
        bag_set_bin(&f->props, PR_IPM_TASK_ENTRYID, e, 24);
        make_eid(fs, fs->drafts, e);
        bag_set_bin(&f->props, PR_IPM_DRAFTS_ENTRYID, e, 24);
        make_eid(fs, conflicts->nid, ren[0]);
        make_eid(fs, sync_issues->nid, ren[1]);
        make_eid(fs, local_fail->nid, ren[2]);
        make_eid(fs, server_fail->nid, ren[3]);
        make_eid(fs, fs->junk, ren[4]);
        for (k = 0; k < 5; k++) {
            bins[k].cb = 24;
            bins[k].lpb = ren[k];
        }
        memset(&v, 0, sizeof v);
        v.ulPropTag = PR_ADDITIONAL_REN_ENTRYIDS;
        v.Value.MVbin.cValues = 5;
        v.Value.MVbin.lpbin = bins;
        bag_set(&f->props, &v);
    }
    InterlockedIncrement(&g_objects);
    return fs;
}

IMsgStore *fake_msgstore_iface(fake_msgstore *fs)
{
    fs->iface.lpVtbl->AddRef(&fs->iface);
    return &fs->iface;
}

void fake_msgstore_release(fake_msgstore *fs) { fs->iface.lpVtbl->Release(&fs->iface); }

long fake_live_objects(void) { return g_objects; }

int fake_active_sinks(fake_msgstore *fs)
{
    size_t k;
    int n = 0;
    for (k = 0; k < fs->nsinks; k++)
        n += fs->sinks[k].sink != NULL;
    return n;
}

/* ---- test conveniences ---- */
HRESULT fake_open_path(IMsgStore *st, const wchar_t *path, IMAPIFolder **out)
{
    SPropValue *v = NULL;
    ULONG n = 0, type = 0, tag = PR_IPM_SUBTREE_ENTRYID;
    IUnknown *unk = NULL;
    IMAPIFolder *cur;
    HRESULT hr = ols_mapi_get_props((IMAPIProp *)st, &tag, 1, &n, &v);
    const wchar_t *p = path;
    if (FAILED(hr) || PROP_TYPE(v->ulPropTag) == PT_ERROR) {
        ols_mapi_free(v);
        return MAPI_E_NOT_FOUND;
    }
    hr = st->lpVtbl->OpenEntry(st, v->Value.bin.cb, (LPENTRYID)v->Value.bin.lpb, NULL,
                               MAPI_MODIFY, &type, &unk);
    ols_mapi_free(v);
    if (FAILED(hr))
        return hr;
    cur = (IMAPIFolder *)unk;
    while (*p) {
        size_t l = wcscspn(p, L"/");
        IMAPITable *t = NULL;
        SizedSPropTagArray(2, cols) = {2, {PR_DISPLAY_NAME_W, PR_ENTRYID}};
        SRowSet *rows = NULL;
        ULONG k;
        IMAPIFolder *next = NULL;
        hr = cur->lpVtbl->GetHierarchyTable(cur, 0, &t);
        if (SUCCEEDED(hr))
            hr = t->lpVtbl->SetColumns(t, (LPSPropTagArray)&cols, 0);
        if (SUCCEEDED(hr))
            hr = t->lpVtbl->QueryRows(t, 1000, 0, &rows);
        for (k = 0; SUCCEEDED(hr) && rows && k < rows->cRows && !next; k++) {
            const SPropValue *dn = &rows->aRow[k].lpProps[0], *id = &rows->aRow[k].lpProps[1];
            if (PROP_TYPE(dn->ulPropTag) == PT_UNICODE && wcslen(dn->Value.lpszW) == l &&
                !_wcsnicmp(dn->Value.lpszW, p, l))
                hr = st->lpVtbl->OpenEntry(st, id->Value.bin.cb, (LPENTRYID)id->Value.bin.lpb,
                                           NULL, MAPI_MODIFY, &type, (IUnknown **)&next);
        }
        ols_mapi_free_rows(rows);
        if (t)
            t->lpVtbl->Release(t);
        cur->lpVtbl->Release(cur);
        if (!next)
            return FAILED(hr) ? hr : MAPI_E_NOT_FOUND;
        cur = next;
        p += l;
        if (*p == L'/')
            p++;
    }
    *out = cur;
    return S_OK;
}

ULONG fake_count(IMAPIFolder *f)
{
    IMAPITable *t = NULL;
    ULONG n = 0;
    if (SUCCEEDED(f->lpVtbl->GetContentsTable(f, 0, &t))) {
        t->lpVtbl->GetRowCount(t, 0, &n);
        t->lpVtbl->Release(t);
    }
    return n;
}

/* ---- persistence: the whole store in one file, for runs in several processes ---- */
static void w32(ols_buf *b, uint32_t v) { ols_buf_put(b, &v, 4); }
static void w64(ols_buf *b, uint64_t v) { ols_buf_put(b, &v, 8); }
static void wbytes(ols_buf *b, const void *p, uint32_t n)
{
    w32(b, n);
    ols_buf_put(b, p, n);
}

static void put_bag(ols_buf *b, const bag *g)
{
    size_t i;
    ULONG k;
    w32(b, (uint32_t)g->n);
    for (i = 0; i < g->n; i++) {
        const SPropValue *v = &g->v[i];
        w32(b, v->ulPropTag);
        switch (PROP_TYPE(v->ulPropTag)) {
        case PT_UNICODE:
            wbytes(b, v->Value.lpszW, (uint32_t)(wcslen(v->Value.lpszW) * 2));
            break;
        case PT_STRING8:
            wbytes(b, v->Value.lpszA, (uint32_t)strlen(v->Value.lpszA));
            break;
        case PT_BINARY:
            wbytes(b, v->Value.bin.lpb, v->Value.bin.cb);
            break;
        case PT_CLSID:
            wbytes(b, v->Value.lpguid, sizeof(GUID));
            break;
        case PT_MV_BINARY:
            w32(b, v->Value.MVbin.cValues);
            for (k = 0; k < v->Value.MVbin.cValues; k++)
                wbytes(b, v->Value.MVbin.lpbin[k].lpb, v->Value.MVbin.lpbin[k].cb);
            break;
        case PT_MV_UNICODE:
            w32(b, v->Value.MVszW.cValues);
            for (k = 0; k < v->Value.MVszW.cValues; k++)
                wbytes(b, v->Value.MVszW.lppszW[k], (uint32_t)(wcslen(v->Value.MVszW.lppszW[k]) * 2));
            break;
        case PT_MV_LONG:
            w32(b, v->Value.MVl.cValues);
            ols_buf_put(b, v->Value.MVl.lpl, v->Value.MVl.cValues * 4);
            break;
        default: /* every scalar fits the 8 bytes of the union's first member */
            ols_buf_put(b, &v->Value, 8);
            break;
        }
    }
}

static void put_msg(ols_buf *b, const frec_msg *m)
{
    size_t i;
    put_bag(b, &m->props);
    w32(b, (uint32_t)m->nrecips);
    for (i = 0; i < m->nrecips; i++) {
        put_bag(b, &m->recips[i].props);
        w32(b, m->recips[i].rowid);
    }
    w32(b, (uint32_t)m->natts);
    for (i = 0; i < m->natts; i++) {
        put_bag(b, &m->atts[i].props);
        w32(b, m->atts[i].num);
        w32(b, m->atts[i].embedded ? 1 : 0);
        if (m->atts[i].embedded)
            put_msg(b, m->atts[i].embedded);
    }
    w32(b, m->next_att);
    w32(b, m->next_rowid);
    w32(b, m->nid);
    w32(b, m->folder);
    w32(b, (uint32_t)m->assoc);
    w32(b, (uint32_t)m->saved);
    w32(b, m->version);
}

int fake_msgstore_save(fake_msgstore *fs, const char *path)
{
    ols_buf b = {0};
    size_t i, k;
    int rc;
    ols_buf_put(&b, "OLSFAKE1", 8);
    ols_buf_put(&b, fs->uid, 16);
    w64(&b, fs->clock);
    w32(&b, fs->root);
    w32(&b, fs->subtree);
    w32(&b, fs->inbox);
    w32(&b, fs->sent);
    w32(&b, fs->trash);
    w32(&b, fs->outbox);
    w32(&b, fs->drafts);
    w32(&b, fs->junk);
    w32(&b, (uint32_t)fs->nnames);
    for (i = 0; i < fs->nnames; i++) {
        ols_buf_put(&b, &fs->names[i].guid, sizeof(GUID));
        w32(&b, fs->names[i].kind);
        w32(&b, (uint32_t)fs->names[i].id);
        wbytes(&b, fs->names[i].name ? fs->names[i].name : L"",
               (uint32_t)(fs->names[i].name ? wcslen(fs->names[i].name) * 2 : 0));
    }
    put_bag(&b, &fs->props);
    w32(&b, (uint32_t)fs->nnids);
    for (i = 0; i < fs->nnids; i++) {
        w32(&b, (uint32_t)fs->nids[i].kind);
        if (fs->nids[i].kind == K_FOLDER) {
            const frec_folder *f = fs->nids[i].rec;
            put_bag(&b, &f->props);
            w32(&b, f->nid);
            w32(&b, f->parent);
            w32(&b, (uint32_t)f->nkids);
            for (k = 0; k < f->nkids; k++)
                w32(&b, f->kids[k]);
            w32(&b, (uint32_t)f->nmsgs);
            for (k = 0; k < f->nmsgs; k++)
                w32(&b, f->msgs[k]);
        } else if (fs->nids[i].kind == K_MSG) {
            put_msg(&b, fs->nids[i].rec);
        }
    }
    if (b.oom) {
        ols_buf_free(&b);
        return -1;
    }
    rc = ols_file_write_atomic(path, b.p, b.n, 0, NULL) == OLS_OK ? 0 : -1;
    ols_buf_free(&b);
    return rc;
}

static void persist(fake_msgstore *fs)
{
    if (fs->persist_path && fake_msgstore_save(fs, fs->persist_path) != 0)
        fprintf(stderr, "fake_msgstore: cannot save to %s\n", fs->persist_path);
}

void fake_msgstore_write_through(fake_msgstore *fs, const char *path)
{
    free(fs->persist_path);
    fs->persist_path = path ? _strdup(path) : NULL;
    persist(fs);
}

typedef struct rd {
    const BYTE *p, *e;
    int bad;
} rd;

static uint32_t r32(rd *r)
{
    uint32_t v = 0;
    if (r->e - r->p < 4) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, 4);
    r->p += 4;
    return v;
}

static uint64_t r64(rd *r)
{
    uint64_t v = 0;
    if (r->e - r->p < 8) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, 8);
    r->p += 8;
    return v;
}

static const BYTE *rbytes(rd *r, uint32_t *n)
{
    const BYTE *p;
    *n = r32(r);
    if (r->bad || (uint64_t)(r->e - r->p) < *n) {
        r->bad = 1;
        return NULL;
    }
    p = r->p;
    r->p += *n;
    return p;
}

static wchar_t *rwstr(rd *r)
{
    uint32_t n;
    const BYTE *p = rbytes(r, &n);
    wchar_t *w = p ? malloc(n + 2) : NULL;
    if (!w)
        return NULL;
    memcpy(w, p, n);
    w[n / 2] = 0;
    return w;
}

static void get_bag(rd *r, bag *g)
{
    uint32_t n = r32(r), i, k;
    memset(g, 0, sizeof *g);
    for (i = 0; i < n && !r->bad; i++) {
        SPropValue v;
        uint32_t len;
        const BYTE *p;
        memset(&v, 0, sizeof v);
        v.ulPropTag = r32(r);
        switch (PROP_TYPE(v.ulPropTag)) {
        case PT_UNICODE:
            v.Value.lpszW = rwstr(r);
            break;
        case PT_STRING8:
            p = rbytes(r, &len);
            v.Value.lpszA = p ? calloc(1, len + 1) : NULL;
            if (v.Value.lpszA)
                memcpy(v.Value.lpszA, p, len);
            break;
        case PT_BINARY:
            p = rbytes(r, &len);
            if (!p)
                return;
            v.Value.bin.cb = len;
            v.Value.bin.lpb = (LPBYTE)p;
            bag_set(g, &v); /* copies */
            continue;
        case PT_CLSID:
            p = rbytes(r, &len);
            if (!p || len != sizeof(GUID)) {
                r->bad = 1;
                return;
            }
            v.Value.lpguid = (LPGUID)p;
            bag_set(g, &v);
            continue;
        case PT_MV_BINARY:
            v.Value.MVbin.cValues = r32(r);
            v.Value.MVbin.lpbin = calloc(v.Value.MVbin.cValues + 1, sizeof(SBinary));
            for (k = 0; v.Value.MVbin.lpbin && k < v.Value.MVbin.cValues; k++) {
                p = rbytes(r, &len);
                if (!p) {
                    v.Value.MVbin.cValues = k;
                    break;
                }
                v.Value.MVbin.lpbin[k].cb = len;
                v.Value.MVbin.lpbin[k].lpb = (LPBYTE)p;
            }
            bag_set(g, &v);
            free(v.Value.MVbin.lpbin);
            continue;
        case PT_MV_UNICODE:
            v.Value.MVszW.cValues = r32(r);
            v.Value.MVszW.lppszW = calloc(v.Value.MVszW.cValues + 1, sizeof(wchar_t *));
            for (k = 0; v.Value.MVszW.lppszW && k < v.Value.MVszW.cValues; k++)
                v.Value.MVszW.lppszW[k] = rwstr(r);
            break;
        case PT_MV_LONG:
            v.Value.MVl.cValues = r32(r);
            len = v.Value.MVl.cValues * 4;
            v.Value.MVl.lpl = malloc(len + 4);
            if (v.Value.MVl.lpl && (uint64_t)(r->e - r->p) >= len) {
                memcpy(v.Value.MVl.lpl, r->p, len);
                r->p += len;
            } else {
                r->bad = 1;
            }
            break;
        default:
            if (r->e - r->p < 8) {
                r->bad = 1;
                break;
            }
            memcpy(&v.Value, r->p, 8);
            r->p += 8;
            break;
        }
        /* owned values go straight into the bag */
        if (g->n == g->cap) {
            size_t nc = g->cap ? g->cap * 2 : 16;
            SPropValue *nv = realloc(g->v, nc * sizeof *nv);
            if (!nv) {
                r->bad = 1;
                val_free(&v);
                return;
            }
            g->v = nv;
            g->cap = nc;
        }
        g->v[g->n++] = v;
    }
}

static frec_msg *get_msg(rd *r, int depth)
{
    frec_msg *m = calloc(1, sizeof *m);
    uint32_t i;
    if (!m || depth > 16) {
        free(m);
        r->bad = 1;
        return NULL;
    }
    get_bag(r, &m->props);
    m->nrecips = r32(r);
    m->recips = calloc(m->nrecips + 1, sizeof *m->recips);
    for (i = 0; m->recips && i < m->nrecips && !r->bad; i++) {
        get_bag(r, &m->recips[i].props);
        m->recips[i].rowid = r32(r);
    }
    m->natts = r32(r);
    m->atts = calloc(m->natts + 1, sizeof *m->atts);
    for (i = 0; m->atts && i < m->natts && !r->bad; i++) {
        get_bag(r, &m->atts[i].props);
        m->atts[i].num = r32(r);
        if (r32(r))
            m->atts[i].embedded = get_msg(r, depth + 1);
    }
    m->next_att = r32(r);
    m->next_rowid = r32(r);
    m->nid = r32(r);
    m->folder = r32(r);
    m->assoc = (int)r32(r);
    m->saved = (int)r32(r);
    m->version = r32(r);
    return m;
}

fake_msgstore *fake_msgstore_load(const char *path, const fake_opts *o)
{
    char *data = NULL;
    size_t len = 0;
    rd r;
    fake_msgstore *fs;
    uint32_t i, k;
    if (ols_file_read_all(path, (size_t)1 << 30, &data, &len, NULL) != OLS_OK)
        return NULL;
    if (len < 8 || memcmp(data, "OLSFAKE1", 8) != 0) {
        free(data);
        return NULL;
    }
    fs = calloc(1, sizeof *fs);
    if (!fs) {
        free(data);
        return NULL;
    }
    fs->iface.lpVtbl = &store_vtbl;
    fs->ref = 1;
    if (o)
        fs->o = *o;
    if (!fs->o.large_limit)
        fs->o.large_limit = 32768;
    fs->next_conn = (ULONG_PTR)1 << 32;
    r.p = (const BYTE *)data + 8;
    r.e = (const BYTE *)data + len;
    r.bad = 0;
    if (r.e - r.p >= 16) {
        memcpy(fs->uid, r.p, 16);
        r.p += 16;
    }
    fs->clock = r64(&r);
    fs->root = r32(&r);
    fs->subtree = r32(&r);
    fs->inbox = r32(&r);
    fs->sent = r32(&r);
    fs->trash = r32(&r);
    fs->outbox = r32(&r);
    fs->drafts = r32(&r);
    fs->junk = r32(&r);
    fs->nnames = r32(&r);
    fs->names = calloc(fs->nnames + 1, sizeof *fs->names);
    for (i = 0; fs->names && i < fs->nnames && !r.bad; i++) {
        if (r.e - r.p < (ptrdiff_t)sizeof(GUID)) {
            r.bad = 1;
            break;
        }
        memcpy(&fs->names[i].guid, r.p, sizeof(GUID));
        r.p += sizeof(GUID);
        fs->names[i].kind = r32(&r);
        fs->names[i].id = (LONG)r32(&r);
        fs->names[i].name = rwstr(&r);
    }
    get_bag(&r, &fs->props);
    fs->nnids = r32(&r);
    fs->nids = calloc(fs->nnids + 1, sizeof *fs->nids);
    for (i = 0; fs->nids && i < fs->nnids && !r.bad; i++) {
        fs->nids[i].kind = (int)r32(&r);
        if (fs->nids[i].kind == K_FOLDER) {
            frec_folder *f = calloc(1, sizeof *f);
            if (!f) {
                r.bad = 1;
                break;
            }
            get_bag(&r, &f->props);
            f->nid = r32(&r);
            f->parent = r32(&r);
            f->nkids = r32(&r);
            f->kids = calloc(f->nkids + 1, sizeof *f->kids);
            for (k = 0; f->kids && k < f->nkids; k++)
                f->kids[k] = r32(&r);
            f->nmsgs = r32(&r);
            f->msgs = calloc(f->nmsgs + 1, sizeof *f->msgs);
            for (k = 0; f->msgs && k < f->nmsgs; k++)
                f->msgs[k] = r32(&r);
            fs->nids[i].rec = f;
        } else if (fs->nids[i].kind == K_MSG) {
            fs->nids[i].rec = get_msg(&r, 0);
        }
    }
    free(data);
    InterlockedIncrement(&g_objects);
    if (r.bad || !fs->nids || !folder_rec(fs, fs->root)) {
        fprintf(stderr, "fake_msgstore: %s is damaged\n", path);
        fake_msgstore_release(fs);
        return NULL;
    }
    return fs;
}
