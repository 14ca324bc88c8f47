/* Platform layer: files (atomic replace, bounds, UTF-8 names), secrets, threads, sockets. */
#include <stdatomic.h>

#include "t.h"

static char *g_dir;

static void set_env(const char *name, const char *value)
{
#ifdef _WIN32
    wchar_t wn[64], wv[1024];
    mbstowcs(wn, name, 64);
    mbstowcs(wv, value, 1024);
    _wputenv_s(wn, wv);
#else
    setenv(name, value, 1);
#endif
}

static int tmp_left_cb(void *ctx, const char *name)
{
    if (strstr(name, ".tmp."))
        (*(int *)ctx)++;
    return 0;
}

static void test_files(void)
{
    char *p = ols_path_join(g_dir, "a.txt"), *buf = NULL, *nested;
    size_t len = 0;
    ols_err err = {0};
    int tmp_left = 0;
    uint64_t sz = 0;

    OK(ols_file_write_atomic(p, "first", 5, 0, &err) == OLS_OK, "write: %s", err.msg);
    OK(ols_file_write_atomic(p, "second!", 7, 0, &err) == OLS_OK, "replace: %s", err.msg);
    OK(ols_file_read_all(p, 100, &buf, &len, &err) == OLS_OK, "read: %s", err.msg);
    OK(len == 7 && buf && !strcmp(buf, "second!"), "replaced content");
    free(buf);
    buf = NULL;
    OK(ols_file_read_all(p, 3, &buf, &len, &err) == OLS_ERANGE, "read bounded by max");
    OK(buf == NULL, "nothing returned past the bound");
    OK(ols_file_stat(p, &sz, NULL) == OLS_OK && sz == 7, "stat size");
    ols_dir_list(g_dir, tmp_left_cb, &tmp_left);
    OK(tmp_left == 0, "no temporary files left behind");
    free(p);

    p = ols_path_join(g_dir, "missing");
    OK(ols_file_read_all(p, 100, &buf, &len, &err) == OLS_ENOENT, "missing is ENOENT");
    OK(strstr(err.msg, "missing") != NULL, "message names the file: %s", err.msg);
    free(p);

    nested = ols_path_join(g_dir, "x");
    {
        char *n2 = ols_path_join(nested, "y"), *n3 = ols_path_join(n2, "\xc3\x9c" "berblick");
        char *f = ols_path_join(n3, "\xe2\x82\xac.txt");
        OK(ols_mkdir_p(n3, &err) == OLS_OK, "mkdir -p: %s", err.msg);
        OK(ols_file_write_atomic(f, "euro", 4, 0, &err) == OLS_OK, "UTF-8 name: %s", err.msg);
        OK(t_count_files(n3) == 1, "UTF-8 file listed");
        OK(ols_file_rename(f, n3) != OLS_OK, "rename over a folder fails cleanly");
        OK(ols_file_remove(f) == OLS_OK, "remove");
        OK(ols_file_remove(f) == OLS_ENOENT, "remove missing");
        free(n2);
        free(n3);
        free(f);
    }
    free(nested);
}

static void test_secrets(void)
{
    char *val = NULL, *state, *sdir;
    ols_err err = {0};
#ifdef _WIN32
    set_env("LOCALAPPDATA", g_dir);
#else
    set_env("XDG_STATE_HOME", g_dir);
#endif
    state = ols_dir_state();
    OK(state && strstr(state, "olsync") != NULL, "state dir %s", state ? state : "(null)");
    OK(ols_secret_set("imap.alice@example.org", "p@ss w0rd!", &err) == OLS_OK, "set: %s",
       err.msg);
    OK(ols_secret_get("imap.alice@example.org", &val, &err) == OLS_OK, "get: %s", err.msg);
    OK(val && !strcmp(val, "p@ss w0rd!"), "round trip");
    ols_secret_free(val);
    val = NULL;
    OK(ols_secret_get("../etc/passwd", &val, &err) == OLS_EINVAL, "path names refused");
    OK(ols_secret_get("nobody", &val, &err) == OLS_ENOENT, "missing secret");

    /* the stored file never holds the plain password */
    sdir = ols_path_join(state, "secrets");
    {
        int i, plain = 0;
#ifdef _WIN32
        char *f = ols_path_join(sdir, "imap.alice@example.org.dpapi");
#else
        char *f = ols_path_join(sdir, "imap.alice@example.org");
#endif
        char *raw = NULL;
        size_t rl = 0;
        OK(ols_file_read_all(f, 1 << 20, &raw, &rl, &err) == OLS_OK, "secret file: %s", err.msg);
#ifdef _WIN32
        for (i = 0; raw && i + 10 <= (int)rl; i++)
            if (!memcmp(raw + i, "p@ss w0rd!", 10))
                plain = 1;
        OK(!plain, "DPAPI blob does not contain the password");
#else
        (void)plain;
        OK(ols_file_is_private(f), "secret file is 0600");
        /* a secret others can read is refused rather than used */
        {
            char cmd[2048];
            snprintf(cmd, sizeof cmd, "chmod 644 '%s'", f);
            OK(system(cmd) == 0, "chmod");
            OK(ols_secret_get("imap.alice@example.org", &val, &err) == OLS_EIO,
               "world-readable secret refused");
            OK(strstr(err.msg, "readable by others") != NULL, "says why: %s", err.msg);
        }
#endif
        free(raw);
        free(f);
        (void)i;
    }
    OK(ols_secret_delete("imap.alice@example.org", &err) == OLS_OK, "delete");
    OK(ols_secret_get("imap.alice@example.org", &val, &err) == OLS_ENOENT, "gone");
    free(sdir);
    free(state);
}

