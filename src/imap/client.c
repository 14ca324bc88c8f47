/* IMAP connection: read loop and tagged-command machinery, set-up (TLS/STARTTLS fail closed,
 * authentication, ENABLE, COMPRESS, ID), untagged responses that update connection state. */
#include "imap/client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "olsync/log.h"
#include "olsync/mailflags.h"
#include "olsync/version.h"
#include "plat/plat.h"

/* ================= errors and state ================= */

ols_status im_broken(ols_imap *im, ols_err *err)
{
    if (err)
        *err = im->broken_err;
    return im->broken_err.code ? im->broken_err.code : OLS_EPROTO;
}

ols_status im_fail(ols_imap *im, ols_err *err)
{
    if (!im->broken) {
        im->broken = 1;
        if (err && err->code)
            im->broken_err = *err;
        else
            ols_err_set(&im->broken_err, OLS_EPROTO, "IMAP connection failed");
        ols_log(CH, im->closing ? OLS_LOG_DEBUG : OLS_LOG_WARNING, "connection unusable: %s",
                im->broken_err.msg);
    }
    return im_broken(im, err);
}

void im_note(ols_imap *im, ols_status st, const char *fmt, ...)
{
    va_list ap;
    if (im->cb_st != OLS_OK)
        return;
    im->cb_st = st;
    va_start(ap, fmt);
    ols_err_setv(&im->cb_err, st, fmt, ap);
    va_end(ap);
}

uint64_t im_caps(const ols_imap *im)
{
    return im->caps_raw & ~im->ignore;
}

uint64_t ols_imap_caps(ols_imap *im)
{
    return im ? im_caps(im) : 0;
}

ols_conn *ols_imap_conn(ols_imap *im)
{
    return im ? im->conn : NULL;
}

void ols_imap_set_events(ols_imap *im, const ols_imap_events *ev)
{
    if (im)
        im->default_ev = ev;
}

