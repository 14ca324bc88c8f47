/* Loopback POP3 stub: a pure session state machine and one reactor job that drives it. */
#include "pop3/pop3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "olsync/log.h"
#include "plat/plat.h"

#define CH "pop3"

/* ================= protocol (no I/O) ================= */

struct ols_pop3_session {
    char *user;
    unsigned id;
    ols_pop3_state state;
    const char *reason;
    unsigned bad;      /* consecutive bad commands */
    unsigned commands;
    size_t line_len;
    char line[OLS_POP3_LINE_MAX]; /* holds at most LINE_MAX - 1 bytes before the LF */
};

ols_pop3_session *ols_pop3_session_new(const char *user, unsigned id)
{
    ols_pop3_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->user = strdup(user ? user : "");
    if (!s->user) {
        free(s);
        return NULL;
    }
    s->id = id;
    s->state = OLS_POP3_AUTH;
    return s;
}

void ols_pop3_session_free(ols_pop3_session *s)
{
    if (!s)
        return;
    free(s->user);
    free(s);
}

ols_pop3_state ols_pop3_session_state(const ols_pop3_session *s)
{
    return s->state;
}

const char *ols_pop3_session_close_reason(const ols_pop3_session *s)
{
    return s->state == OLS_POP3_CLOSED ? s->reason : NULL;
}

unsigned ols_pop3_session_commands(const ols_pop3_session *s)
{
    return s->commands;
}

static void put(ols_pop3_out *o, const char *text)
{
    size_t n = strlen(text), room = sizeof o->buf - o->len;
    if (n > room) /* cannot happen while feed keeps REPLY_MAX free; never overflow anyway */
        n = room;
    memcpy(o->buf + o->len, text, n);
    o->len += n;
}

static void hang_up(ols_pop3_session *s, ols_pop3_out *o, const char *reply, const char *reason)
{
    put(o, reply);
    s->state = OLS_POP3_CLOSED;
    s->reason = reason;
}

void ols_pop3_session_greet(ols_pop3_session *s, ols_pop3_out *out)
{
    (void)s;
    put(out, "+OK olsync POP3 stub ready\r\n");
}

/* A protocol error; the third in a row ends the session. */
static void bad(ols_pop3_session *s, ols_pop3_out *o, const char *reply)
{
    if (++s->bad >= OLS_POP3_MAX_BAD) {
        hang_up(s, o, "-ERR too many bad commands\r\n", "too many bad commands");
        return;
    }
    put(o, reply);
}

static void good(ols_pop3_session *s, ols_pop3_out *o, const char *reply)
{
    s->bad = 0;
    put(o, reply);
}

static int kw_is(const char *kw, const char *name)
{
    size_t i;
    for (i = 0; kw[i] && name[i]; i++) {
        char a = kw[i];
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 'a' + 'A');
        if (a != name[i])
            return 0;
    }
    return kw[i] == name[i];
}

static int http_line(const char *kw, const char *line)
{
    static const char *const methods[] = {"GET",    "POST",  "HEAD",    "PUT",   "OPTIONS",
                                          "DELETE", "PATCH", "CONNECT", "TRACE", "PRI"};
    size_t i;
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (kw_is(kw, methods[i]))
            return 1;
    return strstr(line, " HTTP/") != NULL;
}

static const char CAPA_REPLY[] = "+OK capability list follows\r\n"
                                 "USER\r\n"
                                 "UIDL\r\n"
                                 "TOP\r\n"
                                 "PIPELINING\r\n"
                                 "IMPLEMENTATION olsync\r\n"
                                 ".\r\n";

/* kw is upper-case-insensitive; rest is everything after "KW " (NULL if none);
 * argc counts space-separated arguments. */
