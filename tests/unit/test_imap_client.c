/* IMAP client against a scripted fake server on a real loopback socket. Each script is data:
 *   "S:text"   the server sends text ($T = tag of the client's last command, $P1 / $P2 the
 *              ones before it)
 *   "C:prefix" read one command line; after its tag it must start with prefix (LITERAL+
 *              literals in it are read along; a synchronising {n} waits for "L:")
 *   "L:"       read the announced synchronising literal and the rest of its line
 *   "R:text"   read one raw line (no tag) that must equal text
 *   "E:"       the client must close the connection
 * Everything the client sent is kept, so a test can say that LOGIN never went out. */
#include <stdarg.h>
#include <stdint.h>

#include "olsync/imap.h"
#include "olsync/mailflags.h"
#include "plat/plat.h"
#include "t.h"

/* ---------------- the fake server ---------------- */

typedef struct fake {
    const char *const *script;
    ols_sock listener, s;
    uint16_t port;
    ols_thread *th;
    char *got; /* all client bytes */
    size_t got_len, got_cap;
    unsigned char rb[65536];
    size_t rpos, rlen;
    char tags[64][32];
    int ntags;
    size_t pending_lit;
    int failed;
    char why[512];
} fake;

static void got_add(fake *f, const void *p, size_t n)
{
    if (f->got_len + n + 1 > f->got_cap) {
        size_t cap = f->got_cap ? f->got_cap * 2 : 4096;
        while (cap < f->got_len + n + 1)
            cap *= 2;
        f->got = realloc(f->got, cap);
        f->got_cap = cap;
    }
    memcpy(f->got + f->got_len, p, n);
    f->got_len += n;
    f->got[f->got_len] = 0;
}

static void ffail(fake *f, const char *fmt, ...)
{
    va_list ap;
    if (f->failed)
        return;
    f->failed = 1;
    va_start(ap, fmt);
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
}

/* 1 = bytes available, 0 = peer closed, -1 = timeout / error */
static int fill(fake *f)
{
    ols_pollfd p;
    long r;
    if (f->rpos < f->rlen)
        return 1;
    f->rpos = f->rlen = 0;
    for (;;) {
        r = ols_sock_recv(f->s, f->rb, sizeof f->rb);
        if (r > 0) {
            f->rlen = (size_t)r;
            got_add(f, f->rb, (size_t)r);
            return 1;
        }
        if (r == 0)
            return 0;
        if (r == -2)
            return -1;
        p.sock = f->s;
        p.events = OLS_POLL_IN;
        p.revents = 0;
        if (ols_poll(&p, 1, 15000) <= 0)
            return -1;
    }
}

/* A line without its CRLF into buf; 1 ok, 0 closed, -1 error. */
static int read_line(fake *f, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        int r = fill(f);
        if (r <= 0)
            return r;
        while (f->rpos < f->rlen) {
            char c = (char)f->rb[f->rpos++];
            if (c == '\n') {
                if (n && buf[n - 1] == '\r')
                    n--;
                buf[n] = 0;
                return 1;
            }
            if (n + 1 < cap)
                buf[n++] = c;
        }
    }
}

static int read_bytes(fake *f, size_t n)
{
    while (n) {
        size_t k;
        if (fill(f) <= 0)
            return -1;
        k = f->rlen - f->rpos;
        if (k > n)
            k = n;
        f->rpos += k;
        n -= k;
    }
    return 1;
}

/* After a line: literal announcements. LITERAL+ ones are read here, with what follows. */
static int literal_tail(fake *f, const char *line)
{
    size_t l = strlen(line), n;
    const char *o;
    char rest[8192];
    while (l && line[l - 1] == '}' && (o = strrchr(line, '{')) != NULL) {
        int plus = line[l - 2] == '+';
        n = strtoul(o + 1, NULL, 10);
        if (!plus) {
            f->pending_lit = n;
            return 1;
        }
        if (read_bytes(f, n) <= 0 || read_line(f, rest, sizeof rest) <= 0)
            return -1;
        line = rest;
        l = strlen(line);
    }
    return 1;
}

static void send_text(fake *f, const char *t)
{
    char out[16384];
    size_t n = 0;
    while (*t && n + 40 < sizeof out) {
        if (t[0] == '$' && (t[1] == 'T' || t[1] == 'P')) {
            int back = t[1] == 'T' ? 0 : t[2] - '0';
            int idx = f->ntags - 1 - back;
            const char *tag = idx >= 0 ? f->tags[idx] : "?";
            n += (size_t)snprintf(out + n, sizeof out - n, "%s", tag);
            t += t[1] == 'T' ? 2 : 3;
        } else {
            out[n++] = *t++;
        }
    }
    {
        size_t off = 0;
        while (off < n) {
            long r = ols_sock_send(f->s, out + off, n - off);
            if (r > 0) {
                off += (size_t)r;
            } else if (r == -1) {
                ols_pollfd p;
                p.sock = f->s;
                p.events = OLS_POLL_OUT;
                p.revents = 0;
                ols_poll(&p, 1, 1000);
            } else {
                ffail(f, "send failed");
                return;
            }
        }
    }
}

static void fake_run(void *arg)
{
    fake *f = arg;
    const char *const *step;
    char line[65536];
    if (ols_sock_accept(f->listener, &f->s) != OLS_OK) {
        ffail(f, "accept failed");
        return;
    }
    ols_sock_set_nonblock(f->s, 1);
    for (step = f->script; *step && !f->failed; step++) {
        const char *st = *step, *arg2 = st + 2;
        int r;
        switch (st[0]) {
        case 'S':
            send_text(f, arg2);
            break;
        case 'C': {
            char *sp;
            r = read_line(f, line, sizeof line);
            if (r <= 0) {
                ffail(f, "step %s: client %s", st, r ? "silent" : "closed");
                break;
            }
            sp = strchr(line, ' ');
            if (!sp || (size_t)(sp - line) >= sizeof f->tags[0]) {
                ffail(f, "step %s: no tag in \"%s\"", st, line);
                break;
            }
            if (f->ntags < 64) {
                memcpy(f->tags[f->ntags], line, (size_t)(sp - line));
                f->tags[f->ntags][sp - line] = 0;
                f->ntags++;
            }
            if (strncmp(sp + 1, arg2, strlen(arg2))) {
                ffail(f, "step %s: client sent \"%s\"", st, line);
                break;
            }
            if (literal_tail(f, line) < 0)
                ffail(f, "step %s: literal not sent", st);
            break;
        }
        case 'L':
            if (!f->pending_lit && strcmp(arg2, "0")) {
                ffail(f, "step L: no literal announced");
                break;
            }
            r = read_bytes(f, f->pending_lit);
            f->pending_lit = 0;
            if (r <= 0 || read_line(f, line, sizeof line) <= 0) {
                ffail(f, "step L: literal not sent");
                break;
            }
            literal_tail(f, line);
            break;
        case 'R':
            r = read_line(f, line, sizeof line);
            if (r <= 0 || strcmp(line, arg2))
                ffail(f, "step %s: client sent \"%s\"", st, r > 0 ? line : "(nothing)");
            break;
        case 'E':
            while ((r = fill(f)) > 0)
                f->rpos = f->rlen;
            if (r < 0)
                ffail(f, "step E: the client did not close");
            break;
        }
    }
    /* drain what the client still says (LOGOUT) briefly, then hang up */
    if (!f->failed) {
        ols_pollfd p;
        p.sock = f->s;
        p.events = OLS_POLL_IN;
        p.revents = 0;
        if (ols_poll(&p, 1, 200) > 0 && fill(f) > 0)
            f->rpos = f->rlen;
    }
    ols_sock_close(f->s);
}