int im_safe_text(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

/* ================= streaming body sections ================= */

static const ols_imap_events *cur_ev(ols_imap *im)
{
    return im->ev ? im->ev : im->default_ev;
}

/* FETCH body items (BODY[...], BINARY[...], RFC822...) go to the caller as they arrive. */
static int hook_literal(void *ctx, const ols_imap_literal_info *li)
{
    ols_imap *im = ctx;
    const ols_imap_events *ev = cur_ev(im);
    const ols_imap_arg *a;
    uint32_t uid = 0;
    size_t i;

    if (!li->line->keyword || strcmp(li->line->keyword, "FETCH") || li->depth != 1 ||
        !(li->index & 1) || !li->prev || li->prev->type != OLS_IMAP_ARG_ATOM ||
        !ols_imap_is_body_key(li->prev->s))
        return 0;
    /* the UID, when the server put it before the section */
    for (a = li->container->list, i = 0; a && a->next && i + 1 < li->index; a = a->next->next, i += 2)
        if (ols_imap_atom_is(a, "UID") && !ols_imap_arg_u32(a->next, &uid))
            uid = 0;
    im->body_begun = 0;
    im->body_ev = ev;
    if (ev && ev->body_begin && im->cb_st == OLS_OK) {
        ols_status st = ev->body_begin(ev->ctx, uid, li->prev->s, li->size);
        if (st != OLS_OK)
            im_note(im, st, "body_begin for UID %u %s refused", (unsigned)uid, li->prev->s);
        else
            im->body_begun = 1;
    }
    return 1; /* streamed even when nobody takes it: never held in memory */
}

static ols_status hook_data(void *ctx, const void *p, size_t n)
{
    ols_imap *im = ctx;
    const ols_imap_events *ev = im->body_ev;
    if (im->body_begun && im->cb_st == OLS_OK && ev && ev->body_data) {
        ols_status st = ev->body_data(ev->ctx, p, n);
        if (st != OLS_OK)
            im_note(im, st, "body_data refused %zu bytes", n);
    }
    return OLS_OK;
}

static ols_status hook_end(void *ctx)
{
    ols_imap *im = ctx;
    const ols_imap_events *ev = im->body_ev;
    if (im->body_begun) {
        im->body_begun = 0;
        if (ev && ev->body_end) {
            ols_status st = ev->body_end(ev->ctx);
            if (st != OLS_OK)
                im_note(im, st, "body_end refused the section");
        }
    }
    return OLS_OK;
}

/* A section cut off by a broken connection still gets its end: begin/end always pair,
 * and the command's status says whether the data was complete. */
static void end_open_body(ols_imap *im)
{
    if (im->body_begun)
        hook_end(im);
}

/* ================= reading ================= */

static ols_status read_line(ols_imap *im, const ols_imap_line **out, ols_err *err)
{
    if (im->broken)
        return im_broken(im, err);
    for (;;) {
        size_t used = 0;
        ols_imap_parse_result r;
        if (im->rpos == im->rlen) {
            long n = ols_conn_read(im->conn, im->rbuf, IM_RBUF, err);
            if (n == 0) {
                ols_err_set(err, OLS_ENET, "the server closed the connection%s%s",
                            im->bye[0] ? ": " : "", im->bye);
                end_open_body(im);
                return im_fail(im, err);
            }
            if (n < 0) {
                end_open_body(im);
                return im_fail(im, err);
            }
            im->rpos = 0;
            im->rlen = (size_t)n;
        }
        r = ols_imap_parser_feed(im->p, im->rbuf + im->rpos, im->rlen - im->rpos, &used, err);
        im->rpos += used;
        if (r == OLS_IMAP_PARSE_LINE) {
            *out = ols_imap_parser_line(im->p);
            return OLS_OK;
        }
        if (r == OLS_IMAP_PARSE_ERROR) {
            end_open_body(im);
            return im_fail(im, err);
        }
    }
}

/* ================= untagged responses ================= */

static void mailbox_code(ols_imap *im, const ols_imap_line *l)
{
    const char *c = l->code;
    const ols_imap_arg *a = l->code_args;
    if (!strcmp(c, "CAPABILITY")) {
        im->caps_raw = ols_imap_caps_parse(a);
        im->have_caps = 1;
    } else if (!strcmp(c, "UIDVALIDITY")) {
        if (!ols_imap_arg_u32(a, &im->mb.uidvalidity))
            im_note(im, OLS_EPROTO, "malformed UIDVALIDITY");
    } else if (!strcmp(c, "UIDNEXT")) {
        if (!ols_imap_arg_u32(a, &im->mb.uidnext))
            im_note(im, OLS_EPROTO, "malformed UIDNEXT");
    } else if (!strcmp(c, "HIGHESTMODSEQ")) {
        if (!ols_imap_arg_u64(a, &im->mb.highestmodseq))
            im_note(im, OLS_EPROTO, "malformed HIGHESTMODSEQ");
    } else if (!strcmp(c, "NOMODSEQ")) {
        im->mb.highestmodseq = 0;
    } else if (!strcmp(c, "PERMANENTFLAGS")) {
        unsigned bits;
        int any;
        ols_err e;
        if (ols_imap_flags_parse(a, &bits, NULL, &any, &e) != OLS_OK) {
            im_note(im, OLS_EPROTO, "malformed PERMANENTFLAGS");
        } else {
            im->mb.permanentflags = bits | (any ? OLS_MF_FORWARDED : 0);
            im->have_permflags = 1;
        }
    } else if (!strcmp(c, "READ-ONLY")) {
        im->mb.readonly = 1;
    } else if (!strcmp(c, "READ-WRITE")) {
        im->mb.readonly = 0;
    } else if (!strcmp(c, "CLOSED")) {
        /* QRESYNC: what came before belonged to the mailbox selected earlier */
        memset(&im->mb, 0, sizeof im->mb);
        im->have_permflags = 0;
    } else if (!strcmp(c, "COPYUID") && l->kind == OLS_IMAP_UNTAGGED) {
        const ols_imap_arg *x;
        size_t n = 0;
        char buf[4096];
        buf[0] = 0;
        for (x = a; x; x = x->next) {
            if (x->type != OLS_IMAP_ARG_ATOM || n + x->len + 2 > sizeof buf)
                break;
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? " " : "", x->s);
        }
        free(im->copyuid);
        im->copyuid = strdup(buf);
    } else if (!strcmp(c, "ALERT")) {
        OLS_LOG_WARN(CH, "server alert: %s", l->text ? l->text : "");
    }
}

static void vanished(ols_imap *im, const ols_imap_line *l)
{
    const ols_imap_arg *a = l->args;
    const ols_imap_events *ev = cur_ev(im);
    int earlier = 0;
    if (a && a->type == OLS_IMAP_ARG_LIST) {
        earlier = a->len == 1 && ols_imap_atom_is(a->list, "EARLIER");
        a = a->next;
    }
    if (!a || a->type != OLS_IMAP_ARG_ATOM || a->next || !ols_imap_seqset_valid(a->s) ||
        strchr(a->s, '*')) {
        im_note(im, OLS_EPROTO, "malformed VANISHED response");
        return;
    }
    im->activity = 1;
    if (ev && ev->vanished && im->cb_st == OLS_OK)
        ev->vanished(ev->ctx, a->s, earlier);
}