static void dispatch(ols_pop3_session *s, ols_pop3_out *o, const char *kw, const char *rest,
                     int argc)
{
    int authed = s->state == OLS_POP3_TRANSACTION;

    if (kw_is(kw, "QUIT")) {
        s->bad = 0;
        hang_up(s, o, "+OK olsync POP3 stub signing off\r\n", "quit");
    } else if (kw_is(kw, "CAPA")) {
        good(s, o, CAPA_REPLY);
    } else if (kw_is(kw, "APOP")) {
        good(s, o, "-ERR APOP not supported\r\n");
    } else if (kw_is(kw, "AUTH") || kw_is(kw, "STLS")) {
        good(s, o, "-ERR not supported\r\n");
    } else if (kw_is(kw, "USER")) {
        if (authed)
            bad(s, o, "-ERR already logged in\r\n");
        else if (!rest || !*rest)
            bad(s, o, "-ERR USER needs a name\r\n");
        else if (strcmp(rest, s->user) != 0) {
            OLS_LOG_DEBUG(CH, "session %u: unknown user refused", s->id);
            s->state = OLS_POP3_AUTH;
            good(s, o, "-ERR unknown user\r\n");
        } else {
            s->state = OLS_POP3_AUTH_PASS;
            good(s, o, "+OK send PASS\r\n");
        }
    } else if (kw_is(kw, "PASS")) {
        if (s->state != OLS_POP3_AUTH_PASS) {
            bad(s, o, authed ? "-ERR already logged in\r\n" : "-ERR USER first\r\n");
        } else {
            /* any password: there is no mail to protect and the real one is in the
             * secret store */
            s->state = OLS_POP3_TRANSACTION;
            OLS_LOG_DEBUG(CH, "session %u: user %s logged in", s->id, s->user);
            good(s, o, "+OK maildrop has 0 messages\r\n");
        }
    } else if (kw_is(kw, "STAT") || kw_is(kw, "LIST") || kw_is(kw, "UIDL") ||
               kw_is(kw, "RETR") || kw_is(kw, "DELE") || kw_is(kw, "TOP") ||
               kw_is(kw, "NOOP") || kw_is(kw, "RSET")) {
        int want_min = 0, want_max = 0;
        if (kw_is(kw, "LIST") || kw_is(kw, "UIDL"))
            want_max = 1;
        else if (kw_is(kw, "RETR") || kw_is(kw, "DELE"))
            want_min = want_max = 1;
        else if (kw_is(kw, "TOP"))
            want_min = want_max = 2;
        if (!authed)
            bad(s, o, "-ERR log in first\r\n");
        else if (argc < want_min || argc > want_max)
            bad(s, o, "-ERR wrong number of arguments\r\n");
        else if (argc > 0)
            good(s, o, "-ERR no such message\r\n"); /* the maildrop is always empty */
        else if (kw_is(kw, "STAT"))
            good(s, o, "+OK 0 0\r\n");
        else if (kw_is(kw, "LIST"))
            good(s, o, "+OK 0 messages (0 octets)\r\n.\r\n");
        else if (kw_is(kw, "UIDL"))
            good(s, o, "+OK unique-id listing follows\r\n.\r\n");
        else if (kw_is(kw, "RSET"))
            good(s, o, "+OK maildrop has 0 messages\r\n");
        else
            good(s, o, "+OK\r\n");
    } else {
        bad(s, o, "-ERR unknown command\r\n");
    }
}

static void handle_line(ols_pop3_session *s, ols_pop3_out *o)
{
    char kw[8];
    size_t n = s->line_len, k = 0;
    const char *p, *rest = NULL;
    int argc = 0;

    if (n && s->line[n - 1] == '\r')
        n--;
    s->line[n] = '\0';
    s->commands++;
    p = s->line;
    while (*p && *p != ' ' && k < sizeof kw - 1)
        kw[k++] = *p++;
    kw[k] = '\0';
    if (*p && *p != ' ')
        kw[0] = '\0'; /* a keyword longer than any command: unknown */
    if (*p == ' ') {
        const char *q;
        int in_word = 0;
        rest = p + 1;
        for (q = rest; *q; q++) {
            if (*q != ' ' && !in_word)
                argc++;
            in_word = *q != ' ';
        }
    }
    if (http_line(kw, s->line)) {
        OLS_LOG_DEBUG(CH, "session %u: HTTP request refused", s->id);
        hang_up(s, o, "-ERR not POP3\r\n", "not POP3");
        return;
    }
    /* the session log shows commands, never the password */
    if (kw_is(kw, "PASS") || kw_is(kw, "APOP") || kw_is(kw, "AUTH"))
        OLS_LOG_DEBUG(CH, "session %u C: %s ********", s->id, kw);
    else
        OLS_LOG_DEBUG(CH, "session %u C: %s", s->id, s->line);
    dispatch(s, o, kw, rest, argc);
}