static void fake_start(fake *f, const char *const *script)
{
    ols_err err = {0};
    memset(f, 0, sizeof *f);
    f->script = script;
    if (ols_sock_listen_loopback(0, 1, &f->listener, &f->port, &err) != OLS_OK ||
        ols_thread_start(&f->th, fake_run, f) != OLS_OK) {
        fprintf(stderr, "cannot start the fake server: %s\n", err.msg);
        exit(2);
    }
}

static char *transcripts[64];
static size_t ntranscripts;

/* Joins the server; reports its own failures under name. The transcript lives on until
 * the end of the run. */
static void fake_stop(fake *f, const char *name)
{
    ols_thread_join(f->th);
    if (ntranscripts < 64)
        transcripts[ntranscripts++] = f->got;
    ols_sock_close(f->listener);
    OK(!f->failed, "%s: fake server: %s\n--- client sent:\n%s", name, f->why,
       f->got ? f->got : "");
}

static int sent(fake *f, const char *s)
{
    return f->got && strstr(f->got, s) != NULL;
}

static void cfg_init(ols_imap_config *c, fake *f, ols_security sec)
{
    memset(c, 0, sizeof *c);
    c->host = "127.0.0.1";
    c->port = f->port;
    c->security = sec;
    c->user = "alice";
    c->password = "secret";
    c->timeout_ms = 20000;
}

/* ---------------- recording events ---------------- */

typedef struct rec {
    int messages, begins, ends, exists_n, expunges, vanished_n, vanished_earlier;
    uint32_t uids[32];
    unsigned flags[32];
    uint64_t modseqs[32];
    char vanished[256];
    char body[4096];
    size_t body_len;
    char sections[512];
    uint32_t last_exists;
    int fail_message; /* refuse the n-th message */
    int fail_data;
} rec;

static ols_status ev_message(void *ctx, const ols_imap_msg *m)
{
    rec *r = ctx;
    if (r->messages < 32) {
        r->uids[r->messages] = m->uid;
        r->flags[r->messages] = m->flags;
        r->modseqs[r->messages] = m->modseq;
    }
    r->messages++;
    if (r->fail_message && r->messages == r->fail_message)
        return OLS_ENOSPC;
    return OLS_OK;
}

static ols_status ev_begin(void *ctx, uint32_t uid, const char *section, uint64_t size)
{
    rec *r = ctx;
    size_t n = strlen(r->sections);
    snprintf(r->sections + n, sizeof r->sections - n, "[%u %s %llu]", (unsigned)uid, section,
             (unsigned long long)size);
    r->begins++;
    return OLS_OK;
}

static ols_status ev_data(void *ctx, const void *p, size_t n)
{
    rec *r = ctx;
    if (r->fail_data)
        return OLS_EIO;
    if (r->body_len + n < sizeof r->body) {
        memcpy(r->body + r->body_len, p, n);
        r->body_len += n;
        r->body[r->body_len] = 0;
    }
    return OLS_OK;
}

static ols_status ev_end(void *ctx)
{
    ((rec *)ctx)->ends++;
    return OLS_OK;
}

static void ev_vanished(void *ctx, const char *set, int earlier)
{
    rec *r = ctx;
    r->vanished_n++;
    r->vanished_earlier += earlier;
    snprintf(r->vanished, sizeof r->vanished, "%s", set);
}

static void ev_expunge(void *ctx, uint32_t seq)
{
    (void)seq;
    ((rec *)ctx)->expunges++;
}

static void ev_exists(void *ctx, uint32_t n)
{
    rec *r = ctx;
    r->exists_n++;
    r->last_exists = n;
}

static void events_init(ols_imap_events *ev, rec *r)
{
    memset(r, 0, sizeof *r);
    memset(ev, 0, sizeof *ev);
    ev->ctx = r;
    ev->message = ev_message;
    ev->body_begin = ev_begin;
    ev->body_data = ev_data;
    ev->body_end = ev_end;
    ev->vanished = ev_vanished;
    ev->expunge = ev_expunge;
    ev->exists = ev_exists;
}

/* ---------------- tests ---------------- */

#define GREET_PLAIN "S:* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n"
#define LOGIN_OK "C:LOGIN alice secret", "S:$T OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] in\r\n"

