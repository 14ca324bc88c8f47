/* net: socket -> TLS -> deflate against an in-process TLS server on loopback, and the pin file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zlib.h>

#include "olsync/net.h"
#include "t.h"

/* ---------------------------------------------------------------- certificates */

typedef struct pki {
    EVP_PKEY *ca_key, *rogue_key, *srv_key, *other_key;
    X509 *ca, *rogue, *srv, *other; /* srv: localhost + 127.0.0.1; other: other.example only */
    char *ca_file, *rogue_file;
    char srv_pin[64], other_pin[64];
} pki;

static void add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, v3, nid, value);
    if (!e) {
        fprintf(stderr, "extension %d=%s failed\n", nid, value);
        exit(2);
    }
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       int ca, const char *san, long serial)
{
    X509 *x = X509_new();
    X509_NAME *name;
    X509V3_CTX v3;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
    X509_set_pubkey(x, key);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"olsync test", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, &v3, NID_key_usage,
            ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment");
    add_ext(x, &v3, NID_subject_key_identifier, "hash");
    if (!ca) {
        add_ext(x, &v3, NID_ext_key_usage, "serverAuth");
        add_ext(x, &v3, NID_authority_key_identifier, "keyid");
    }
    if (san)
        add_ext(x, &v3, NID_subject_alt_name, san);
    if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256())) {
        fprintf(stderr, "signing %s failed\n", cn);
        exit(2);
    }
    return x;
}

