/* Windows implementation of the platform layer (Win32 API, no CRT threads). */
#define WIN32_LEAN_AND_MEAN
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601
#endif
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <wincrypt.h>
#include <bcrypt.h>
#include <shellapi.h>
#include <shlobj.h>

#include "plat.h"

#include <errno.h>
#include <io.h>
#include <process.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* ---- UTF-8 <-> UTF-16 ---- */
static wchar_t *widen(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
    wchar_t *w;
    if (n <= 0)
        return NULL;
    w = malloc((size_t)n * sizeof *w);
    if (w)
        MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
    return w;
}

static char *narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s;
    if (n <= 0)
        return NULL;
    s = malloc((size_t)n);
    if (s)
        WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
    return s;
}

static ols_status win_status(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return OLS_ENOENT;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS: return OLS_EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return OLS_ENOSPC;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return OLS_ENOMEM;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION: return OLS_EBUSY;
    default: return OLS_EIO;
    }
}

static const char *win_msg(DWORD e, char *buf, size_t n)
{
    if (!FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0,
                        buf, (DWORD)n, NULL))
        snprintf(buf, n, "Windows error %lu", (unsigned long)e);
    else {
        size_t l = strlen(buf);
        while (l && (buf[l - 1] == '\n' || buf[l - 1] == '\r' || buf[l - 1] == '.'))
            buf[--l] = '\0';
    }
    return buf;
}

/* ---- threads ---- */
struct ols_thread {
    HANDLE h;
    void (*fn)(void *);
    void *arg;
};
struct ols_mutex {
    SRWLOCK l;
};
struct ols_cond {
    CONDITION_VARIABLE c;
};

static unsigned __stdcall thread_main(void *p)
{
    ols_thread *t = p;
    t->fn(t->arg);
    return 0;
}

ols_status ols_thread_start(ols_thread **out, void (*fn)(void *), void *arg)
{
    ols_thread *t = calloc(1, sizeof *t);
    if (!t)
        return OLS_ENOMEM;
    t->fn = fn;
    t->arg = arg;
    t->h = (HANDLE)_beginthreadex(NULL, 0, thread_main, t, 0, NULL);
    if (!t->h) {
        free(t);
        return OLS_ENOMEM;
    }
    *out = t;
    return OLS_OK;
}

void ols_thread_join(ols_thread *t)
{
    if (!t)
        return;
    WaitForSingleObject(t->h, INFINITE);
    CloseHandle(t->h);
    free(t);
}

ols_mutex *ols_mutex_new(void)
{
    ols_mutex *m = malloc(sizeof *m);
    if (m)
        InitializeSRWLock(&m->l);
    return m;
}
void ols_mutex_free(ols_mutex *m) { free(m); }
void ols_mutex_lock(ols_mutex *m) { AcquireSRWLockExclusive(&m->l); }
void ols_mutex_unlock(ols_mutex *m) { ReleaseSRWLockExclusive(&m->l); }

ols_cond *ols_cond_new(void)
{
    ols_cond *c = malloc(sizeof *c);
    if (c)
        InitializeConditionVariable(&c->c);
    return c;
}
void ols_cond_free(ols_cond *c) { free(c); }
void ols_cond_wait(ols_cond *c, ols_mutex *m) { SleepConditionVariableSRW(&c->c, &m->l, INFINITE, 0); }
int ols_cond_timedwait(ols_cond *c, ols_mutex *m, uint32_t ms)
{
    if (SleepConditionVariableSRW(&c->c, &m->l, ms, 0))
        return 0;
    return GetLastError() == ERROR_TIMEOUT ? OLS_ETIMEDOUT : 0;
}
void ols_cond_signal(ols_cond *c) { WakeConditionVariable(&c->c); }
void ols_cond_broadcast(ols_cond *c) { WakeAllConditionVariable(&c->c); }

unsigned ols_cpu_count(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors ? si.dwNumberOfProcessors : 1;
}

