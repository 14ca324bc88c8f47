/* POSIX implementation of the platform layer (Linux, macOS). */
#define _GNU_SOURCE
#include "plat.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- threads ---- */
struct ols_thread {
    pthread_t tid;
    void (*fn)(void *);
    void *arg;
};
struct ols_mutex {
    pthread_mutex_t m;
};
struct ols_cond {
    pthread_cond_t c;
};

static void *thread_main(void *p)
{
    ols_thread *t = p;
    t->fn(t->arg);
    return NULL;
}

ols_status ols_thread_start(ols_thread **out, void (*fn)(void *), void *arg)
{
    ols_thread *t = calloc(1, sizeof *t);
    if (!t)
        return OLS_ENOMEM;
    t->fn = fn;
    t->arg = arg;
    if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
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
    pthread_join(t->tid, NULL);
    free(t);
}

ols_mutex *ols_mutex_new(void)
{
    ols_mutex *m = malloc(sizeof *m);
    if (m)
        pthread_mutex_init(&m->m, NULL);
    return m;
}
void ols_mutex_free(ols_mutex *m)
{
    if (m) {
        pthread_mutex_destroy(&m->m);
        free(m);
    }
}
void ols_mutex_lock(ols_mutex *m) { pthread_mutex_lock(&m->m); }
void ols_mutex_unlock(ols_mutex *m) { pthread_mutex_unlock(&m->m); }

ols_cond *ols_cond_new(void)
{
    ols_cond *c = malloc(sizeof *c);
    pthread_condattr_t a;
    if (!c)
        return NULL;
    pthread_condattr_init(&a);
#ifdef __linux__
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
#endif
    pthread_cond_init(&c->c, &a);
    pthread_condattr_destroy(&a);
    return c;
}
void ols_cond_free(ols_cond *c)
{
    if (c) {
        pthread_cond_destroy(&c->c);
        free(c);
    }
}
void ols_cond_wait(ols_cond *c, ols_mutex *m) { pthread_cond_wait(&c->c, &m->m); }
int ols_cond_timedwait(ols_cond *c, ols_mutex *m, uint32_t ms)
{
    struct timespec ts;
#ifdef __linux__
    clock_gettime(CLOCK_MONOTONIC, &ts);
#else
    clock_gettime(CLOCK_REALTIME, &ts);
#endif
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return pthread_cond_timedwait(&c->c, &m->m, &ts) == ETIMEDOUT ? OLS_ETIMEDOUT : 0;
}
void ols_cond_signal(ols_cond *c) { pthread_cond_signal(&c->c); }
void ols_cond_broadcast(ols_cond *c) { pthread_cond_broadcast(&c->c); }

unsigned ols_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

void ols_utf8_args(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

uint32_t ols_process_id(void) { return (uint32_t)getpid(); }

int ols_process_alive(uint32_t pid)
{
    return pid && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

void ols_hostname(char *buf, size_t n)
{
    char *p;
    if (gethostname(buf, n) != 0 || !buf[0])
        snprintf(buf, n, "localhost");
    buf[n - 1] = '\0';
    /* '/' and ':' would break Maildir names */
    for (p = buf; *p; p++)
        if (*p == '/' || *p == ':')
            *p = '_';
}

ols_status ols_random(void *buf, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;
    if (fd < 0)
        return OLS_EIO;
    while (got < n) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            close(fd);
            return OLS_EIO;
        }
        got += (size_t)r;
    }
    close(fd);
    return OLS_OK;
}

uint64_t ols_thread_self_id(void) { return (uint64_t)(uintptr_t)pthread_self(); }

/* ---- time ---- */
uint64_t ols_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
int64_t ols_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
void ols_localtime(time_t t, struct tm *out) { localtime_r(&t, out); }
void ols_sleep_ms(uint32_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---- files ---- */
static ols_status errno_status(int e)
{
    switch (e) {
    case ENOENT: return OLS_ENOENT;
    case EEXIST: return OLS_EEXIST;
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
        return OLS_ENOSPC;
    case ENOMEM: return OLS_ENOMEM;
    case EACCES:
    case EPERM: return OLS_EIO;
    default: return OLS_EIO;
    }
}

FILE *ols_fopen(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (f)
        fcntl(fileno(f), F_SETFD, FD_CLOEXEC);
    return f;
}

int ols_is_tty(FILE *f) { return isatty(fileno(f)); }

ols_status ols_fs_sync(const char *path)
{
#ifdef __linux__
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;
    if (fd < 0)
        return errno_status(errno);
    rc = syncfs(fd);
    close(fd);
    return rc == 0 ? OLS_OK : errno_status(errno);
#else
    (void)path;
    return OLS_EUNSUPPORTED;
#endif
}

int ols_file_sync(FILE *f)
{
    if (fflush(f) != 0)
        return -1;
    return fsync(fileno(f));
}

ols_status ols_mkdir_p(const char *path, ols_err *err)
{
    char *p = strdup(path), *s;
    if (!p)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int e = errno;
            ols_err_set(err, errno_status(e), "cannot create folder %s: %s", p, strerror(e));
            free(p);
            return errno_status(e);
        }
        *s = '/';
    }
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
        int e = errno;
        ols_err_set(err, errno_status(e), "cannot create folder %s: %s", p, strerror(e));
        free(p);
        return errno_status(e);
    }
    free(p);
    return OLS_OK;
}

