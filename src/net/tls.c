/* The TLS layer (OpenSSL): TLS 1.2+, chain + host name verification, SPKI pins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "filter.h"
#include "olsync/log.h"

typedef struct tls_filter {
    net_filter f;
    SSL_CTX *ctx;
    SSL *ssl;
    int lower_failed, lower_eof;
    ols_err lower_err; /* why the layer below failed */
    int verify_err;    /* first chain/host problem seen by the verify callback */
    int verify_depth;
} tls_filter;

/* ---- the BIO that reads and writes through the layer below ---- */

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

static int bio_destroy(BIO *b)
{
    (void)b;
    return 1;
}

static int bio_read(BIO *b, char *out, int len)
{
    tls_filter *t = BIO_get_data(b);
    long r;
    BIO_clear_retry_flags(b);
    if (len <= 0 || t->lower_failed)
        return t->lower_failed ? -1 : 0;
    r = t->f.lower->ops->recv(t->f.lower, out, (size_t)len, &t->lower_err);
    if (r > 0)
        return (int)r;
    if (r == 0) {
        t->lower_eof = 1;
        return 0;
    }
    t->lower_failed = 1;
    return -1;
}

static int bio_write(BIO *b, const char *in, int len)
{
    tls_filter *t = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    if (t->lower_failed ||
        t->f.lower->ops->send(t->f.lower, in, (size_t)len, &t->lower_err) != OLS_OK) {
        t->lower_failed = 1;
        return -1;
    }
    return len;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    tls_filter *t = BIO_get_data(b);
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        if (t->lower_failed || t->f.lower->ops->flush(t->f.lower, &t->lower_err) != OLS_OK) {
            t->lower_failed = 1;
            return 0;
        }
        return 1;
    case BIO_CTRL_EOF:
        return t->lower_eof;
    case BIO_CTRL_PENDING:
        return (long)t->f.lower->ops->pending(t->f.lower);
    default:
        return 0;
    }
}

/* ---- certificates ---- */

static int verify_cb(int ok, X509_STORE_CTX *xs)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    tls_filter *t = ssl ? SSL_get_app_data(ssl) : NULL;
    if (!ok && t && t->verify_err == X509_V_OK) {
        t->verify_err = X509_STORE_CTX_get_error(xs);
        if (t->verify_err == X509_V_OK)
            t->verify_err = X509_V_ERR_UNSPECIFIED;
        t->verify_depth = X509_STORE_CTX_get_error_depth(xs);
    }
    /* Go on: the result is judged after the handshake, where a pin may still accept
     * it. Nothing is sent before that judgement. */
    return 1;
}

static int add_root(void *ctx, const unsigned char *der, size_t len)
{
    X509_STORE *store = ctx;
    const unsigned char *p = der;
    X509 *x;
    if (len > 1u << 20)
        return 0;
    x = d2i_X509(NULL, &p, (long)len);
    if (x) {
        X509_STORE_add_cert(store, x); /* duplicates are harmless */
        X509_free(x);
    }
    ERR_clear_error();
    return 0;
}

