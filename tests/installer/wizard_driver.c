/* Wizard driver: runs olsync-setup.exe with its windows and walks every page the way a
 * user would (under Wine + Xvfb), checking that each page is the one expected, filling in
 * the account page and pressing its connection test, and capturing each page as a BMP.
 *
 *   wizard_driver setup.exe OUTDIR IMAP_PORT [en|de]
 *   wizard_driver --uninstall INSTDIR OUTDIR [en|de]
 *
 * IMAP_PORT is a local port where the test runs a fake IMAP greeting. Captures go to
 * OUTDIR\NN-page.bmp (the screenshot script turns them into PNGs). The installation is
 * a real one, for the current user; the caller checks its result. --uninstall walks the
 * uninstaller's pages, keeping the user's data; it runs in place (_?=INSTDIR), so its
 * uninstall.exe is left for the caller to delete.
 * Buttons are pressed by WM_COMMAND to the wizard, as a click would send it; text goes
 * in by WM_SETTEXT. Exit status 0 when every check passed. */
#include <windows.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int pass, fail;

static void check(int cond, const char *fmt, ...)
{
    va_list ap;
    if (cond) {
        pass++;
        return;
    }
    fail++;
    fputs("FAIL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static DWORD child_pid;
static const wchar_t *outdir;
static int shot_no;

/* ---- finding windows ---- */

struct find {
    const wchar_t *text; /* a child's text (or the window's title) that must be there */
    HWND found;
};

struct gather {
    const wchar_t *needle;
    int hit;
};

static BOOL CALLBACK gather_child(HWND w, LPARAM lp)
{
    struct gather *g = (struct gather *)lp;
    wchar_t t[1024];
    if (!IsWindowVisible(w))
        return TRUE;
    GetWindowTextW(w, t, 1024);
    if (wcsstr(t, g->needle)) {
        g->hit = 1;
        return FALSE;
    }
    return TRUE;
}

static int window_has_text(HWND w, const wchar_t *needle)
{
    struct gather g = {needle, 0};
    wchar_t t[1024];
    GetWindowTextW(w, t, 1024);
    if (wcsstr(t, needle))
        return 1;
    EnumChildWindows(w, gather_child, (LPARAM)&g);
    return g.hit;
}

static BOOL CALLBACK find_top(HWND w, LPARAM lp)
{
    struct find *f = (struct find *)lp;
    DWORD pid = 0;
    GetWindowThreadProcessId(w, &pid);
    if (pid != child_pid || !IsWindowVisible(w))
        return TRUE;
    if (window_has_text(w, f->text)) {
        f->found = w;
        return FALSE;
    }
    return TRUE;
}

/* The child's visible top-level window showing text, waiting up to 60 s for it. */
static HWND wait_window(const wchar_t *text)
{
    DWORD end = GetTickCount() + 60000;
    do {
        struct find f = {text, NULL};
        EnumWindows(find_top, (LPARAM)&f);
        if (f.found) {
            Sleep(400); /* let it finish painting */
            return f.found;
        }
        Sleep(100);
    } while ((LONG)(GetTickCount() - end) < 0);
    return NULL;
}

struct by_text {
    const wchar_t *text;
    const wchar_t *cls;
    HWND found;
};

static BOOL CALLBACK find_child(HWND w, LPARAM lp)
{
    struct by_text *b = (struct by_text *)lp;
    wchar_t t[512], c[64];
    GetWindowTextW(w, t, 512);
    GetClassNameW(w, c, 64);
    if ((!b->cls || !_wcsicmp(c, b->cls)) && (!b->text || wcsstr(t, b->text)) &&
        IsWindowVisible(w)) {
        b->found = w;
        return FALSE;
    }
    return TRUE;
}

static HWND child_by_text(HWND top, const wchar_t *cls, const wchar_t *text)
{
    struct by_text b = {text, cls, NULL};
    EnumChildWindows(top, find_child, (LPARAM)&b);
    return b.found;
}

/* The n-th (0-based) visible child of a class, in creation order. */
struct nth {
    const wchar_t *cls;
    int n;
    HWND found;
};

static BOOL CALLBACK find_nth(HWND w, LPARAM lp)
{
    struct nth *x = (struct nth *)lp;
    wchar_t c[64];
    GetClassNameW(w, c, 64);
    if (!_wcsicmp(c, x->cls) && IsWindowVisible(w) && x->n-- == 0) {
        x->found = w;
        return FALSE;
    }
    return TRUE;
}

static HWND nth_child(HWND top, const wchar_t *cls, int n)
{
    struct nth x = {cls, n, NULL};
    EnumChildWindows(top, find_nth, (LPARAM)&x);
    return x.found;
}

/* ---- acting ---- */

static void press(HWND dlg, int id)
{
    HWND b = GetDlgItem(dlg, id);
    PostMessageW(dlg, WM_COMMAND, MAKEWPARAM(id, BN_CLICKED), (LPARAM)b);
}

/* A click on a button, radio button or tick box inside a page. */
static void click(HWND ctl)
{
    SendMessageW(ctl, BM_CLICK, 0, 0);
}

static void set_text(HWND ctl, const wchar_t *text)
{
    SendMessageW(ctl, WM_SETTEXT, 0, (LPARAM)text);
}

/* ---- capturing ---- */

static void capture(HWND w, const char *name)
{
    RECT r;
    int W, H, stride;
    HDC screen, mem;
    HBITMAP bmp;
    BITMAPINFO bi;
    void *bits = NULL;
    wchar_t path[MAX_PATH];
    FILE *f;
    BITMAPFILEHEADER fh;

    SetForegroundWindow(w);
    RedrawWindow(w, NULL, NULL, RDW_INVALIDATE | RDW_UPDATENOW | RDW_ALLCHILDREN);
    Sleep(300);
    GetWindowRect(w, &r);
    W = r.right - r.left;
    H = r.bottom - r.top;
    memset(&bi, 0, sizeof bi);
    bi.bmiHeader.biSize = sizeof bi.bmiHeader;
    bi.bmiHeader.biWidth = W;
    bi.bmiHeader.biHeight = H; /* bottom-up, as BMP files are */
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 24;
    bi.bmiHeader.biCompression = BI_RGB;
    screen = GetDC(NULL);
    mem = CreateCompatibleDC(screen);
    bmp = CreateDIBSection(screen, &bi, DIB_RGB_COLORS, &bits, NULL, 0);
    SelectObject(mem, bmp);
    BitBlt(mem, 0, 0, W, H, screen, r.left, r.top, SRCCOPY);
    GdiFlush();
    stride = (W * 3 + 3) & ~3;
    swprintf(path, MAX_PATH, L"%ls\\%02d-%hs.bmp", outdir, ++shot_no, name);
    f = _wfopen(path, L"wb");
    check(f != NULL, "open %ls", path);
    if (f) {
        memset(&fh, 0, sizeof fh);
        fh.bfType = 0x4D42;
        fh.bfOffBits = sizeof fh + sizeof bi.bmiHeader;
        fh.bfSize = fh.bfOffBits + (DWORD)(stride * H);
        fwrite(&fh, sizeof fh, 1, f);
        fwrite(&bi.bmiHeader, sizeof bi.bmiHeader, 1, f);
        fwrite(bits, (size_t)stride * H, 1, f);
        fclose(f);
    }
    DeleteObject(bmp);
    DeleteDC(mem);
    ReleaseDC(NULL, screen);
    printf("captured %ls (%dx%d)\n", path, W, H);
}

/* ---- the walk ---- */

struct lang {
    const wchar_t *native;     /* as the language dialog lists it */
    const wchar_t *un_confirm, *un_data, *un_done;
    const wchar_t *no_outlook; /* the message box when no Outlook is found */
    const wchar_t *welcome, *licence, *scope, *profile, *account, *done, *finish;
    const wchar_t *test_button, *connected, *only_me, *manual;
};

static const struct lang EN = {
    L"English", L"Uninstall olsync", L"What should happen to your olsync data",
    L"Uninstallation Complete", L"Outlook was not found", L"Welcome to", L"License Agreement",
    L"Who should be able to use", L"Which Outlook profile", L"The IMAP server olsync",
    L"Installation Complete", L"Completing", L"Test connection", L"Connected to",
    L"Only me", L"Enter the server settings"};
static const struct lang DE = {
    L"Deutsch", L"Deinstallation von olsync", L"Was soll mit Ihren olsync-Daten",
    L"Die Deinstallation ist vollst\u00e4ndig", L"kein Outlook gefunden", L"Willkommen", L"Lizenzabkommen",
    L"Wer soll olsync", L"Welches Outlook-Profil", L"Der IMAP-Server",
    L"Die Installation ist vollst\u00e4ndig", L"wird abgeschlossen", L"Verbindung &testen",
    L"Verbunden mit", L"Nur ich", L"Servereinstellungen eingeben"};

static void capture(HWND w, const char *name);

/* What is on the screen instead, for the one who reads the failure. */
static BOOL CALLBACK capture_unexpected(HWND w, LPARAM lp)
{
    DWORD pid = 0;
    wchar_t t[256];
    (void)lp;
    GetWindowThreadProcessId(w, &pid);
    if (pid == child_pid && IsWindowVisible(w)) {
        GetWindowTextW(w, t, 256);
        fprintf(stderr, "  instead: window \"%ls\"\n", t);
        capture(w, "unexpected");
    }
    return TRUE;
}

static int lost; /* a page did not come: the ones after it will not either */

static HWND page(const wchar_t *text, const char *what)
{
    HWND w = lost ? NULL : wait_window(text);
    check(w != NULL, "page %s (text \"%ls\") did not appear", what, text);
    if (!w && !lost) {
        EnumWindows(capture_unexpected, 0);
        lost = 1;
    }
    return w;
}

/* The uninstaller, run in place so that it stays this process (not its copy in TEMP). */
static int walk_uninstaller(const wchar_t *instdir, const struct lang *L)
{
    wchar_t un[MAX_PATH], cmd[2 * MAX_PATH];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HWND w;
    DWORD code = 999;
    swprintf(un, MAX_PATH, L"%ls\\uninstall.exe", instdir);
    swprintf(cmd, 2 * MAX_PATH, L"\"%ls\" _?=%ls", un, instdir);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(un, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "cannot start %ls (%lu)\n", un, GetLastError());
        return 2;
    }
    child_pid = pi.dwProcessId;
    shot_no = 9; /* after the installer's nine */
    w = page(L->un_confirm, "uninstall: confirm");
    if (w) {
        capture(w, "uninstall-confirm");
        press(w, 1);
    }
    w = page(L->un_data, "uninstall: your data");
    if (w) {
        capture(w, "uninstall-data"); /* the box stays clear: the data is kept */
        press(w, 1);
    }
    w = page(L->un_done, "uninstall: done");
    if (w) {
        capture(w, "uninstall-done");
        press(w, 1);
    }
    if (WaitForSingleObject(pi.hProcess, lost ? 0 : 60000) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    else
        TerminateProcess(pi.hProcess, 99);
    check(code == 0, "the uninstaller's exit code is %lu", code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}

int main(int argc, char **argv)
{
    wchar_t setup[MAX_PATH], dir[MAX_PATH], cmd[2 * MAX_PATH], port[16];
    const struct lang *L = &EN;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HWND w, c;
    DWORD code = 999;

    if (argc < 4) {
        fprintf(stderr, "usage: wizard_driver setup.exe OUTDIR IMAP_PORT [en|de]\n"
                        "       wizard_driver --uninstall INSTDIR OUTDIR [en|de]\n");
        return 2;
    }
    if (!strcmp(argv[1], "--uninstall")) {
        MultiByteToWideChar(CP_UTF8, 0, argv[2], -1, setup, MAX_PATH);
        MultiByteToWideChar(CP_UTF8, 0, argv[3], -1, dir, MAX_PATH);
        outdir = dir;
        return walk_uninstaller(setup, argc > 4 && !strcmp(argv[4], "de") ? &DE : &EN);
    }
    MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, setup, MAX_PATH);
    MultiByteToWideChar(CP_UTF8, 0, argv[2], -1, dir, MAX_PATH);
    MultiByteToWideChar(CP_UTF8, 0, argv[3], -1, port, 16);
    if (argc > 4 && !strcmp(argv[4], "de"))
        L = &DE;
    outdir = dir;
    CreateDirectoryW(dir, NULL);

    swprintf(cmd, 2 * MAX_PATH, L"\"%ls\"", setup);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(setup, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "cannot start %ls (%lu)\n", setup, GetLastError());
        return 2;
    }
    child_pid = pi.dwProcessId;

    /* the language, detected from Windows and offered for change */
    w = page(L"Installer Language", "language");
    if (w) {
        c = child_by_text(w, L"ComboBox", NULL);
        check(c != NULL, "language combo box");
        SendMessageW(c, CB_SELECTSTRING, (WPARAM)-1, (LPARAM)L->native);
        capture(w, "language");
        press(w, IDOK);
    }
    /* no Outlook in this Wine prefix: the installer says so before the wizard */
    w = page(L->no_outlook, "no-outlook message");
    if (w) {
        capture(w, "no-outlook");
        press(w, IDOK);
    }
    w = page(L->welcome, "welcome");
    if (w) {
        capture(w, "welcome");
        press(w, 1);
    }
    w = page(L->licence, "licence");
    if (w) {
        capture(w, "licence");
        press(w, 1);
    }
    w = page(L->scope, "installation type");
    if (w) {
        c = child_by_text(w, L"Button", L->only_me);
        check(c != NULL, "\"only me\" choice");
        if (c)
            click(c);
        capture(w, "install-type");
        press(w, 1);
    }
    w = page(L->profile, "profile");
    if (w) {
        capture(w, "profile");
        press(w, 1); /* the default: a new profile named olsync */
    }
    w = page(L->account, "account");
    if (w) {
        HWND email = nth_child(w, L"Edit", 0), name = nth_child(w, L"Edit", 1),
             host = nth_child(w, L"Edit", 2), portbox = nth_child(w, L"Edit", 3);
        check(email && name && host && portbox, "the account page's four fields");
        c = child_by_text(w, L"Button", L->manual);
        check(c != NULL, "\"by hand\" choice");
        if (c)
            click(c);
        if (email && host && portbox && name) {
            set_text(email, L"alice@example.org");
            set_text(name, L"Alice Example");
            set_text(host, L"127.0.0.1");
            set_text(portbox, port);
        }
        c = child_by_text(w, L"Button", L->test_button);
        check(c != NULL, "test button");
        if (c) {
            DWORD end = GetTickCount() + 20000;
            click(c);
            while (!window_has_text(w, L->connected) && (LONG)(GetTickCount() - end) < 0)
                Sleep(100);
            check(window_has_text(w, L->connected), "the connection test reports success");
        }
        capture(w, "account");
        press(w, 1);
    }
    w = page(L->done, "progress");
    if (w) {
        capture(w, "progress");
        press(w, 1);
    }
    w = page(L->finish, "finish");
    if (w) {
        capture(w, "finish");
        press(w, 1);
    }
    if (WaitForSingleObject(pi.hProcess, lost ? 0 : 60000) == WAIT_OBJECT_0)
        GetExitCodeProcess(pi.hProcess, &code);
    else
        TerminateProcess(pi.hProcess, 99);
    check(code == 0, "the installer's exit code is %lu", code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);

    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
