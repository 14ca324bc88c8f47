/* Internal: the IMAP connection object and the command machinery the command files share. */
#ifndef OLS_IMAP_CLIENT_H
#define OLS_IMAP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "imap/parser.h"
#include "imap/resp.h"
#include "olsync/imap.h"

#define CH "imap"
#define IM_RBUF 65536        /* bytes read from the connection at a time */
#define IM_MAX_INFLIGHT 64   /* commands sent and not yet answered */
#define IM_WINDOW 32         /* pipelined commands in flight (fetch_many, STATUS) */
#define IM_MAX_COLLECT ((size_t)64 << 20) /* result text gathered over several lines */

/* One command in flight. */
typedef struct im_pend {
    uint32_t tag;
    int used, done;
    ols_imap_resp st;
    char code[32];   /* response code of the tagged reply, upper case, "" if none */
    char *codeargs;  /* its arguments re-serialised, space-separated; malloc'd or NULL */
    char text[256];  /* the reply's text (for error messages) */
} im_pend;

typedef void (*im_untagged_fn)(ols_imap *im, const ols_imap_line *l, void *ctx);

struct ols_imap {
    ols_conn *conn;
    ols_imap_parser *p;
    unsigned char *rbuf;
    size_t rpos, rlen;
    uint32_t timeout_ms;
    char *trace;

    char *obuf;        /* the command line being written */
    size_t olen, ocap;
    uint32_t next_tag;
    im_pend pend[IM_MAX_INFLIGHT];

    uint64_t caps_raw;  /* as the server said */
    uint64_t ignore;    /* cfg->ignore_caps (never STARTTLS / LOGINDISABLED) */
    int have_caps;
    int qresync_on, condstore_on; /* ENABLEd (CONDSTORE also by use) */

    int broken;        /* the connection is unusable; every call fails with broken_err */
    int closing;       /* in ols_imap_close: a hang-up is expected */
    ols_err broken_err;
    char bye[256];     /* text of an untagged BYE */

    /* the running command */
    const ols_imap_events *ev;
    const ols_imap_events *default_ev;
    ols_status cb_st;  /* first callback or value error of this command */
    ols_err cb_err;
    im_untagged_fn untagged;
    void *uctx;
    int want_cont, got_cont;
    char cont_text[512];
    int activity;      /* EXISTS/EXPUNGE/VANISHED/FETCH seen (IDLE) */

    /* the body section being streamed */
    int body_begun;
    const ols_imap_events *body_ev;

    /* selected mailbox */
    int selected;
    ols_imap_mailbox mb;
    int have_permflags;
    char *copyuid;     /* last COPYUID seen (untagged, for MOVE) */
};

/* ---- client.c: I/O and command machinery ---- */
ols_status im_broken(ols_imap *im, ols_err *err); /* the stored failure, if any */
ols_status im_fail(ols_imap *im, ols_err *err);   /* mark broken with err */
/* Reset per-command state (events, handler, callback errors) without sending anything. */
void im_prepare(ols_imap *im, const ols_imap_events *ev, im_untagged_fn fn, void *ctx);
/* Start a command: a fresh tag written to the output, reset per-command state. */
ols_status im_begin(ols_imap *im, const ols_imap_events *ev, im_untagged_fn fn, void *ctx,
                    im_pend **out, ols_err *err);
/* Start another command of a pipelined batch (keeps ev, handler and callback state). */
ols_status im_begin_more(ols_imap *im, im_pend **out, ols_err *err);
ols_status im_put(ols_imap *im, const char *s, ols_err *err);
ols_status im_putf(ols_imap *im, ols_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Mailbox names and other strings: atom, quoted string or literal, whichever fits. */
ols_status im_put_astring(ols_imap *im, im_pend *p, const char *s, ols_err *err);
/* The same, never as an atom (nstring values). */
ols_status im_put_string(ols_imap *im, im_pend *p, const char *s, ols_err *err);
/* A literal: LITERAL+ when offered, else wait for the server's "+". On a refusal the
 * command is over (p released) and the server's answer is returned. */
ols_status im_put_literal(ols_imap *im, im_pend *p, const void *data, size_t len, ols_err *err);
/* CRLF; flush unless more commands follow. */
ols_status im_end(ols_imap *im, im_pend *p, int flush, ols_err *err);
/* Read and dispatch until p is answered. */
ols_status im_wait(ols_imap *im, im_pend *p, ols_err *err);
/* Read and dispatch one response line. */
ols_status im_step(ols_imap *im, ols_err *err);
/* The answer as a status (NO/BAD mapped by response code), then free the slot. A callback
 * or value error recorded during the command wins over OK. what names the command. */
ols_status im_result(ols_imap *im, im_pend *p, const char *what, ols_err *err);
void im_release(im_pend *p);
/* A simple command: begin, text, end, wait, result. */
ols_status im_simple(ols_imap *im, const char *what, ols_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Record a callback or value error for the running command (first one wins). */
void im_note(ols_imap *im, ols_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
uint64_t im_caps(const ols_imap *im);
/* Text from the caller that goes into a command must not break the line. */
int im_safe_text(const char *s);

/* ---- fetch.c ---- */
void im_fetch_line(ols_imap *im, const ols_imap_line *l);

#define ERRP(err, tmp) ((err) ? (err) : &(tmp))

#endif