void ols_utf8_args(int *argc, char ***argv)
{
    int n = 0, i;
    LPWSTR *w = CommandLineToArgvW(GetCommandLineW(), &n);
    char **v;
    if (!w)
        return;
    v = calloc((size_t)n + 1, sizeof *v);
    if (!v) {
        LocalFree(w);
        return;
    }
    for (i = 0; i < n; i++)
        if (!(v[i] = narrow(w[i]))) {
            LocalFree(w);
            return; /* keep the ANSI argv; leaks the partial copy, once */
        }
    LocalFree(w);
    *argc = n;
    *argv = v; /* lives for the whole process */
}

uint32_t ols_process_id(void) { return GetCurrentProcessId(); }

int ols_process_alive(uint32_t pid)
{
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
    DWORD code = 0;
    int alive;
    if (!h)
        return GetLastError() == ERROR_ACCESS_DENIED;
    alive = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    CloseHandle(h);
    return alive;
}

void ols_hostname(char *buf, size_t n)
{
    wchar_t w[256];
    DWORD len = 256;
    char *s, *p;
    if (GetComputerNameExW(ComputerNameDnsHostname, w, &len) && (s = narrow(w)) != NULL) {
        snprintf(buf, n, "%s", s);
        free(s);
    } else {
        snprintf(buf, n, "localhost");
    }
    for (p = buf; *p; p++)
        if (*p == '/' || *p == ':' || *p == '\\')
            *p = '_';
}

ols_status ols_random(void *buf, size_t n)
{
    return BCryptGenRandom(NULL, buf, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0 ? OLS_OK
                                                                                      : OLS_EIO;
}

uint64_t ols_thread_self_id(void) { return GetCurrentThreadId(); }

/* ---- time ---- */
uint64_t ols_mono_ms(void) { return GetTickCount64(); }

int64_t ols_wall_ms(void)
{
    FILETIME ft;
    ULARGE_INTEGER u;
    GetSystemTimeAsFileTime(&ft);
    u.LowPart = ft.dwLowDateTime;
    u.HighPart = ft.dwHighDateTime;
    return (int64_t)(u.QuadPart / 10000ULL) - 11644473600000LL;
}

void ols_localtime(time_t t, struct tm *out) { localtime_s(out, &t); }
void ols_sleep_ms(uint32_t ms) { Sleep(ms); }

/* ---- files ---- */
FILE *ols_fopen(const char *path, const char *mode)
{
    wchar_t *wp = widen(path), *wm = widen(mode);
    FILE *f = NULL;
    if (wp && wm)
        f = _wfopen(wp, wm);
    free(wp);
    free(wm);
    return f;
}

int ols_is_tty(FILE *f) { return _isatty(_fileno(f)); }

ols_status ols_fs_sync(const char *path)
{
    (void)path; /* flushing a volume needs administrator rights: flush files one by one */
    return OLS_EUNSUPPORTED;
}

int ols_file_sync(FILE *f)
{
    if (fflush(f) != 0)
        return -1;
    return _commit(_fileno(f));
}

ols_status ols_mkdir_p(const char *path, ols_err *err)
{
    wchar_t *w = widen(path), *s;
    if (!w)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    for (s = w; *s; s++)
        if (*s == L'/')
            *s = L'\\';
    /* skip a drive ("C:\") or UNC prefix */
    s = w;
    if (s[0] && s[1] == L':')
        s += 2;
    while (*s == L'\\')
        s++;
    for (; *s; s++) {
        if (*s != L'\\')
            continue;
        *s = 0;
        if (!CreateDirectoryW(w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
            DWORD e = GetLastError();
            char m[256];
            free(w);
            return ols_err_set(err, win_status(e), "cannot create folder %s: %s", path,
                               win_msg(e, m, sizeof m));
        }
        *s = L'\\';
    }
    if (!CreateDirectoryW(w, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
        DWORD e = GetLastError();
        char m[256];
        free(w);
        return ols_err_set(err, win_status(e), "cannot create folder %s: %s", path,
                           win_msg(e, m, sizeof m));
    }
    free(w);
    return OLS_OK;
}

ols_status ols_file_write_atomic(const char *path, const void *buf, size_t len, int private_,
                                 ols_err *err)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 32);
    wchar_t *wtmp = NULL, *wpath = NULL;
    HANDLE h;
    DWORD done, e;
    const char *p = buf;
    char m[256];
    ols_status st = OLS_OK;

    (void)private_; /* the profile folder's ACL already limits it to the user */
    if (!tmp)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    snprintf(tmp, n + 32, "%s.tmp.%lu", path, (unsigned long)GetCurrentProcessId());
    wtmp = widen(tmp);
    wpath = widen(path);
    if (!wtmp || !wpath) {
        st = ols_err_set(err, OLS_ENOMEM, "out of memory");
        goto out;
    }
    h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        e = GetLastError();
        st = ols_err_set(err, win_status(e), "cannot write %s: %s", path, win_msg(e, m, sizeof m));
        goto out;
    }
    while (len) {
        DWORD chunk = len > 0x40000000 ? 0x40000000 : (DWORD)len;
        if (!WriteFile(h, p, chunk, &done, NULL)) {
            e = GetLastError();
            CloseHandle(h);
            DeleteFileW(wtmp);
            st = ols_err_set(err, win_status(e), "cannot write %s: %s", path,
                             win_msg(e, m, sizeof m));
            goto out;
        }
        p += done;
        len -= done;
    }
    if (!FlushFileBuffers(h)) {
        e = GetLastError();
        CloseHandle(h);
        DeleteFileW(wtmp);
        st = ols_err_set(err, win_status(e), "cannot write %s: %s", path, win_msg(e, m, sizeof m));
        goto out;
    }
    CloseHandle(h);
    if (!MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        e = GetLastError();
        DeleteFileW(wtmp);
        st = ols_err_set(err, win_status(e), "cannot replace %s: %s", path,
                         win_msg(e, m, sizeof m));
    }
out:
    free(tmp);
    free(wtmp);
    free(wpath);
    return st;
}