static int write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

ols_status ols_file_write_atomic(const char *path, const void *buf, size_t len, int private_,
                                 ols_err *err)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 32);
    int fd, e;
    if (!tmp)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    snprintf(tmp, n + 32, "%s.tmp.%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, private_ ? 0600 : 0644);
    if (fd < 0) {
        e = errno;
        free(tmp);
        return ols_err_set(err, errno_status(e), "cannot write %s: %s", path, strerror(e));
    }
    if (private_)
        fchmod(fd, 0600); /* umask or a stale file must not widen it */
    if (write_full(fd, buf, len) != 0 || fsync(fd) != 0) {
        e = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        return ols_err_set(err, errno_status(e), "cannot write %s: %s", path, strerror(e));
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        free(tmp);
        return ols_err_set(err, errno_status(e), "cannot replace %s: %s", path, strerror(e));
    }
    free(tmp);
    /* make the rename itself durable */
    {
        char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash) {
            int dfd;
            *slash = '\0';
            dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) {
                fsync(dfd);
                close(dfd);
            }
        }
        free(dir);
    }
    return OLS_OK;
}

ols_status ols_file_remove(const char *path)
{
    return unlink(path) == 0 ? OLS_OK : errno_status(errno);
}

ols_status ols_dir_remove(const char *path)
{
    return rmdir(path) == 0 ? OLS_OK : errno == ENOTEMPTY ? OLS_EBUSY : errno_status(errno);
}

int ols_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

ols_status ols_file_rename(const char *from, const char *to)
{
    return rename(from, to) == 0 ? OLS_OK : errno_status(errno);
}

ols_status ols_file_stat(const char *path, uint64_t *size, int64_t *mtime)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno_status(errno);
    if (size)
        *size = (uint64_t)st.st_size;
    if (mtime)
        *mtime = (int64_t)st.st_mtime;
    return OLS_OK;
}

ols_status ols_dir_list(const char *dir, int (*cb)(void *ctx, const char *name), void *ctx)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d)
        return errno_status(errno);
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (cb(ctx, de->d_name))
            break;
    }
    closedir(d);
    return OLS_OK;
}

int ols_file_is_private(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return (st.st_mode & 077) == 0;
}

char ols_path_sep(void) { return '/'; }

static char *xdg_dir(const char *env, const char *fallback)
{
    const char *base = getenv(env), *home;
    char buf[4096];
    if (base && base[0] == '/') {
        snprintf(buf, sizeof buf, "%s/olsync", base);
        return strdup(buf);
    }
    home = getenv("HOME");
    if (!home || !*home)
        home = "/tmp";
    snprintf(buf, sizeof buf, "%s/%s/olsync", home, fallback);
    return strdup(buf);
}

char *ols_dir_config(void) { return xdg_dir("XDG_CONFIG_HOME", ".config"); }
char *ols_dir_state(void) { return xdg_dir("XDG_STATE_HOME", ".local/state"); }
char *ols_dir_data(void) { return xdg_dir("XDG_DATA_HOME", ".local/share"); }

/* ---- secrets: one 0600 file per name under the state folder ---- */
void ols_memzero(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

void ols_secret_free(char *value)
{
    if (value) {
        ols_memzero(value, strlen(value));
        free(value);
    }
}

ols_status ols_secret_set(const char *name, const char *value, ols_err *err)
{
    char *path;
    ols_status st;
    if (!ols_secret_name_ok(name))
        return ols_err_set(err, OLS_EINVAL, "invalid secret name");
    path = ols_secret_path(name, 1, err);
    if (!path)
        return err && err->code ? err->code : OLS_ENOMEM;
    st = ols_file_write_atomic(path, value, strlen(value), 1, err);
    free(path);
    return st;
}

ols_status ols_secret_get(const char *name, char **value, ols_err *err)
{
    char *path;
    ols_status st;
    if (!ols_secret_name_ok(name))
        return ols_err_set(err, OLS_EINVAL, "invalid secret name");
    path = ols_secret_path(name, 0, err);
    if (!path)
        return OLS_ENOMEM;
    if (ols_file_stat(path, NULL, NULL) == OLS_ENOENT) {
        free(path);
        return ols_err_set(err, OLS_ENOENT, "no stored secret '%s'", name);
    }
    if (!ols_file_is_private(path)) {
        st = ols_err_set(err, OLS_EIO, "refusing %s: readable by others (chmod 600 it)", path);
        free(path);
        return st;
    }
    st = ols_file_read_all(path, 64 * 1024, value, NULL, err);
    free(path);
    return st;
}

/* ---- sockets ---- */
ols_status ols_net_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    return OLS_OK;
}

