/* A message-only window drains the pool's completions on the UI thread. One wake message
 * is posted per empty->non-empty transition, so a burst never floods the message queue. */
#include <windows.h>

#include <stdlib.h>

#include "uiqueue.h"

#define WM_OLS_DRAIN (WM_APP + 0x4f5)

struct ols_uiqueue {
    HWND hwnd;
    ols_cqueue *cq;
};

static const wchar_t class_name[] = L"olsync.uiqueue";

static LRESULT CALLBACK wndproc(HWND h, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_OLS_DRAIN) {
        ols_uiqueue *u = (ols_uiqueue *)GetWindowLongPtrW(h, GWLP_USERDATA);
        if (u && u->cq)
            ols_cqueue_drain(u->cq);
        return 0;
    }
    return DefWindowProcW(h, msg, wp, lp);
}

static void wake(void *ctx)
{
    ols_uiqueue *u = ctx;
    /* if the post fails (queue full), the next completion posts again and drains all */
    PostMessageW(u->hwnd, WM_OLS_DRAIN, 0, 0);
}

static HINSTANCE this_module(void)
{
    HMODULE m = NULL;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                           GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       (LPCWSTR)(void *)wndproc, &m);
    return m;
}

ols_status ols_uiqueue_new(ols_uiqueue **out)
{
    WNDCLASSEXW wc;
    ols_uiqueue *u = calloc(1, sizeof *u);
    HINSTANCE inst = this_module();
    ols_status st;
    if (!u)
        return OLS_ENOMEM;
    memset(&wc, 0, sizeof wc);
    wc.cbSize = sizeof wc;
    wc.lpfnWndProc = wndproc;
    wc.hInstance = inst;
    wc.lpszClassName = class_name;
    if (!RegisterClassExW(&wc) && GetLastError() != ERROR_CLASS_ALREADY_EXISTS) {
        free(u);
        return OLS_EIO;
    }
    u->hwnd = CreateWindowExW(0, class_name, L"", 0, 0, 0, 0, 0, HWND_MESSAGE, NULL, inst, NULL);
    if (!u->hwnd) {
        free(u);
        return OLS_EIO;
    }
    SetWindowLongPtrW(u->hwnd, GWLP_USERDATA, (LONG_PTR)u);
    st = ols_cqueue_new(wake, u, &u->cq);
    if (st != OLS_OK) {
        DestroyWindow(u->hwnd);
        free(u);
        return st;
    }
    *out = u;
    return OLS_OK;
}

ols_cqueue *ols_uiqueue_cq(ols_uiqueue *u) { return u->cq; }

void ols_uiqueue_free(ols_uiqueue *u)
{
    if (!u)
        return;
    ols_cqueue_free(u->cq); /* runs what is left, here on the UI thread */
    u->cq = NULL;
    DestroyWindow(u->hwnd);
    free(u);
}