/* ---- threads ---- */
struct shared {
    ols_mutex *m;
    ols_cond *c;
    long counter;
    int ready;
};

static void adder(void *arg)
{
    struct shared *s = arg;
    int i;
    for (i = 0; i < 100000; i++) {
        ols_mutex_lock(s->m);
        s->counter++;
        ols_mutex_unlock(s->m);
    }
    ols_mutex_lock(s->m);
    s->ready++;
    ols_cond_broadcast(s->c);
    ols_mutex_unlock(s->m);
}

static void test_threads(void)
{
    struct shared s = {ols_mutex_new(), ols_cond_new(), 0, 0};
    ols_thread *t[4];
    int i;
    uint64_t t0;
    for (i = 0; i < 4; i++)
        OK(ols_thread_start(&t[i], adder, &s) == OLS_OK, "thread %d", i);
    ols_mutex_lock(s.m);
    while (s.ready < 4)
        ols_cond_wait(s.c, s.m);
    ols_mutex_unlock(s.m);
    for (i = 0; i < 4; i++)
        ols_thread_join(t[i]);
    OK(s.counter == 400000, "mutex protects the counter (%ld)", s.counter);
    t0 = ols_mono_ms();
    ols_mutex_lock(s.m);
    OK(ols_cond_timedwait(s.c, s.m, 50) == OLS_ETIMEDOUT, "timed wait times out");
    ols_mutex_unlock(s.m);
    OK(ols_mono_ms() >= t0, "monotonic clock does not go back");
    OK(ols_cpu_count() >= 1, "cpu count");
    OK(ols_wall_ms() > 1600000000000LL, "wall clock plausible");
    ols_cond_free(s.c);
    ols_mutex_free(s.m);
}

/* ---- sockets ---- */
static void echo_server(void *arg)
{
    ols_sock l = *(ols_sock *)arg, c;
    char buf[64];
    long n;
    if (ols_sock_accept(l, &c) != OLS_OK)
        return;
    while ((n = ols_sock_recv(c, buf, sizeof buf)) > 0)
        ols_sock_send(c, buf, (size_t)n);
    ols_sock_close(c);
}

static void test_sockets(void)
{
    ols_sock l, c;
    uint16_t port = 0;
    char ip[64] = "";
    ols_thread *th;
    ols_err err = {0};
    ols_pollfd pf;
    char buf[16] = {0};
    long n;

    OK(ols_net_init() == OLS_OK, "net init");
    OK(ols_sock_listen_loopback(0, 8, &l, &port, &err) == OLS_OK, "listen: %s", err.msg);
    OK(port != 0, "got a port");
    OK(ols_sock_local_addr(l, ip, sizeof ip, NULL) == OLS_OK && !strcmp(ip, "127.0.0.1"),
       "bound to loopback only (%s)", ip);
    {
        ols_sock l2;
        OK(ols_sock_listen_loopback(port, 8, &l2, NULL, &err) == OLS_EBUSY,
           "second bind of a port in use is EBUSY (%s)", ols_status_name(err.code));
    }
    ols_thread_start(&th, echo_server, &l);
    OK(ols_sock_connect("127.0.0.1", port, 5000, &c, &err) == OLS_OK, "connect: %s", err.msg);
    OK(ols_sock_send(c, "ping", 4) == 4, "send");
    pf.sock = c;
    pf.events = OLS_POLL_IN;
    OK(ols_poll(&pf, 1, 5000) == 1 && (pf.revents & OLS_POLL_IN), "poll readable");
    n = ols_sock_recv(c, buf, sizeof buf);
    OK(n == 4 && !memcmp(buf, "ping", 4), "echo");
    ols_sock_close(c);
    ols_thread_join(th);
    ols_sock_close(l);
    OK(ols_sock_connect("127.0.0.1", port, 2000, &c, &err) != OLS_OK, "closed port refuses");
    /* a name that cannot be a host name fails at once, without asking a resolver */
    OK(ols_sock_connect("not a host name", 1, 2000, &c, &err) == OLS_ENET,
       "unresolvable host is ENET: %s", err.msg);
}

int main(void)
{
    g_dir = t_scratch("plat");
    test_files();
    test_secrets();
    test_threads();
    test_sockets();
    free(g_dir);
    return T_DONE();
}