static void name_text(X509_NAME *name, char *out, size_t n)
{
    BIO *m = BIO_new(BIO_s_mem());
    int k;
    out[0] = '\0';
    if (!m)
        return;
    if (X509_NAME_print_ex(m, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        k = BIO_read(m, out, (int)n - 1);
        out[k > 0 ? k : 0] = '\0';
    }
    BIO_free(m);
}

static void time_text(const ASN1_TIME *t, char *out, size_t n)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!t || !ASN1_TIME_to_tm(t, &tm)) {
        snprintf(out, n, "?");
        return;
    }
    /* the moduli only keep the compiler sure that the text fits */
    snprintf(out, n, "%04u-%02u-%02u %02u:%02u:%02u UTC", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

/* "sha256/" + base64(SHA-256(DER SubjectPublicKeyInfo)) */
static int spki_pin(X509 *x, char *out, size_t n)
{
    unsigned char *der = NULL, md[32];
    unsigned char b64[48]; /* 44 characters and a NUL */
    unsigned mdlen = 0;
    int len;
    EVP_PKEY *pk = X509_get0_pubkey(x);
    out[0] = '\0';
    if (!pk || (len = i2d_PUBKEY(pk, &der)) <= 0)
        return 0;
    if (!EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
        OPENSSL_free(der);
        return 0;
    }
    OPENSSL_free(der);
    EVP_EncodeBlock(b64, md, 32); /* 44 characters + NUL */
    snprintf(out, n, "sha256/%s", (const char *)b64);
    return 1;
}

static void cert_sha256(X509 *x, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0, i;
    size_t o = 0;
    out[0] = '\0';
    if (!X509_digest(x, EVP_sha256(), md, &mdlen))
        return;
    for (i = 0; i < mdlen && o + 4 <= n; i++) {
        if (i)
            out[o++] = ':';
        out[o++] = hex[md[i] >> 4];
        out[o++] = hex[md[i] & 15];
    }
    out[o] = '\0';
}

static void fill_peer(ols_cert_info *pi, X509 *x)
{
    name_text(X509_get_subject_name(x), pi->subject, sizeof pi->subject);
    name_text(X509_get_issuer_name(x), pi->issuer, sizeof pi->issuer);
    time_text(X509_get0_notBefore(x), pi->not_before, sizeof pi->not_before);
    time_text(X509_get0_notAfter(x), pi->not_after, sizeof pi->not_after);
    spki_pin(x, pi->pin, sizeof pi->pin);
    cert_sha256(x, pi->sha256, sizeof pi->sha256);
}

/* ---- errors ---- */

static void ssl_errors(char *out, size_t n)
{
    unsigned long e;
    size_t o = 0;
    out[0] = '\0';
    while ((e = ERR_get_error()) != 0) {
        char one[256];
        ERR_error_string_n(e, one, sizeof one);
        if (o + 3 < n)
            o += (size_t)snprintf(out + o, n - o, "%s%s", o ? "; " : "", one);
    }
    if (!out[0])
        snprintf(out, n, "no detail from OpenSSL");
}

/* Map a failed SSL_* call to an error; 0 means "closed cleanly". */
static ols_status io_error(tls_filter *t, int ret, const char *during, ols_err *err)
{
    ols_conn *c = t->f.conn;
    int e = SSL_get_error(t->ssl, ret);
    char why[512];
    if (t->lower_failed) {
        ERR_clear_error();
        *err = t->lower_err;
        return err->code;
    }
    if (e == SSL_ERROR_ZERO_RETURN)
        return OLS_OK;
    if (t->lower_eof || e == SSL_ERROR_SYSCALL) {
        ERR_clear_error();
        return ols_err_set(err, OLS_ETLS, "%s:%u: the server closed the connection during %s",
                           c->host, (unsigned)c->port, during);
    }
    ssl_errors(why, sizeof why);
    return ols_err_set(err, OLS_ETLS, "%s:%u: TLS error during %s: %s", c->host,
                       (unsigned)c->port, during, why);
}

/* ---- the filter ---- */

static long tls_recv(net_filter *f, void *buf, size_t n, ols_err *err)
{
    tls_filter *t = (tls_filter *)f;
    int r, guard;
    if (n > 0x40000000u)
        n = 0x40000000u;
    for (guard = 0; guard < 64; guard++) {
        ERR_clear_error();
        r = SSL_read(t->ssl, buf, (int)n);
        if (r > 0)
            return r;
        switch (SSL_get_error(t->ssl, r)) {
        case SSL_ERROR_WANT_READ:
        case SSL_ERROR_WANT_WRITE:
            if (t->lower_failed || t->lower_eof)
                break;
            continue; /* post-handshake messages: go on reading */
        default:
            break;
        }
        if (t->lower_eof && !t->lower_failed) { /* closed without close_notify */
            ERR_clear_error();
            return 0;
        }
        if (io_error(t, r, "reading", err) == OLS_OK)
            return 0;
        return -1;
    }
    ols_err_set(err, OLS_ETLS, "TLS read makes no progress");
    return -1;
}

static ols_status tls_send(net_filter *f, const void *buf, size_t n, ols_err *err)
{
    tls_filter *t = (tls_filter *)f;
    const unsigned char *p = buf;
    while (n) {
        int k = n > NET_CHUNK ? NET_CHUNK : (int)n, r;
        ERR_clear_error();
        r = SSL_write(t->ssl, p, k);
        if (r <= 0) {
            ols_status st = io_error(t, r, "sending", err);
            return st == OLS_OK ? ols_err_set(err, OLS_ENET, "the server closed the TLS session")
                                : st;
        }
        p += r;
        n -= (size_t)r;
    }
    return OLS_OK;
}

static ols_status tls_flush(net_filter *f, ols_err *err)
{
    /* SSL_write hands every record to the layer below at once */
    return f->lower->ops->flush(f->lower, err);
}

static size_t tls_pending(net_filter *f)
{
    tls_filter *t = (tls_filter *)f;
    return (size_t)SSL_pending(t->ssl) + f->lower->ops->pending(f->lower);
}

static void tls_discard(net_filter *f)
{
    f->lower->ops->discard(f->lower); /* decrypted data is never thrown away */
}

static void tls_free(tls_filter *t)
{
    if (t->ssl)
        SSL_free(t->ssl); /* frees the BIO too */
    if (t->ctx)
        SSL_CTX_free(t->ctx);
    free(t);
}

static void tls_destroy(net_filter *f, int graceful)
{
    tls_filter *t = (tls_filter *)f;
    if (graceful && !t->lower_failed && t->ssl) {
        ERR_clear_error();
        SSL_shutdown(t->ssl); /* close_notify; the answer is not awaited */
    }
    ERR_clear_error();
    tls_free(t);
}

static const net_filter_ops tls_ops = {
    "tls", tls_recv, tls_send, tls_flush, tls_pending, tls_discard, tls_destroy,
};

static int is_ip_literal(const char *host)
{
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(host);
    if (!ip)
        return 0;
    ASN1_OCTET_STRING_free(ip);
    return 1;
}

static ols_status make_ctx(const char *ca, SSL_CTX **out, ols_err *err)
{
    long opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION;
    SSL_CTX *ctx;
    char why[512];

#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* IMAP is self-delimiting; many servers just close without close_notify */
    opts |= SSL_OP_IGNORE_UNEXPECTED_EOF;
#endif
    *out = NULL;
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return ols_err_set(err, OLS_ENOMEM, "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, opts);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
    if (!SSL_CTX_set_default_verify_paths(ctx))
        OLS_LOG_DEBUG("net", "no default CA locations");
    ols_plat_system_roots(add_root, SSL_CTX_get_cert_store(ctx));
    ERR_clear_error();
    if (ca && *ca && !SSL_CTX_load_verify_locations(ctx, ca, NULL)) {
        ssl_errors(why, sizeof why);
        SSL_CTX_free(ctx);
        return ols_err_set(err, OLS_EINVAL, "cannot load the CA file %s (tls.ca_file): %s", ca,
                           why);
    }
    *out = ctx;
    return OLS_OK;
}

/* Loading the system store takes ~15 ms (more on Windows), so the last context is kept
 * for a while and shared; a changed CA file or an old context makes a new one. */
#define CTX_CACHE_MS (10u * 60u * 1000u)
static CRYPTO_ONCE net_once = CRYPTO_ONCE_STATIC_INIT;
static CRYPTO_RWLOCK *ctx_lock;
/* One method for the process: OpenSSL has only 255 BIO type numbers to hand out. */
static BIO_METHOD *bio_method;
static struct {
    SSL_CTX *ctx;
    char ca[1024];
    uint64_t size, born;
    int64_t mtime;
} ctx_cache;

static void net_once_init(void)
{
    ctx_lock = CRYPTO_THREAD_lock_new();
    bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "olsync-filter");
    if (bio_method &&
        (!BIO_meth_set_create(bio_method, bio_create) ||
         !BIO_meth_set_destroy(bio_method, bio_destroy) ||
         !BIO_meth_set_read(bio_method, bio_read) || !BIO_meth_set_write(bio_method, bio_write) ||
         !BIO_meth_set_ctrl(bio_method, bio_ctrl))) {
        BIO_meth_free(bio_method);
        bio_method = NULL;
    }
}

static ols_status get_ctx(const ols_tls_config *cfg, SSL_CTX **out, ols_err *err)
{
    const char *ca = cfg && cfg->ca_file ? cfg->ca_file : "";
    uint64_t size = 0, now = ols_mono_ms();
    int64_t mtime = 0;
    int cacheable = strlen(ca) < sizeof ctx_cache.ca;
    ols_status st;

    if (*ca)
        ols_file_stat(ca, &size, &mtime); /* a missing file fails below, with its name */
    if (!CRYPTO_THREAD_run_once(&net_once, net_once_init) || !ctx_lock)
        cacheable = 0;
    if (cacheable && CRYPTO_THREAD_write_lock(ctx_lock)) {
        if (ctx_cache.ctx && !strcmp(ctx_cache.ca, ca) && ctx_cache.size == size &&
            ctx_cache.mtime == mtime && now - ctx_cache.born < CTX_CACHE_MS &&
            SSL_CTX_up_ref(ctx_cache.ctx)) {
            *out = ctx_cache.ctx;
            CRYPTO_THREAD_unlock(ctx_lock);
            return OLS_OK;
        }
        CRYPTO_THREAD_unlock(ctx_lock);
    }
    if ((st = make_ctx(ca, out, err)) != OLS_OK)
        return st;
    if (cacheable && SSL_CTX_up_ref(*out)) {
        if (CRYPTO_THREAD_write_lock(ctx_lock)) {
            SSL_CTX *old = ctx_cache.ctx;
            ctx_cache.ctx = *out;
            memcpy(ctx_cache.ca, ca, strlen(ca) + 1);
            ctx_cache.size = size;
            ctx_cache.mtime = mtime;
            ctx_cache.born = now;
            CRYPTO_THREAD_unlock(ctx_lock);
            SSL_CTX_free(old);
        } else {
            SSL_CTX_free(*out);
        }
    }
    return OLS_OK;
}

static ols_status make_ssl(tls_filter *t, const char *host, ols_err *err)
{
    BIO *b;
    if (!CRYPTO_THREAD_run_once(&net_once, net_once_init) || !bio_method)
        return ols_err_set(err, OLS_ENOMEM, "cannot create a TLS I/O method");
    t->ssl = SSL_new(t->ctx);
    b = t->ssl ? BIO_new(bio_method) : NULL;
    if (!b)
        return ols_err_set(err, OLS_ENOMEM, "cannot create a TLS session");
    BIO_set_data(b, t);
    SSL_set_bio(t->ssl, b, b);
    SSL_set_app_data(t->ssl, t);
    SSL_set_hostflags(t->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (is_ip_literal(host)) {
        /* no SNI for addresses (RFC 6066); match an iPAddress SAN */
        if (!X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host))
            return ols_err_set(err, OLS_EINVAL, "bad IP address %s", host);
    } else {
        if (!SSL_set_tlsext_host_name(t->ssl, host) || !SSL_set1_host(t->ssl, host))
            return ols_err_set(err, OLS_EINVAL, "bad host name %.80s", host);
    }
    return OLS_OK;
}

/* Judge the certificate after the handshake: verified, pinned or refused. */
static ols_status judge(tls_filter *t, const ols_tls_config *cfg, const char *host,
                        ols_err *err)
{
    ols_conn *c = t->f.conn;
    ols_cert_info *pi = &c->peer;
    X509 *x = SSL_get1_peer_certificate(t->ssl);
    long vr = SSL_get_verify_result(t->ssl);
    char hp[NET_HOST_MAX + 16];
    int problem = t->verify_err != X509_V_OK ? t->verify_err : (int)vr;

    ols_trust_hostport(hp, sizeof hp, host, c->port);
    if (!x)
        return ols_err_set(err, OLS_ETLS, "%s: the server showed no certificate", hp);
    fill_peer(pi, x);
    X509_free(x);
    c->have_peer = 1;
    if (problem == X509_V_OK) {
        pi->verified = 1;
        OLS_LOG_DEBUG("net", "%s: certificate verified (%s)", hp, SSL_get_version(t->ssl));
        return OLS_OK;
    }
    snprintf(pi->problem, sizeof pi->problem, "%s", X509_verify_cert_error_string(problem));
    if (pi->pin[0] && net_trust_has(cfg ? cfg->pin_file : NULL, hp, pi->pin)) {
        pi->pinned = 1;
        OLS_LOG_INFO("net", "%s: certificate not verified (%s) but pinned %s", hp, pi->problem,
                     pi->pin);
        return OLS_OK;
    }
    return ols_err_set(err, OLS_ETLS,
                       "%s: the server's certificate is not trusted (%s%s); subject %s, "
                       "issuer %s; its public key fingerprint is %s. If you know this is "
                       "the right server, trust it with `olsync trust`",
                       hp, pi->problem, problem == X509_V_ERR_HOSTNAME_MISMATCH ||
                                                problem == X509_V_ERR_IP_ADDRESS_MISMATCH
                                            ? ", it is not made out to this name"
                                            : "",
                       pi->subject, pi->issuer, pi->pin[0] ? pi->pin : "(unavailable)");
}

ols_status net_tls_filter_new(ols_conn *c, net_filter *lower, const ols_tls_config *cfg,
                              const char *host, net_filter **out, ols_err *err)
{
    tls_filter *t;
    ols_status st;
    int r;

    *out = NULL;
    if (!host || !*host || strlen(host) > NET_HOST_MAX)
        return ols_err_set(err, OLS_EINVAL, "bad TLS server name");
    t = calloc(1, sizeof *t);
    if (!t)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    t->f.ops = &tls_ops;
    t->f.lower = lower;
    t->f.conn = c;
    t->verify_err = X509_V_OK;
    ERR_clear_error();
    st = get_ctx(cfg, &t->ctx, err);
    if (st == OLS_OK)
        st = make_ssl(t, host, err);
    if (st == OLS_OK) {
        r = SSL_connect(t->ssl);
        if (r != 1) {
            st = io_error(t, r, "the TLS handshake", err);
            if (st == OLS_OK)
                st = ols_err_set(err, OLS_ETLS, "%s:%u: the server closed the connection "
                                 "during the TLS handshake", c->host, (unsigned)c->port);
        }
    }
    if (st == OLS_OK)
        st = judge(t, cfg, host, err);
    if (st != OLS_OK) {
        ERR_clear_error();
        tls_free(t);
        return st;
    }
    *out = &t->f;
    return OLS_OK;
}
