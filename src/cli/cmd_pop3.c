/* `olsync pop3`: run the loopback POP3 stub in the foreground until told to stop. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#define read_stdin(buf, n) _read(0, (buf), (unsigned)(n))
#else
#include <unistd.h>
#define read_stdin(buf, n) read(0, (buf), (n))
#endif

#include "cli.h"
#include "olsync/log.h"
#include "olsync/pool.h"
#include "plat/plat.h"
#include "pop3/pop3.h"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/* --stop-on-eof: a parent that closes our stdin stops us cleanly on every platform (Wine
 * included), where signals are not. Low-level read() so no stdio lock is held at exit. */
static void watch_stdin(void *arg)
{
    char buf[256];
    (void)arg;
    while (read_stdin(buf, sizeof buf) > 0)
        ;
    g_stop = 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;
    if (!s || !*s || *s == '-')
        return 0;
    v = strtoul(s, &end, 10);
    if (*end || v > max)
        return 0;
    *out = v;
    return 1;
}

int cmd_pop3(cli_ctx *c)
{
    const char *port_s = cli_opt(c, "port");
    const char *exit_s = cli_opt(c, "exit-after");
    int on_eof = cli_flag(c, "stop-on-eof");
    unsigned long port = 0, exit_after = 0;
    ols_pool *pool = NULL;
    ols_pop3 *stub = NULL;
    ols_err err = {0};
    ols_status st;
    uint64_t deadline = 0;
    int rc;

    if (c->argc > 0) {
        cli_error("unexpected argument '%s' (try olsync pop3 --help)", c->argv[0]);
        return EX_USAGE_;
    }
    if ((port_s && !parse_uint(port_s, 65535, &port)) ||
        (exit_s && !parse_uint(exit_s, 86400UL * 365, &exit_after))) {
        cli_error("--port takes 0-65535 and --exit-after a number of seconds");
        return EX_USAGE_;
    }
    rc = cli_load(c);
    if (rc)
        return rc;
    if (ols_pool_new(2, &pool) != OLS_OK) {
        cli_error("cannot start the worker pool");
        return EX_FAIL;
    }
    if (port_s) {
        /* an explicit port is for this run only: nothing is written back */
        ols_pop3_config cfg;
        char *user = ols_settings_get_str(c->settings, "account.user");
        memset(&cfg, 0, sizeof cfg);
        cfg.user = user;
        cfg.port_first = cfg.port_last = (uint16_t)port;
        st = ols_pop3_start(&cfg, pool, &stub, &err);
        free(user);
    } else {
        st = ols_pop3_start_from_settings(c->settings, c->config_path, pool, &stub, &err);
    }
    if (st != OLS_OK) {
        cli_error("%s", err.msg);
        ols_pool_shutdown(pool, OLS_POOL_CANCEL);
        return cli_status_exit(st);
    }
    g_stop = 0;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (on_eof) {
        ols_thread *t; /* never joined: it may sit in read() until the process ends */
        if (ols_thread_start(&t, watch_stdin, NULL) != OLS_OK)
            cli_error("warning: cannot watch standard input");
    }
    printf("listening on 127.0.0.1:%u\n", ols_pop3_port(stub));
    fflush(stdout);
    if (exit_after)
        deadline = ols_mono_ms() + (uint64_t)exit_after * 1000;
    while (!g_stop && (!deadline || ols_mono_ms() < deadline))
        ols_sleep_ms(50);
    ols_pop3_stop(stub);
    ols_pool_shutdown(pool, OLS_POOL_CANCEL);
    return EX_OK_;
}
