/* MAPI run time: the allocator table, resolved exports, and property/table/stream helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapi_rt.h"

/* ---- the built-in allocator ---- */
#define BLK_ROOT 0x4f4c5352u /* "OLSR" */
#define BLK_MORE 0x4f4c534du /* "OLSM" */

typedef union blkhdr {
    struct {
        uint32_t magic;
        union blkhdr *next; /* the chain of More blocks hanging off a root */
    } h;
    max_align_t align;
} blkhdr;

static volatile LONG g_live;

static SCODE WINAPI builtin_alloc(ULONG n, LPVOID *out)
{
    blkhdr *b;
    if (!out)
        return MAPI_E_INVALID_PARAMETER;
    b = calloc(1, sizeof *b + (n ? n : 1));
    if (!b) {
        *out = NULL;
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    b->h.magic = BLK_ROOT;
    b->h.next = NULL;
    InterlockedIncrement(&g_live);
    *out = b + 1;
    return S_OK;
}

static SCODE WINAPI builtin_more(ULONG n, LPVOID parent, LPVOID *out)
{
    blkhdr *root, *b;
    if (!out)
        return MAPI_E_INVALID_PARAMETER;
    if (!parent)
        return builtin_alloc(n, out);
    root = (blkhdr *)parent - 1;
    if (root->h.magic != BLK_ROOT)
        return MAPI_E_INVALID_PARAMETER;
    b = calloc(1, sizeof *b + (n ? n : 1));
    if (!b) {
        *out = NULL;
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    b->h.magic = BLK_MORE;
    b->h.next = root->h.next;
    root->h.next = b;
    *out = b + 1;
    return S_OK;
}

static ULONG WINAPI builtin_free(LPVOID p)
{
    blkhdr *root, *b;
    if (!p)
        return S_OK;
    root = (blkhdr *)p - 1;
    if (root->h.magic != BLK_ROOT)
        return (ULONG)MAPI_E_INVALID_PARAMETER;
    root->h.magic = 0;
    b = root->h.next;
    while (b) {
        blkhdr *next = b->h.next;
        b->h.magic = 0;
        free(b);
        b = next;
    }
    free(root);
    InterlockedDecrement(&g_live);
    return S_OK;
}

static const ols_mapi_rt builtin_rt = {builtin_alloc, builtin_more, builtin_free, NULL, NULL,
                                       NULL, "builtin"};
static ols_mapi_rt loaded_rt;
static const ols_mapi_rt *g_rt = &builtin_rt;

const ols_mapi_rt *ols_mapi_rt_get(void) { return g_rt; }
const ols_mapi_rt *ols_mapi_rt_builtin(void) { return &builtin_rt; }
long ols_mapi_rt_builtin_live(void) { return g_live; }
void ols_mapi_rt_set(const ols_mapi_rt *rt) { g_rt = rt ? rt : &builtin_rt; }

/* Undecorated first; Wine's mapi32 exports several functions only as name@N. */
static FARPROC resolve(HMODULE m, const char *name, unsigned argbytes)
{
    char deco[96];
    FARPROC f = GetProcAddress(m, name);
    if (f)
        return f;
    snprintf(deco, sizeof deco, "%s@%u", name, argbytes);
    return GetProcAddress(m, deco);
}

ols_status ols_mapi_rt_load(const wchar_t *dll, ols_err *err)
{
    static const wchar_t *const candidates[] = {L"olmapi32.dll", L"mapi32.dll"};
    HMODULE m = NULL;
    const char *source = "mapi32.dll";
    size_t i;
    ols_mapi_rt rt;
    if (dll) {
        m = LoadLibraryW(dll);
        source = "custom";
    } else {
        for (i = 0; i < sizeof candidates / sizeof candidates[0] && !m; i++) {
            m = GetModuleHandleW(candidates[i]);
            if (m)
                source = i == 0 ? "olmapi32.dll" : "mapi32.dll";
        }
        if (!m)
            m = LoadLibraryW(L"mapi32.dll");
    }
    if (!m)
        return ols_err_set(err, OLS_ENOENT, "no MAPI DLL could be loaded (error %lu)",
                           (unsigned long)GetLastError());
    memset(&rt, 0, sizeof rt);
    /* a cast through void (*)(void) silences -Wcast-function-type: FARPROC is a generic
     * function pointer and these are the documented signatures */
    rt.alloc = (LPALLOCATEBUFFER)(void (*)(void))resolve(m, "MAPIAllocateBuffer", 8);
    rt.more = (LPALLOCATEMORE)(void (*)(void))resolve(m, "MAPIAllocateMore", 12);
    rt.free = (LPFREEBUFFER)(void (*)(void))resolve(m, "MAPIFreeBuffer", 4);
    rt.initialize = (ols_mapi_init_fn)(void (*)(void))resolve(m, "MAPIInitialize", 4);
    rt.uninitialize = (ols_mapi_uninit_fn)(void (*)(void))resolve(m, "MAPIUninitialize", 0);
    rt.wrap_rtf = (ols_mapi_wraprtf_fn)(void (*)(void))resolve(m, "WrapCompressedRTFStream", 12);
    rt.source = source;
    if (!rt.alloc || !rt.more || !rt.free)
        return ols_err_set(err, OLS_EUNSUPPORTED,
                           "the MAPI DLL has no MAPIAllocateBuffer/More/FreeBuffer");
    loaded_rt = rt;
    g_rt = &loaded_rt;
    return OLS_OK;
}

HRESULT ols_mapi_thread_init(void)
{
    MAPIINIT_0 init = {MAPI_INIT_VERSION, MAPI_MULTITHREAD_NOTIFICATIONS};
    if (!g_rt->initialize)
        return S_OK;
    return g_rt->initialize(&init);
}

void ols_mapi_thread_done(void)
{
    if (g_rt->uninitialize)
        g_rt->uninitialize();
}

/* ---- allocation ---- */
SCODE ols_mapi_alloc(ULONG n, void **out) { return g_rt->alloc(n, out); }
SCODE ols_mapi_alloc_more(ULONG n, void *parent, void **out) { return g_rt->more(n, parent, out); }
void ols_mapi_free(void *p)
{
    if (p)
        g_rt->free(p);
}

void ols_mapi_free_rows(SRowSet *rows)
{
    ULONG i;
    if (!rows)
        return;
    for (i = 0; i < rows->cRows; i++)
        ols_mapi_free(rows->aRow[i].lpProps);
    ols_mapi_free(rows);
}

void ols_mapi_free_adrlist(ADRLIST *list)
{
    ULONG i;
    if (!list)
        return;
    for (i = 0; i < list->cEntries; i++)
        ols_mapi_free(list->aEntries[i].rgPropVals);
    ols_mapi_free(list);
}

/* ---- properties ---- */
HRESULT ols_mapi_get_props(IMAPIProp *obj, const ULONG *tags, ULONG n, ULONG *count,
                           SPropValue **out)
{
    SPropTagArray *arr = malloc(CbNewSPropTagArray(n ? n : 1));
    HRESULT hr;
    ULONG c = 0;
    if (!arr)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    arr->cValues = n;
    memcpy(arr->aulPropTag, tags, n * sizeof *tags);
    *out = NULL;
    hr = obj->lpVtbl->GetProps(obj, arr, MAPI_UNICODE, &c, out);
    free(arr);
    if (hr == MAPI_W_ERRORS_RETURNED)
        hr = S_OK;
    if (FAILED(hr)) {
        ols_mapi_free(*out);
        *out = NULL;
        c = 0;
    }
    if (count)
        *count = c;
    return hr;
}

const SPropValue *ols_mapi_find(const SPropValue *v, ULONG n, ULONG tag)
{
    ULONG i;
    if (!v)
        return NULL;
    for (i = 0; i < n; i++)
        if (v[i].ulPropTag == tag)
            return &v[i];
    return NULL;
}

HRESULT ols_mapi_get_one(IMAPIProp *obj, ULONG tag, SPropValue **out)
{
    ULONG n = 0;
    HRESULT hr = ols_mapi_get_props(obj, &tag, 1, &n, out);
    if (FAILED(hr))
        return hr;
    if (n != 1 || PROP_TYPE((*out)->ulPropTag) == PT_ERROR) {
        hr = n == 1 && (*out)->Value.err ? (*out)->Value.err : MAPI_E_NOT_FOUND;
        ols_mapi_free(*out);
        *out = NULL;
        return hr;
    }
    return S_OK;
}

static HRESULT check_problems(HRESULT hr, SPropProblemArray *probs)
{
    if (SUCCEEDED(hr) && probs && probs->cProblem)
        hr = probs->aProblem[0].scode ? probs->aProblem[0].scode : MAPI_E_CALL_FAILED;
    ols_mapi_free(probs);
    return hr;
}

HRESULT ols_mapi_set_one(IMAPIProp *obj, const SPropValue *v)
{
    SPropProblemArray *probs = NULL;
    SPropValue copy = *v;
    HRESULT hr = obj->lpVtbl->SetProps(obj, 1, &copy, &probs);
    return check_problems(hr, probs);
}

HRESULT ols_mapi_set_long(IMAPIProp *obj, ULONG tag, LONG v)
{
    SPropValue p;
    memset(&p, 0, sizeof p);
    p.ulPropTag = tag;
    p.Value.l = v;
    return ols_mapi_set_one(obj, &p);
}

HRESULT ols_mapi_delete_one(IMAPIProp *obj, ULONG tag)
{
    SizedSPropTagArray(1, arr) = {1, {tag}};
    SPropProblemArray *probs = NULL;
    HRESULT hr = obj->lpVtbl->DeleteProps(obj, (LPSPropTagArray)&arr, &probs);
    ols_mapi_free(probs); /* a property that was not there is no failure */
    return hr;
}

HRESULT ols_mapi_read_prop(IMAPIProp *obj, ULONG tag, BYTE **data, size_t *len)
{
    SPropValue *v = NULL;
    ULONG n = 0;
    HRESULT hr = ols_mapi_get_props(obj, &tag, 1, &n, &v);
    *data = NULL;
    *len = 0;
    if (FAILED(hr))
        return hr;
    if (n == 1 && v->ulPropTag == tag) {
        const void *src = NULL;
        size_t sz = 0;
        if (PROP_TYPE(tag) == PT_BINARY) {
            src = v->Value.bin.lpb;
            sz = v->Value.bin.cb;
        } else if (PROP_TYPE(tag) == PT_UNICODE) {
            src = v->Value.lpszW;
            sz = v->Value.lpszW ? wcslen(v->Value.lpszW) * sizeof(wchar_t) : 0;
        } else if (PROP_TYPE(tag) == PT_STRING8) {
            src = v->Value.lpszA;
            sz = v->Value.lpszA ? strlen(v->Value.lpszA) : 0;
        } else {
            ols_mapi_free(v);
            return MAPI_E_INVALID_TYPE;
        }
        *data = malloc(sz ? sz : 1);
        if (!*data) {
            ols_mapi_free(v);
            return MAPI_E_NOT_ENOUGH_MEMORY;
        }
        if (sz)
            memcpy(*data, src, sz);
        *len = sz;
        ols_mapi_free(v);
        return S_OK;
    }
    hr = n == 1 && PROP_TYPE(v->ulPropTag) == PT_ERROR ? v->Value.err : MAPI_E_NOT_FOUND;
    ols_mapi_free(v);
    if (hr == MAPI_E_NOT_ENOUGH_MEMORY) {
        /* too large for GetProps: every store hands it out as a stream */
        IUnknown *unk = NULL;
        IStream *s;
        hr = obj->lpVtbl->OpenProperty(obj, tag, &IID_IStream, STGM_READ, 0, &unk);
        if (FAILED(hr))
            return hr;
        s = (IStream *)unk;
        hr = ols_stream_read_all(s, (size_t)1 << 31, data, len);
        s->lpVtbl->Release(s);
        if (SUCCEEDED(hr) && PROP_TYPE(tag) == PT_UNICODE)
            while (*len >= 2 && !(*data)[*len - 1] && !(*data)[*len - 2])
                *len -= 2; /* some stores count the terminator in the stream */
    }
    return hr;
}

HRESULT ols_mapi_read_string(IMAPIProp *obj, ULONG tag_w, char **utf8)
{
    BYTE *d = NULL;
    size_t n = 0;
    HRESULT hr = ols_mapi_read_prop(obj, tag_w, &d, &n);
    *utf8 = NULL;
    if (FAILED(hr))
        return hr;
    *utf8 = ols_wide_to_utf8((const wchar_t *)d, (int)(n / sizeof(wchar_t)));
    free(d);
    return *utf8 ? S_OK : MAPI_E_NOT_ENOUGH_MEMORY;
}

#define SMALL_PROP 8192

HRESULT ols_mapi_write_prop(IMAPIProp *obj, ULONG tag, const void *data, size_t len)
{
    HRESULT hr;
    if (len <= SMALL_PROP) {
        SPropValue v;
        wchar_t *w = NULL;
        char *a = NULL;
        memset(&v, 0, sizeof v);
        v.ulPropTag = tag;
        if (PROP_TYPE(tag) == PT_BINARY) {
            v.Value.bin.cb = (ULONG)len;
            v.Value.bin.lpb = (LPBYTE)data;
        } else if (PROP_TYPE(tag) == PT_UNICODE) {
            w = malloc(len + sizeof(wchar_t));
            if (!w)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            memcpy(w, data, len);
            w[len / sizeof(wchar_t)] = 0;
            v.Value.lpszW = w;
        } else if (PROP_TYPE(tag) == PT_STRING8) {
            a = malloc(len + 1);
            if (!a)
                return MAPI_E_NOT_ENOUGH_MEMORY;
            memcpy(a, data, len);
            a[len] = 0;
            v.Value.lpszA = a;
        } else {
            return MAPI_E_INVALID_TYPE;
        }
        hr = ols_mapi_set_one(obj, &v);
        free(w);
        free(a);
        return hr;
    }
    {
        IUnknown *unk = NULL;
        IStream *s;
        ULARGE_INTEGER sz;
        hr = obj->lpVtbl->OpenProperty(obj, tag, &IID_IStream, STGM_CREATE | STGM_READWRITE,
                                       MAPI_CREATE | MAPI_MODIFY, &unk);
        if (FAILED(hr))
            return hr;
        s = (IStream *)unk;
        sz.QuadPart = len;
        hr = s->lpVtbl->SetSize(s, sz);
        if (SUCCEEDED(hr))
            hr = ols_stream_write_all(s, data, len);
        if (SUCCEEDED(hr))
            hr = s->lpVtbl->Commit(s, STGC_DEFAULT);
        s->lpVtbl->Release(s);
        return hr;
    }
}

HRESULT ols_mapi_write_string(IMAPIProp *obj, ULONG tag_w, const char *utf8)
{
    wchar_t *w = ols_utf8_to_wide(utf8 ? utf8 : "", -1);
    HRESULT hr;
    if (!w)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    hr = ols_mapi_write_prop(obj, tag_w, w, wcslen(w) * sizeof(wchar_t));
    free(w);
    return hr;
}

HRESULT ols_mapi_named_tags(IMAPIProp *obj, const GUID *set, const wchar_t *const *names,
                            const ULONG *types, ULONG n, ULONG *tags_out)
{
    MAPINAMEID *ids = calloc(n, sizeof *ids);
    MAPINAMEID **ptrs = calloc(n, sizeof *ptrs);
    SPropTagArray *tags = NULL;
    HRESULT hr;
    ULONG i;
    if (!ids || !ptrs) {
        free(ids);
        free(ptrs);
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    for (i = 0; i < n; i++) {
        ids[i].lpguid = (LPGUID)set;
        ids[i].ulKind = MNID_STRING;
        ids[i].Kind.lpwstrName = (LPWSTR)names[i];
        ptrs[i] = &ids[i];
    }
    hr = obj->lpVtbl->GetIDsFromNames(obj, n, ptrs, MAPI_CREATE, &tags);
    if (SUCCEEDED(hr) && (!tags || tags->cValues != n))
        hr = MAPI_E_CALL_FAILED;
    for (i = 0; SUCCEEDED(hr) && i < n; i++) {
        if (PROP_TYPE(tags->aulPropTag[i]) == PT_ERROR || PROP_ID(tags->aulPropTag[i]) < 0x8000)
            hr = MAPI_E_NOT_FOUND;
        else
            tags_out[i] = CHANGE_PROP_TYPE(tags->aulPropTag[i], types[i]);
    }
    if (hr == MAPI_W_ERRORS_RETURNED)
        hr = MAPI_E_NOT_FOUND;
    ols_mapi_free(tags);
    free(ids);
    free(ptrs);
    return hr;
}

/* ---- tables ---- */
HRESULT ols_mapi_table_each(IMAPITable *t, const ULONG *cols, ULONG ncols, ULONG batch,
                            int (*cb)(void *ctx, const SRow *row), void *ctx)
{
    SPropTagArray *arr = malloc(CbNewSPropTagArray(ncols));
    HRESULT hr;
    if (!arr)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    arr->cValues = ncols;
    memcpy(arr->aulPropTag, cols, ncols * sizeof *cols);
    hr = t->lpVtbl->SetColumns(t, arr, 0);
    free(arr);
    if (SUCCEEDED(hr))
        hr = t->lpVtbl->SeekRow(t, BOOKMARK_BEGINNING, 0, NULL);
    while (SUCCEEDED(hr)) {
        SRowSet *rows = NULL;
        ULONG i;
        int stop = 0;
        hr = t->lpVtbl->QueryRows(t, (LONG)batch, 0, &rows);
        if (FAILED(hr))
            break;
        if (!rows || rows->cRows == 0) {
            ols_mapi_free_rows(rows);
            break;
        }
        for (i = 0; i < rows->cRows && !stop; i++)
            stop = cb(ctx, &rows->aRow[i]);
        ols_mapi_free_rows(rows);
        if (stop)
            break;
    }
    return hr;
}

/* ---- streams ---- */
HRESULT ols_stream_read_all(IStream *s, size_t max, BYTE **data, size_t *len)
{
    size_t cap = 65536, n = 0;
    BYTE *buf = malloc(cap);
    HRESULT hr = S_OK;
    if (!buf)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (;;) {
        ULONG got = 0;
        if (cap - n < 65536) {
            BYTE *nb;
            if (cap > max) {
                hr = MAPI_E_TOO_BIG;
                break;
            }
            nb = realloc(buf, cap * 2);
            if (!nb) {
                hr = MAPI_E_NOT_ENOUGH_MEMORY;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        hr = s->lpVtbl->Read(s, buf + n, 65536, &got);
        if (FAILED(hr))
            break;
        hr = S_OK;
        if (!got)
            break;
        n += got;
    }
    if (FAILED(hr)) {
        free(buf);
        return hr;
    }
    *data = buf;
    *len = n;
    return S_OK;
}

HRESULT ols_stream_write_all(IStream *s, const void *p, size_t n)
{
    const BYTE *b = p;
    while (n) {
        ULONG chunk = n > 1u << 20 ? 1u << 20 : (ULONG)n, put = 0;
        HRESULT hr = s->lpVtbl->Write(s, b, chunk, &put);
        if (FAILED(hr))
            return hr;
        if (!put)
            return STG_E_WRITEFAULT;
        b += put;
        n -= put;
    }
    return S_OK;
}

HRESULT ols_stream_from_bytes(const void *p, size_t n, IStream **out)
{
    IStream *s = NULL;
    LARGE_INTEGER zero;
    HRESULT hr = CreateStreamOnHGlobal(NULL, TRUE, &s);
    if (FAILED(hr))
        return hr;
    hr = ols_stream_write_all(s, p, n);
    zero.QuadPart = 0;
    if (SUCCEEDED(hr))
        hr = s->lpVtbl->Seek(s, zero, STREAM_SEEK_SET, NULL);
    if (FAILED(hr)) {
        s->lpVtbl->Release(s);
        return hr;
    }
    *out = s;
    return S_OK;
}

/* ---- strings, hex, time ---- */
wchar_t *ols_utf8_to_wide(const char *s, int len)
{
    int n;
    wchar_t *w;
    if (!s)
        return NULL;
    if (len < 0)
        len = (int)strlen(s);
    n = len ? MultiByteToWideChar(CP_UTF8, 0, s, len, NULL, 0) : 0;
    w = malloc(((size_t)n + 1) * sizeof *w);
    if (!w)
        return NULL;
    if (n)
        MultiByteToWideChar(CP_UTF8, 0, s, len, w, n);
    w[n] = 0;
    return w;
}

char *ols_wide_to_utf8(const wchar_t *w, int len)
{
    int n;
    char *s;
    if (!w)
        return NULL;
    if (len < 0)
        len = (int)wcslen(w);
    n = len ? WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL) : 0;
    s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    if (n)
        WideCharToMultiByte(CP_UTF8, 0, w, len, s, n, NULL, NULL);
    s[n] = 0;
    return s;
}

char *ols_hex_encode(const void *p, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    const BYTE *b = p;
    char *s = malloc(n * 2 + 1);
    size_t i;
    if (!s)
        return NULL;
    for (i = 0; i < n; i++) {
        s[2 * i] = digits[b[i] >> 4];
        s[2 * i + 1] = digits[b[i] & 15];
    }
    s[2 * n] = 0;
    return s;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ols_hex_decode(const char *hex, BYTE **out, ULONG *n)
{
    size_t len = strlen(hex), i;
    BYTE *b;
    if (len % 2 || len == 0)
        return -1;
    b = malloc(len / 2);
    if (!b)
        return -1;
    for (i = 0; i < len / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return -1;
        }
        b[i] = (BYTE)(hi << 4 | lo);
    }
    *out = b;
    *n = (ULONG)(len / 2);
    return 0;
}

#define EPOCH_DIFF 116444736000000000ull /* 1601-01-01 to 1970-01-01 in 100 ns */

uint64_t ols_filetime_u64(FILETIME ft)
{
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

int64_t ols_filetime_to_unix(FILETIME ft)
{
    uint64_t v = ols_filetime_u64(ft);
    return v < EPOCH_DIFF ? 0 : (int64_t)((v - EPOCH_DIFF) / 10000000ull);
}

FILETIME ols_unix_to_filetime(int64_t secs)
{
    FILETIME ft;
    uint64_t v = secs < 0 ? EPOCH_DIFF : (uint64_t)secs * 10000000ull + EPOCH_DIFF;
    ft.dwLowDateTime = (DWORD)v;
    ft.dwHighDateTime = (DWORD)(v >> 32);
    return ft;
}

/* ---- errors ---- */
ols_status ols_mapi_status(HRESULT hr)
{
    switch (hr) {
    case S_OK:
        return OLS_OK;
    case MAPI_E_NOT_FOUND:
    case MAPI_E_OBJECT_DELETED:
    case MAPI_E_INVALID_ENTRYID:
        return OLS_ENOENT;
    case MAPI_E_COLLISION:
        return OLS_EEXIST;
    case MAPI_E_HAS_FOLDERS:
    case MAPI_E_HAS_MESSAGES:
    case MAPI_E_BUSY:
    case MAPI_E_OBJECT_CHANGED:
        return OLS_EBUSY;
    case MAPI_E_NOT_ENOUGH_MEMORY: /* == E_OUTOFMEMORY */
        return OLS_ENOMEM;
    case MAPI_E_NOT_ENOUGH_DISK:
    case STG_E_MEDIUMFULL:
        return OLS_ENOSPC;
    case MAPI_E_INVALID_PARAMETER: /* == E_INVALIDARG */
        return OLS_EINVAL;
    case MAPI_E_NO_SUPPORT:
    case MAPI_E_INTERFACE_NOT_SUPPORTED:
    case E_NOTIMPL:
        return OLS_EUNSUPPORTED;
    case MAPI_E_TOO_BIG:
        return OLS_ERANGE;
    default:
        return OLS_EIO;
    }
}

const char *ols_mapi_hr_name(HRESULT hr, char *buf, size_t n)
{
    static const struct {
        HRESULT hr;
        const char *name;
    } names[] = {
        {MAPI_E_NOT_FOUND, "MAPI_E_NOT_FOUND"},
        {MAPI_E_OBJECT_DELETED, "MAPI_E_OBJECT_DELETED"},
        {MAPI_E_INVALID_ENTRYID, "MAPI_E_INVALID_ENTRYID"},
        {MAPI_E_COLLISION, "MAPI_E_COLLISION"},
        {MAPI_E_HAS_FOLDERS, "MAPI_E_HAS_FOLDERS"},
        {MAPI_E_HAS_MESSAGES, "MAPI_E_HAS_MESSAGES"},
        {MAPI_E_NOT_ENOUGH_MEMORY, "MAPI_E_NOT_ENOUGH_MEMORY"},
        {MAPI_E_NOT_ENOUGH_DISK, "MAPI_E_NOT_ENOUGH_DISK"},
        {MAPI_E_INVALID_PARAMETER, "MAPI_E_INVALID_PARAMETER"},
        {MAPI_E_NO_SUPPORT, "MAPI_E_NO_SUPPORT"},
        {MAPI_E_NO_ACCESS, "MAPI_E_NO_ACCESS"},
        {MAPI_E_CALL_FAILED, "MAPI_E_CALL_FAILED"},
        {MAPI_E_COMPUTED, "MAPI_E_COMPUTED"},
        {MAPI_E_NOT_INITIALIZED, "MAPI_E_NOT_INITIALIZED"},
        {MAPI_E_INTERFACE_NOT_SUPPORTED, "MAPI_E_INTERFACE_NOT_SUPPORTED"},
        {MAPI_E_OBJECT_CHANGED, "MAPI_E_OBJECT_CHANGED"},
        {MAPI_E_INVALID_TYPE, "MAPI_E_INVALID_TYPE"},
        {MAPI_E_TOO_BIG, "MAPI_E_TOO_BIG"},
        {REGDB_E_CLASSNOTREG, "REGDB_E_CLASSNOTREG"},
        {E_NOTIMPL, "E_NOTIMPL"},
    };
    size_t i;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].hr == hr)
            return names[i].name;
    snprintf(buf, n, "0x%08lX", (unsigned long)hr);
    return buf;
}

ols_status ols_mapi_err(ols_err *err, HRESULT hr, const char *what)
{
    char b[16];
    return ols_err_set(err, ols_mapi_status(hr), "%s: %s", what, ols_mapi_hr_name(hr, b, sizeof b));
}
