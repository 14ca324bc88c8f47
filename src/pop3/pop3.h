/* Loopback POP3 stub: an always-empty maildrop on 127.0.0.1 so Outlook has an account to poll. */
#ifndef OLS_POP3_H
#define OLS_POP3_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/pool.h"
#include "olsync/settings.h"
#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    OLS_POP3_LINE_MAX = 512,   /* a command line, CRLF included (RFC 2449) */
    OLS_POP3_OUT_MAX = 2048,   /* pending output per connection */
    OLS_POP3_REPLY_MAX = 256,  /* the longest reply one command can produce */
    OLS_POP3_MAX_BAD = 3,      /* consecutive bad commands before the stub hangs up */
    OLS_POP3_DEF_CONNS = 16,
    OLS_POP3_DEF_IDLE_MS = 60000,
};

/* ---- the protocol, without I/O ---- */

typedef enum ols_pop3_state {
    OLS_POP3_AUTH,        /* waiting for USER */
    OLS_POP3_AUTH_PASS,   /* USER accepted, waiting for PASS */
    OLS_POP3_TRANSACTION, /* logged in; the maildrop is empty */
    OLS_POP3_CLOSED       /* send what is pending, then close */
} ols_pop3_state;

/* Replies waiting to be sent. The session never writes past buf; the I/O layer sends from
 * the front and resets len when everything went out. */
typedef struct ols_pop3_out {
    size_t len;
    char buf[OLS_POP3_OUT_MAX];
} ols_pop3_out;

typedef struct ols_pop3_session ols_pop3_session;

/* user is the only name accepted (compared exactly, case-sensitive); id tags log lines.
 * Returns NULL when out of memory. */
ols_pop3_session *ols_pop3_session_new(const char *user, unsigned id);
void ols_pop3_session_free(ols_pop3_session *s);
/* Appends the greeting. */
void ols_pop3_session_greet(ols_pop3_session *s, ols_pop3_out *out);
/* Consumes input and appends replies. Stops early (returns fewer than len) when out has less
 * than OLS_POP3_REPLY_MAX bytes free or the session closed; feed the rest later. */
size_t ols_pop3_session_feed(ols_pop3_session *s, const void *in, size_t len, ols_pop3_out *out);
ols_pop3_state ols_pop3_session_state(const ols_pop3_session *s);
/* Why the session closed ("quit", "not POP3", "line too long", ...); NULL while open. */
const char *ols_pop3_session_close_reason(const ols_pop3_session *s);
unsigned ols_pop3_session_commands(const ols_pop3_session *s);

/* ---- the stub: a listener and one reactor job on the worker pool ---- */

typedef struct ols_pop3_config {
    const char *user;       /* the profile's user name; required */
    uint16_t port_first;    /* 0 = any free port (tests) */
    uint16_t port_last;     /* < port_first means port_first only */
    unsigned max_conns;     /* 0 = OLS_POP3_DEF_CONNS */
    uint32_t idle_timeout_ms; /* 0 = OLS_POP3_DEF_IDLE_MS */
} ols_pop3_config;

typedef struct ols_pop3 ols_pop3;

typedef struct ols_pop3_stats {
    uint64_t accepted;  /* sessions served */
    uint64_t refused;   /* connections turned away over the cap */
    unsigned active;    /* sessions open now */
} ols_pop3_stats;

/* Binds the first free port in [port_first, port_last] on 127.0.0.1 now, so the caller
 * learns the port or the error at once, then runs the reactor as one long job on pool.
 * The job holds one worker until ols_pop3_stop; stop the stub before shutting the pool down. */
ols_status ols_pop3_start(const ols_pop3_config *cfg, ols_pool *pool, ols_pop3 **out,
                          ols_err *err);
uint16_t ols_pop3_port(const ols_pop3 *p);
/* The listener's own address (getsockname), for checks: always "127.0.0.1". */
ols_status ols_pop3_local_addr(const ols_pop3 *p, char *ip, size_t iplen);
void ols_pop3_stats_get(ols_pop3 *p, ols_pop3_stats *st);
/* Cancels the reactor, waits for it, closes every socket and frees p. NULL is a no-op. */
void ols_pop3_stop(ols_pop3 *p);

/* Starts the stub from settings (account.user, pop3.port, pop3.port_max) and records the
 * bound port in pop3.bound_port; when save_path is given and the value changed, the user's
 * settings file is saved so the Outlook profile can point at the same port. A failed save
 * is logged and does not stop the stub. */
ols_status ols_pop3_start_from_settings(ols_settings *s, const char *save_path, ols_pool *pool,
                                        ols_pop3 **out, ols_err *err);

#ifdef __cplusplus
}
#endif
#endif