size_t ols_pop3_session_feed(ols_pop3_session *s, const void *in, size_t len, ols_pop3_out *out)
{
    const unsigned char *b = in;
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char ch = b[i];
        if (s->state == OLS_POP3_CLOSED || sizeof out->buf - out->len < OLS_POP3_REPLY_MAX)
            break;
        if (ch == '\n') {
            handle_line(s, out);
            s->line_len = 0;
            continue;
        }
        /* control bytes: binary data or a TLS ClientHello (0x16 0x03 ...) */
        if ((ch < 0x20 && ch != '\r' && ch != '\t') || ch == 0x7f) {
            OLS_LOG_DEBUG(CH, "session %u: byte 0x%02x is not POP3", s->id, ch);
            hang_up(s, out, "-ERR not POP3\r\n", "not POP3");
            return i + 1;
        }
        if (s->line_len + 1 >= OLS_POP3_LINE_MAX) {
            hang_up(s, out, "-ERR line too long\r\n", "line too long");
            return i + 1;
        }
        s->line[s->line_len++] = (char)ch;
    }
    return i;
}

/* ================= the reactor ================= */

enum { MAX_CONNS_CAP = 1024, POLL_MS = 100, ACCEPTS_PER_ROUND = 64, DRAIN_MAX = 65536 };

struct conn {
    ols_sock sock; /* OLS_SOCK_INVALID: free slot */
    ols_pop3_session *sess;
    unsigned id;
    uint64_t last; /* last activity, monotonic ms */
    size_t sent;   /* bytes at the front of out already sent */
    size_t in_len;
    ols_pop3_out out;
    char in[1024];
};

struct ols_pop3 {
    ols_pool *pool;
    char *user;
    unsigned max_conns;
    uint32_t idle_ms;
    ols_sock listener;
    uint16_t port;
    struct conn *conns;
    ols_pollfd *pfd;
    unsigned *map; /* pfd index -> conns index */
    unsigned next_id;
    ols_job_id job;
    ols_mutex *lock; /* guards finished and stats */
    ols_cond *cond;
    int finished;
    ols_pop3_stats stats;
};

static void conn_close(ols_pop3 *p, struct conn *c, const char *why)
{
    OLS_LOG_DEBUG(CH, "session %u closed: %s (%u commands)", c->id, why,
                  c->sess ? ols_pop3_session_commands(c->sess) : 0);
    ols_sock_close(c->sock);
    ols_pop3_session_free(c->sess);
    c->sock = OLS_SOCK_INVALID;
    c->sess = NULL;
    ols_mutex_lock(p->lock);
    p->stats.active--;
    ols_mutex_unlock(p->lock);
}

/* Read and drop what the peer already sent, so closing sends FIN, not RST, and the
 * peer gets to read our last reply. */
static void drain_input(ols_sock s)
{
    char junk[4096];
    size_t total = 0;
    long n;
    while (total < DRAIN_MAX && (n = ols_sock_recv(s, junk, sizeof junk)) > 0)
        total += (size_t)n;
}

/* Feed input, send output, repeat while either makes progress. */
static void conn_pump(ols_pop3 *p, struct conn *c, uint64_t now)
{
    for (;;) {
        int progress = 0;
        if (c->in_len && ols_pop3_session_state(c->sess) != OLS_POP3_CLOSED) {
            size_t used = ols_pop3_session_feed(c->sess, c->in, c->in_len, &c->out);
            if (used) {
                memmove(c->in, c->in + used, c->in_len - used);
                c->in_len -= used;
                progress = 1;
            }
        }
        if (c->sent < c->out.len) {
            long n = ols_sock_send(c->sock, c->out.buf + c->sent, c->out.len - c->sent);
            if (n == -2) {
                conn_close(p, c, "send failed");
                return;
            }
            if (n > 0) {
                c->sent += (size_t)n;
                c->last = now;
                progress = 1;
                if (c->sent == c->out.len)
                    c->sent = c->out.len = 0;
            }
        }
        if (c->out.len == 0 && ols_pop3_session_state(c->sess) == OLS_POP3_CLOSED) {
            drain_input(c->sock);
            conn_close(p, c, ols_pop3_session_close_reason(c->sess));
            return;
        }
        if (!progress)
            return;
    }
}

