/* A stand-in for outlook.exe in the installer tests (there is no Outlook under Wine).
 *
 *   fake_outlook [args...]     appends its command line to %OLS_FAKE_OUTLOOK_LOG%, exits
 *   fake_outlook --window N    shows Outlook's main window class for N seconds, so the
 *                              installer finds "Outlook running"
 * It is a 64-bit program: as outlook.exe in App Paths it also stands for a 64-bit
 * Outlook when the installer reads the bitness from the PE header. */
#include <windows.h>
#include <shellapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

int main(void)
{
    int argc = 0;
    wchar_t **argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    if (argc >= 3 && !wcscmp(argv[1], L"--window")) {
        WNDCLASSW wc = {0};
        HWND w;
        DWORD end = GetTickCount() + (DWORD)_wtoi(argv[2]) * 1000;
        wc.lpfnWndProc = DefWindowProcW;
        wc.hInstance = GetModuleHandleW(NULL);
        wc.lpszClassName = L"rctrl_renwnd32";
        RegisterClassW(&wc);
        w = CreateWindowW(L"rctrl_renwnd32", L"Inbox - fake Outlook", WS_OVERLAPPEDWINDOW, 0, 0,
                          200, 100, NULL, NULL, wc.hInstance, NULL);
        printf("window %p\n", (void *)w);
        fflush(stdout);
        while ((LONG)(GetTickCount() - end) < 0) {
            MSG msg;
            while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
                DispatchMessageW(&msg);
            Sleep(50);
        }
        return 0;
    } else {
        const wchar_t *log = _wgetenv(L"OLS_FAKE_OUTLOOK_LOG");
        FILE *f = log ? _wfopen(log, L"ab") : NULL;
        int i;
        if (!f)
            return 1;
        /* one line, arguments separated by tabs, UTF-8 */
        for (i = 1; i < argc; i++) {
            char u[4 * MAX_PATH];
            WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, u, sizeof u, NULL, NULL);
            fprintf(f, "%s%s", i > 1 ? "\t" : "", u);
        }
        fputc('\n', f);
        fclose(f);
    }
    return 0;
}