static char *write_pem(const char *dir, const char *name, X509 *x)
{
    char *path = ols_path_join(dir, name);
    BIO *b = BIO_new_file(path, "w");
    if (!b || !PEM_write_bio_X509(b, x)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    BIO_free(b);
    return path;
}

/* The test's own computation of the pin, to check the library's. */
static void pin_of(EVP_PKEY *key, char *out, size_t n)
{
    unsigned char *der = NULL, md[32], b64[48];
    unsigned mdlen = 0;
    int len = i2d_PUBKEY(key, &der);
    EVP_Digest(der, (size_t)len, md, &mdlen, EVP_sha256(), NULL);
    OPENSSL_free(der);
    EVP_EncodeBlock(b64, md, 32);
    snprintf(out, n, "sha256/%s", (char *)b64);
}

static void pki_make(pki *p, const char *dir)
{
    memset(p, 0, sizeof *p);
    p->ca_key = EVP_EC_gen("P-256");
    p->rogue_key = EVP_EC_gen("P-256");
    p->srv_key = EVP_EC_gen("P-256");
    p->other_key = EVP_EC_gen("P-256");
    if (!p->ca_key || !p->rogue_key || !p->srv_key || !p->other_key) {
        fprintf(stderr, "key generation failed\n");
        exit(2);
    }
    p->ca = make_cert(p->ca_key, "olsync test CA", NULL, NULL, 1, NULL, 1);
    p->rogue = make_cert(p->rogue_key, "rogue CA", NULL, NULL, 1, NULL, 2);
    p->srv = make_cert(p->srv_key, "localhost", p->ca, p->ca_key, 0,
                       "DNS:localhost,IP:127.0.0.1", 3);
    p->other = make_cert(p->other_key, "other.example", p->ca, p->ca_key, 0,
                         "DNS:other.example", 4);
    p->ca_file = write_pem(dir, "ca.pem", p->ca);
    p->rogue_file = write_pem(dir, "rogue.pem", p->rogue);
    pin_of(p->srv_key, p->srv_pin, sizeof p->srv_pin);
    pin_of(p->other_key, p->other_pin, sizeof p->other_pin);
}

/* ---------------------------------------------------------------- the test server */

enum srv_mode {
    M_ECHO,         /* TLS, echo until the client closes */
    M_INJECT,       /* plaintext "x OK\r\nINJECTED\r\n" in one write, then TLS, "after\r\n" */
    M_CLOSE_MID,    /* read part of the ClientHello, close */
    M_NOT_TLS,      /* answer the ClientHello with plaintext, close */
    M_DEFLATE_ECHO, /* TLS, then inflate what comes and send it back deflated */
    M_BOMB,         /* TLS, then 4 MiB of zeros deflated to a few KiB */
    M_CORRUPT,      /* TLS, then bytes that are not deflate */
    M_SILENT        /* plaintext, say nothing, wait for the close */
};

#define BOMB_BYTES (4u << 20)

typedef struct srv {
    ols_sock lsock;
    uint16_t port;
    SSL_CTX *ctx;
    enum srv_mode modes[8];
    int nconn;
    int errors; /* things that went wrong on the server side where they should not */
    char note[256];
    ols_thread *th;
} srv;

static void srv_fail(srv *s, const char *what)
{
    s->errors++;
    snprintf(s->note, sizeof s->note, "%s", what);
    ERR_print_errors_fp(stderr);
}

static int ssl_write_all(SSL *ssl, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    while (n) {
        int r = SSL_write(ssl, p, n > 65536 ? 65536 : (int)n);
        if (r <= 0)
            return 0;
        p += r;
        n -= (size_t)r;
    }
    return 1;
}

static void drain_until_close(SSL *ssl)
{
    char buf[4096];
    while (SSL_read(ssl, buf, sizeof buf) > 0)
        ;
}

static void serve_deflate_echo(srv *s, SSL *ssl)
{
    z_stream in, out;
    static unsigned char ibuf[16384], mid[65536], obuf[65536];
    memset(&in, 0, sizeof in);
    memset(&out, 0, sizeof out);
    if (inflateInit2(&in, -15) != Z_OK ||
        deflateInit2(&out, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        srv_fail(s, "zlib init");
        return;
    }
    for (;;) {
        int r = SSL_read(ssl, ibuf, sizeof ibuf), rc;
        if (r <= 0)
            break;
        in.next_in = ibuf;
        in.avail_in = (uInt)r;
        do {
            in.next_out = mid;
            in.avail_out = sizeof mid;
            rc = inflate(&in, Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                srv_fail(s, "server inflate failed");
                goto out;
            }
            out.next_in = mid;
            out.avail_in = (uInt)(sizeof mid - in.avail_out);
            do {
                out.next_out = obuf;
                out.avail_out = sizeof obuf;
                deflate(&out, Z_NO_FLUSH);
                if (!ssl_write_all(ssl, obuf, sizeof obuf - out.avail_out))
                    goto out;
            } while (out.avail_out == 0);
        } while (in.avail_out == 0 || in.avail_in);
        do {
            out.next_out = obuf;
            out.avail_out = sizeof obuf;
            deflate(&out, Z_SYNC_FLUSH);
            if (!ssl_write_all(ssl, obuf, sizeof obuf - out.avail_out))
                goto out;
        } while (out.avail_out == 0);
    }
out:
    inflateEnd(&in);
    deflateEnd(&out);
}

static void serve_bomb(srv *s, SSL *ssl)
{
    z_stream out;
    static unsigned char zeros[65536], obuf[65536];
    unsigned sent = 0;
    memset(&out, 0, sizeof out);
    deflateInit2(&out, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    while (sent < BOMB_BYTES) {
        out.next_in = zeros;
        out.avail_in = sizeof zeros;
        sent += sizeof zeros;
        do {
            out.next_out = obuf;
            out.avail_out = sizeof obuf;
            deflate(&out, sent >= BOMB_BYTES ? Z_SYNC_FLUSH : Z_NO_FLUSH);
            if (!ssl_write_all(ssl, obuf, sizeof obuf - out.avail_out)) {
                srv_fail(s, "bomb write");
                deflateEnd(&out);
                return;
            }
        } while (out.avail_out == 0);
    }
    deflateEnd(&out);
    drain_until_close(ssl);
}

static void serve_one(srv *s, enum srv_mode mode, ols_sock cs)
{
    SSL *ssl = NULL;
    char buf[4096];
    long r;

    if (mode == M_CLOSE_MID) {
        ols_sock_recv(cs, buf, 10);
        return;
    }
    if (mode == M_NOT_TLS) {
        static const char bye[] = "* BYE this is not TLS, and it is long enough to parse\r\n";
        ols_sock_recv(cs, buf, sizeof buf);
        ols_sock_send(cs, bye, sizeof bye - 1);
        return;
    }
    if (mode == M_SILENT) {
        while ((r = ols_sock_recv(cs, buf, sizeof buf)) > 0)
            ;
        return;
    }
    if (mode == M_INJECT) {
        static const char both[] = "x OK\r\nINJECTED\r\n";
        if (ols_sock_send(cs, both, sizeof both - 1) != (long)(sizeof both - 1))
            srv_fail(s, "inject send");
    }
    ssl = SSL_new(s->ctx);
    SSL_set_fd(ssl, (int)cs);
    if (SSL_accept(ssl) != 1) {
        /* expected when the client refuses the certificate */
        if (mode != M_ECHO)
            srv_fail(s, "SSL_accept");
        ERR_clear_error();
        SSL_free(ssl);
        return;
    }
    switch (mode) {
    case M_ECHO:
        while ((r = SSL_read(ssl, buf, sizeof buf)) > 0)
            if (!ssl_write_all(ssl, buf, (size_t)r))
                break;
        break;
    case M_INJECT:
        if (!ssl_write_all(ssl, "after\r\n", 7))
            srv_fail(s, "after write");
        drain_until_close(ssl);
        break;
    case M_DEFLATE_ECHO:
        serve_deflate_echo(s, ssl);
        break;
    case M_BOMB:
        serve_bomb(s, ssl);
        break;
    case M_CORRUPT: {
        static const unsigned char junk[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x12, 0x34};
        ssl_write_all(ssl, junk, sizeof junk);
        drain_until_close(ssl);
        break;
    }
    default:
        break;
    }
    ERR_clear_error();
    SSL_free(ssl);
}

static void srv_main(void *arg)
{
    srv *s = arg;
    int i;
    for (i = 0; i < s->nconn; i++) {
        ols_pollfd p;
        ols_sock cs;
        p.sock = s->lsock;
        p.events = OLS_POLL_IN;
        p.revents = 0;
        /* a client that gave up early must not hang the test */
        if (ols_poll(&p, 1, 30000) <= 0) {
            srv_fail(s, "no client came");
            return;
        }
        if (ols_sock_accept(s->lsock, &cs) != OLS_OK) {
            srv_fail(s, "accept");
            continue;
        }
        serve_one(s, i < 8 ? s->modes[i] : s->modes[7], cs);
        ols_sock_close(cs);
    }
}

static void srv_start(srv *s, X509 *cert, EVP_PKEY *key, const enum srv_mode *modes, int n)
{
    ols_err err = {0};
    memset(s, 0, sizeof *s);
    s->ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(s->ctx, TLS1_2_VERSION);
    /* no session tickets: two small writes after the handshake would meet Nagle and a
     * delayed ACK on the server's socket and cost 40 ms per connection */
    SSL_CTX_set_num_tickets(s->ctx, 0);
    if (!SSL_CTX_use_certificate(s->ctx, cert) || !SSL_CTX_use_PrivateKey(s->ctx, key)) {
        fprintf(stderr, "server certificate setup failed\n");
        exit(2);
    }
    memcpy(s->modes, modes, (size_t)(n < 8 ? n : 8) * sizeof *modes);
    s->nconn = n;
    if (ols_sock_listen_loopback(0, 8, &s->lsock, &s->port, &err) != OLS_OK ||
        ols_thread_start(&s->th, srv_main, s) != OLS_OK) {
        fprintf(stderr, "server start: %s\n", err.msg);
        exit(2);
    }
}

static void srv_stop(srv *s)
{
    ols_thread_join(s->th);
    ols_sock_close(s->lsock);
    SSL_CTX_free(s->ctx);
    OK(s->errors == 0, "server side: %d errors, last: %s", s->errors, s->note);
}

static ols_status tls_connect(srv *s, const char *ca, const char *pins, const char *name,
                              ols_conn **out, ols_err *err)
{
    ols_tls_config cfg;
    ols_status st;
    cfg.ca_file = ca;
    cfg.pin_file = pins;
    st = ols_conn_open("127.0.0.1", s->port, 20000, out, err);
    if (st != OLS_OK)
        return st;
    return ols_conn_start_tls(*out, &cfg, name, err);
}

/* Read exactly n bytes; returns how many came. */
static size_t read_exact(ols_conn *c, void *buf, size_t n, ols_err *err)
{
    size_t got = 0;
    while (got < n) {
        long r = ols_conn_read(c, (char *)buf + got, n - got, err);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    return got;
}

static int read_line(ols_conn *c, char *buf, size_t n, ols_err *err)
{
    size_t got = 0;
    while (got + 1 < n) {
        long r = ols_conn_read(c, buf + got, 1, err);
        if (r <= 0)
            break;
        got++;
        if (got >= 2 && buf[got - 2] == '\r' && buf[got - 1] == '\n')
            break;
    }
    buf[got] = '\0';
    return (int)got;
}

/* ---------------------------------------------------------------- tests */

static void test_verify_and_pin(pki *p, const char *dir)
{
    static const enum srv_mode modes[] = {M_ECHO, M_ECHO, M_ECHO, M_ECHO, M_ECHO, M_ECHO};
    srv s;
    ols_conn *c = NULL;
    ols_err err = {0};
    ols_cert_info ci;
    ols_status st;
    char *pins = ols_path_join(dir, "pins.json");
    char buf[64], hp[64];

    srv_start(&s, p->srv, p->srv_key, modes, 6);
    snprintf(hp, sizeof hp, "127.0.0.1:%u", (unsigned)s.port);

    /* 1: the right CA, an IP literal as the name */
    st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_OK, "verified connect: %s", err.msg);
    if (st == OLS_OK) {
        OK(ols_conn_is_tls(c), "is_tls");
        OK(ols_conn_peer_cert(c, &ci) == OLS_OK && ci.verified && !ci.pinned,
           "verified %d pinned %d", ci.verified, ci.pinned);
        OK(!strcmp(ci.pin, p->srv_pin), "pin %s, expected %s", ci.pin, p->srv_pin);
        OK(strstr(ci.subject, "CN=localhost") != NULL, "subject %s", ci.subject);
        OK(strstr(ci.issuer, "olsync test CA") != NULL, "issuer %s", ci.issuer);
        OK(strlen(ci.not_after) == 23 && strstr(ci.not_after, "UTC"), "not_after %s",
           ci.not_after);
        OK(strlen(ci.sha256) == 95, "cert sha256 %s", ci.sha256);
        OK(ols_conn_write(c, "hello\r\n", 7, &err) == OLS_OK &&
               ols_conn_flush(c, &err) == OLS_OK,
           "write: %s", err.msg);
        memset(buf, 0, sizeof buf);
        OK(read_exact(c, buf, 7, &err) == 7 && !memcmp(buf, "hello\r\n", 7), "echo '%s' %s",
           buf, err.msg);
    }
    ols_conn_close(c);

    /* 2: a DNS name from the SAN */
    st = tls_connect(&s, p->ca_file, pins, "localhost", &c, &err);
    OK(st == OLS_OK, "connect by DNS name: %s", err.msg);
    ols_conn_close(c);

    /* 3: a CA that did not sign it; pins exist, but for another port and another key */
    OK(ols_trust_add(pins, "127.0.0.1:1", p->srv_pin, &err) == OLS_OK, "add: %s", err.msg);
    OK(ols_trust_add(pins, hp, p->other_pin, &err) == OLS_OK, "add: %s", err.msg);
    st = tls_connect(&s, p->rogue_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_ETLS, "wrong CA refused: %s (%s)", ols_status_name(st), err.msg);
    OK(strstr(err.msg, "sha256/") != NULL, "message shows a fingerprint: %s", err.msg);
    OK(strstr(err.msg, p->srv_pin) != NULL, "message shows the server's pin: %s", err.msg);
    OK(ols_conn_peer_pin(c) && !strcmp(ols_conn_peer_pin(c), p->srv_pin), "peer pin %s",
       ols_conn_peer_pin(c) ? ols_conn_peer_pin(c) : "(null)");
    OK(ols_conn_peer_cert(c, &ci) == OLS_OK && !ci.verified && !ci.pinned && ci.problem[0],
       "refused cert info: verified %d problem '%s'", ci.verified, ci.problem);
    OK(ols_conn_write(c, "x", 1, &err) != OLS_OK, "a refused connection takes no data");
    ols_conn_close(c);

    /* 4: now pinned for this host:port */
    OK(ols_trust_add(pins, hp, p->srv_pin, &err) == OLS_OK, "pin: %s", err.msg);
    st = tls_connect(&s, p->rogue_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_OK, "pinned connect: %s", err.msg);
    if (st == OLS_OK) {
        OK(ols_conn_peer_cert(c, &ci) == OLS_OK && !ci.verified && ci.pinned,
           "pinned: verified %d pinned %d", ci.verified, ci.pinned);
        OK(ols_conn_write(c, "pinned\r\n", 8, &err) == OLS_OK &&
               ols_conn_flush(c, &err) == OLS_OK,
           "write: %s", err.msg);
        memset(buf, 0, sizeof buf);
        OK(read_exact(c, buf, 8, &err) == 8 && !memcmp(buf, "pinned\r\n", 8), "echo '%s'",
           buf);
    }
    ols_conn_close(c);

    /* 5: the pin names the port: under another name the same key is not trusted */
    st = tls_connect(&s, p->rogue_file, pins, "localhost", &c, &err);
    OK(st == OLS_ETLS, "pin for 127.0.0.1 does not cover localhost: %s", err.msg);
    ols_conn_close(c);

    /* 6: after removing the pin it is refused again */
    OK(ols_trust_remove(pins, hp, p->srv_pin, &err) == OLS_OK, "remove: %s", err.msg);
    st = tls_connect(&s, p->rogue_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_ETLS, "refused again after removal: %s", err.msg);
    ols_conn_close(c);

    srv_stop(&s);
    free(pins);
}

static void test_hostname_mismatch(pki *p, const char *dir)
{
    static const enum srv_mode modes[] = {M_ECHO, M_ECHO, M_ECHO};
    srv s;
    ols_conn *c = NULL;
    ols_err err = {0};
    ols_status st;
    char *pins = ols_path_join(dir, "pins-mismatch.json");

    srv_start(&s, p->other, p->other_key, modes, 3);
    st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_ETLS, "IP not in the certificate refused: %s", err.msg);
    OK(strstr(err.msg, "sha256/") != NULL && strstr(err.msg, p->other_pin) != NULL,
       "fingerprint shown: %s", err.msg);
    OK(strstr(err.msg, "not made out to this name") != NULL, "says why: %s", err.msg);
    ols_conn_close(c);

    st = tls_connect(&s, p->ca_file, pins, "localhost", &c, &err);
    OK(st == OLS_ETLS, "DNS name not in the certificate refused: %s", err.msg);
    ols_conn_close(c);

    /* the control: the same certificate and CA pass under the name it is made out to */
    st = tls_connect(&s, p->ca_file, pins, "other.example", &c, &err);
    OK(st == OLS_OK, "matching name accepted: %s", err.msg);
    ols_conn_close(c);
    srv_stop(&s);
    free(pins);
}

static void test_starttls_injection(pki *p, const char *dir)
{
    static const enum srv_mode modes[] = {M_INJECT};
    srv s;
    ols_conn *c = NULL;
    ols_err err = {0};
    ols_tls_config cfg;
    ols_status st;
    char line[64];
    char *pins = ols_path_join(dir, "pins-inject.json");
    size_t pend;

    srv_start(&s, p->srv, p->srv_key, modes, 1);
    st = ols_conn_open("127.0.0.1", s.port, 20000, &c, &err);
    OK(st == OLS_OK, "open: %s", err.msg);
    if (st != OLS_OK) {
        srv_stop(&s);
        return;
    }
    OK(read_line(c, line, sizeof line, &err) == 6 && !strcmp(line, "x OK\r\n"), "line '%s'",
       line);
    /* the server wrote both lines in one send, so they arrived in one segment and the
     * first read took both: the injected line now sits in the socket layer's buffer */
    pend = ols_conn_pending(c);
    OK(pend == 10, "pending after the OK line: %u (expected the 10 injected bytes)",
       (unsigned)pend);
    cfg.ca_file = p->ca_file;
    cfg.pin_file = pins;
    st = ols_conn_start_tls(c, &cfg, "127.0.0.1", &err);
    OK(st == OLS_OK, "start_tls with injected bytes pending: %s", err.msg);
    OK(ols_conn_pending(c) == 0, "nothing pending after the handshake: %u",
       (unsigned)ols_conn_pending(c));
    if (st == OLS_OK) {
        OK(read_line(c, line, sizeof line, &err) == 7 && !strcmp(line, "after\r\n"),
           "first line over TLS '%s' %s", line, err.msg);
    }
    ols_conn_close(c);
    srv_stop(&s);
    free(pins);
}

static void test_broken_handshakes(pki *p, const char *dir)
{
    static const enum srv_mode modes[] = {M_CLOSE_MID, M_NOT_TLS};
    srv s;
    ols_conn *c = NULL;
    ols_err err = {0};
    ols_status st;
    char buf[16];
    char *pins = ols_path_join(dir, "pins-broken.json");

    srv_start(&s, p->srv, p->srv_key, modes, 2);
    st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_ETLS || st == OLS_ENET, "close mid-handshake: %s %s", ols_status_name(st),
       err.msg);
    OK(err.msg[0] != '\0' && strstr(err.msg, "127.0.0.1"), "message names the server: %s",
       err.msg);
    OK(c && ols_conn_peer_pin(c) == NULL, "no peer certificate");
    OK(c && ols_conn_read(c, buf, sizeof buf, &err) < 0, "unusable after a failed handshake");
    ols_conn_close(c);

    memset(&err, 0, sizeof err);
    st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_ETLS, "plaintext answer to the ClientHello: %s %s", ols_status_name(st),
       err.msg);
    ols_conn_close(c);
    srv_stop(&s);
    free(pins);
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

static void test_deflate(pki *p, const char *dir)
{
    static const enum srv_mode modes[] = {M_DEFLATE_ECHO, M_BOMB, M_CORRUPT};
    const size_t total = 1u << 20;
    unsigned char *data = malloc(total), *back = malloc(65536);
    srv s;
    ols_conn *c = NULL;
    ols_err err = {0};
    ols_conn_stats stats;
    ols_status st;
    size_t off, i, mismatch = 0, maxread = 0;
    uint64_t zeros = 0, nonzero = 0;
    char *pins = ols_path_join(dir, "pins-deflate.json");
    long r;

    for (i = 0; i < total / 2; i++)
        data[i] = (unsigned char)rnd();
    for (; i < total; i++)
        data[i] = (unsigned char)"compressible text, line after line. "[i % 36] + (i / 4096 % 3);

    srv_start(&s, p->srv, p->srv_key, modes, 3);

    /* 1 MiB round trip through our deflate and the server's inflate/deflate */
    st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
    OK(st == OLS_OK, "connect: %s", err.msg);
    if (st == OLS_OK)
        st = ols_conn_start_deflate(c, &err);
    OK(st == OLS_OK && ols_conn_is_compressed(c), "deflate on: %s", err.msg);
    for (off = 0; st == OLS_OK && off < total;) {
        size_t k = 1 + rnd() % 65536;
        if (k > total - off)
            k = total - off;
        st = ols_conn_write(c, data + off, k, &err);
        if (st == OLS_OK)
            st = ols_conn_flush(c, &err);
        if (st != OLS_OK || read_exact(c, back, k, &err) != k) {
            OK(0, "round trip at %u: %s", (unsigned)off, err.msg);
            st = OLS_EIO;
            break;
        }
        if (memcmp(back, data + off, k))
            mismatch++;
        off += k;
    }
    OK(off == total && mismatch == 0, "1 MiB echoed intact: %u bytes, %u bad chunks",
       (unsigned)off, (unsigned)mismatch);
    ols_conn_stats_get(c, &stats);
    OK(stats.data_out == total && stats.data_in == total, "data out %llu in %llu",
       (unsigned long long)stats.data_out, (unsigned long long)stats.data_in);
    OK(stats.wire_in < stats.data_in * 3 / 4 && stats.wire_out < stats.data_out * 3 / 4,
       "compressed on the wire: in %llu out %llu", (unsigned long long)stats.wire_in,
       (unsigned long long)stats.wire_out);
    ols_conn_close(c);

    /* a few KiB that inflate to 4 MiB arrive in reads no larger than asked for */
    st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
    if (st == OLS_OK)
        st = ols_conn_start_deflate(c, &err);
    OK(st == OLS_OK, "bomb connect: %s", err.msg);
    while (st == OLS_OK && zeros + nonzero < BOMB_BYTES) {
        r = ols_conn_read(c, back, 1000, &err);
        if (r <= 0) {
            OK(0, "bomb read after %llu: %s", (unsigned long long)zeros, err.msg);
            break;
        }
        if ((size_t)r > maxread)
            maxread = (size_t)r;
        for (i = 0; i < (size_t)r; i++)
            back[i] ? nonzero++ : zeros++;
    }
    OK(zeros == BOMB_BYTES && nonzero == 0, "bomb: %llu zeros, %llu other",
       (unsigned long long)zeros, (unsigned long long)nonzero);
    OK(maxread <= 1000, "largest read %u", (unsigned)maxread);
    ols_conn_stats_get(c, &stats);
    OK(stats.wire_in < BOMB_BYTES / 64, "the bomb was small on the wire: %llu",
       (unsigned long long)stats.wire_in);
    ols_conn_close(c);

    /* bytes that are not deflate give a clean protocol error */
    st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
    if (st == OLS_OK)
        st = ols_conn_start_deflate(c, &err);
    OK(st == OLS_OK, "corrupt connect: %s", err.msg);
    if (st == OLS_OK) {
        r = ols_conn_read(c, back, 100, &err);
        OK(r < 0 && err.code == OLS_EPROTO, "corrupt stream: r=%ld %s %s", r,
           ols_status_name(err.code), err.msg);
    }
    ols_conn_close(c);
    srv_stop(&s);
    free(data);
    free(back);
    free(pins);
}

/* Per-connection state must not run out: OpenSSL has only 255 BIO type numbers. */
static void test_many_connections(pki *p, const char *dir)
{
    static const enum srv_mode modes[] = {M_ECHO, M_ECHO, M_ECHO, M_ECHO,
                                          M_ECHO, M_ECHO, M_ECHO, M_ECHO};
    enum { N = 300 };
    srv s;
    ols_conn *c = NULL;
    ols_err err = {0};
    char *pins = ols_path_join(dir, "pins-many.json");
    char buf[8];
    int i, ok = 0;

    srv_start(&s, p->srv, p->srv_key, modes, N);
    for (i = 0; i < N; i++) {
        ols_status st = tls_connect(&s, p->ca_file, pins, "127.0.0.1", &c, &err);
        if (st == OLS_OK && ols_conn_write(c, "ping", 4, &err) == OLS_OK &&
            ols_conn_flush(c, &err) == OLS_OK && read_exact(c, buf, 4, &err) == 4 &&
            !memcmp(buf, "ping", 4))
            ok++;
        else if (ok == i)
            OK(0, "connection %d failed: %s", i, err.msg);
        ols_conn_close(c);
        c = NULL;
    }
    OK(ok == N, "%d of %d connections worked", ok, N);
    srv_stop(&s);
    free(pins);
}

static void test_timeout_and_misuse(pki *p)
{
    static const enum srv_mode modes[] = {M_SILENT, M_SILENT};
    srv s;
    ols_conn *c = NULL;
    ols_err err = {0};
    ols_tls_config cfg = {NULL, NULL};
    char buf[16];
    long r;

    srv_start(&s, p->srv, p->srv_key, modes, 2);
    OK(ols_conn_open("127.0.0.1", s.port, 20000, &c, &err) == OLS_OK, "open: %s", err.msg);
    if (c) {
        ols_conn_set_timeout(c, 200);
        r = ols_conn_read(c, buf, sizeof buf, &err);
        OK(r < 0 && err.code == OLS_ETIMEDOUT, "silent server: r=%ld %s", r, err.msg);
    }
    ols_conn_close(c);
    c = NULL;
    OK(ols_conn_open("127.0.0.1", s.port, 20000, &c, &err) == OLS_OK, "open: %s", err.msg);
    if (c) {
        OK(ols_conn_write(c, "a STARTTLS\r\n", 12, &err) == OLS_OK, "queue");
        OK(ols_conn_start_tls(c, &cfg, "127.0.0.1", &err) == OLS_EINVAL,
           "unsent plaintext before TLS refused: %s", err.msg);
        OK(!ols_conn_is_tls(c), "still plain");
    }
    ols_conn_close(c);
    srv_stop(&s);

    OK(ols_security_parse("tls") == OLS_SEC_TLS && ols_security_parse("starttls") ==
           OLS_SEC_STARTTLS && ols_security_parse("plain") == OLS_SEC_PLAIN &&
           ols_security_parse("ssl") == -1 && ols_security_parse(NULL) == -1,
       "security names");
    OK(ols_conn_open("", 993, 1000, &c, &err) == OLS_EINVAL && c == NULL, "empty host");
}

typedef struct list_acc {
    int n;
    char seen[1024];
} list_acc;

static int list_cb(void *ctx, const char *hostport, const char *pin)
{
    list_acc *a = ctx;
    size_t l = strlen(a->seen);
    a->n++;
    snprintf(a->seen + l, sizeof a->seen - l, "%s %s\n", hostport, pin);
    return 0;
}

static void test_trust_file(pki *p, const char *dir)
{
    char *f = ols_path_join(dir, "trust-rt.json");
    char *blocker = ols_path_join(dir, "afile");
    char *bad = ols_path_join(blocker, "trust.json");
    char *damaged = ols_path_join(dir, "damaged.json");
    char *def = ols_trust_default_file();
    list_acc a;
    ols_err err = {0};
    ols_status st;

    OK(def && strstr(def, "trust.json"), "default file %s", def ? def : "(null)");
    {
        char hp[64];
        ols_trust_hostport(hp, sizeof hp, "::1", 993);
        OK(!strcmp(hp, "[::1]:993"), "IPv6 key %s", hp);
        ols_trust_hostport(hp, sizeof hp, "Mail.Example", 143);
        OK(!strcmp(hp, "mail.example:143"), "key %s", hp);
    }
    memset(&a, 0, sizeof a);
    OK(ols_trust_list(f, list_cb, &a, &err) == OLS_OK && a.n == 0, "missing file lists empty");
    OK(ols_trust_add(f, "mail.example:993", p->srv_pin, &err) == OLS_OK, "add: %s", err.msg);
    OK(ols_trust_add(f, "mail.example:993", p->other_pin, &err) == OLS_OK, "add: %s", err.msg);
    OK(ols_trust_add(f, "[::1]:143", p->srv_pin, &err) == OLS_OK, "add: %s", err.msg);
    OK(ols_trust_add(f, "MAIL.example:993", p->srv_pin, &err) == OLS_OK, "add again: %s",
       err.msg);
    memset(&a, 0, sizeof a);
    OK(ols_trust_list(f, list_cb, &a, &err) == OLS_OK && a.n == 3, "3 pins, got %d:\n%s", a.n,
       a.seen);
#ifndef _WIN32
    OK(ols_file_is_private(f), "pin file is private");
#endif
    OK(ols_trust_add(f, "mail.example", p->srv_pin, &err) == OLS_EINVAL, "no port refused");
    OK(ols_trust_add(f, "mail.example:993", "sha256/short", &err) == OLS_EINVAL,
       "bad pin refused");
    OK(ols_trust_add(f, "a b:1", p->srv_pin, &err) == OLS_EINVAL, "space refused");

    /* remove one pin wherever it is: mail.example keeps the other one */
    OK(ols_trust_remove(f, NULL, p->srv_pin, &err) == OLS_OK, "remove pin: %s", err.msg);
    memset(&a, 0, sizeof a);
    ols_trust_list(f, list_cb, &a, &err);
    OK(a.n == 1 && strstr(a.seen, p->other_pin), "one left:\n%s", a.seen);
    OK(ols_trust_remove(f, "Mail.Example:993", NULL, &err) == OLS_OK, "remove host: %s",
       err.msg);
    memset(&a, 0, sizeof a);
    ols_trust_list(f, list_cb, &a, &err);
    OK(a.n == 0, "none left:\n%s", a.seen);
    st = ols_trust_remove(f, "mail.example:993", NULL, &err);
    OK(st == OLS_ENOENT && strstr(err.msg, "mail.example:993"), "nothing to remove: %s",
       err.msg);

    /* a file that cannot be written: its folder is a regular file */
    OK(ols_file_write_atomic(blocker, "x", 1, 0, &err) == OLS_OK, "blocker");
    st = ols_trust_add(bad, "mail.example:993", p->srv_pin, &err);
    OK(st != OLS_OK && strstr(err.msg, "pin file") && strstr(err.msg, "afile"),
       "unwritable pin file: %s %s", ols_status_name(st), err.msg);

    OK(ols_file_write_atomic(damaged, "{not json", 9, 0, &err) == OLS_OK, "damaged");
    st = ols_trust_list(damaged, list_cb, &a, &err);
    OK(st == OLS_EPARSE && strstr(err.msg, "damaged"), "damaged file: %s", err.msg);
    st = ols_trust_add(damaged, "mail.example:993", p->srv_pin, &err);
    OK(st == OLS_EPARSE, "no add over a damaged file: %s", err.msg);

    free(f);
    free(blocker);
    free(bad);
    free(damaged);
    free(def);
}

static int count_root(void *ctx, const unsigned char *der, size_t len)
{
    const unsigned char *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    if (x)
        (*(int *)ctx)++;
    X509_free(x);
    return 0;
}

/* Windows: OpenSSL does not read the system store, the plat helper feeds it in. */
static void test_system_roots(void)
{
    int n = 0;
    OK(ols_plat_system_roots(count_root, &n) == OLS_OK, "system roots");
#ifdef _WIN32
    OK(n > 0, "the Windows ROOT store gave %d certificates", n);
#else
    OK(n == 0, "POSIX leaves the system store to OpenSSL, gave %d", n);
#endif
}

int main(void)
{
    char *dir = t_scratch("net");
    pki p;

    ols_net_init();
    pki_make(&p, dir);
    test_system_roots();
    test_trust_file(&p, dir);
    test_verify_and_pin(&p, dir);
    test_hostname_mismatch(&p, dir);
    test_starttls_injection(&p, dir);
    test_broken_handshakes(&p, dir);
    test_deflate(&p, dir);
    test_many_connections(&p, dir);
    test_timeout_and_misuse(&p);

    X509_free(p.ca);
    X509_free(p.rogue);
    X509_free(p.srv);
    X509_free(p.other);
    EVP_PKEY_free(p.ca_key);
    EVP_PKEY_free(p.rogue_key);
    EVP_PKEY_free(p.srv_key);
    EVP_PKEY_free(p.other_key);
    free(p.ca_file);
    free(p.rogue_file);
    free(dir);
    return T_DONE();
}
