/* Internal: the connection-filter interface that socket, TLS and deflate layers implement. */
#ifndef OLS_NET_FILTER_H
#define OLS_NET_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/net.h"
#include "plat/plat.h"

typedef struct net_filter net_filter;

/* Every call is blocking, bounded by the connection timeout for each wait. */
typedef struct net_filter_ops {
    const char *name;
    /* >0 bytes (at most n), 0 = orderly close by the peer, <0 = error with err filled. */
    long (*recv)(net_filter *f, void *buf, size_t n, ols_err *err);
    /* Takes all n bytes or fails; may hold bytes until flush. */
    ols_status (*send)(net_filter *f, const void *buf, size_t n, ols_err *err);
    ols_status (*flush)(net_filter *f, ols_err *err);
    /* Bytes held here that recv can return (or decode) without waiting on the socket. */
    size_t (*pending)(net_filter *f);
    /* Forget bytes received and not yet returned (STARTTLS response injection). */
    void (*discard)(net_filter *f);
    /* Say goodbye if that cannot block for long, then free. */
    void (*destroy)(net_filter *f, int graceful);
} net_filter_ops;

struct net_filter {
    const net_filter_ops *ops;
    net_filter *lower; /* NULL for the socket */
    ols_conn *conn;
};

/* Bytes a layer reads from the one below it at a time (one TLS record fits). */
#define NET_CHUNK 16384
/* Longest host name we accept (DNS limit, plus room for an IPv6 literal). */
#define NET_HOST_MAX 255

struct ols_conn {
    net_filter *top;
    char host[NET_HOST_MAX + 1]; /* as given to ols_conn_open */
    uint16_t port;
    uint32_t timeout_ms;
    int tls, compressed;
    int broken; /* a layer failed mid-stream: refuse further I/O */
    ols_conn_stats stats;
    unsigned char *wbuf; /* queued by ols_conn_write, NET_CHUNK bytes */
    size_t wlen;
    char *trace; /* log channel, or NULL */
    int have_peer;
    ols_cert_info peer;
};

/* Constructors push nothing: the caller links f->lower and c->top. */
ols_status net_sock_filter_new(ols_conn *c, ols_sock s, net_filter **out, ols_err *err);
ols_status net_tls_filter_new(ols_conn *c, net_filter *lower, const ols_tls_config *cfg,
                              const char *host, net_filter **out, ols_err *err);
ols_status net_deflate_filter_new(ols_conn *c, net_filter *lower, net_filter **out,
                                  ols_err *err);

/* Is the pin listed for hostport in pin_file (NULL = default)? 1 yes, 0 no. */
int net_trust_has(const char *pin_file, const char *hostport, const char *pin);

#endif
