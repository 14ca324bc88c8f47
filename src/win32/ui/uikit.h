/* Small helpers shared by the olsync windows: text conversion, the common controls v6
 * activation context, keyboard handling for modeless windows, controls placed in
 * dialog units. Internal to src/win32/ui. */
#ifndef OLS_WIN32_UIKIT_H
#define OLS_WIN32_UIKIT_H

#include <windows.h>

#include <commctrl.h>

/* UTF-8 <-> UTF-16, malloc'd; NULL in -> empty string out; NULL only when out of memory. */
wchar_t *ols_ui_wide(const char *utf8);
char *ols_ui_utf8(const wchar_t *w);
/* Text of a window as malloc'd UTF-8 (never NULL unless out of memory). */
char *ols_ui_text_utf8(HWND h);
void ols_ui_set_text_utf8(HWND h, const char *utf8);

/* The module this code lives in (the add-in DLL, or the test program). */
HINSTANCE ols_ui_module(void);

/* Activate the common controls v6 context from this module's manifest resource 2 (what
 * a DLL inside Outlook needs); a no-op when there is none (the process manifest then
 * decides). Calls InitCommonControlsEx inside the context. */
void ols_ui_actctx_enter(ULONG_PTR *cookie);
void ols_ui_actctx_leave(ULONG_PTR cookie);

/* Modeless windows get Tab, arrows, mnemonics, Enter and Esc without owning the message
 * loop (Outlook owns it): a WH_GETMESSAGE hook on the UI thread routes keyboard messages.
 * kind 1 = property sheet (PropSheet_IsDialogMessage), 0 = dialog; tab_ctl (may be NULL)
 * gets Ctrl+Tab / Ctrl+Shift+Tab. */
void ols_ui_modeless_add(HWND top, int kind, HWND tab_ctl);
void ols_ui_modeless_remove(HWND top);

/* An in-memory DLGTEMPLATEEX with no items, the shell dialog font (8 pt), malloc'd. */
DLGTEMPLATE *ols_ui_template(short cx, short cy, DWORD style, DWORD exstyle,
                             const wchar_t *title);

/* Create a child control at dialog-unit coordinates, with the dialog's font. */
HWND ols_ui_ctl(HWND dlg, const wchar_t *cls, const wchar_t *text, DWORD style, DWORD exstyle,
                int x, int y, int w, int h, int id);
/* Dialog units -> pixels for one rectangle. */
RECT ols_ui_dlu(HWND dlg, int x, int y, int w, int h);

/* A tooltip control for a dialog; tools shown over rectangles, so they work for disabled
 * controls too (a disabled control gets no mouse messages, its parent does). */
HWND ols_ui_tooltip_new(HWND dlg);
void ols_ui_tooltip_for(HWND tip, HWND ctl, const wchar_t *text);

/* Human-readable byte counts: "812 B", "14.2 kB", "3.1 MB". */
void ols_ui_bytes(unsigned long long b, wchar_t *out, size_t n);

#endif