static void test_login_quoting(void)
{
    static const char *const script[] = {
        "S:* OK ready\r\n",
        "C:CAPABILITY",
        "S:* CAPABILITY IMAP4rev1\r\n$T OK done\r\n",
        "C:LOGIN alice \"p\\\"a\\\\ss word\"",
        "S:$T OK logged in\r\n",
        "C:CAPABILITY",
        "S:* CAPABILITY IMAP4rev1 IDLE\r\n$T OK done\r\n",
        "C:LOGOUT",
        "S:* BYE bye\r\n$T OK bye\r\n",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_status st;
    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    c.password = "p\"a\\ss word";
    st = ols_imap_connect(&c, &im, &err);
    OK(st == OLS_OK, "login with quoted password: %s", err.msg);
    OK(im && (ols_imap_caps(im) & OLS_CAP_IDLE), "capabilities asked again after login");
    ols_imap_close(im);
    fake_stop(&f, "login quoting");
}

static void test_login_literal(void)
{
    /* 8-bit password: a literal, synchronising without LITERAL+ */
    static const char *const sync[] = {
        "S:* OK [CAPABILITY IMAP4rev1] ready\r\n",
        "C:LOGIN alice {7}",
        "S:+ go ahead\r\n",
        "L:",
        "S:$T OK [CAPABILITY IMAP4rev1] in\r\n",
        NULL};
    static const char *const plus[] = {
        GREET_PLAIN,
        "C:LOGIN alice {7+}",
        "S:$T OK [CAPABILITY IMAP4rev1] in\r\n",
        NULL};
    static const char *const refused[] = {
        "S:* OK [CAPABILITY IMAP4rev1] ready\r\n",
        "C:LOGIN alice {7}",
        "S:$T NO [AUTHENTICATIONFAILED] no literal for you\r\n",
        "E:",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};

    fake_start(&f, sync);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    c.password = "s\xc3\xa9" "cret";
    OK(ols_imap_connect(&c, &im, &err) == OLS_OK, "synchronising literal login: %s", err.msg);
    ols_imap_close(im);
    im = NULL;
    fake_stop(&f, "sync literal");
    OK(sent(&f, "{7}\r\ns\xc3\xa9" "cret\r\n"), "password sent as a literal after '+'");

    fake_start(&f, plus);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    c.password = "s\xc3\xa9" "cret";
    OK(ols_imap_connect(&c, &im, &err) == OLS_OK, "LITERAL+ login: %s", err.msg);
    ols_imap_close(im);
    im = NULL;
    fake_stop(&f, "literal+");
    OK(sent(&f, "{7+}\r\ns\xc3\xa9" "cret\r\n"), "non-synchronising literal");

    fake_start(&f, refused);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    c.password = "s\xc3\xa9" "cret";
    OK(ols_imap_connect(&c, &im, &err) == OLS_EAUTH && im == NULL, "refused literal: %s %s",
       ols_status_name(err.code), err.msg);
    fake_stop(&f, "refused literal");
    OK(!sent(&f, "cret"), "the literal is not sent after a refusal");
}

static void test_auth_plain(void)
{
    static const char *const ir[] = {
        "S:* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n",
        "C:AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==",
        "S:$T OK [CAPABILITY IMAP4rev1] in\r\n",
        NULL};
    static const char *const noir[] = {
        "S:* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n",
        "C:AUTHENTICATE PLAIN",
        "S:+ \r\n",
        "R:AGFsaWNlAHNlY3JldA==",
        "S:$T OK [CAPABILITY IMAP4rev1] in\r\n",
        NULL};
    static const char *const bad[] = {
        "S:* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n",
        "C:AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==",
        "S:$T NO [AUTHENTICATIONFAILED] Authentication failed.\r\n",
        NULL};
    static const char *const ignored[] = { /* AUTH=PLAIN ignored by configuration: LOGIN */
        "S:* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n",
        LOGIN_OK,
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};

    fake_start(&f, ir);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    OK(ols_imap_connect(&c, &im, &err) == OLS_OK, "AUTHENTICATE PLAIN with SASL-IR: %s", err.msg);
    ols_imap_close(im);
    im = NULL;
    fake_stop(&f, "sasl-ir");
    OK(!sent(&f, "LOGIN"), "no LOGIN when AUTH=PLAIN is offered");

    fake_start(&f, noir);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    OK(ols_imap_connect(&c, &im, &err) == OLS_OK, "AUTHENTICATE PLAIN after '+': %s", err.msg);
    ols_imap_close(im);
    im = NULL;
    fake_stop(&f, "plain no-ir");

    fake_start(&f, bad);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    OK(ols_imap_connect(&c, &im, &err) == OLS_EAUTH && !im, "refused: %s", err.msg);
    OK(strstr(err.msg, "AUTHENTICATIONFAILED") != NULL, "reason kept: %s", err.msg);
    fake_stop(&f, "plain refused");

    fake_start(&f, ignored);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    c.ignore_caps = OLS_CAP_AUTH_PLAIN | OLS_CAP_SASL_IR;
    OK(ols_imap_connect(&c, &im, &err) == OLS_OK, "LOGIN when AUTH=PLAIN is ignored: %s", err.msg);
    ols_imap_close(im);
    im = NULL;
    fake_stop(&f, "ignored auth=plain");
}

/* STARTTLS fail-closed: every refusal path stops before any credential goes out. */
static void test_starttls_refusals(void)
{
    static const char *const absent[] = {
        "S:* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN] ready\r\n", "E:", NULL};
    static const char *const absent_asked[] = {
        "S:* OK ready\r\n", "C:CAPABILITY", "S:* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n$T OK\r\n",
        "E:", NULL};
    static const char *const refused[] = {
        "S:* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n", "C:STARTTLS",
        "S:$T NO [UNAVAILABLE] not now\r\n", "E:", NULL};
    static const char *const bad[] = {
        "S:* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", "C:STARTTLS",
        "S:$T BAD what\r\n", "E:", NULL};
    static const char *const injected[] = {
        "S:* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n", "C:STARTTLS",
        "S:$T OK Begin TLS now\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n", "E:",
        NULL};
    static const char *const injected_partial[] = {
        "S:* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", "C:STARTTLS",
        "S:$T OK Begin TLS now\r\n* OK half a li", "E:", NULL};
    static const char *const preauth[] = {
        "S:* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in already\r\n", "E:", NULL};
    static const char *const no_tls[] = { /* OK, but then no TLS handshake comes */
        "S:* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n", "C:STARTTLS",
        "S:$T OK Begin TLS now\r\n", "S:this is not TLS at all\r\n", NULL};
    static const char *const logindisabled_plain[] = {
        "S:* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready\r\n", "E:", NULL};
    struct {
        const char *name;
        const char *const *script;
        ols_security sec;
        ols_status want;
        const char *msg;
    } t[] = {
        {"STARTTLS not offered", absent, OLS_SEC_STARTTLS, OLS_ETLS, "does not offer STARTTLS"},
        {"STARTTLS not in CAPABILITY", absent_asked, OLS_SEC_STARTTLS, OLS_ETLS,
         "does not offer STARTTLS"},
        {"STARTTLS NO", refused, OLS_SEC_STARTTLS, OLS_ETLS, "refused STARTTLS"},
        {"STARTTLS BAD", bad, OLS_SEC_STARTTLS, OLS_ETLS, "refused STARTTLS"},
        {"STARTTLS injection", injected, OLS_SEC_STARTTLS, OLS_ETLS, "injection"},
        {"STARTTLS partial injection", injected_partial, OLS_SEC_STARTTLS, OLS_ETLS, "injection"},
        {"PREAUTH before STARTTLS", preauth, OLS_SEC_STARTTLS, OLS_ETLS, "PREAUTH"},
        {"no TLS after STARTTLS OK", no_tls, OLS_SEC_STARTTLS, OLS_ETLS, NULL},
        {"LOGINDISABLED in plain", logindisabled_plain, OLS_SEC_PLAIN, OLS_EAUTH, "LOGINDISABLED"},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        fake f;
        ols_imap_config c;
        ols_imap *im = NULL;
        ols_err err = {0};
        ols_status st;
        fake_start(&f, t[i].script);
        cfg_init(&c, &f, t[i].sec);
        st = ols_imap_connect(&c, &im, &err);
        OK(st == t[i].want && im == NULL, "%s: %s (%s)", t[i].name, ols_status_name(st), err.msg);
        OK(!t[i].msg || strstr(err.msg, t[i].msg), "%s: message \"%s\"", t[i].name, err.msg);
        fake_stop(&f, t[i].name);
        OK(!sent(&f, "LOGIN") && !sent(&f, "AUTHENTICATE") && !sent(&f, "secret"),
           "%s: no credentials sent:\n%s", t[i].name, f.got ? f.got : "");
    }
}

static void test_pipelined_fetch(void)
{
    static const char *const script[] = {
        GREET_PLAIN,
        LOGIN_OK,
        /* all three commands arrive before the server says anything */
        "C:UID FETCH 1:2 (UID FLAGS BODY.PEEK[])",
        "C:UID FETCH 5 (UID FLAGS BODY.PEEK[])",
        "C:UID FETCH 9 (UID FLAGS BODY.PEEK[])",
        /* answers out of order, a literal split across sends */
        "S:* 3 FETCH (UID 9 FLAGS (\\Seen) BODY[] {5}\r\nni",
        "S:ne!)\r\n$T OK done\r\n",
        "S:* 1 FETCH (UID 1 FLAGS () BODY[] {4}\r\none!)\r\n* 2 FETCH (BODY[] \"two!\" UID 2 FLAGS "
        "(\\Flagged))\r\n$P2 OK done\r\n",
        "S:* 2 FETCH (UID 5 FLAGS (\\Answered) BODY[] NIL)\r\n$P1 OK done\r\n",
        NULL};
    static const char *const sets[] = {"1:2", "5", "9"};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_imap_events ev;
    rec r;
    ols_status st;

    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) != OLS_OK) {
        OK(0, "connect: %s", err.msg);
        fake_stop(&f, "pipelining");
        return;
    }
    events_init(&ev, &r);
    st = ols_imap_uid_fetch_many(im, sets, 3, "(UID FLAGS MODSEQ BODY.PEEK[])", &ev, &err);
    OK(st == OLS_OK, "fetch_many: %s", err.msg);
    OK(r.messages == 4, "4 messages, got %d", r.messages);
    OK(r.begins == 4 && r.ends == 4, "sections begun %d ended %d", r.begins, r.ends);
    OK(!strcmp(r.body, "nine!one!two!"), "bodies in arrival order: %s", r.body);
    OK(strstr(r.sections, "[9 BODY[] 5]") && strstr(r.sections, "[1 BODY[] 4]") &&
           strstr(r.sections, "[2 BODY[] 4]") && strstr(r.sections, "[5 BODY[] 0]"),
       "sections: %s", r.sections);
    OK(r.uids[0] == 9 && r.flags[0] == OLS_MF_SEEN && r.uids[2] == 2 &&
           r.flags[2] == OLS_MF_FLAGGED && r.uids[3] == 5 && r.flags[3] == OLS_MF_ANSWERED,
       "uids %u %u %u %u", r.uids[0], r.uids[1], r.uids[2], r.uids[3]);
    ols_imap_close(im);
    fake_stop(&f, "pipelining");
    OK(!sent(&f, "MODSEQ"), "MODSEQ left out without CONDSTORE");
}