static void untagged(ols_imap *im, const ols_imap_line *l)
{
    const char *kw = l->keyword;
    const ols_imap_events *ev = cur_ev(im);

    if (l->status) {
        if (l->code)
            mailbox_code(im, l);
        if (l->status == OLS_IMAP_RESP_BYE)
            snprintf(im->bye, sizeof im->bye, "%s", l->text);
        else if (l->status == OLS_IMAP_RESP_NO || l->status == OLS_IMAP_RESP_BAD)
            OLS_LOG_WARN(CH, "server: %s %s", kw, l->text);
        if (im->untagged)
            im->untagged(im, l, im->uctx);
        return;
    }
    if (!strcmp(kw, "CAPABILITY")) {
        im->caps_raw = ols_imap_caps_parse(l->args);
        im->have_caps = 1;
    } else if (!strcmp(kw, "ENABLED")) {
        const ols_imap_arg *a;
        for (a = l->args; a; a = a->next) {
            if (ols_imap_atom_is(a, "QRESYNC"))
                im->qresync_on = im->condstore_on = 1;
            else if (ols_imap_atom_is(a, "CONDSTORE"))
                im->condstore_on = 1;
        }
    } else if (l->has_num && !strcmp(kw, "EXISTS")) {
        im->mb.exists = l->num;
        im->activity = 1;
        if (ev && ev->exists && im->cb_st == OLS_OK)
            ev->exists(ev->ctx, l->num);
    } else if (l->has_num && !strcmp(kw, "EXPUNGE")) {
        if (l->num == 0) {
            im_note(im, OLS_EPROTO, "EXPUNGE of message 0");
            return;
        }
        if (im->mb.exists)
            im->mb.exists--;
        im->activity = 1;
        if (ev && ev->expunge && im->cb_st == OLS_OK)
            ev->expunge(ev->ctx, l->num);
    } else if (!strcmp(kw, "VANISHED")) {
        vanished(im, l);
    } else if (l->has_num && !strcmp(kw, "FETCH")) {
        im->activity = 1;
        im_fetch_line(im, l);
    } else if (!strcmp(kw, "FLAGS")) {
        unsigned bits;
        ols_err e;
        if (!im->have_permflags && ols_imap_flags_parse(l->args, &bits, NULL, NULL, &e) == OLS_OK)
            im->mb.permanentflags = bits; /* RFC 3501: no PERMANENTFLAGS -> these */
    } else if (im->untagged) {
        im->untagged(im, l, im->uctx);
    }
}

/* ================= commands ================= */

static im_pend *find_pend(ols_imap *im, const char *tag)
{
    uint32_t n;
    size_t i;
    if (tag[0] != 'a' || !ols_imap_str_u32(tag + 1, &n))
        return NULL;
    for (i = 0; i < IM_MAX_INFLIGHT; i++)
        if (im->pend[i].used && !im->pend[i].done && im->pend[i].tag == n)
            return &im->pend[i];
    return NULL;
}

static char *join_args(const ols_imap_arg *a)
{
    size_t n = 0;
    char *out = calloc(1, 1);
    for (; a && out; a = a->next) {
        char *s = ols_imap_serialize(a), *x;
        size_t l;
        if (!s)
            break;
        l = strlen(s);
        x = realloc(out, n + l + 2);
        if (!x) {
            free(s);
            break;
        }
        out = x;
        if (n)
            out[n++] = ' ';
        memcpy(out + n, s, l + 1);
        n += l;
        free(s);
    }
    return out;
}

ols_status im_step(ols_imap *im, ols_err *err)
{
    const ols_imap_line *l;
    ols_status st = read_line(im, &l, err);
    im_pend *p;
    if (st != OLS_OK)
        return st;
    switch (l->kind) {
    case OLS_IMAP_UNTAGGED:
        untagged(im, l);
        break;
    case OLS_IMAP_CONTINUATION:
        if (!im->want_cont) {
            ols_err_set(err, OLS_EPROTO, "unexpected continuation request from the server");
            return im_fail(im, err);
        }
        im->got_cont = 1;
        snprintf(im->cont_text, sizeof im->cont_text, "%s", l->text);
        break;
    case OLS_IMAP_TAGGED:
        if (!(p = find_pend(im, l->tag))) {
            ols_err_set(err, OLS_EPROTO, "answer with tag %.40s to no command sent", l->tag);
            return im_fail(im, err);
        }
        p->done = 1;
        p->st = l->status;
        snprintf(p->code, sizeof p->code, "%s", l->code ? l->code : "");
        snprintf(p->text, sizeof p->text, "%s", l->text);
        free(p->codeargs);
        p->codeargs = l->code_args ? join_args(l->code_args) : NULL;
        if (l->code && (!strcmp(l->code, "CAPABILITY") || !strcmp(l->code, "READ-ONLY") ||
                        !strcmp(l->code, "READ-WRITE")))
            mailbox_code(im, l);
        break;
    }
    return OLS_OK;
}