ols_status ols_file_remove(const char *path)
{
    wchar_t *w = widen(path);
    ols_status st = OLS_OK;
    if (!w)
        return OLS_ENOMEM;
    if (!DeleteFileW(w))
        st = win_status(GetLastError());
    free(w);
    return st;
}

ols_status ols_dir_remove(const char *path)
{
    wchar_t *w = widen(path);
    ols_status st = OLS_OK;
    if (!w)
        return OLS_ENOMEM;
    if (!RemoveDirectoryW(w)) {
        DWORD e = GetLastError();
        st = e == ERROR_DIR_NOT_EMPTY ? OLS_EBUSY : win_status(e);
    }
    free(w);
    return st;
}

int ols_is_dir(const char *path)
{
    wchar_t *w = widen(path);
    DWORD a;
    if (!w)
        return 0;
    a = GetFileAttributesW(w);
    free(w);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

ols_status ols_file_rename(const char *from, const char *to)
{
    wchar_t *a = widen(from), *b = widen(to);
    ols_status st = OLS_OK;
    if (!a || !b)
        st = OLS_ENOMEM;
    else if (!MoveFileExW(a, b, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        st = win_status(GetLastError());
    free(a);
    free(b);
    return st;
}

ols_status ols_file_stat(const char *path, uint64_t *size, int64_t *mtime)
{
    WIN32_FILE_ATTRIBUTE_DATA d;
    wchar_t *w = widen(path);
    ULARGE_INTEGER u;
    if (!w)
        return OLS_ENOMEM;
    if (!GetFileAttributesExW(w, GetFileExInfoStandard, &d)) {
        DWORD e = GetLastError();
        free(w);
        return win_status(e);
    }
    free(w);
    if (size)
        *size = ((uint64_t)d.nFileSizeHigh << 32) | d.nFileSizeLow;
    u.LowPart = d.ftLastWriteTime.dwLowDateTime;
    u.HighPart = d.ftLastWriteTime.dwHighDateTime;
    if (mtime)
        *mtime = (int64_t)(u.QuadPart / 10000000ULL) - 11644473600LL;
    return OLS_OK;
}

ols_status ols_dir_list(const char *dir, int (*cb)(void *ctx, const char *name), void *ctx)
{
    char *pat = ols_path_join(dir, "*");
    wchar_t *w = pat ? widen(pat) : NULL;
    WIN32_FIND_DATAW fd;
    HANDLE h;
    free(pat);
    if (!w)
        return OLS_ENOMEM;
    h = FindFirstFileW(w, &fd);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        return e == ERROR_FILE_NOT_FOUND ? OLS_OK : win_status(e);
    }
    do {
        char *name;
        if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
            continue;
        name = narrow(fd.cFileName);
        if (name) {
            int stop = cb(ctx, name);
            free(name);
            if (stop)
                break;
        }
    } while (FindNextFileW(h, &fd));
    FindClose(h);
    return OLS_OK;
}

int ols_file_is_private(const char *path)
{
    return ols_file_stat(path, NULL, NULL) == OLS_OK;
}

char ols_path_sep(void) { return '\\'; }

static char *known_dir(const wchar_t *env, int csidl)
{
    const wchar_t *v = _wgetenv(env);
    wchar_t buf[MAX_PATH];
    char *base, *r;
    if (v && *v)
        base = narrow(v);
    else if (SUCCEEDED(SHGetFolderPathW(NULL, csidl, NULL, 0, buf)))
        base = narrow(buf);
    else
        base = _strdup("C:\\");
    if (!base)
        return NULL;
    r = ols_path_join(base, "olsync");
    free(base);
    return r;
}

char *ols_dir_config(void) { return known_dir(L"APPDATA", CSIDL_APPDATA); }
char *ols_dir_state(void) { return known_dir(L"LOCALAPPDATA", CSIDL_LOCAL_APPDATA); }
char *ols_dir_data(void) { return known_dir(L"LOCALAPPDATA", CSIDL_LOCAL_APPDATA); }

/* ---- secrets: DPAPI-protected blobs under %LOCALAPPDATA%\olsync\secrets ---- */
void ols_memzero(void *p, size_t n) { SecureZeroMemory(p, n); }

void ols_secret_free(char *value)
{
    if (value) {
        SecureZeroMemory(value, strlen(value));
        free(value);
    }
}

static const wchar_t secret_desc[] = L"olsync credential";

ols_status ols_secret_set(const char *name, const char *value, ols_err *err)
{
    DATA_BLOB in, out, entropy;
    char *path;
    ols_status st;
    char m[256];
    static const char salt[] = "olsync-secret-v1";

    if (!ols_secret_name_ok(name))
        return ols_err_set(err, OLS_EINVAL, "invalid secret name");
    in.pbData = (BYTE *)value;
    in.cbData = (DWORD)strlen(value);
    entropy.pbData = (BYTE *)salt;
    entropy.cbData = sizeof salt - 1;
    if (!CryptProtectData(&in, secret_desc, &entropy, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN,
                          &out)) {
        DWORD e = GetLastError();
        return ols_err_set(err, OLS_EIO, "cannot protect secret: %s", win_msg(e, m, sizeof m));
    }
    path = ols_secret_path(name, 1, err);
    if (!path) {
        LocalFree(out.pbData);
        return err && err->code ? err->code : OLS_ENOMEM;
    }
    st = ols_file_write_atomic(path, out.pbData, out.cbData, 1, err);
    LocalFree(out.pbData);
    free(path);
    return st;
}

ols_status ols_secret_get(const char *name, char **value, ols_err *err)
{
    DATA_BLOB in, out, entropy;
    char *path, *blob = NULL;
    size_t len = 0;
    ols_status st;
    char m[256];
    static const char salt[] = "olsync-secret-v1";

    if (!ols_secret_name_ok(name))
        return ols_err_set(err, OLS_EINVAL, "invalid secret name");
    path = ols_secret_path(name, 0, err);
    if (!path)
        return OLS_ENOMEM;
    st = ols_file_read_all(path, 1024 * 1024, &blob, &len, err);
    free(path);
    if (st != OLS_OK)
        return st == OLS_ENOENT ? ols_err_set(err, OLS_ENOENT, "no stored secret '%s'", name) : st;
    in.pbData = (BYTE *)blob;
    in.cbData = (DWORD)len;
    entropy.pbData = (BYTE *)salt;
    entropy.cbData = sizeof salt - 1;
    if (!CryptUnprotectData(&in, NULL, &entropy, NULL, NULL, CRYPTPROTECT_UI_FORBIDDEN, &out)) {
        DWORD e = GetLastError();
        free(blob);
        return ols_err_set(err, OLS_EIO, "cannot unprotect secret '%s': %s", name,
                           win_msg(e, m, sizeof m));
    }
    free(blob);
    *value = malloc(out.cbData + 1);
    if (!*value) {
        SecureZeroMemory(out.pbData, out.cbData);
        LocalFree(out.pbData);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    memcpy(*value, out.pbData, out.cbData);
    (*value)[out.cbData] = '\0';
    SecureZeroMemory(out.pbData, out.cbData);
    LocalFree(out.pbData);
    return OLS_OK;
}

/* ---- sockets ---- */
ols_status ols_net_init(void)
{
    static LONG done;
    WSADATA wsa;
    if (InterlockedCompareExchange(&done, 1, 0) != 0)
        return OLS_OK;
    return WSAStartup(MAKEWORD(2, 2), &wsa) == 0 ? OLS_OK : OLS_ENET;
}

ols_status ols_sock_listen_loopback(uint16_t port, int backlog, ols_sock *out, uint16_t *bound,
                                    ols_err *err)
{
    struct sockaddr_in sa;
    int sl = sizeof sa;
    BOOL excl = TRUE;
    SOCKET s;
    ols_net_init();
    s = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_NO_HANDLE_INHERIT);
    if (s == INVALID_SOCKET)
        return ols_err_set(err, OLS_ENET, "socket: error %d", WSAGetLastError());
    /* no other process may steal the port on Windows */
    setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&excl, sizeof excl);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = WSAGetLastError();
        closesocket(s);
        return ols_err_set(err, (e == WSAEADDRINUSE || e == WSAEACCES) ? OLS_EBUSY : OLS_ENET,
                           "cannot listen on 127.0.0.1:%u: error %d", port, e);
    }
    if (listen(s, backlog) != 0) {
        int e = WSAGetLastError();
        closesocket(s);
        return ols_err_set(err, OLS_ENET, "listen: error %d", e);
    }
    getsockname(s, (struct sockaddr *)&sa, &sl);
    if (bound)
        *bound = ntohs(sa.sin_port);
    *out = (ols_sock)s;
    return OLS_OK;
}