static void test_garbage_mid_fetch(void)
{
    static const char *const script[] = {
        GREET_PLAIN,
        LOGIN_OK,
        "C:UID FETCH 1 (UID BODY.PEEK[])",
        "S:* 1 FETCH (UID 1 BODY[] {10}\r\nhel",
        "S:lo wor",
        "S:ld GARB\"AGE\r\n\x01\x02\x03 more garbage\r\n",
        NULL};
    static const char *const huge[] = {
        GREET_PLAIN,
        LOGIN_OK,
        "C:UID FETCH 1 (UID BODY.PEEK[])",
        "S:* 1 FETCH (UID 1 BODY[] {99999999999999999999}\r\nxxxx",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_imap_events ev;
    rec r;
    ols_status st;
    uint64_t t0;

    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) == OLS_OK) {
        events_init(&ev, &r);
        st = ols_imap_uid_fetch(im, "1", "(UID BODY.PEEK[])", 0, &ev, &err);
        OK(st == OLS_EPROTO, "garbage mid-FETCH: %s %s", ols_status_name(st), err.msg);
        OK(strstr(err.msg, "malformed IMAP response") != NULL, "says why: %s", err.msg);
        OK(r.begins == 1 && r.ends == 1 && r.body_len == 10, "section begun %d ended %d (%zu bytes)",
           r.begins, r.ends, r.body_len);
        OK(r.messages == 0, "no message from a broken line");
        t0 = ols_mono_ms();
        st = ols_imap_noop(im, NULL, &err);
        OK(st == OLS_EPROTO, "the connection stays unusable: %s", ols_status_name(st));
        (void)t0;
        ols_imap_close(im);
    } else {
        OK(0, "connect: %s", err.msg);
    }
    fake_stop(&f, "garbage");

    fake_start(&f, huge);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    im = NULL;
    if (ols_imap_connect(&c, &im, &err) == OLS_OK) {
        events_init(&ev, &r);
        st = ols_imap_uid_fetch(im, "1", "(UID BODY.PEEK[])", 0, &ev, &err);
        OK(st == OLS_EPROTO && strstr(err.msg, "overflows"), "literal overflow: %s", err.msg);
        OK(r.begins == 0, "nothing begun");
        ols_imap_close(im);
    } else {
        OK(0, "connect: %s", err.msg);
    }
    fake_stop(&f, "huge literal");
}