ols_status ols_sock_listen_loopback(uint16_t port, int backlog, ols_sock *out, uint16_t *bound,
                                    ols_err *err)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ols_err_set(err, OLS_ENET, "socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        close(fd);
        return ols_err_set(err, e == EADDRINUSE ? OLS_EBUSY : OLS_ENET,
                           "cannot listen on 127.0.0.1:%u: %s", port, strerror(e));
    }
    if (listen(fd, backlog) != 0) {
        int e = errno;
        close(fd);
        return ols_err_set(err, OLS_ENET, "listen: %s", strerror(e));
    }
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    if (bound)
        *bound = ntohs(sa.sin_port);
    *out = fd;
    return OLS_OK;
}

ols_status ols_sock_connect(const char *host, uint16_t port, uint32_t timeout_ms, ols_sock *out,
                            ols_err *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[8];
    int rc, fd = -1, last = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(portstr, sizeof portstr, "%u", port);
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0)
        return ols_err_set(err, OLS_ENET, "cannot resolve %s: %s", host, gai_strerror(rc));
    for (ai = res; ai; ai = ai->ai_next) {
        struct pollfd p;
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            goto connected;
        if (errno != EINPROGRESS) {
            last = errno;
            close(fd);
            fd = -1;
            continue;
        }
        p.fd = fd;
        p.events = POLLOUT;
        rc = poll(&p, 1, (int)timeout_ms);
        if (rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
            goto connected;
        last = rc == 0 ? ETIMEDOUT : soerr ? soerr : errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return ols_err_set(err, last == ETIMEDOUT ? OLS_ETIMEDOUT : OLS_ENET,
                       "cannot connect to %s:%u: %s", host, port, strerror(last));
connected:
    freeaddrinfo(res);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    *out = fd;
    return OLS_OK;
}

ols_status ols_sock_accept(ols_sock listener, ols_sock *out)
{
    int fd = accept4((int)listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? OLS_EBUSY : OLS_ENET;
    *out = fd;
    return OLS_OK;
}

ols_status ols_sock_set_nonblock(ols_sock s, int on)
{
    int fl = fcntl((int)s, F_GETFL);
    if (fl < 0)
        return OLS_ENET;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return fcntl((int)s, F_SETFL, fl) == 0 ? OLS_OK : OLS_ENET;
}

long ols_sock_send(ols_sock s, const void *buf, size_t len)
{
    ssize_t n;
    do
        n = send((int)s, buf, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : -2;
    return (long)n;
}

long ols_sock_recv(ols_sock s, void *buf, size_t len)
{
    ssize_t n;
    do
        n = recv((int)s, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? -1 : -2;
    return (long)n;
}

void ols_sock_close(ols_sock s)
{
    if (s != OLS_SOCK_INVALID)
        close((int)s);
}

ols_status ols_sock_local_addr(ols_sock s, char *ip, size_t iplen, uint16_t *port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    if (getsockname((int)s, (struct sockaddr *)&sa, &sl) != 0 || sa.sin_family != AF_INET)
        return OLS_ENET;
    if (ip)
        inet_ntop(AF_INET, &sa.sin_addr, ip, (socklen_t)iplen);
    if (port)
        *port = ntohs(sa.sin_port);
    return OLS_OK;
}

int ols_poll(ols_pollfd *fds, unsigned n, int timeout_ms)
{
    struct pollfd stackp[64], *p = n <= 64 ? stackp : calloc(n, sizeof *p);
    unsigned i;
    int rc;
    if (!p)
        return -1;
    for (i = 0; i < n; i++) {
        p[i].fd = (int)fds[i].sock;
        p[i].events = (short)(((fds[i].events & OLS_POLL_IN) ? POLLIN : 0) |
                              ((fds[i].events & OLS_POLL_OUT) ? POLLOUT : 0));
        p[i].revents = 0;
    }
    do
        rc = poll(p, n, timeout_ms);
    while (rc < 0 && errno == EINTR);
    for (i = 0; i < n; i++) {
        short r = 0;
        if (p[i].revents & POLLIN)
            r |= OLS_POLL_IN;
        if (p[i].revents & POLLOUT)
            r |= OLS_POLL_OUT;
        if (p[i].revents & (POLLERR | POLLHUP | POLLNVAL))
            r |= OLS_POLL_ERR;
        fds[i].revents = r;
    }
    if (p != stackp)
        free(p);
    return rc;
}

/* ---- TLS trust anchors: OpenSSL reads the system store itself here ---- */
ols_status ols_plat_system_roots(int (*add_der)(void *ctx, const unsigned char *der, size_t len),
                                 void *ctx)
{
    (void)add_der;
    (void)ctx;
    return OLS_OK;
}