ols_status ols_sock_connect(const char *host, uint16_t port, uint32_t timeout_ms, ols_sock *out,
                            ols_err *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[8];
    int rc, last = 0;
    SOCKET s = INVALID_SOCKET;
    ols_net_init();
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(portstr, sizeof portstr, "%u", port);
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0)
        return ols_err_set(err, OLS_ENET, "cannot resolve %s: error %d", host, rc);
    for (ai = res; ai; ai = ai->ai_next) {
        u_long nb = 1;
        WSAPOLLFD p;
        s = WSASocketW(ai->ai_family, ai->ai_socktype, ai->ai_protocol, NULL, 0,
                       WSA_FLAG_NO_HANDLE_INHERIT);
        if (s == INVALID_SOCKET) {
            last = WSAGetLastError();
            continue;
        }
        ioctlsocket(s, FIONBIO, &nb);
        if (connect(s, ai->ai_addr, (int)ai->ai_addrlen) == 0)
            goto connected;
        last = WSAGetLastError();
        if (last != WSAEWOULDBLOCK) {
            closesocket(s);
            s = INVALID_SOCKET;
            continue;
        }
        p.fd = s;
        p.events = POLLWRNORM;
        p.revents = 0;
        rc = WSAPoll(&p, 1, (INT)timeout_ms);
        if (rc == 1 && !(p.revents & (POLLERR | POLLHUP)))
            goto connected;
        last = rc == 0 ? WSAETIMEDOUT : WSAECONNREFUSED;
        closesocket(s);
        s = INVALID_SOCKET;
    }
    freeaddrinfo(res);
    return ols_err_set(err, last == WSAETIMEDOUT ? OLS_ETIMEDOUT : OLS_ENET,
                       "cannot connect to %s:%u: error %d", host, port, last);