ols_status im_wait(ols_imap *im, im_pend *p, ols_err *err)
{
    while (!p->done) {
        ols_status st = im_step(im, err);
        if (st != OLS_OK)
            return st;
    }
    return OLS_OK;
}

void im_release(im_pend *p)
{
    free(p->codeargs);
    memset(p, 0, sizeof *p);
}

ols_status im_begin_more(ols_imap *im, im_pend **out, ols_err *err)
{
    size_t i;
    char tag[16];
    im_pend *p = NULL;
    if (im->broken)
        return im_broken(im, err);
    for (i = 0; i < IM_MAX_INFLIGHT; i++)
        if (!im->pend[i].used) {
            p = &im->pend[i];
            break;
        }
    if (!p)
        return ols_err_set(err, OLS_EBUSY, "too many IMAP commands in flight");
    memset(p, 0, sizeof *p);
    if (im->olen) { /* a command given up before its line ended never reached the wire */
        ols_memzero(im->obuf, im->olen);
        im->olen = 0;
    }
    p->used = 1;
    p->tag = ++im->next_tag;
    if (p->tag == 0)
        p->tag = im->next_tag = 1;
    snprintf(tag, sizeof tag, "a%u ", (unsigned)p->tag);
    *out = p;
    return im_put(im, tag, err);
}

void im_prepare(ols_imap *im, const ols_imap_events *ev, im_untagged_fn fn, void *ctx)
{
    im->ev = ev;
    im->untagged = fn;
    im->uctx = ctx;
    im->cb_st = OLS_OK;
    ols_err_clear(&im->cb_err);
    im->want_cont = im->got_cont = 0;
    im->activity = 0;
}

ols_status im_begin(ols_imap *im, const ols_imap_events *ev, im_untagged_fn fn, void *ctx,
                    im_pend **out, ols_err *err)
{
    if (im->broken)
        return im_broken(im, err);
    im_prepare(im, ev, fn, ctx);
    return im_begin_more(im, out, err);
}

/* Command text collects here until its line ends (or a literal follows), so the
 * connection -- and its protocol trace -- gets whole lines. */
ols_status im_put(ols_imap *im, const char *s, ols_err *err)
{
    size_t n = strlen(s);
    if (im->broken)
        return im_broken(im, err);
    if (im->olen + n + 1 > im->ocap) {
        size_t cap = im->ocap ? im->ocap : 1024;
        char *x;
        while (cap < im->olen + n + 1)
            cap *= 2;
        if (!(x = realloc(im->obuf, cap)))
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        im->obuf = x;
        im->ocap = cap;
    }
    memcpy(im->obuf + im->olen, s, n);
    im->olen += n;
    return OLS_OK;
}

static ols_status out_push(ols_imap *im, ols_err *err)
{
    ols_status st = OLS_OK;
    if (im->olen) {
        st = ols_conn_write(im->conn, im->obuf, im->olen, err);
        ols_memzero(im->obuf, im->olen); /* may have held a password */
        im->olen = 0;
    }
    return st == OLS_OK ? st : im_fail(im, err);
}

ols_status im_putf(ols_imap *im, ols_err *err, const char *fmt, ...)
{
    char buf[1024], *big = NULL;
    va_list ap;
    int n;
    ols_status st;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ols_err_set(err, OLS_EINVAL, "cannot format IMAP command");
    if ((size_t)n >= sizeof buf) {
        if (!(big = malloc((size_t)n + 1)))
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    st = im_put(im, big ? big : buf, err);
    free(big);
    return st;
}

ols_status im_end(ols_imap *im, im_pend *p, int flush, ols_err *err)
{
    ols_status st = im_put(im, "\r\n", err);
    (void)p;
    if (st == OLS_OK)
        st = out_push(im, err);
    if (st == OLS_OK && flush && (st = ols_conn_flush(im->conn, err)) != OLS_OK)
        return im_fail(im, err);
    return st;
}

ols_status im_put_literal(ols_imap *im, im_pend *p, const void *data, size_t len, ols_err *err)
{
    uint64_t caps = im_caps(im);
    int nonsync = (caps & OLS_CAP_LITERALPLUS) || ((caps & OLS_CAP_LITERALMINUS) && len <= 4096);
    const unsigned char *d = data;
    ols_status st = im_putf(im, err, "{%zu%s}\r\n", len, nonsync ? "+" : "");
    if (st == OLS_OK)
        st = out_push(im, err);
    if (st != OLS_OK)
        return st;
    if (!nonsync) {
        if ((st = ols_conn_flush(im->conn, err)) != OLS_OK)
            return im_fail(im, err);
        im->want_cont = 1;
        im->got_cont = 0;
        while (!im->got_cont && !p->done)
            if ((st = im_step(im, err)) != OLS_OK)
                return st;
        im->want_cont = 0;
        im->got_cont = 0;
        if (p->done) /* refused instead of "+": the command is over */
            return im_result(im, p, "literal", err) == OLS_OK
                       ? ols_err_set(err, OLS_EPROTO, "server ended a command mid-literal")
                       : err->code;
    }
    while (len) {
        size_t k = len > IM_RBUF ? IM_RBUF : len;
        if ((st = ols_conn_write(im->conn, d, k, err)) != OLS_OK)
            return im_fail(im, err);
        d += k;
        len -= k;
    }
    return OLS_OK;
}

static int atom_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("(){%*\"\\]", c);
}