static void test_append_literals(void)
{
    static const char *const plus[] = {
        GREET_PLAIN,
        LOGIN_OK,
        "C:APPEND INBOX (\\Seen \\Flagged) \"01-Mar-2024 09:00:00 +0000\" {5+}",
        "S:$T OK [APPENDUID 1709283600 42] done\r\n",
        NULL};
    static const char *const sync[] = {
        "S:* OK [CAPABILITY IMAP4rev1] ready\r\n",
        "C:LOGIN alice secret",
        "S:$T OK [CAPABILITY IMAP4rev1] in\r\n",
        "C:APPEND \"Sent Items\" () {5}",
        "S:+ Ready for literal data\r\n",
        "L:",
        "S:$T OK done\r\n",
        "C:APPEND Drafts () {5}",
        "S:$T NO [OVERQUOTA] full\r\n",
        "C:NOOP",
        "S:$T OK\r\n",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    uint32_t v = 1, u = 1;
    ols_status st;

    fake_start(&f, plus);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) == OLS_OK) {
        st = ols_imap_append(im, "INBOX", OLS_MF_SEEN | OLS_MF_FLAGGED, 1709283600, "hello", 5, &v,
                             &u, &err);
        OK(st == OLS_OK && v == 1709283600u && u == 42, "APPENDUID %u %u: %s", v, u, err.msg);
        ols_imap_close(im);
    } else {
        OK(0, "connect: %s", err.msg);
    }
    fake_stop(&f, "append literal+");
    OK(sent(&f, "{5+}\r\nhello\r\n"), "LITERAL+ append");

    fake_start(&f, sync);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    im = NULL;
    if (ols_imap_connect(&c, &im, &err) == OLS_OK) {
        st = ols_imap_append(im, "Sent Items", 0, 0, "hello", 5, &v, &u, &err);
        OK(st == OLS_OK && v == 0 && u == 0, "append without UIDPLUS: %s", err.msg);
        st = ols_imap_append(im, "Drafts", 0, 0, "world", 5, &v, &u, &err);
        OK(st == OLS_ENOSPC, "over quota before the literal: %s %s", ols_status_name(st), err.msg);
        OK(ols_imap_noop(im, NULL, &err) == OLS_OK, "still usable: %s", err.msg);
        ols_imap_close(im);
    } else {
        OK(0, "connect: %s", err.msg);
    }
    fake_stop(&f, "append sync");
    OK(sent(&f, "{5}\r\nhello\r\n") && !sent(&f, "world"), "synchronising literal waits for '+'");
}

static void test_select_qresync(void)
{
    static const char *const script[] = {
        "S:* OK [CAPABILITY IMAP4rev1 ENABLE QRESYNC CONDSTORE UIDPLUS] ready\r\n",
        "C:LOGIN alice secret",
        "S:$T OK [CAPABILITY IMAP4rev1 ENABLE QRESYNC CONDSTORE UIDPLUS ESEARCH MOVE] in\r\n",
        "C:ENABLE QRESYNC",
        "S:* ENABLED QRESYNC\r\n$T OK enabled\r\n",
        "C:SELECT INBOX (QRESYNC (1709283600 40 1:20))",
        "S:* OK [CLOSED] previous mailbox\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen "
        "\\Draft)\r\n* OK [PERMANENTFLAGS (\\Seen \\Flagged \\*)] ok\r\n* 18 EXISTS\r\n"
        "* OK [UIDVALIDITY 1709283600] ok\r\n* OK [UIDNEXT 23] ok\r\n"
        "* OK [HIGHESTMODSEQ 57] ok\r\n* VANISHED (EARLIER) 3:4,9\r\n"
        "* 5 FETCH (UID 7 FLAGS (\\Seen \\Flagged) MODSEQ (55))\r\n"
        "$T OK [READ-WRITE] selected\r\n",
        "C:UID FETCH 1:* (UID FLAGS MODSEQ) (CHANGEDSINCE 40 VANISHED)",
        "S:* VANISHED 11\r\n* 6 FETCH (UID 12 FLAGS () MODSEQ (56))\r\n$T OK\r\n",
        "C:UID STORE 7,8 (UNCHANGEDSINCE 55) +FLAGS.SILENT (\\Seen $Forwarded)",
        "S:$T OK [MODIFIED 8] some changed\r\n",
        "C:UID SEARCH RETURN (ALL) UNDELETED",
        "S:* ESEARCH (TAG \"x9\") UID ALL 99\r\n* ESEARCH (TAG \"$T\") UID ALL 1:3,7\r\n$T OK\r\n",
        "C:UID MOVE 7 Archive",
        "S:* OK [COPYUID 1709283601 7 3] moved\r\n* VANISHED 7\r\n$T OK done\r\n",
        "C:UID EXPUNGE 8",
        "S:* VANISHED 8\r\n$T OK\r\n",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_imap_events ev, dev;
    rec r, dr;
    ols_imap_mailbox mb;
    ols_imap_qresync q = {1709283600u, 40, "1:20"};
    char *mod = NULL, *uids = NULL, *cu = NULL;
    ols_status st;

    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) != OLS_OK) {
        OK(0, "connect: %s", err.msg);
        fake_stop(&f, "qresync");
        return;
    }
    events_init(&ev, &r);
    events_init(&dev, &dr);
    ols_imap_set_events(im, &dev);
    memset(&mb, 0, sizeof mb);
    st = ols_imap_select(im, "INBOX", 0, &q, &ev, &mb, &err);
    OK(st == OLS_OK, "select: %s", err.msg);
    OK(mb.exists == 18 && mb.uidvalidity == 1709283600u && mb.uidnext == 23 &&
           mb.highestmodseq == 57 && !mb.readonly,
       "mailbox %u %u %u %llu ro=%d", mb.exists, mb.uidvalidity, mb.uidnext,
       (unsigned long long)mb.highestmodseq, mb.readonly);
    OK(mb.permanentflags == (OLS_MF_SEEN | OLS_MF_FLAGGED | OLS_MF_FORWARDED), "permflags %x",
       mb.permanentflags);
    OK(r.vanished_n == 1 && r.vanished_earlier == 1 && !strcmp(r.vanished, "3:4,9"),
       "VANISHED (EARLIER) %s", r.vanished);
    OK(r.messages == 1 && r.uids[0] == 7 && r.modseqs[0] == 55 &&
           r.flags[0] == (OLS_MF_SEEN | OLS_MF_FLAGGED),
       "changed message");
    OK(r.exists_n == 1 && r.last_exists == 18, "exists event");

    events_init(&ev, &r);
    st = ols_imap_uid_fetch(im, "1:*", "(UID FLAGS MODSEQ)", 40, &ev, &err);
    OK(st == OLS_OK && r.messages == 1 && r.vanished_n == 1 && !r.vanished_earlier,
       "CHANGEDSINCE with VANISHED: %s", err.msg);

    st = ols_imap_uid_store(im, "7,8", "+FLAGS.SILENT", OLS_MF_SEEN | OLS_MF_FORWARDED, 55, &mod,
                            &err);
    OK(st == OLS_OK && mod && !strcmp(mod, "8"), "MODIFIED %s: %s", mod ? mod : "(null)", err.msg);
    free(mod);

    st = ols_imap_uid_search(im, "UNDELETED", &uids, &err);
    OK(st == OLS_OK && uids && !strcmp(uids, "1:3,7"), "ESEARCH for our tag only: %s",
       uids ? uids : err.msg);
    free(uids);

    st = ols_imap_uid_move(im, "7", "Archive", &cu, &err);
    OK(st == OLS_OK && cu && !strcmp(cu, "1709283601 7 3"), "MOVE COPYUID %s: %s",
       cu ? cu : "(null)", err.msg);
    free(cu);
    OK(dr.vanished_n == 1 && !strcmp(dr.vanished, "7"), "VANISHED during MOVE to the default events");

    st = ols_imap_uid_expunge(im, "8", &err);
    OK(st == OLS_OK && dr.vanished_n == 2, "UID EXPUNGE: %s", err.msg);
    ols_imap_close(im);
    fake_stop(&f, "qresync");
}