connected:
    freeaddrinfo(res);
    {
        u_long nb = 0;
        BOOL one = TRUE;
        ioctlsocket(s, FIONBIO, &nb);
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    }
    *out = (ols_sock)s;
    return OLS_OK;
}

ols_status ols_sock_accept(ols_sock listener, ols_sock *out)
{
    SOCKET s = accept((SOCKET)listener, NULL, NULL);
    if (s == INVALID_SOCKET)
        return WSAGetLastError() == WSAEWOULDBLOCK ? OLS_EBUSY : OLS_ENET;
    *out = (ols_sock)s;
    return OLS_OK;
}

ols_status ols_sock_set_nonblock(ols_sock s, int on)
{
    u_long nb = on ? 1 : 0;
    return ioctlsocket((SOCKET)s, FIONBIO, &nb) == 0 ? OLS_OK : OLS_ENET;
}

long ols_sock_send(ols_sock s, const void *buf, size_t len)
{
    int n = send((SOCKET)s, buf, len > 0x7fffffff ? 0x7fffffff : (int)len, 0);
    if (n == SOCKET_ERROR)
        return WSAGetLastError() == WSAEWOULDBLOCK ? -1 : -2;
    return n;
}

long ols_sock_recv(ols_sock s, void *buf, size_t len)
{
    int n = recv((SOCKET)s, buf, len > 0x7fffffff ? 0x7fffffff : (int)len, 0);
    if (n == SOCKET_ERROR)
        return WSAGetLastError() == WSAEWOULDBLOCK ? -1 : -2;
    return n;
}