static void conn_read(ols_pop3 *p, struct conn *c, uint64_t now)
{
    while (c->in_len < sizeof c->in) {
        long n = ols_sock_recv(c->sock, c->in + c->in_len, sizeof c->in - c->in_len);
        if (n == -1)
            break;
        if (n <= 0) {
            conn_close(p, c, n == 0 ? "peer closed" : "receive failed");
            return;
        }
        c->in_len += (size_t)n;
        c->last = now;
        if (ols_pop3_session_state(c->sess) == OLS_POP3_CLOSED)
            c->in_len = 0; /* closing: input no longer matters */
    }
    conn_pump(p, c, now);
}

static void refuse(ols_pop3 *p, ols_sock s)
{
    static const char msg[] = "-ERR too many connections\r\n";
    /* a fresh socket has an empty send buffer, so this goes out whole or not at all */
    ols_sock_send(s, msg, sizeof msg - 1);
    drain_input(s);
    ols_sock_close(s);
    ols_mutex_lock(p->lock);
    p->stats.refused++;
    ols_mutex_unlock(p->lock);
}

static void accept_some(ols_pop3 *p, uint64_t now)
{
    unsigned k, i;
    for (k = 0; k < ACCEPTS_PER_ROUND; k++) {
        ols_sock s;
        struct conn *c = NULL;
        if (ols_sock_accept(p->listener, &s) != OLS_OK)
            return; /* none left, or a transient error: the listener stays */
        if (ols_sock_set_nonblock(s, 1) != OLS_OK) {
            ols_sock_close(s);
            continue;
        }
        for (i = 0; i < p->max_conns; i++) {
            if (p->conns[i].sock == OLS_SOCK_INVALID) {
                c = &p->conns[i];
                break;
            }
        }
        if (!c) {
            OLS_LOG_DEBUG(CH, "connection refused: %u sessions open", p->max_conns);
            refuse(p, s);
            continue;
        }
        c->id = ++p->next_id;
        c->sess = ols_pop3_session_new(p->user, c->id);
        if (!c->sess) {
            OLS_LOG_WARN(CH, "out of memory for a session");
            ols_sock_close(s);
            continue;
        }
        c->sock = s;
        c->last = now;
        c->sent = c->in_len = c->out.len = 0;
        ols_mutex_lock(p->lock);
        p->stats.accepted++;
        p->stats.active++;
        ols_mutex_unlock(p->lock);
        OLS_LOG_DEBUG(CH, "session %u opened", c->id);
        ols_pop3_session_greet(c->sess, &c->out);
        conn_pump(p, c, now);
    }
}

static ols_status reactor(ols_job_ctx *ctx, void *arg)
{
    ols_pop3 *p = arg;
    OLS_LOG_DEBUG(CH, "reactor running on 127.0.0.1:%u", p->port);
    while (!ols_job_cancelled(ctx)) {
        unsigned n = 0, i;
        int rc;
        uint64_t now;

        p->pfd[n].sock = p->listener;
        p->pfd[n].events = OLS_POLL_IN;
        n++;
        for (i = 0; i < p->max_conns; i++) {
            struct conn *c = &p->conns[i];
            short ev = 0;
            if (c->sock == OLS_SOCK_INVALID)
                continue;
            if (c->in_len < sizeof c->in)
                ev |= OLS_POLL_IN;
            if (c->sent < c->out.len)
                ev |= OLS_POLL_OUT;
            p->pfd[n].sock = c->sock;
            p->pfd[n].events = ev;
            p->map[n] = i;
            n++;
        }
        rc = ols_poll(p->pfd, n, POLL_MS);
        if (rc < 0) {
            /* never give up serving: back off and try again */
            OLS_LOG_WARN(CH, "poll failed; retrying");
            ols_job_sleep(ctx, POLL_MS);
            continue;
        }
        now = ols_mono_ms();
        for (i = 1; i < n; i++) {
            struct conn *c = &p->conns[p->map[i]];
            short r = p->pfd[i].revents;
            if (c->sock == OLS_SOCK_INVALID)
                continue;
            if (r & (OLS_POLL_IN | OLS_POLL_ERR)) {
                if (c->in_len < sizeof c->in)
                    conn_read(p, c, now);
                else if (r & OLS_POLL_ERR)
                    conn_close(p, c, "connection error");
                if (c->sock == OLS_SOCK_INVALID)
                    continue;
            }
            if (r & OLS_POLL_OUT)
                conn_pump(p, c, now);
        }
        for (i = 0; i < p->max_conns; i++) {
            struct conn *c = &p->conns[i];
            /* RFC 1939 autologout: close without a reply */
            if (c->sock != OLS_SOCK_INVALID && now - c->last >= p->idle_ms)
                conn_close(p, c, "idle timeout");
        }
        if (p->pfd[0].revents & (OLS_POLL_IN | OLS_POLL_ERR))
            accept_some(p, now);
    }
    OLS_LOG_DEBUG(CH, "reactor stopping");
    return OLS_ECANCELED;
}

