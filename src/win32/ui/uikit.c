/* Helpers shared by the olsync windows (see uikit.h). */
#include "uikit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

wchar_t *ols_ui_wide(const char *utf8)
{
    int n;
    wchar_t *w;
    if (!utf8)
        utf8 = "";
    n = MultiByteToWideChar(CP_UTF8, 0, utf8, -1, NULL, 0);
    if (n <= 0)
        n = 1;
    w = malloc((size_t)n * sizeof *w);
    if (!w)
        return NULL;
    if (MultiByteToWideChar(CP_UTF8, 0, utf8, -1, w, n) <= 0)
        w[0] = 0;
    return w;
}

char *ols_ui_utf8(const wchar_t *w)
{
    int n;
    char *s;
    if (!w)
        w = L"";
    n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0)
        n = 1;
    s = malloc((size_t)n);
    if (!s)
        return NULL;
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) <= 0)
        s[0] = 0;
    return s;
}

char *ols_ui_text_utf8(HWND h)
{
    int n = GetWindowTextLengthW(h);
    wchar_t *w = malloc(((size_t)(n < 0 ? 0 : n) + 1) * sizeof *w);
    char *s;
    if (!w)
        return NULL;
    w[0] = 0;
    GetWindowTextW(h, w, n + 1);
    s = ols_ui_utf8(w);
    free(w);
    return s;
}

void ols_ui_set_text_utf8(HWND h, const char *utf8)
{
    wchar_t *w = ols_ui_wide(utf8);
    if (w)
        SetWindowTextW(h, w);
    free(w);
}

HINSTANCE ols_ui_module(void)
{
    HMODULE m = NULL;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS |
                           GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                       (LPCWSTR)(void *)ols_ui_module, &m);
    return m;
}

/* ---- common controls v6 ---- */

static HANDLE g_actctx = INVALID_HANDLE_VALUE;
static INIT_ONCE g_actctx_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK make_actctx(PINIT_ONCE once, void *param, void **ctx)
{
    HINSTANCE mod = ols_ui_module();
    wchar_t path[MAX_PATH];
    ACTCTXW ac;
    (void)once;
    (void)param;
    (void)ctx;
    /* an EXE's own manifest (resource 1) already made the process context */
    if (!FindResourceW(mod, MAKEINTRESOURCEW(2), (LPCWSTR)RT_MANIFEST))
        return TRUE;
    if (!GetModuleFileNameW(mod, path, MAX_PATH))
        return TRUE;
    memset(&ac, 0, sizeof ac);
    ac.cbSize = sizeof ac;
    ac.dwFlags = ACTCTX_FLAG_HMODULE_VALID | ACTCTX_FLAG_RESOURCE_NAME_VALID;
    ac.lpSource = path;
    ac.hModule = mod;
    ac.lpResourceName = MAKEINTRESOURCEW(2);
    g_actctx = CreateActCtxW(&ac);
    return TRUE;
}

void ols_ui_actctx_enter(ULONG_PTR *cookie)
{
    INITCOMMONCONTROLSEX icc;
    *cookie = 0;
    InitOnceExecuteOnce(&g_actctx_once, make_actctx, NULL, NULL);
    if (g_actctx != INVALID_HANDLE_VALUE && !ActivateActCtx(g_actctx, cookie))
        *cookie = 0;
    icc.dwSize = sizeof icc;
    icc.dwICC = ICC_STANDARD_CLASSES | ICC_WIN95_CLASSES | ICC_TAB_CLASSES |
                ICC_PROGRESS_CLASS | ICC_TREEVIEW_CLASSES | ICC_LISTVIEW_CLASSES |
                ICC_BAR_CLASSES | ICC_LINK_CLASS;
    InitCommonControlsEx(&icc);
}

void ols_ui_actctx_leave(ULONG_PTR cookie)
{
    if (cookie)
        DeactivateActCtx(0, cookie);
}

