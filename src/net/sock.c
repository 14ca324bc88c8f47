/* The bottom layer: a non-blocking TCP socket, every wait bounded by ols_poll. */
#include <stdlib.h>
#include <string.h>

#include "filter.h"

typedef struct sock_filter {
    net_filter f;
    ols_sock s;
    size_t off, len; /* unread bytes are buf[off..len) */
    unsigned char buf[NET_CHUNK];
} sock_filter;

/* 1 ready, 0 timed out, -1 error */
static int wait_for(sock_filter *sf, short events)
{
    ols_pollfd p;
    int rc;
    p.sock = sf->s;
    p.events = events;
    p.revents = 0;
    rc = ols_poll(&p, 1, (int)sf->f.conn->timeout_ms);
    if (rc < 0)
        return -1;
    /* an error or hang-up shows up as a failed send/recv, with a better message */
    return rc > 0 ? 1 : 0;
}

static ols_status timed_out(sock_filter *sf, const char *what, ols_err *err)
{
    ols_conn *c = sf->f.conn;
    return ols_err_set(err, OLS_ETIMEDOUT, "%s:%u: no %s for %u s", c->host, (unsigned)c->port,
                       what, (unsigned)(c->timeout_ms / 1000));
}

static long raw_recv(sock_filter *sf, void *buf, size_t n, ols_err *err)
{
    ols_conn *c = sf->f.conn;
    for (;;) {
        long r = ols_sock_recv(sf->s, buf, n);
        if (r >= 0) {
            c->stats.wire_in += (uint64_t)r;
            return r;
        }
        if (r == -2)
            return ols_err_set(err, OLS_ENET, "%s:%u: connection lost while receiving", c->host,
                               (unsigned)c->port),
                   -1;
        r = wait_for(sf, OLS_POLL_IN);
        if (r == 0)
            return timed_out(sf, "data from the server", err), -1;
        if (r < 0)
            return ols_err_set(err, OLS_ENET, "%s:%u: poll failed", c->host, (unsigned)c->port),
                   -1;
    }
}

static long sock_recv(net_filter *f, void *buf, size_t n, ols_err *err)
{
    sock_filter *sf = (sock_filter *)f;
    long r;
    if (sf->off == sf->len) {
        sf->off = sf->len = 0;
        if (n >= sizeof sf->buf) /* the caller has room for a whole chunk: no copy */
            return raw_recv(sf, buf, sizeof sf->buf, err);
        r = raw_recv(sf, sf->buf, sizeof sf->buf, err);
        if (r <= 0)
            return r;
        sf->len = (size_t)r;
    }
    if (n > sf->len - sf->off)
        n = sf->len - sf->off;
    memcpy(buf, sf->buf + sf->off, n);
    sf->off += n;
    return (long)n;
}

static ols_status sock_send(net_filter *f, const void *buf, size_t n, ols_err *err)
{
    sock_filter *sf = (sock_filter *)f;
    ols_conn *c = f->conn;
    const unsigned char *p = buf;
    while (n) {
        long r = ols_sock_send(sf->s, p, n > 0x10000000u ? 0x10000000u : n);
        if (r > 0) {
            c->stats.wire_out += (uint64_t)r;
            p += r;
            n -= (size_t)r;
            continue;
        }
        if (r == -2 || r == 0)
            return ols_err_set(err, OLS_ENET, "%s:%u: connection lost while sending", c->host,
                               (unsigned)c->port);
        r = wait_for(sf, OLS_POLL_OUT);
        if (r == 0)
            return timed_out(sf, "progress sending to the server", err);
        if (r < 0)
            return ols_err_set(err, OLS_ENET, "%s:%u: poll failed", c->host, (unsigned)c->port);
    }
    return OLS_OK;
}

static ols_status sock_flush(net_filter *f, ols_err *err)
{
    (void)f;
    (void)err;
    return OLS_OK; /* sends are never held here */
}

static size_t sock_pending(net_filter *f)
{
    sock_filter *sf = (sock_filter *)f;
    return sf->len - sf->off;
}

static void sock_discard(net_filter *f)
{
    sock_filter *sf = (sock_filter *)f;
    sf->off = sf->len = 0;
}

static void sock_destroy(net_filter *f, int graceful)
{
    sock_filter *sf = (sock_filter *)f;
    (void)graceful;
    ols_sock_close(sf->s);
    free(sf);
}

static const net_filter_ops sock_ops = {
    "socket", sock_recv, sock_send, sock_flush, sock_pending, sock_discard, sock_destroy,
};

ols_status net_sock_filter_new(ols_conn *c, ols_sock s, net_filter **out, ols_err *err)
{
    sock_filter *sf = malloc(sizeof *sf);
    if (!sf)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    if (ols_sock_set_nonblock(s, 1) != OLS_OK) {
        free(sf);
        return ols_err_set(err, OLS_ENET, "cannot make the socket non-blocking");
    }
    sf->f.ops = &sock_ops;
    sf->f.lower = NULL;
    sf->f.conn = c;
    sf->s = s;
    sf->off = sf->len = 0;
    *out = &sf->f;
    return OLS_OK;
}
