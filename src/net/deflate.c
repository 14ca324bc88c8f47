/* The COMPRESS=DEFLATE layer (RFC 4978): raw deflate both ways, output bounded by the reader. */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "filter.h"

typedef struct deflate_filter {
    net_filter f;
    z_stream in, out;
    int in_ok, out_ok; /* streams initialised */
    int ended;         /* the peer ended its stream, which RFC 4978 does not allow */
    unsigned char ibuf[NET_CHUNK]; /* compressed bytes from below */
    unsigned char obuf[NET_CHUNK]; /* compressed bytes for below */
} deflate_filter;

static long corrupt(deflate_filter *d, const char *why, ols_err *err)
{
    ols_conn *c = d->f.conn;
    return ols_err_set(err, OLS_EPROTO, "%s:%u: bad compressed data from the server: %s",
                       c->host, (unsigned)c->port, why ? why : "unknown"),
           -1;
}

/* Inflates straight into the caller's buffer: however much a few compressed bytes
 * expand, no more than n bytes of output ever exist at once. */
static long deflate_recv(net_filter *f, void *buf, size_t n, ols_err *err)
{
    deflate_filter *d = (deflate_filter *)f;
    z_stream *z = &d->in;
    if (n > 0x40000000u)
        n = 0x40000000u;
    if (d->ended)
        return corrupt(d, "the compressed stream ended", err);
    z->next_out = buf;
    z->avail_out = (uInt)n;
    for (;;) {
        int rc = inflate(z, Z_SYNC_FLUSH);
        size_t got = n - z->avail_out;
        long r;
        if (rc == Z_STREAM_END)
            d->ended = 1;
        else if (rc != Z_OK && rc != Z_BUF_ERROR)
            return corrupt(d, z->msg, err);
        if (got)
            return (long)got;
        if (d->ended)
            return corrupt(d, "the compressed stream ended", err);
        if (z->avail_in) { /* inflate stops only when out of input or of room */
            if (rc == Z_OK)
                continue;
            return corrupt(d, "inflate made no progress", err);
        }
        r = f->lower->ops->recv(f->lower, d->ibuf, sizeof d->ibuf, err);
        if (r <= 0)
            return r;
        z->next_in = d->ibuf;
        z->avail_in = (uInt)r;
    }
}

/* Run the compressor over whatever is in d->out, handing output down; flush = Z_*. */
static ols_status pump(deflate_filter *d, int flush, ols_err *err)
{
    z_stream *z = &d->out;
    ols_status st;
    for (;;) {
        int rc;
        size_t have;
        z->next_out = d->obuf;
        z->avail_out = sizeof d->obuf;
        rc = deflate(z, flush);
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return ols_err_set(err, OLS_EIO, "compression failed: %s", z->msg ? z->msg : "?");
        have = sizeof d->obuf - z->avail_out;
        if (have && (st = d->f.lower->ops->send(d->f.lower, d->obuf, have, err)) != OLS_OK)
            return st;
        /* a full output buffer may mean more output is waiting */
        if (z->avail_out != 0 && z->avail_in == 0)
            return OLS_OK;
    }
}

static ols_status deflate_send(net_filter *f, const void *buf, size_t n, ols_err *err)
{
    deflate_filter *d = (deflate_filter *)f;
    const unsigned char *p = buf;
    while (n) {
        size_t k = n > 0x40000000u ? 0x40000000u : n;
        ols_status st;
        d->out.next_in = (unsigned char *)(uintptr_t)p; /* zlib does not write input */
        d->out.avail_in = (uInt)k;
        if ((st = pump(d, Z_NO_FLUSH, err)) != OLS_OK)
            return st;
        p += k;
        n -= k;
    }
    return OLS_OK;
}

static ols_status deflate_flush(net_filter *f, ols_err *err)
{
    deflate_filter *d = (deflate_filter *)f;
    ols_status st;
    d->out.next_in = NULL;
    d->out.avail_in = 0;
    /* Z_SYNC_FLUSH ends on a byte boundary, so the peer can decode everything sent */
    if ((st = pump(d, Z_SYNC_FLUSH, err)) != OLS_OK)
        return st;
    return f->lower->ops->flush(f->lower, err);
}

static size_t deflate_pending(net_filter *f)
{
    deflate_filter *d = (deflate_filter *)f;
    /* compressed bytes not yet inflated; they may decode to more or to nothing */
    return d->in.avail_in + f->lower->ops->pending(f->lower);
}

static void deflate_discard(net_filter *f)
{
    f->lower->ops->discard(f->lower); /* never half-inflated state: that breaks the stream */
}

static void deflate_destroy(net_filter *f, int graceful)
{
    deflate_filter *d = (deflate_filter *)f;
    (void)graceful;
    if (d->in_ok)
        inflateEnd(&d->in);
    if (d->out_ok)
        deflateEnd(&d->out);
    free(d);
}

static const net_filter_ops deflate_ops = {
    "deflate", deflate_recv, deflate_send, deflate_flush, deflate_pending, deflate_discard,
    deflate_destroy,
};

ols_status net_deflate_filter_new(ols_conn *c, net_filter *lower, net_filter **out,
                                  ols_err *err)
{
    deflate_filter *d = calloc(1, sizeof *d);
    *out = NULL;
    if (!d)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    d->f.ops = &deflate_ops;
    d->f.lower = lower;
    d->f.conn = c;
    /* windowBits -15: raw deflate, no zlib header, as RFC 4978 says */
    d->in_ok = inflateInit2(&d->in, -15) == Z_OK;
    d->out_ok = d->in_ok &&
                deflateInit2(&d->out, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
                             Z_DEFAULT_STRATEGY) == Z_OK;
    if (!d->out_ok) {
        deflate_destroy(&d->f, 0);
        return ols_err_set(err, OLS_ENOMEM, "cannot start compression");
    }
    *out = &d->f;
    return OLS_OK;
}