static void reactor_done(void *arg, ols_status st)
{
    ols_pop3 *p = arg;
    (void)st;
    ols_mutex_lock(p->lock);
    p->finished = 1;
    ols_cond_broadcast(p->cond);
    ols_mutex_unlock(p->lock);
}

static void pop3_free(ols_pop3 *p)
{
    unsigned i;
    if (p->conns)
        for (i = 0; i < p->max_conns; i++)
            if (p->conns[i].sock != OLS_SOCK_INVALID)
                conn_close(p, &p->conns[i], "stub stopping");
    ols_sock_close(p->listener);
    if (p->lock)
        ols_mutex_free(p->lock);
    if (p->cond)
        ols_cond_free(p->cond);
    free(p->conns);
    free(p->pfd);
    free(p->map);
    free(p->user);
    free(p);
}

static int user_ok(const char *u)
{
    size_t n;
    if (!u || !*u)
        return 0;
    for (n = 0; u[n]; n++)
        if ((unsigned char)u[n] < 0x20 || u[n] == 0x7f)
            return 0;
    return n < OLS_POP3_LINE_MAX - 8; /* "USER " + name + CRLF must fit a line */
}

static ols_status bind_range(ols_pop3 *p, unsigned first, unsigned last, ols_err *err)
{
    unsigned port;
    ols_err e = {0};
    for (port = first;; port++) {
        ols_status st = ols_sock_listen_loopback((uint16_t)port, 128, &p->listener, &p->port, &e);
        if (st == OLS_OK)
            return OLS_OK;
        if (st != OLS_EBUSY || port >= last) {
            if (st == OLS_EBUSY && last > first)
                return ols_err_set(err, OLS_EBUSY, "no free port in 127.0.0.1:%u-%u", first,
                                   last);
            return ols_err_set(err, st, "%s", e.msg);
        }
    }
}