/* What ols_imap_list handed out. */
typedef struct lst {
    int n;
    char names[8][64];
    char disp[8][64];
    unsigned flags[8];
    int has_status[8];
    uint32_t messages[8];
} lst;

static int list_cb(void *ctx, const ols_imap_folder *fo)
{
    lst *L = ctx;
    if (L->n < 8) {
        snprintf(L->names[L->n], 64, "%s", fo->name);
        snprintf(L->disp[L->n], 64, "%s", fo->display ? fo->display : "(null)");
        L->flags[L->n] = fo->flags;
        L->has_status[L->n] = fo->has_status;
        L->messages[L->n] = fo->messages;
    }
    L->n++;
    return 0;
}

static void test_plain_server(void)
{
    /* IMAP4rev1 only: SEARCH, MOVE by COPY/STORE/EXPUNGE, LIST + LSUB + STATUS each */
    static const char *const script[] = {
        "S:* OK [CAPABILITY IMAP4rev1] ready\r\n",
        "C:LOGIN alice secret",
        "S:$T OK [CAPABILITY IMAP4rev1 UIDPLUS] in\r\n",
        "C:SELECT INBOX",
        "S:* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\n* OK [UIDVALIDITY 5] x\r\n$T OK [READ-ONLY] ok\r\n",
        "C:UID SEARCH ALL",
        "S:* SEARCH 1 2 3 5 9 10\r\n$T OK\r\n",
        "C:UID COPY 2:3 Trash",
        "S:$T OK [COPYUID 6 2:3 10:11] copied\r\n",
        "C:UID STORE 2:3 +FLAGS.SILENT (\\Deleted)",
        "S:$T OK\r\n",
        "C:UID EXPUNGE 2:3",
        "S:* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n$T OK\r\n",
        "C:LIST \"\" \"*\"",
        "S:* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasChildren) \"/\" Projekte\r\n"
        "* LIST (\\HasNoChildren) \"/\" \"Projekte/&ANw-berblick\"\r\n"
        "* LIST (\\Noselect) \"/\" Old\r\n$T OK\r\n",
        "C:LSUB \"\" \"*\"",
        "S:* LSUB () \"/\" Projekte\r\n* LSUB () \"/\" Gone\r\n$T OK\r\n",
        /* STATUS pipelined: three in flight before any answer */
        "C:STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)",
        "C:STATUS Projekte (",
        "C:STATUS Projekte/&ANw-berblick (",
        "S:* STATUS Projekte (MESSAGES 1 UIDNEXT 2 UIDVALIDITY 7 UNSEEN 1)\r\n$P1 OK\r\n"
        "* STATUS INBOX (MESSAGES 3 UIDNEXT 11 UIDVALIDITY 5 UNSEEN 0)\r\n$P2 OK\r\n"
        "$T NO [NOPERM] no\r\n",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_imap_events dev;
    rec dr;
    ols_imap_mailbox mb;
    char *uids = NULL, *cu = NULL;
    ols_status st;
    lst L;

    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) != OLS_OK) {
        OK(0, "connect: %s", err.msg);
        fake_stop(&f, "plain");
        return;
    }
    events_init(&dev, &dr);
    ols_imap_set_events(im, &dev);
    st = ols_imap_select(im, "INBOX", 0, NULL, NULL, &mb, &err);
    OK(st == OLS_OK && mb.exists == 3 && mb.readonly && mb.highestmodseq == 0 &&
           mb.permanentflags == (OLS_MF_SEEN | OLS_MF_DELETED),
       "plain select: %s", err.msg);
    st = ols_imap_uid_search(im, "ALL", &uids, &err);
    OK(st == OLS_OK && uids && !strcmp(uids, "1:3,5,9:10"), "SEARCH compressed: %s",
       uids ? uids : err.msg);
    free(uids);
    st = ols_imap_uid_move(im, "2:3", "Trash", &cu, &err);
    OK(st == OLS_OK && cu && !strcmp(cu, "6 2:3 10:11"), "MOVE by COPY: %s", cu ? cu : err.msg);
    OK(dr.expunges == 2, "expunges reported: %d", dr.expunges);
    free(cu);

    memset(&L, 0, sizeof L);
    st = ols_imap_list(im, 1, list_cb, &L, &err);
    OK(st == OLS_OK, "plain LIST: %s", err.msg);
    OK(L.n == 4, "4 folders (LSUB-only name dropped), got %d", L.n);
    OK(!strcmp(L.names[0], "INBOX") && L.has_status[0] && L.messages[0] == 3, "INBOX status");
    OK(!strcmp(L.names[2], "Projekte") && (L.flags[2] & OLS_FOLDER_SUBSCRIBED) &&
           L.has_status[2] && L.messages[2] == 1,
       "Projekte subscribed, status");
    OK(!strcmp(L.names[3], "Projekte/&ANw-berblick") &&
           !strcmp(L.disp[3], "Projekte/\xc3\x9c" "berblick") && !L.has_status[3],
       "decoded name, refused STATUS leaves no status: %s", L.disp[3]);
    OK(!strcmp(L.names[1], "Old") && (L.flags[1] & OLS_FOLDER_NOSELECT) && !L.has_status[1],
       "noselect folder gets no STATUS");
    ols_imap_close(im);
    fake_stop(&f, "plain");
}