void ols_sock_close(ols_sock s)
{
    if (s != OLS_SOCK_INVALID)
        closesocket((SOCKET)s);
}

ols_status ols_sock_local_addr(ols_sock s, char *ip, size_t iplen, uint16_t *port)
{
    struct sockaddr_in sa;
    int sl = sizeof sa;
    if (getsockname((SOCKET)s, (struct sockaddr *)&sa, &sl) != 0 || sa.sin_family != AF_INET)
        return OLS_ENET;
    if (ip)
        inet_ntop(AF_INET, &sa.sin_addr, ip, iplen);
    if (port)
        *port = ntohs(sa.sin_port);
    return OLS_OK;
}

int ols_poll(ols_pollfd *fds, unsigned n, int timeout_ms)
{
    WSAPOLLFD stackp[64], *p = n <= 64 ? stackp : calloc(n, sizeof *p);
    unsigned i;
    int rc;
    if (!p)
        return -1;
    for (i = 0; i < n; i++) {
        p[i].fd = (SOCKET)fds[i].sock;
        p[i].events = (SHORT)(((fds[i].events & OLS_POLL_IN) ? POLLRDNORM : 0) |
                              ((fds[i].events & OLS_POLL_OUT) ? POLLWRNORM : 0));
        p[i].revents = 0;
    }
    rc = WSAPoll(p, n, timeout_ms);
    for (i = 0; i < n; i++) {
        short r = 0;
        if (p[i].revents & (POLLRDNORM | POLLRDBAND))
            r |= OLS_POLL_IN;
        if (p[i].revents & POLLWRNORM)
            r |= OLS_POLL_OUT;
        if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL))
            r |= OLS_POLL_ERR;
        fds[i].revents = r;
    }
    if (p != stackp)
        free(p);
    return rc == SOCKET_ERROR ? -1 : rc;
}

/* ---- TLS trust anchors: OpenSSL on Windows does not read the system ROOT store ---- */
ols_status ols_plat_system_roots(int (*add_der)(void *ctx, const unsigned char *der, size_t len),
                                 void *ctx)
{
    HCERTSTORE store = CertOpenSystemStoreW(0, L"ROOT");
    PCCERT_CONTEXT cert = NULL;
    if (!store)
        return OLS_ENOENT;
    while ((cert = CertEnumCertificatesInStore(store, cert)) != NULL) {
        if (!(cert->dwCertEncodingType & X509_ASN_ENCODING) || !cert->pbCertEncoded)
            continue;
        if (add_der(ctx, cert->pbCertEncoded, cert->cbCertEncoded)) {
            CertFreeCertificateContext(cert);
            break;
        }
    }
    CertCloseStore(store, 0);
    return OLS_OK;
}
