/* The connection: a stack of filters (socket -> TLS -> deflate), write queue, trace, stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "olsync/log.h"

int ols_security_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "tls"))
        return OLS_SEC_TLS;
    if (!strcmp(s, "starttls"))
        return OLS_SEC_STARTTLS;
    if (!strcmp(s, "plain"))
        return OLS_SEC_PLAIN;
    return -1;
}

ols_status ols_conn_open(const char *host, uint16_t port, uint32_t timeout_ms, ols_conn **out,
                         ols_err *err)
{
    ols_conn *c;
    ols_sock s = OLS_SOCK_INVALID;
    net_filter *f = NULL;
    ols_status st;

    *out = NULL;
    if (!host || !*host || strlen(host) > NET_HOST_MAX || port == 0)
        return ols_err_set(err, OLS_EINVAL, "bad server address '%.64s' port %u",
                           host ? host : "", (unsigned)port);
    c = calloc(1, sizeof *c);
    if (!c || !(c->wbuf = malloc(NET_CHUNK))) {
        free(c);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    memcpy(c->host, host, strlen(host) + 1);
    c->port = port;
    c->timeout_ms = timeout_ms ? timeout_ms : 60000;
    st = ols_sock_connect(host, port, c->timeout_ms, &s, err);
    if (st == OLS_OK)
        st = net_sock_filter_new(c, s, &f, err);
    if (st != OLS_OK) {
        if (s != OLS_SOCK_INVALID && !f)
            ols_sock_close(s);
        free(c->wbuf);
        free(c);
        return st;
    }
    c->top = f;
    OLS_LOG_DEBUG("net", "connected to %s:%u", host, (unsigned)port);
    *out = c;
    return OLS_OK;
}

static ols_status refuse_broken(ols_conn *c, ols_err *err)
{
    (void)c;
    return ols_err_set(err, OLS_EIO, "the connection failed earlier and cannot be used");
}

static void discard_all(ols_conn *c)
{
    net_filter *f;
    for (f = c->top; f; f = f->lower)
        f->ops->discard(f);
}

ols_status ols_conn_start_tls(ols_conn *c, const ols_tls_config *cfg, const char *host,
                              ols_err *err)
{
    net_filter *f = NULL;
    ols_status st;

    if (c->broken)
        return refuse_broken(c, err);
    if (c->tls || c->compressed)
        return ols_err_set(err, OLS_EINVAL, "TLS must be the first layer above the socket");
    if (c->wlen) /* plaintext queued now would leave after the handshake, or never */
        return ols_err_set(err, OLS_EINVAL, "unsent data is queued before TLS");
    /* Whatever the server sent after its STARTTLS answer was sent in the clear, where
     * anyone could have put it: it must never be read as if it came over TLS. */
    discard_all(c);
    memset(&c->peer, 0, sizeof c->peer);
    c->have_peer = 0;
    st = net_tls_filter_new(c, c->top, cfg, host ? host : c->host, &f, err);
    if (st != OLS_OK) {
        /* a half-done handshake leaves the byte stream in an unknown state */
        c->broken = 1;
        return st;
    }
    c->top = f;
    c->tls = 1;
    return OLS_OK;
}

ols_status ols_conn_start_deflate(ols_conn *c, ols_err *err)
{
    net_filter *f = NULL;
    ols_status st;

    if (c->broken)
        return refuse_broken(c, err);
    if (c->compressed)
        return ols_err_set(err, OLS_EINVAL, "compression is already on");
    if (c->wlen && (st = ols_conn_flush(c, err)) != OLS_OK)
        return st;
    /* Bytes still held below were sent after the server's OK to COMPRESS, so they are
     * already compressed: the new layer reads them first. */
    st = net_deflate_filter_new(c, c->top, &f, err);
    if (st != OLS_OK)
        return st;
    c->top = f;
    c->compressed = 1;
    return OLS_OK;
}