static void test_list_extended(void)
{
    static const char *const script[] = {
        "S:* OK [CAPABILITY IMAP4rev1] ready\r\n",
        "C:LOGIN alice secret",
        "S:$T OK [CAPABILITY IMAP4rev1 NAMESPACE LIST-EXTENDED LIST-STATUS SPECIAL-USE CONDSTORE "
        "METADATA ACL QUOTA] in\r\n",
        "C:NAMESPACE",
        "S:* NAMESPACE ((\"\" \"/\")) ((\"Other Users/\" \"/\")) ((\"Public/\" \"/\" \"X-PARAM\" "
        "(\"x\")))\r\n$T OK\r\n",
        "C:LIST \"\" \"*\" RETURN (SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UIDNEXT UIDVALIDITY "
        "UNSEEN HIGHESTMODSEQ))",
        "S:* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n"
        "* STATUS INBOX (MESSAGES 20 UIDNEXT 21 UIDVALIDITY 1 UNSEEN 2 HIGHESTMODSEQ 99)\r\n"
        "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
        "* STATUS Sent (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1 UNSEEN 0 HIGHESTMODSEQ 4)\r\n"
        "* LIST (\\Noselect \\HasChildren) \"/\" \"Other Users/bob\"\r\n"
        "* LIST (\\HasNoChildren) \"/\" \"Other Users/bob/Shared Project\"\r\n"
        "* STATUS \"Other Users/bob/Shared Project\" (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 9 UNSEEN 3 "
        "HIGHESTMODSEQ 5)\r\n$T OK\r\n",
        "C:LIST \"\" \"Public/*\" RETURN (",
        "S:* LIST (\\HasNoChildren) \"/\" {13}\r\nPublic/Board\"\r\n$T OK\r\n",
        "C:GETMETADATA Calendar /private/vendor/kolab/folder-type",
        "S:* METADATA Calendar (/private/vendor/kolab/folder-type {13}\r\nevent.default)\r\n$T OK\r\n",
        "C:GETMETADATA Notes /private/vendor/kolab/folder-type",
        "S:* METADATA Notes (/private/vendor/kolab/folder-type NIL)\r\n$T OK\r\n",
        "C:SETMETADATA Calendar (/private/comment \"a \\\"b\\\"\")",
        "S:$T OK\r\n",
        "C:MYRIGHTS INBOX",
        "S:* MYRIGHTS INBOX lrswipkxtecda\r\n$T OK\r\n",
        "C:GETQUOTAROOT INBOX",
        "S:* QUOTAROOT INBOX \"User quota\"\r\n* QUOTA \"User quota\" (MESSAGE 5 100 STORAGE 1234 "
        "1048576)\r\n$T OK\r\n",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_status st;
    char *v = NULL;
    uint64_t used, limit;
    lst L;

    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) != OLS_OK) {
        OK(0, "connect: %s", err.msg);
        fake_stop(&f, "list-extended");
        return;
    }
    memset(&L, 0, sizeof L);
    st = ols_imap_list(im, 1, list_cb, &L, &err);
    OK(st == OLS_OK && L.n == 5, "LIST-STATUS + namespaces: %d folders: %s", L.n, err.msg);
    OK(!strcmp(L.names[0], "INBOX") && L.has_status[0] && L.messages[0] == 20 &&
           (L.flags[0] & OLS_FOLDER_SUBSCRIBED),
       "INBOX");
    OK(!strcmp(L.names[2], "Other Users/bob/Shared Project") && L.messages[2] == 3 &&
           (L.flags[2] & OLS_FOLDER_OTHER_USERS),
       "other user's folder: %s %x", L.names[2], L.flags[2]);
    OK(!strcmp(L.names[3], "Public/Board\"") && (L.flags[3] & OLS_FOLDER_SHARED),
       "shared namespace listed separately: %s", L.names[3]);
    OK(!strcmp(L.names[4], "Sent") && (L.flags[4] & OLS_FOLDER_SENT), "special use");

    st = ols_imap_getmetadata(im, "Calendar", "/private/vendor/kolab/folder-type", &v, &err);
    OK(st == OLS_OK && v && !strcmp(v, "event.default"), "metadata literal: %s", v ? v : err.msg);
    free(v);
    st = ols_imap_getmetadata(im, "Notes", "/private/vendor/kolab/folder-type", &v, &err);
    OK(st == OLS_OK && v == NULL, "NIL metadata");
    st = ols_imap_setmetadata(im, "Calendar", "/private/comment", "a \"b\"", &err);
    OK(st == OLS_OK, "setmetadata: %s", err.msg);
    st = ols_imap_myrights(im, "INBOX", &v, &err);
    OK(st == OLS_OK && v && !strcmp(v, "lrswipkxtecda"), "myrights");
    free(v);
    st = ols_imap_getquotaroot(im, "INBOX", &used, &limit, &err);
    OK(st == OLS_OK && used == 1234 && limit == 1048576, "quota %llu/%llu",
       (unsigned long long)used, (unsigned long long)limit);
    ols_imap_close(im);
    fake_stop(&f, "list-extended");
}