ols_status ols_pop3_start(const ols_pop3_config *cfg, ols_pool *pool, ols_pop3 **out,
                          ols_err *err)
{
    ols_pop3 *p;
    ols_status st;
    char ip[64] = "";
    unsigned i, first, last;

    if (!cfg || !pool || !out)
        return ols_err_set(err, OLS_EINVAL, "pop3: missing argument");
    *out = NULL;
    if (!user_ok(cfg->user))
        return ols_err_set(err, OLS_EINVAL,
                           "pop3: the account's user name (account.user) is not set or invalid");
    p = calloc(1, sizeof *p);
    if (!p)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    p->listener = OLS_SOCK_INVALID;
    p->pool = pool;
    p->max_conns = cfg->max_conns ? cfg->max_conns : OLS_POP3_DEF_CONNS;
    if (p->max_conns > MAX_CONNS_CAP)
        p->max_conns = MAX_CONNS_CAP;
    p->idle_ms = cfg->idle_timeout_ms ? cfg->idle_timeout_ms : OLS_POP3_DEF_IDLE_MS;
    p->user = strdup(cfg->user);
    p->lock = ols_mutex_new();
    p->cond = ols_cond_new();
    p->conns = calloc(p->max_conns, sizeof *p->conns);
    p->pfd = calloc(p->max_conns + 1, sizeof *p->pfd);
    p->map = calloc(p->max_conns + 1, sizeof *p->map);
    if (!p->user || !p->lock || !p->cond || !p->conns || !p->pfd || !p->map) {
        pop3_free(p);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    for (i = 0; i < p->max_conns; i++)
        p->conns[i].sock = OLS_SOCK_INVALID;

    first = cfg->port_first;
    last = cfg->port_last < first ? first : cfg->port_last;
    st = bind_range(p, first, last, err);
    if (st != OLS_OK) {
        pop3_free(p);
        return st;
    }
    /* belt and braces: the stub must never be reachable from another machine */
    if (ols_sock_local_addr(p->listener, ip, sizeof ip, NULL) != OLS_OK ||
        strcmp(ip, "127.0.0.1") != 0) {
        pop3_free(p);
        return ols_err_set(err, OLS_ENET, "pop3: listener is not on 127.0.0.1 (%s)", ip);
    }
    if (ols_sock_set_nonblock(p->listener, 1) != OLS_OK) {
        pop3_free(p);
        return ols_err_set(err, OLS_ENET, "pop3: cannot make the listener non-blocking");
    }
    {
        ols_job_spec js = {reactor, reactor_done, p, OLS_PRIO_HIGH, 0, NULL};
        st = ols_pool_submit(pool, &js, &p->job);
    }
    if (st != OLS_OK) {
        pop3_free(p);
        return ols_err_set(err, st, "pop3: cannot schedule the listener: %s",
                           ols_status_name(st));
    }
    OLS_LOG_INFO(CH, "POP3 stub listening on 127.0.0.1:%u for user %s (at most %u sessions)",
                 p->port, p->user, p->max_conns);
    *out = p;
    return OLS_OK;
}

uint16_t ols_pop3_port(const ols_pop3 *p)
{
    return p ? p->port : 0;
}

ols_status ols_pop3_local_addr(const ols_pop3 *p, char *ip, size_t iplen)
{
    if (!p)
        return OLS_EINVAL;
    return ols_sock_local_addr(p->listener, ip, iplen, NULL);
}

void ols_pop3_stats_get(ols_pop3 *p, ols_pop3_stats *st)
{
    ols_mutex_lock(p->lock);
    *st = p->stats;
    ols_mutex_unlock(p->lock);
}

void ols_pop3_stop(ols_pop3 *p)
{
    if (!p)
        return;
    ols_pool_cancel(p->pool, p->job); /* queued: done runs now; running: it sees the flag */
    ols_mutex_lock(p->lock);
    while (!p->finished)
        ols_cond_wait(p->cond, p->lock);
    ols_mutex_unlock(p->lock);
    pop3_free(p);
    OLS_LOG_INFO(CH, "POP3 stub stopped");
}

ols_status ols_pop3_start_from_settings(ols_settings *s, const char *save_path, ols_pool *pool,
                                        ols_pop3 **out, ols_err *err)
{
    ols_pop3_config cfg;
    char *user;
    ols_status st;

    if (!s)
        return ols_err_set(err, OLS_EINVAL, "pop3: no settings");
    user = ols_settings_get_str(s, "account.user");
    memset(&cfg, 0, sizeof cfg);
    cfg.user = user;
    cfg.port_first = (uint16_t)ols_settings_get_int(s, "pop3.port");
    cfg.port_last = (uint16_t)ols_settings_get_int(s, "pop3.port_max");
    st = ols_pop3_start(&cfg, pool, out, err);
    free(user);
    if (st != OLS_OK)
        return st;
    if (ols_settings_get_int(s, "pop3.bound_port") != ols_pop3_port(*out)) {
        char port[16];
        ols_err e = {0};
        snprintf(port, sizeof port, "%u", ols_pop3_port(*out));
        if (ols_settings_set(s, "pop3.bound_port", port, &e) != OLS_OK ||
            (save_path && ols_settings_save(s, save_path, &e) != OLS_OK))
            OLS_LOG_WARN(CH, "cannot record the POP3 port %s: %s", port, e.msg);
    }
    return OLS_OK;
}