static ols_status put_string(ols_imap *im, im_pend *p, const char *s, int allow_atom, ols_err *err)
{
    const unsigned char *u = (const unsigned char *)s;
    int atom = allow_atom && *u != 0, quoted = 1;
    size_t i, n = strlen(s);
    for (i = 0; i < n; i++) {
        if (!atom_char(u[i]))
            atom = 0;
        if (u[i] == '\r' || u[i] == '\n' || u[i] >= 0x80)
            quoted = 0;
    }
    if (atom && ols_imap_strcaseeq(s, "NIL"))
        atom = 0;
    if (atom)
        return im_put(im, s, err);
    if (quoted) {
        char *q = malloc(n * 2 + 3), *o = q;
        ols_status st;
        if (!q)
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        *o++ = '"';
        for (i = 0; i < n; i++) {
            if (s[i] == '"' || s[i] == '\\')
                *o++ = '\\';
            *o++ = s[i];
        }
        *o++ = '"';
        *o = 0;
        st = im_put(im, q, err);
        ols_memzero(q, n * 2 + 3); /* may be a password */
        free(q);
        return st;
    }
    return im_put_literal(im, p, s, n, err);
}

ols_status im_put_astring(ols_imap *im, im_pend *p, const char *s, ols_err *err)
{
    return put_string(im, p, s, 1, err);
}

ols_status im_put_string(ols_imap *im, im_pend *p, const char *s, ols_err *err)
{
    return put_string(im, p, s, 0, err);
}

static ols_status code_status(const char *code, ols_imap_resp st)
{
    static const struct {
        const char *code;
        ols_status st;
    } map[] = {{"NONEXISTENT", OLS_ENOENT},       {"TRYCREATE", OLS_ENOENT},
               {"ALREADYEXISTS", OLS_EEXIST},     {"AUTHENTICATIONFAILED", OLS_EAUTH},
               {"AUTHORIZATIONFAILED", OLS_EAUTH}, {"EXPIRED", OLS_EAUTH},
               {"NOPERM", OLS_EAUTH},             {"PRIVACYREQUIRED", OLS_EAUTH},
               {"OVERQUOTA", OLS_ENOSPC},         {"LIMIT", OLS_ERANGE},
               {"INUSE", OLS_EBUSY},              {"UNAVAILABLE", OLS_EBUSY},
               {"CANNOT", OLS_EINVAL}};
    size_t i;
    for (i = 0; code && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(code, map[i].code))
            return map[i].st;
    return st == OLS_IMAP_RESP_BAD ? OLS_EINVAL : OLS_EIO;
}

ols_status im_result(ols_imap *im, im_pend *p, const char *what, ols_err *err)
{
    ols_status st;
    if (p->st == OLS_IMAP_RESP_OK) {
        im_release(p);
        if (im->cb_st != OLS_OK) {
            if (err)
                *err = im->cb_err;
            return im->cb_st;
        }
        return OLS_OK;
    }
    st = code_status(p->code, p->st);
    ols_err_set(err, st, "%s: %s%s%s%s %s", what, p->st == OLS_IMAP_RESP_NO ? "NO" : "BAD",
                p->code[0] ? " [" : "", p->code, p->code[0] ? "]" : "", p->text);
    im_release(p);
    return st;
}