/* ---- modeless windows without our own message loop ---- */

typedef struct modeless {
    HWND top, tab;
    int kind;
} modeless;

#define MAX_MODELESS 8
static modeless g_ml[MAX_MODELESS]; /* touched on the UI thread only */
static int g_ml_n;
static HHOOK g_hook;

static void tab_step(HWND tab, int back)
{
    int n = (int)SendMessageW(tab, TCM_GETITEMCOUNT, 0, 0);
    int cur = (int)SendMessageW(tab, TCM_GETCURSEL, 0, 0);
    NMHDR nm;
    if (n <= 0)
        return;
    cur = back ? (cur + n - 1) % n : (cur + 1) % n;
    SendMessageW(tab, TCM_SETCURSEL, (WPARAM)cur, 0);
    nm.hwndFrom = tab;
    nm.idFrom = (UINT_PTR)GetDlgCtrlID(tab);
    nm.code = TCN_SELCHANGE;
    SendMessageW(GetParent(tab), WM_NOTIFY, nm.idFrom, (LPARAM)&nm);
}

static LRESULT CALLBACK getmsg_hook(int code, WPARAM wp, LPARAM lp)
{
    MSG *m = (MSG *)lp;
    int i;
    if (code == HC_ACTION && wp == PM_REMOVE && m->message >= WM_KEYFIRST &&
        m->message <= WM_KEYLAST) {
        for (i = 0; i < g_ml_n; i++) {
            modeless *e = &g_ml[i];
            if (m->hwnd != e->top && !IsChild(e->top, m->hwnd))
                continue;
            if (e->tab && m->message == WM_KEYDOWN && m->wParam == VK_TAB &&
                GetKeyState(VK_CONTROL) < 0) {
                tab_step(e->tab, GetKeyState(VK_SHIFT) < 0);
                m->message = WM_NULL;
            } else if (e->kind == 1 ? PropSheet_IsDialogMessage(e->top, m)
                                    : IsDialogMessageW(e->top, m)) {
                m->message = WM_NULL; /* handled: the host's loop dispatches nothing */
            }
            break;
        }
    }
    return CallNextHookEx(g_hook, code, wp, lp);
}

void ols_ui_modeless_add(HWND top, int kind, HWND tab_ctl)
{
    if (g_ml_n >= MAX_MODELESS)
        return;
    g_ml[g_ml_n].top = top;
    g_ml[g_ml_n].kind = kind;
    g_ml[g_ml_n].tab = tab_ctl;
    g_ml_n++;
    if (!g_hook)
        g_hook = SetWindowsHookExW(WH_GETMESSAGE, getmsg_hook, NULL, GetCurrentThreadId());
}

void ols_ui_modeless_remove(HWND top)
{
    int i;
    for (i = 0; i < g_ml_n; i++)
        if (g_ml[i].top == top) {
            g_ml[i] = g_ml[--g_ml_n];
            break;
        }
    if (!g_ml_n && g_hook) {
        UnhookWindowsHookEx(g_hook);
        g_hook = NULL;
    }
}

/* ---- templates and controls ---- */

static BYTE *put_w(BYTE *p, WORD v)
{
    memcpy(p, &v, 2);
    return p + 2;
}

static BYTE *put_d(BYTE *p, DWORD v)
{
    memcpy(p, &v, 4);
    return p + 4;
}

static BYTE *put_s(BYTE *p, const wchar_t *s)
{
    size_t n = (wcslen(s) + 1) * sizeof(wchar_t);
    memcpy(p, s, n);
    return p + n;
}

