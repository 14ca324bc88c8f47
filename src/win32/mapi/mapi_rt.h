/* MAPI run time: allocator and entry points resolved from the loaded MAPI DLL, and small
 * property, table, stream and string helpers of our own (Wine's mapi32 lacks or breaks
 * several of the utility exports, and a static import of them fails under Wine). */
#ifndef OLS_MAPI_RT_H
#define OLS_MAPI_RT_H

#include <stdint.h>

#include "mapi_abi.h"
#include "olsync/status.h"

typedef HRESULT(WINAPI *ols_mapi_init_fn)(LPVOID lpMapiInit);
typedef void(WINAPI *ols_mapi_uninit_fn)(void);
typedef HRESULT(WINAPI *ols_mapi_wraprtf_fn)(LPSTREAM lpCompressedRTFStream, ULONG ulFlags,
                                             LPSTREAM *lpUncompressedRTFStream);

typedef struct ols_mapi_rt {
    LPALLOCATEBUFFER alloc;  /* MAPIAllocateBuffer */
    LPALLOCATEMORE more;     /* MAPIAllocateMore */
    LPFREEBUFFER free;       /* MAPIFreeBuffer */
    ols_mapi_init_fn initialize;     /* MAPIInitialize, NULL if absent */
    ols_mapi_uninit_fn uninitialize; /* MAPIUninitialize, NULL if absent */
    ols_mapi_wraprtf_fn wrap_rtf;    /* WrapCompressedRTFStream, NULL if absent */
    const char *source;      /* "olmapi32.dll", "mapi32.dll", "builtin", or a test's name */
} ols_mapi_rt;

/* The table in use. Until ols_mapi_rt_load() or ols_mapi_rt_set() it is the built-in
 * allocator (pure C, the MAPIAllocateBuffer contract: More links to the parent, Free
 * releases the whole chain). */
const ols_mapi_rt *ols_mapi_rt_get(void);
/* Resolve the allocator and entry points from a MAPI DLL: `dll` if given, else the one
 * Outlook has loaded (olmapi32.dll, then mapi32.dll), else LoadLibrary("mapi32.dll").
 * Each export is looked up undecorated, then as name@N (Wine exports some only so). The
 * table changes only when all three allocator functions were found. */
ols_status ols_mapi_rt_load(const wchar_t *dll, ols_err *err);
/* Install a table (tests); NULL restores the built-in allocator. Not thread-safe: call
 * before any MAPI work starts. */
void ols_mapi_rt_set(const ols_mapi_rt *rt);
/* The built-in allocator, usable as a table of its own. */
const ols_mapi_rt *ols_mapi_rt_builtin(void);
/* Outstanding built-in allocations (chains), for leak checks in tests. */
long ols_mapi_rt_builtin_live(void);

/* MAPIInitialize(MAPI_MULTITHREAD_NOTIFICATIONS) for the calling thread when the run time
 * has it; every thread that uses MAPI objects from Outlook must call it once (and
 * ols_mapi_thread_done at its end). A missing entry point is not an error. */
HRESULT ols_mapi_thread_init(void);
void ols_mapi_thread_done(void);

/* ---- allocation through the table ---- */
SCODE ols_mapi_alloc(ULONG n, void **out);
SCODE ols_mapi_alloc_more(ULONG n, void *parent, void **out);
void ols_mapi_free(void *p); /* NULL is fine */
void ols_mapi_free_rows(SRowSet *rows);     /* FreeProws */
void ols_mapi_free_adrlist(ADRLIST *list);  /* FreePadrlist */

/* ---- properties ---- */
/* GetProps on a list of tags (no SPropTagArray boilerplate); *out is freed with
 * ols_mapi_free. Missing properties come back as PT_ERROR entries (MAPI_W_ERRORS_RETURNED
 * is returned as S_OK). */
HRESULT ols_mapi_get_props(IMAPIProp *obj, const ULONG *tags, ULONG n, ULONG *count,
                           SPropValue **out);
/* The value with exactly this tag in an array, or NULL (PT_ERROR entries never match
 * unless asked for with a PT_ERROR tag). */
const SPropValue *ols_mapi_find(const SPropValue *v, ULONG n, ULONG tag);
/* HrGetOneProp / HrSetOneProp of our own: MAPI_E_NOT_FOUND when missing. */
HRESULT ols_mapi_get_one(IMAPIProp *obj, ULONG tag, SPropValue **out);
HRESULT ols_mapi_set_one(IMAPIProp *obj, const SPropValue *v);
HRESULT ols_mapi_set_long(IMAPIProp *obj, ULONG tag, LONG v);
HRESULT ols_mapi_delete_one(IMAPIProp *obj, ULONG tag);
/* A whole property as bytes (malloc'd; strings as UTF-16LE without the terminator): from
 * GetProps when small, through OpenProperty(IID_IStream) when the store says the value is
 * too large for GetProps (MAPI_E_NOT_ENOUGH_MEMORY). */
HRESULT ols_mapi_read_prop(IMAPIProp *obj, ULONG tag, BYTE **data, size_t *len);
/* The same for a string property, as malloc'd UTF-8 (NULL and MAPI_E_NOT_FOUND if absent). */
HRESULT ols_mapi_read_string(IMAPIProp *obj, ULONG tag_w, char **utf8);
/* Write a property of any size: SetProps up to 8 KiB, a committed property stream above. */
HRESULT ols_mapi_write_prop(IMAPIProp *obj, ULONG tag, const void *data, size_t len);
HRESULT ols_mapi_write_string(IMAPIProp *obj, ULONG tag_w, const char *utf8);

/* Named properties: ids for names in PSETID_Olsync (MNID_STRING), created if missing; each
 * result tag carries the type given in types[]. */
HRESULT ols_mapi_named_tags(IMAPIProp *obj, const GUID *set, const wchar_t *const *names,
                            const ULONG *types, ULONG n, ULONG *tags_out);

/* ---- tables ---- */
/* QueryRows until the table is exhausted, calling cb per row (non-zero stops). */
HRESULT ols_mapi_table_each(IMAPITable *t, const ULONG *cols, ULONG ncols, ULONG batch,
                            int (*cb)(void *ctx, const SRow *row), void *ctx);

/* ---- streams ---- */
HRESULT ols_stream_read_all(IStream *s, size_t max, BYTE **data, size_t *len);
HRESULT ols_stream_write_all(IStream *s, const void *p, size_t n);
/* A read-only IStream over a copy of the bytes (CreateStreamOnHGlobal). */
HRESULT ols_stream_from_bytes(const void *p, size_t n, IStream **out);

/* ---- strings, hex, time ---- */
wchar_t *ols_utf8_to_wide(const char *s, int len); /* malloc'd; len < 0: NUL-terminated */
char *ols_wide_to_utf8(const wchar_t *w, int len); /* malloc'd */
char *ols_hex_encode(const void *p, size_t n);     /* malloc'd, upper case */
/* Decode into a malloc'd buffer; -1 when the text is not even-length hex. */
int ols_hex_decode(const char *hex, BYTE **out, ULONG *n);
int64_t ols_filetime_to_unix(FILETIME ft); /* seconds */
FILETIME ols_unix_to_filetime(int64_t secs);
uint64_t ols_filetime_u64(FILETIME ft);

/* ---- errors ---- */
ols_status ols_mapi_status(HRESULT hr);
/* "MAPI_E_NOT_FOUND" for the codes we meet, else "0x80040107"-style in buf. */
const char *ols_mapi_hr_name(HRESULT hr, char *buf, size_t n);
ols_status ols_mapi_err(ols_err *err, HRESULT hr, const char *what);

#endif