ols_status im_simple(ols_imap *im, const char *what, ols_err *err, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    im_pend *p;
    ols_status st;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if ((st = im_begin(im, NULL, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_put(im, buf, err)) != OLS_OK || (st = im_end(im, p, 1, err)) != OLS_OK ||
        (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    return im_result(im, p, what, err);
}

/* ================= connection set-up ================= */

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_encode(const unsigned char *in, size_t n, char *out)
{
    size_t i;
    for (i = 0; i + 2 < n; i += 3) {
        *out++ = b64chars[in[i] >> 2];
        *out++ = b64chars[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        *out++ = b64chars[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
        *out++ = b64chars[in[i + 2] & 63];
    }
    if (n - i == 1) {
        *out++ = b64chars[in[i] >> 2];
        *out++ = b64chars[(in[i] & 3) << 4];
        *out++ = '=';
        *out++ = '=';
    } else if (n - i == 2) {
        *out++ = b64chars[in[i] >> 2];
        *out++ = b64chars[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        *out++ = b64chars[(in[i + 1] & 15) << 2];
        *out++ = '=';
    }
    *out = 0;
}

static ols_status capability(ols_imap *im, ols_err *err)
{
    ols_status st = im_simple(im, "CAPABILITY", err, "CAPABILITY");
    if (st == OLS_OK && !im->have_caps)
        return ols_err_set(err, OLS_EPROTO, "the server answered CAPABILITY without capabilities");
    return st;
}

/* AUTHENTICATE PLAIN (RFC 4616), with the initial response when SASL-IR is offered. */
static ols_status auth_plain(ols_imap *im, const char *user, const char *pass, ols_err *err)
{
    size_t ul = strlen(user), pl = strlen(pass), rawlen = ul + pl + 2;
    unsigned char *raw = malloc(rawlen);
    char *b64 = malloc((rawlen + 2) / 3 * 4 + 3);
    int sent = 0;
    im_pend *p;
    ols_status st;

    if (!raw || !b64) {
        free(raw);
        free(b64);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    raw[0] = 0;
    memcpy(raw + 1, user, ul);
    raw[1 + ul] = 0;
    memcpy(raw + 2 + ul, pass, pl);
    b64_encode(raw, rawlen, b64);
    ols_memzero(raw, rawlen);
    free(raw);

    st = im_begin(im, NULL, NULL, NULL, &p, err);
    if (st == OLS_OK)
        st = im_put(im, "AUTHENTICATE PLAIN", err);
    if (st == OLS_OK && (im_caps(im) & OLS_CAP_SASL_IR)) {
        if ((st = im_put(im, " ", err)) == OLS_OK)
            st = im_put(im, b64, err);
        sent = 1;
    }
    if (st == OLS_OK)
        st = im_end(im, p, 1, err);
    im->want_cont = 1;
    while (st == OLS_OK && !p->done) {
        if ((st = im_step(im, err)) != OLS_OK || !im->got_cont)
            continue;
        im->got_cont = 0;
        /* our response, or "*" to give up on a challenge PLAIN does not have */
        st = im_put(im, sent ? "*" : b64, err);
        sent = 1;
        if (st == OLS_OK)
            st = im_end(im, p, 1, err);
    }
    im->want_cont = 0;
    ols_memzero(b64, strlen(b64));
    free(b64);
    if (st != OLS_OK)
        return st;
    return im_result(im, p, "AUTHENTICATE PLAIN", err);
}

static ols_status login(ols_imap *im, const char *user, const char *pass, ols_err *err)
{
    im_pend *p;
    ols_status st = im_begin(im, NULL, NULL, NULL, &p, err);
    if (st == OLS_OK)
        st = im_put(im, "LOGIN ", err);
    if (st == OLS_OK)
        st = im_put_astring(im, p, user, err);
    if (st == OLS_OK)
        st = im_put(im, " ", err);
    if (st == OLS_OK)
        st = im_put_astring(im, p, pass, err);
    if (st == OLS_OK)
        st = im_end(im, p, 1, err);
    if (st == OLS_OK)
        st = im_wait(im, p, err);
    if (st != OLS_OK)
        return st;
    return im_result(im, p, "LOGIN", err);
}

static ols_status authenticate(ols_imap *im, const ols_imap_config *cfg, ols_err *err)
{
    uint64_t caps = im_caps(im);
    ols_status st;
    if (cfg->security != OLS_SEC_PLAIN && !ols_conn_is_tls(im->conn)) /* cannot happen */
        return ols_err_set(err, OLS_ETLS, "refusing to send credentials without TLS");
    if (strlen(cfg->user) > 1024 || strlen(cfg->password) > 1024)
        return ols_err_set(err, OLS_EINVAL, "user name or password longer than 1024 bytes");
    if (!(caps & OLS_CAP_AUTH_PLAIN) && (im->caps_raw & OLS_CAP_LOGINDISABLED))
        return ols_err_set(err, OLS_EAUTH,
                           "the server does not allow LOGIN here (LOGINDISABLED) and offers no "
                           "AUTHENTICATE PLAIN%s",
                           ols_conn_is_tls(im->conn) ? "" : "; use TLS or STARTTLS");
    im->have_caps = 0;
    ols_conn_set_trace(im->conn, NULL); /* credentials never reach the protocol trace */
    if (caps & OLS_CAP_AUTH_PLAIN)
        st = auth_plain(im, cfg->user, cfg->password, err);
    else
        st = login(im, cfg->user, cfg->password, err);
    ols_conn_set_trace(im->conn, im->trace);
    if (st == OLS_EIO || st == OLS_EINVAL) /* a plain NO or BAD to a login is a refusal */
        err->code = st = OLS_EAUTH;
    return st;
}

/* STARTTLS, failing closed: only the STARTTLS capability of the plaintext phase is used,
 * anything the server sends after its OK and before TLS is an attack. */
static ols_status starttls(ols_imap *im, const ols_imap_config *cfg, ols_err *err)
{
    ols_status st;
    if (!im->have_caps && (st = capability(im, err)) != OLS_OK)
        return st;
    if (!(im->caps_raw & OLS_CAP_STARTTLS))
        return ols_err_set(err, OLS_ETLS,
                           "%s does not offer STARTTLS; refusing to continue without TLS",
                           cfg->host);
    st = im_simple(im, "STARTTLS", err, "STARTTLS");
    if (st != OLS_OK) {
        if (im->broken)
            return st;
        return ols_err_prefix(err, "%s refused STARTTLS; not continuing without TLS", cfg->host),
               err->code = OLS_ETLS;
    }
    if (im->rpos != im->rlen || ols_imap_parser_mid_line(im->p) || ols_conn_pending(im->conn)) {
        ols_err_set(err, OLS_ETLS,
                    "%s sent data after its STARTTLS answer and before TLS (response "
                    "injection?); refusing the connection",
                    cfg->host);
        return im_fail(im, err);
    }
    if ((st = ols_conn_start_tls(im->conn, &cfg->tls, cfg->host, err)) != OLS_OK)
        return im_fail(im, err);
    /* nothing learnt before TLS is trusted */
    im->caps_raw = 0;
    im->have_caps = 0;
    return capability(im, err);
}

static ols_status compress(ols_imap *im, ols_err *err)
{
    ols_status st = im_simple(im, "COMPRESS", err, "COMPRESS DEFLATE");
    if (st != OLS_OK) {
        if (im->broken)
            return st;
        OLS_LOG_INFO(CH, "COMPRESS refused: %s", err->msg);
        return OLS_OK;
    }
    if (im->rpos != im->rlen || ols_imap_parser_mid_line(im->p)) {
        ols_err_set(err, OLS_EPROTO, "the server sent data right after COMPRESS was accepted");
        return im_fail(im, err);
    }
    if ((st = ols_conn_start_deflate(im->conn, err)) != OLS_OK)
        return im_fail(im, err);
    return OLS_OK;
}

static ols_status greeting(ols_imap *im, const ols_imap_config *cfg, int *preauth, ols_err *err)
{
    const ols_imap_line *l;
    ols_status st = read_line(im, &l, err);
    if (st != OLS_OK)
        return st;
    if (l->kind != OLS_IMAP_UNTAGGED ||
        (l->status != OLS_IMAP_RESP_OK && l->status != OLS_IMAP_RESP_PREAUTH &&
         l->status != OLS_IMAP_RESP_BYE)) {
        ols_err_set(err, OLS_EPROTO, "%s did not greet like an IMAP server", cfg->host);
        return im_fail(im, err);
    }
    if (l->status == OLS_IMAP_RESP_BYE) {
        ols_err_set(err, OLS_ENET, "%s refused the connection: %s", cfg->host, l->text);
        return im_fail(im, err);
    }
    if (l->status == OLS_IMAP_RESP_PREAUTH && cfg->security == OLS_SEC_STARTTLS) {
        /* authenticated in the clear: STARTTLS is no longer possible */
        ols_err_set(err, OLS_ETLS, "%s sent PREAUTH before STARTTLS; refusing the connection",
                    cfg->host);
        return im_fail(im, err);
    }
    *preauth = l->status == OLS_IMAP_RESP_PREAUTH;
    if (l->code && !strcmp(l->code, "CAPABILITY")) {
        im->caps_raw = ols_imap_caps_parse(l->code_args);
        im->have_caps = 1;
    }
    return OLS_OK;
}

static ols_status setup(ols_imap *im, const ols_imap_config *cfg, ols_err *err)
{
    int preauth = 0;
    uint64_t caps;
    ols_status st;

    if ((st = ols_conn_open(cfg->host, cfg->port, im->timeout_ms, &im->conn, err)) != OLS_OK)
        return st;
    if (im->trace)
        ols_conn_set_trace(im->conn, im->trace);
    if (cfg->security == OLS_SEC_TLS &&
        (st = ols_conn_start_tls(im->conn, &cfg->tls, cfg->host, err)) != OLS_OK)
        return st;
    if ((st = greeting(im, cfg, &preauth, err)) != OLS_OK)
        return st;
    if (cfg->security == OLS_SEC_STARTTLS && (st = starttls(im, cfg, err)) != OLS_OK)
        return st;
    if (!im->have_caps && (st = capability(im, err)) != OLS_OK)
        return st;
    if (!preauth) {
        if ((st = authenticate(im, cfg, err)) != OLS_OK)
            return st;
        if (!im->have_caps && (st = capability(im, err)) != OLS_OK)
            return st;
    }
    caps = im_caps(im);
    if (caps & OLS_CAP_ENABLE) {
        if (caps & OLS_CAP_QRESYNC)
            st = im_simple(im, "ENABLE", err, "ENABLE QRESYNC");
        else if (caps & OLS_CAP_CONDSTORE)
            st = im_simple(im, "ENABLE", err, "ENABLE CONDSTORE");
        if (st != OLS_OK && im->broken)
            return st;
        st = OLS_OK;
    }
    if ((caps & OLS_CAP_CONDSTORE) && !(caps & OLS_CAP_ENABLE))
        im->condstore_on = 1; /* turned on by the first command that uses it */
    if ((caps & OLS_CAP_COMPRESS) && !cfg->no_compress && !ols_conn_is_compressed(im->conn) &&
        (st = compress(im, err)) != OLS_OK)
        return st;
    if (caps & OLS_CAP_ID) {
        st = im_simple(im, "ID", err, "ID (\"name\" \"olsync\" \"version\" \"%s\")", OLS_VERSION);
        if (st != OLS_OK && im->broken)
            return st;
    }
    return OLS_OK;
}

ols_status ols_imap_connect(const ols_imap_config *cfg, ols_imap **out, ols_err *err)
{
    ols_imap *im;
    ols_imap_parser_hooks hooks;
    ols_status st;

    *out = NULL;
    if (!cfg || !cfg->host || !*cfg->host || !cfg->user || !cfg->password)
        return ols_err_set(err, OLS_EINVAL, "IMAP host, user and password are required");
    if (cfg->security != OLS_SEC_TLS && cfg->security != OLS_SEC_STARTTLS &&
        cfg->security != OLS_SEC_PLAIN)
        return ols_err_set(err, OLS_EINVAL, "unknown IMAP security mode %d", (int)cfg->security);
    if (!(im = calloc(1, sizeof *im)))
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    memset(&hooks, 0, sizeof hooks);
    hooks.ctx = im;
    hooks.literal = hook_literal;
    hooks.data = hook_data;
    hooks.end = hook_end;
    im->p = ols_imap_parser_new(NULL, &hooks);
    im->rbuf = malloc(IM_RBUF);
    im->trace = cfg->trace ? strdup(cfg->trace) : NULL;
    if (!im->p || !im->rbuf || (cfg->trace && !im->trace)) {
        ols_imap_close(im);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    im->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 60000;
    im->ignore = cfg->ignore_caps & ~(OLS_CAP_STARTTLS | OLS_CAP_LOGINDISABLED);
    st = setup(im, cfg, err);
    if (st != OLS_OK) {
        im->broken = 1; /* no LOGOUT on a half-open connection */
        ols_err_prefix(err, "IMAP %s:%u", cfg->host, (unsigned)cfg->port);
        ols_imap_close(im);
        return st;
    }
    OLS_LOG_INFO(CH, "connected to %s:%u as %s (%s%s)", cfg->host, (unsigned)cfg->port, cfg->user,
                 ols_conn_is_tls(im->conn) ? "TLS" : "plain",
                 ols_conn_is_compressed(im->conn) ? ", compressed" : "");
    *out = im;
    return OLS_OK;
}

void ols_imap_close(ols_imap *im)
{
    size_t i;
    if (!im)
        return;
    im->closing = 1;
    if (im->conn && !im->broken) {
        ols_err e;
        im_pend *p;
        ols_conn_set_timeout(im->conn, 5000);
        if (im_begin(im, NULL, NULL, NULL, &p, &e) == OLS_OK && im_put(im, "LOGOUT", &e) == OLS_OK &&
            im_end(im, p, 1, &e) == OLS_OK)
            im_wait(im, p, &e);
    }
    ols_conn_close(im->conn);
    ols_imap_parser_free(im->p);
    for (i = 0; i < IM_MAX_INFLIGHT; i++)
        free(im->pend[i].codeargs);
    free(im->rbuf);
    free(im->obuf);
    free(im->trace);
    free(im->copyuid);
    free(im);
}