static void test_callback_errors(void)
{
    static const char *const script[] = {
        GREET_PLAIN,
        LOGIN_OK,
        "C:UID FETCH 1:3 (UID FLAGS)",
        "S:* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS ())\r\n* 3 FETCH (UID 3 FLAGS ())"
        "\r\n$T OK\r\n",
        "C:UID FETCH 4 (BODY.PEEK[])",
        "S:* 4 FETCH (UID 4 BODY[] {6}\r\nabcdef)\r\n$T OK\r\n",
        "C:UID FETCH 5 (UID FLAGS)",
        "S:* 5 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (x))\r\n$T OK\r\n",
        "C:NOOP",
        "S:* 9 EXISTS\r\n$T OK\r\n",
        "C:UID FETCH 1 (UID)",
        "S:$T NO [SERVERBUG] oops\r\n",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_imap_events ev;
    rec r;
    ols_status st;

    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) != OLS_OK) {
        OK(0, "connect: %s", err.msg);
        fake_stop(&f, "callbacks");
        return;
    }
    events_init(&ev, &r);
    r.fail_message = 2;
    st = ols_imap_uid_fetch(im, "1:3", "(UID FLAGS)", 0, &ev, &err);
    OK(st == OLS_ENOSPC && r.messages == 2, "callback error ends the command: %s, %d calls",
       ols_status_name(st), r.messages);
    events_init(&ev, &r);
    r.fail_data = 1;
    st = ols_imap_uid_fetch(im, "4", "(BODY.PEEK[])", 0, &ev, &err);
    OK(st == OLS_EIO && r.begins == 1 && r.ends == 1, "body_data error: %s, begin %d end %d",
       ols_status_name(st), r.begins, r.ends);
    events_init(&ev, &r);
    st = ols_imap_uid_fetch(im, "5", "(UID FLAGS)", 0, &ev, &err);
    OK(st == OLS_EPROTO && r.messages == 0 && strstr(err.msg, "MODSEQ"),
       "malformed item value: %s", err.msg);
    events_init(&ev, &r);
    st = ols_imap_noop(im, &ev, &err);
    OK(st == OLS_OK && r.exists_n == 1 && r.last_exists == 9, "usable after value errors: %s",
       err.msg);
    st = ols_imap_uid_fetch(im, "1", "(UID)", 0, NULL, &err);
    OK(st == OLS_EIO && strstr(err.msg, "SERVERBUG"), "NO: %s", err.msg);
    ols_imap_close(im);
    fake_stop(&f, "callbacks");
}

static void test_protocol_violations(void)
{
    static const char *const cont[] = {
        GREET_PLAIN, LOGIN_OK, "C:NOOP", "S:+ unexpected\r\n", NULL};
    static const char *const tag[] = {
        GREET_PLAIN, LOGIN_OK, "C:NOOP", "S:zz99 OK who?\r\n", NULL};
    static const char *const closed[] = {
        GREET_PLAIN, LOGIN_OK, "C:NOOP", "S:* BYE shutting down\r\n", NULL};
    static const char *const greet[] = {"S:HTTP/1.1 400 Bad Request\r\n", NULL};
    static const char *const bye[] = {"S:* BYE too many connections\r\n", NULL};
    struct {
        const char *name;
        const char *const *script;
        ols_status want;
        const char *msg;
        int at_connect;
    } t[] = {
        {"unexpected continuation", cont, OLS_EPROTO, "continuation", 0},
        {"unknown tag", tag, OLS_EPROTO, "zz99", 0},
        {"closed after BYE", closed, OLS_ENET, "shutting down", 0},
        {"not IMAP", greet, OLS_EPROTO, NULL, 1},
        {"BYE greeting", bye, OLS_ENET, "too many", 1},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        fake f;
        ols_imap_config c;
        ols_imap *im = NULL;
        ols_err err = {0};
        ols_status st;
        fake_start(&f, t[i].script);
        cfg_init(&c, &f, OLS_SEC_PLAIN);
        st = ols_imap_connect(&c, &im, &err);
        if (!t[i].at_connect) {
            OK(st == OLS_OK, "%s: connect %s", t[i].name, err.msg);
            if (im)
                st = ols_imap_noop(im, NULL, &err);
        }
        OK(st == t[i].want, "%s: %s %s", t[i].name, ols_status_name(st), err.msg);
        OK(!t[i].msg || strstr(err.msg, t[i].msg), "%s: message %s", t[i].name, err.msg);
        ols_imap_close(im);
        fake_stop(&f, t[i].name);
    }
}

static int stop_yes(void *ctx)
{
    (void)ctx;
    return 1;
}

static void test_idle(void)
{
    static const char *const script[] = {
        "S:* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n",
        "C:LOGIN alice secret",
        "S:$T OK [CAPABILITY IMAP4rev1 IDLE] in\r\n",
        /* news ends IDLE */
        "C:IDLE",
        "S:+ idling\r\n",
        "S:* OK Still here\r\n",
        "S:* 5 EXISTS\r\n",
        "R:DONE",
        "S:$T OK IDLE terminated\r\n",
        /* stop() ends it at once */
        "C:IDLE",
        "S:+ idling\r\n",
        "R:DONE",
        "S:$T OK IDLE terminated\r\n",
        /* the server ends it by itself */
        "C:IDLE",
        "S:+ idling\r\n",
        "S:$T NO [LIMIT] too long\r\n",
        /* refused outright */
        "C:IDLE",
        "S:$T BAD no IDLE here\r\n",
        /* nothing at all until max_ms: documented to end with the connection closed */
        "C:IDLE",
        "S:+ idling\r\n",
        "E:",
        NULL};
    fake f;
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_imap_events ev;
    rec r;
    ols_status st;

    fake_start(&f, script);
    cfg_init(&c, &f, OLS_SEC_PLAIN);
    if (ols_imap_connect(&c, &im, &err) != OLS_OK) {
        OK(0, "connect: %s", err.msg);
        fake_stop(&f, "idle");
        return;
    }
    events_init(&ev, &r);
    st = ols_imap_idle(im, 600000, NULL, NULL, &ev, &err);
    OK(st == OLS_OK && r.exists_n == 1 && r.last_exists == 5, "IDLE ends on EXISTS: %s", err.msg);
    st = ols_imap_idle(im, 600000, stop_yes, NULL, &ev, &err);
    OK(st == OLS_OK, "IDLE ends on stop(): %s", err.msg);
    st = ols_imap_idle(im, 600000, NULL, NULL, &ev, &err);
    OK(st == OLS_ERANGE && strstr(err.msg, "too long"), "server ended IDLE: %s", err.msg);
    st = ols_imap_idle(im, 600000, NULL, NULL, &ev, &err);
    OK(st == OLS_EINVAL, "IDLE refused: %s", err.msg);
    st = ols_imap_idle(im, 300, NULL, NULL, &ev, &err);
    OK(st == OLS_ETIMEDOUT, "silent server until max_ms: %s %s", ols_status_name(st), err.msg);
    ols_imap_close(im);
    fake_stop(&f, "idle");
}

int main(void)
{
    ols_net_init();
    test_login_quoting();
    test_login_literal();
    test_auth_plain();
    test_starttls_refusals();
    test_pipelined_fetch();
    test_garbage_mid_fetch();
    test_append_literals();
    test_select_qresync();
    test_plain_server();
    test_list_extended();
    test_callback_errors();
    test_protocol_violations();
    test_idle();
    while (ntranscripts)
        free(transcripts[--ntranscripts]);
    return T_DONE();
}