long ols_conn_read(ols_conn *c, void *buf, size_t n, ols_err *err)
{
    long r;
    if (c->broken) {
        refuse_broken(c, err);
        return -1;
    }
    if (n == 0)
        return ols_err_set(err, OLS_EINVAL, "read of zero bytes"), -1;
    if (n > 0x7fffffffu)
        n = 0x7fffffffu;
    r = c->top->ops->recv(c->top, buf, n, err);
    if (r > 0) {
        c->stats.data_in += (uint64_t)r;
        if (c->trace)
            ols_log_data(c->trace, "S<", buf, (size_t)r);
    } else if (r < 0) {
        c->broken = 1;
    }
    return r;
}

static ols_status push(ols_conn *c, const void *buf, size_t n, ols_err *err)
{
    ols_status st = c->top->ops->send(c->top, buf, n, err);
    if (st != OLS_OK)
        c->broken = 1;
    return st;
}

ols_status ols_conn_write(ols_conn *c, const void *buf, size_t n, ols_err *err)
{
    const unsigned char *p = buf;
    ols_status st;

    if (c->broken)
        return refuse_broken(c, err);
    if (n && c->trace)
        ols_log_data(c->trace, "C>", buf, n);
    c->stats.data_out += n;
    while (n) {
        size_t k;
        if (!c->wlen && n >= NET_CHUNK) { /* big writes skip the copy */
            k = n - n % NET_CHUNK;
            if ((st = push(c, p, k, err)) != OLS_OK)
                return st;
        } else {
            k = NET_CHUNK - c->wlen;
            if (k > n)
                k = n;
            memcpy(c->wbuf + c->wlen, p, k);
            c->wlen += k;
            if (c->wlen == NET_CHUNK) {
                c->wlen = 0;
                if ((st = push(c, c->wbuf, NET_CHUNK, err)) != OLS_OK)
                    return st;
            }
        }
        p += k;
        n -= k;
    }
    return OLS_OK;
}

ols_status ols_conn_flush(ols_conn *c, ols_err *err)
{
    ols_status st;
    if (c->broken)
        return refuse_broken(c, err);
    if (c->wlen) {
        size_t k = c->wlen;
        c->wlen = 0;
        if ((st = push(c, c->wbuf, k, err)) != OLS_OK)
            return st;
    }
    st = c->top->ops->flush(c->top, err);
    if (st != OLS_OK)
        c->broken = 1;
    return st;
}

size_t ols_conn_pending(ols_conn *c)
{
    return c->top ? c->top->ops->pending(c->top) : 0;
}

void ols_conn_set_timeout(ols_conn *c, uint32_t ms)
{
    c->timeout_ms = ms ? ms : 60000;
}

int ols_conn_is_tls(ols_conn *c) { return c->tls; }
int ols_conn_is_compressed(ols_conn *c) { return c->compressed; }

const char *ols_conn_peer_pin(ols_conn *c)
{
    return c->have_peer && c->peer.pin[0] ? c->peer.pin : NULL;
}

ols_status ols_conn_peer_cert(ols_conn *c, ols_cert_info *out)
{
    if (!c->have_peer)
        return OLS_ENOENT;
    *out = c->peer;
    return OLS_OK;
}

void ols_conn_stats_get(ols_conn *c, ols_conn_stats *s)
{
    *s = c->stats;
}

void ols_conn_set_trace(ols_conn *c, const char *channel)
{
    free(c->trace);
    c->trace = NULL;
    if (channel) {
        size_t l = strlen(channel) + 1;
        if ((c->trace = malloc(l)) != NULL)
            memcpy(c->trace, channel, l);
    }
}

void ols_conn_close(ols_conn *c)
{
    net_filter *f, *next;
    int graceful;
    if (!c)
        return;
    graceful = !c->broken;
    /* goodbyes (TLS close_notify) must not hold up a caller that is shutting down */
    if (c->timeout_ms > 2000)
        c->timeout_ms = 2000;
    for (f = c->top; f; f = next) {
        next = f->lower;
        f->ops->destroy(f, graceful);
    }
    free(c->trace);
    free(c->wbuf);
    free(c);
}
