/* Stacked byte streams for protocol clients: socket -> TLS -> COMPRESS=DEFLATE. */
#ifndef OLSYNC_NET_H
#define OLSYNC_NET_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ols_conn ols_conn;

typedef enum ols_security {
    OLS_SEC_TLS = 0,  /* implicit TLS (993) */
    OLS_SEC_STARTTLS, /* plain, then STARTTLS before anything else (143) */
    OLS_SEC_PLAIN     /* only when explicitly configured */
} ols_security;

/* "tls" / "starttls" / "plain" -> value; -1 if unknown. */
int ols_security_parse(const char *s);

typedef struct ols_tls_config {
    const char *ca_file;   /* extra PEM CA file; NULL/"" = the system store only */
    const char *pin_file;  /* trust-on-first-use pins (JSON); NULL = the default in the state dir */
} ols_tls_config;

typedef struct ols_conn_stats {
    uint64_t wire_in, wire_out; /* bytes on the socket */
    uint64_t data_in, data_out; /* bytes above all layers (after inflate / before deflate) */
} ols_conn_stats;

/* TCP connect; the stream starts with only the socket layer. */
ols_status ols_conn_open(const char *host, uint16_t port, uint32_t timeout_ms, ols_conn **out,
                         ols_err *err);
/* Push a TLS layer. Chain and host name are verified against the system store plus
 * ca_file; a certificate that fails verification is accepted only when its SPKI SHA-256
 * is pinned for host:port. On refusal err says why and shows the SPKI fingerprint
 * ("sha256/BASE64"), and ols_conn_peer_pin() returns it. Everything buffered below TLS
 * that was not yet consumed is discarded first (STARTTLS response injection). */
ols_status ols_conn_start_tls(ols_conn *c, const ols_tls_config *cfg, const char *host,
                              ols_err *err);
/* Push a raw-deflate layer both ways (IMAP COMPRESS=DEFLATE, RFC 4978). */
ols_status ols_conn_start_deflate(ols_conn *c, ols_err *err);

/* Read up to n bytes: >0 bytes, 0 = peer closed, <0 = error (err filled). Blocks at most
 * the connection timeout. */
long ols_conn_read(ols_conn *c, void *buf, size_t n, ols_err *err);
/* Queue bytes for sending (buffered); ols_conn_flush sends them through all layers. */
ols_status ols_conn_write(ols_conn *c, const void *buf, size_t n, ols_err *err);
ols_status ols_conn_flush(ols_conn *c, ols_err *err);
/* Bytes already received and decoded but not yet returned by ols_conn_read. */
size_t ols_conn_pending(ols_conn *c);
void ols_conn_set_timeout(ols_conn *c, uint32_t ms);
int ols_conn_is_tls(ols_conn *c);
int ols_conn_is_compressed(ols_conn *c);
/* SPKI pin of the peer seen by the last TLS handshake ("sha256/BASE64"), or NULL. */
const char *ols_conn_peer_pin(ols_conn *c);

/* The certificate the server showed in the last TLS handshake, kept after a refusal too
 * so that a person can be shown what they are asked to trust. */
typedef struct ols_cert_info {
    char subject[512];   /* RFC 2253 form */
    char issuer[512];
    char not_before[32]; /* "YYYY-MM-DD HH:MM:SS UTC" */
    char not_after[32];
    char pin[64];        /* "sha256/BASE64" of the SubjectPublicKeyInfo */
    char sha256[100];    /* SHA-256 of the whole certificate, "AB:CD:..." */
    int verified;        /* chain and host name verified */
    int pinned;          /* not verified, accepted because of a pin */
    char problem[256];   /* why verification failed; "" when verified */
} ols_cert_info;
/* OLS_ENOENT when no TLS handshake got as far as a certificate. */
ols_status ols_conn_peer_cert(ols_conn *c, ols_cert_info *out);
void ols_conn_stats_get(ols_conn *c, ols_conn_stats *s);
/* A trace tag for ols_log_data ("imap"); NULL = no trace. */
void ols_conn_set_trace(ols_conn *c, const char *channel);
void ols_conn_close(ols_conn *c);

/* Pins: "host:port" -> SPKI fingerprints, kept in a JSON file (atomic replace). */
ols_status ols_trust_add(const char *pin_file, const char *hostport, const char *pin,
                         ols_err *err);
ols_status ols_trust_remove(const char *pin_file, const char *hostport, const char *pin,
                            ols_err *err);
/* Calls cb for every pin; stops when cb returns non-zero. */
ols_status ols_trust_list(const char *pin_file,
                          int (*cb)(void *ctx, const char *hostport, const char *pin), void *ctx,
                          ols_err *err);
/* Default pin file: <state dir>/trust.json, malloc'd. */
char *ols_trust_default_file(void);
/* The pin key for a server: "host:port", "[v6addr]:port" for an IPv6 literal. */
void ols_trust_hostport(char *out, size_t n, const char *host, uint16_t port);

#ifdef __cplusplus
}
#endif
#endif
