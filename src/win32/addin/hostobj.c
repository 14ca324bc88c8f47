/* Late-bound calls on Outlook's objects (IDispatch by name), and text conversions.
 * Outlook objects may answer anything, E_NOTIMPL included: every path returns an HRESULT. */
#include "addin.h"

#include <stdlib.h>

static HRESULT dispid_of(IDispatch *obj, const wchar_t *name, DISPID *id)
{
    LPOLESTR n = (LPOLESTR)name;
    *id = DISPID_UNKNOWN;
    if (!obj)
        return E_POINTER;
    return IDispatch_GetIDsOfNames(obj, &IID_NULL, &n, 1, LOCALE_USER_DEFAULT, id);
}

HRESULT host_get(IDispatch *obj, const wchar_t *name, VARIANT *out)
{
    DISPPARAMS dp = {NULL, NULL, 0, 0};
    DISPID id;
    HRESULT hr;
    VariantInit(out);
    hr = dispid_of(obj, name, &id);
    if (FAILED(hr))
        return hr;
    return IDispatch_Invoke(obj, id, &IID_NULL, LOCALE_USER_DEFAULT,
                            DISPATCH_PROPERTYGET | DISPATCH_METHOD, &dp, out, NULL, NULL);
}

HRESULT host_put(IDispatch *obj, const wchar_t *name, const VARIANT *value)
{
    DISPID named = DISPID_PROPERTYPUT, id;
    VARIANT arg = *value; /* Invoke takes a non-const array; it does not keep it */
    DISPPARAMS dp = {&arg, &named, 1, 1};
    HRESULT hr = dispid_of(obj, name, &id);
    if (FAILED(hr))
        return hr;
    return IDispatch_Invoke(obj, id, &IID_NULL, LOCALE_USER_DEFAULT, DISPATCH_PROPERTYPUT, &dp,
                            NULL, NULL, NULL);
}

HRESULT host_call1(IDispatch *obj, const wchar_t *name, const VARIANT *arg, VARIANT *out)
{
    VARIANT a = *arg;
    DISPPARAMS dp = {&a, NULL, 1, 0};
    DISPID id;
    HRESULT hr;
    VariantInit(out);
    hr = dispid_of(obj, name, &id);
    if (FAILED(hr))
        return hr;
    return IDispatch_Invoke(obj, id, &IID_NULL, LOCALE_USER_DEFAULT,
                            DISPATCH_METHOD | DISPATCH_PROPERTYGET, &dp, out, NULL, NULL);
}

/* A VT_DISPATCH result as an owned IDispatch pointer. */
static HRESULT take_dispatch(VARIANT *v, IDispatch **out)
{
    *out = NULL;
    if (V_VT(v) == VT_DISPATCH && V_DISPATCH(v)) {
        *out = V_DISPATCH(v); /* the variant's reference becomes ours */
        V_VT(v) = VT_EMPTY;
        return S_OK;
    }
    VariantClear(v);
    return E_NOINTERFACE;
}

HRESULT host_context_folder(IDispatch *context, IDispatch **folder)
{
    VARIANT v, one;
    IDispatch *item = NULL;
    HRESULT hr;
    *folder = NULL;
    if (!context)
        return E_POINTER;
    /* a Folder has a FolderPath */
    hr = host_get(context, L"FolderPath", &v);
    if (SUCCEEDED(hr)) {
        VariantClear(&v);
        IDispatch_AddRef(context);
        *folder = context;
        return S_OK;
    }
    /* a Selection: its first item's Parent is the folder */
    V_VT(&one) = VT_I4;
    V_I4(&one) = 1;
    hr = host_call1(context, L"Item", &one, &v);
    if (FAILED(hr))
        return hr;
    hr = take_dispatch(&v, &item);
    if (FAILED(hr))
        return hr;
    hr = host_get(item, L"Parent", &v);
    IDispatch_Release(item);
    if (FAILED(hr))
        return hr;
    return take_dispatch(&v, folder);
}

char *ols_utf8(const wchar_t *w)
{
    int n;
    char *s;
    if (!w)
        return NULL;
    n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0)
        return NULL;
    s = malloc((size_t)n);
    if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) <= 0) {
        free(s);
        s = NULL;
    }
    return s;
}

wchar_t *ols_wide(const char *s)
{
    int n;
    wchar_t *w;
    if (!s)
        return NULL;
    n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof *w);
    if (w && MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n) <= 0) {
        free(w);
        w = NULL;
    }
    return w;
}