DLGTEMPLATE *ols_ui_template(short cx, short cy, DWORD style, DWORD exstyle,
                             const wchar_t *title)
{
    static const wchar_t face[] = L"MS Shell Dlg";
    size_t size = 64 + (wcslen(title ? title : L"") + wcslen(face)) * sizeof(wchar_t);
    BYTE *buf = calloc(1, size), *p = buf;
    if (!buf)
        return NULL;
    p = put_w(p, 1);      /* dlgVer */
    p = put_w(p, 0xFFFF); /* signature: DLGTEMPLATEEX */
    p = put_d(p, 0);      /* helpID */
    p = put_d(p, exstyle);
    p = put_d(p, style | DS_SHELLFONT);
    p = put_w(p, 0);      /* no items: controls are created in WM_INITDIALOG */
    p = put_w(p, 0);      /* x */
    p = put_w(p, 0);      /* y */
    p = put_w(p, (WORD)cx);
    p = put_w(p, (WORD)cy);
    p = put_w(p, 0);      /* no menu */
    p = put_w(p, 0);      /* default class */
    p = put_s(p, title ? title : L"");
    p = put_w(p, 8);      /* point size */
    p = put_w(p, FW_NORMAL);
    *p++ = 0;             /* italic */
    *p++ = DEFAULT_CHARSET;
    put_s(p, face);
    return (DLGTEMPLATE *)buf;
}

RECT ols_ui_dlu(HWND dlg, int x, int y, int w, int h)
{
    RECT r;
    r.left = x;
    r.top = y;
    r.right = x + w;
    r.bottom = y + h;
    MapDialogRect(dlg, &r);
    return r;
}

HWND ols_ui_ctl(HWND dlg, const wchar_t *cls, const wchar_t *text, DWORD style, DWORD exstyle,
                int x, int y, int w, int h, int id)
{
    RECT r = ols_ui_dlu(dlg, x, y, w, h);
    HWND c = CreateWindowExW(exstyle, cls, text ? text : L"", WS_CHILD | WS_VISIBLE | style,
                             r.left, r.top, r.right - r.left, r.bottom - r.top, dlg,
                             (HMENU)(INT_PTR)id, ols_ui_module(), NULL);
    if (c)
        SendMessageW(c, WM_SETFONT, (WPARAM)SendMessageW(dlg, WM_GETFONT, 0, 0), FALSE);
    return c;
}

HWND ols_ui_tooltip_new(HWND dlg)
{
    HWND tip = CreateWindowExW(WS_EX_TOPMOST, TOOLTIPS_CLASSW, NULL,
                               WS_POPUP | TTS_ALWAYSTIP | TTS_NOPREFIX, CW_USEDEFAULT,
                               CW_USEDEFAULT, CW_USEDEFAULT, CW_USEDEFAULT, dlg, NULL,
                               ols_ui_module(), NULL);
    if (tip)
        SendMessageW(tip, TTM_SETMAXTIPWIDTH, 0, 320);
    return tip;
}

void ols_ui_tooltip_for(HWND tip, HWND ctl, const wchar_t *text)
{
    TTTOOLINFOW ti;
    HWND parent = GetParent(ctl);
    if (!tip || !ctl)
        return;
    memset(&ti, 0, sizeof ti);
    ti.cbSize = TTTOOLINFOW_V2_SIZE;
    ti.uFlags = TTF_SUBCLASS;
    ti.hwnd = parent;
    ti.uId = (UINT_PTR)ctl;
    GetWindowRect(ctl, &ti.rect);
    MapWindowPoints(NULL, parent, (POINT *)&ti.rect, 2);
    ti.lpszText = (wchar_t *)text;
    SendMessageW(tip, TTM_ADDTOOLW, 0, (LPARAM)&ti);
}

void ols_ui_bytes(unsigned long long b, wchar_t *out, size_t n)
{
    if (b >= 1024ull * 1024)
        swprintf(out, n, L"%.1f MB", (double)b / (1024.0 * 1024.0));
    else if (b >= 1024ull)
        swprintf(out, n, L"%.1f kB", (double)b / 1024.0);
    else
        swprintf(out, n, L"%llu B", b);
    out[n - 1] = 0;
}
