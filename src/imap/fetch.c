/* Message commands: SELECT (QRESYNC), UID FETCH (single and pipelined), STORE, SEARCH,
 * APPEND, MOVE, EXPUNGE, NOOP, IDLE; FETCH responses turned into ols_imap_msg. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/client.h"
#include "olsync/log.h"
#include "olsync/mailflags.h"
#include "plat/plat.h"

/* ================= FETCH responses ================= */

void im_fetch_line(ols_imap *im, const ols_imap_line *l)
{
    const ols_imap_events *ev = im->ev ? im->ev : im->default_ev;
    const ols_imap_arg *k, *v;
    ols_imap_msg m;
    char *bs = NULL, *kw = NULL;
    ols_err e;
    ols_status st = ols_imap_fetch_decode(l, &m, &bs, &kw, &e);
    if (st != OLS_OK) {
        im_note(im, st, "%s", e.msg);
        return;
    }
    /* body items the server sent as quoted strings or NIL (streamed ones are done) */
    for (k = l->args->list; k && (v = k->next) != NULL; k = v->next) {
        if (k->type != OLS_IMAP_ARG_ATOM || !ols_imap_is_body_key(k->s) ||
            v->type == OLS_IMAP_ARG_STREAMED || v->type == OLS_IMAP_ARG_LIST)
            continue;
        if (!ev || !ev->body_begin || im->cb_st != OLS_OK)
            continue;
        st = ev->body_begin(ev->ctx, m.uid, k->s, v->type == OLS_IMAP_ARG_STRING ? v->len : 0);
        if (st != OLS_OK) {
            im_note(im, st, "body_begin for UID %u %s refused", (unsigned)m.uid, k->s);
            continue;
        }
        if (v->type == OLS_IMAP_ARG_STRING && v->len && ev->body_data &&
            (st = ev->body_data(ev->ctx, v->s, v->len)) != OLS_OK)
            im_note(im, st, "body_data refused %zu bytes", v->len);
        if (ev->body_end && (st = ev->body_end(ev->ctx)) != OLS_OK)
            im_note(im, st, "body_end refused the section");
    }
    if (ev && ev->message && im->cb_st == OLS_OK && (st = ev->message(ev->ctx, &m)) != OLS_OK)
        im_note(im, st, "message callback refused UID %u", (unsigned)m.uid);
    free(bs);
    free(kw);
}

/* ================= SELECT ================= */

ols_status ols_imap_select(ols_imap *im, const char *mailbox, int readonly,
                           const ols_imap_qresync *q, const ols_imap_events *ev,
                           ols_imap_mailbox *out, ols_err *err)
{
    ols_err tmp;
    im_pend *p;
    ols_status st;
    uint64_t caps;

    err = ERRP(err, tmp);
    if (!im || !mailbox)
        return ols_err_set(err, OLS_EINVAL, "SELECT: no mailbox");
    if (q && q->known_uids && !ols_imap_seqset_valid(q->known_uids))
        return ols_err_set(err, OLS_EINVAL, "SELECT: malformed known UID set");
    caps = im_caps(im);
    memset(&im->mb, 0, sizeof im->mb);
    im->have_permflags = 0;
    im->selected = 0;
    if ((st = im_begin(im, ev, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_put(im, readonly ? "EXAMINE " : "SELECT ", err)) != OLS_OK ||
        (st = im_put_astring(im, p, mailbox, err)) != OLS_OK)
        return st;
    if (q && q->uidvalidity && q->modseq && im->qresync_on && (caps & OLS_CAP_QRESYNC))
        st = im_putf(im, err, " (QRESYNC (%u %llu%s%s))", (unsigned)q->uidvalidity,
                     (unsigned long long)q->modseq, q->known_uids ? " " : "",
                     q->known_uids ? q->known_uids : "");
    else if (caps & OLS_CAP_CONDSTORE)
        st = im_put(im, " (CONDSTORE)", err);
    if (st != OLS_OK || (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    if (p->st == OLS_IMAP_RESP_OK)
        im->mb.readonly = !strcmp(p->code, "READ-ONLY") || (readonly && strcmp(p->code, "READ-WRITE"));
    if ((st = im_result(im, p, readonly ? "EXAMINE" : "SELECT", err)) != OLS_OK)
        return ols_err_prefix(err, "%s", mailbox), st;
    im->selected = 1;
    if (!(caps & OLS_CAP_CONDSTORE)) /* volunteered, or CONDSTORE ignored: not ours to use */
        im->mb.highestmodseq = 0;
    if (out)
        *out = im->mb;
    return OLS_OK;
}

/* ================= UID FETCH ================= */

/* Without CONDSTORE a MODSEQ item is a BAD command: leave it out (not inside [...]). */
static char *strip_modseq(const char *items)
{
    size_t n = strlen(items), i = 0;
    char *r = malloc(n + 1), *o = r, *q;
    int br = 0;
    if (!r)
        return NULL;
    while (i < n) {
        char c = items[i];
        if (c == '[')
            br++;
        else if (c == ']' && br)
            br--;
        if (!br && (i == 0 || items[i - 1] == ' ' || items[i - 1] == '(') && n - i >= 6) {
            char w[7];
            size_t k;
            for (k = 0; k < 6; k++)
                w[k] = (char)(items[i + k] >= 'a' && items[i + k] <= 'z' ? items[i + k] - 32
                                                                          : items[i + k]);
            w[6] = 0;
            if (!strcmp(w, "MODSEQ") && (items[i + 6] == ' ' || items[i + 6] == ')' || !items[i + 6])) {
                i += 6;
                continue;
            }
        }
        *o++ = c;
        i++;
    }
    *o = 0;
    /* tidy the spaces the removal left: "( ", "  ", " )", leading and trailing */
    for (o = q = r; *q; q++) {
        if (*q == ' ' && (o == r || o[-1] == ' ' || o[-1] == '(' || q[1] == ')' || q[1] == 0))
            continue;
        *o++ = *q;
    }
    *o = 0;
    return r;
}

static ols_status fetch_args(ols_imap *im, const char *uidset, const char *items, char **fixed,
                             ols_err *err)
{
    if (!ols_imap_seqset_valid(uidset))
        return ols_err_set(err, OLS_EINVAL, "UID FETCH: malformed UID set");
    if (!items || !*items || !im_safe_text(items))
        return ols_err_set(err, OLS_EINVAL, "UID FETCH: bad item list");
    *fixed = (im_caps(im) & OLS_CAP_CONDSTORE) ? strdup(items) : strip_modseq(items);
    return *fixed ? OLS_OK : ols_err_set(err, OLS_ENOMEM, "out of memory");
}

static ols_status send_fetch(ols_imap *im, im_pend *p, const char *uidset, const char *items,
                             uint64_t changedsince, int flush, ols_err *err)
{
    ols_status st = im_putf(im, err, "UID FETCH %s %s", uidset, items);
    if (st == OLS_OK && changedsince && (im_caps(im) & OLS_CAP_CONDSTORE))
        st = im_putf(im, err, " (CHANGEDSINCE %llu%s)", (unsigned long long)changedsince,
                     im->qresync_on ? " VANISHED" : "");
    if (st == OLS_OK)
        st = im_end(im, p, flush, err);
    return st;
}

ols_status ols_imap_uid_fetch(ols_imap *im, const char *uidset, const char *items,
                              uint64_t changedsince, const ols_imap_events *ev, ols_err *err)
{
    ols_err tmp;
    char *it = NULL;
    im_pend *p;
    ols_status st;
    err = ERRP(err, tmp);
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    if ((st = fetch_args(im, uidset, items, &it, err)) != OLS_OK)
        return st;
    if ((st = im_begin(im, ev, NULL, NULL, &p, err)) == OLS_OK &&
        (st = send_fetch(im, p, uidset, it, changedsince, 1, err)) == OLS_OK &&
        (st = im_wait(im, p, err)) == OLS_OK)
        st = im_result(im, p, "UID FETCH", err);
    free(it);
    return st;
}

ols_status ols_imap_uid_fetch_many(ols_imap *im, const char *const *uidsets, size_t n,
                                   const char *items, const ols_imap_events *ev, ols_err *err)
{
    ols_err tmp, e1;
    char *it = NULL;
    im_pend *fly[IM_WINDOW];
    size_t nfly = 0, sent = 0, i;
    ols_status st = OLS_OK, first = OLS_OK;

    err = ERRP(err, tmp);
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    for (i = 0; i < n; i++)
        if (!ols_imap_seqset_valid(uidsets[i]))
            return ols_err_set(err, OLS_EINVAL, "UID FETCH: malformed UID set #%zu", i);
    if (n == 0)
        return OLS_OK;
    if ((st = fetch_args(im, uidsets[0], items, &it, err)) != OLS_OK)
        return st;
    if ((st = im_begin(im, ev, NULL, NULL, &fly[0], err)) != OLS_OK)
        goto out;
    nfly = 1;
    if ((st = send_fetch(im, fly[0], uidsets[0], it, 0, n == 1, err)) != OLS_OK)
        goto out;
    sent = 1;
    /* keep up to IM_WINDOW commands in flight: all of them at once for small batches, and
     * never so many that both sides block writing while nobody reads */
    while (nfly) {
        while (sent < n && nfly < IM_WINDOW) {
            if ((st = im_begin_more(im, &fly[nfly], err)) != OLS_OK)
                goto out;
            nfly++;
            if ((st = send_fetch(im, fly[nfly - 1], uidsets[sent], it, 0,
                                 sent + 1 == n || nfly == IM_WINDOW, err)) != OLS_OK)
                goto out;
            sent++;
        }
        if ((st = im_wait(im, fly[0], err)) != OLS_OK)
            goto out;
        /* collect every finished one, in any order */
        for (i = 0; i < nfly;) {
            if (!fly[i]->done) {
                i++;
                continue;
            }
            if (fly[i]->st != OLS_IMAP_RESP_OK && first == OLS_OK) {
                ols_status cb = im->cb_st;
                im->cb_st = OLS_OK; /* report the server's refusal, not a later note */
                first = im_result(im, fly[i], "UID FETCH", &e1);
                im->cb_st = cb;
            } else {
                im_release(fly[i]);
            }
            memmove(&fly[i], &fly[i + 1], (nfly - i - 1) * sizeof fly[0]);
            nfly--;
        }
    }
    if (first != OLS_OK) {
        *err = e1;
        st = first;
    } else if (im->cb_st != OLS_OK) {
        *err = im->cb_err;
        st = im->cb_st;
    }
out:
    free(it);
    return st;
}

/* ================= STORE ================= */

ols_status ols_imap_uid_store(ols_imap *im, const char *uidset, const char *op, unsigned flags,
                              uint64_t unchangedsince, char **modified, ols_err *err)
{
    static const char *const ops[] = {"+FLAGS.SILENT", "-FLAGS.SILENT", "FLAGS.SILENT",
                                      "+FLAGS", "-FLAGS", "FLAGS"};
    ols_err tmp;
    char fl[128];
    im_pend *p;
    ols_status st;
    size_t i;
    int ok = 0;

    err = ERRP(err, tmp);
    if (modified)
        *modified = NULL;
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    if (!ols_imap_seqset_valid(uidset))
        return ols_err_set(err, OLS_EINVAL, "UID STORE: malformed UID set");
    for (i = 0; op && i < sizeof ops / sizeof ops[0]; i++)
        ok |= ols_imap_strcaseeq(op, ops[i]);
    if (!ok)
        return ols_err_set(err, OLS_EINVAL, "UID STORE: unknown operation %.40s", op ? op : "");
    ols_imap_flags_format(flags & OLS_MF_ALL, fl, sizeof fl);
    if ((st = im_begin(im, NULL, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_putf(im, err, "UID STORE %s ", uidset)) != OLS_OK)
        return st;
    if (unchangedsince && (im_caps(im) & OLS_CAP_CONDSTORE))
        st = im_putf(im, err, "(UNCHANGEDSINCE %llu) ", (unsigned long long)unchangedsince);
    if (st != OLS_OK || (st = im_putf(im, err, "%s (%s)", op, fl)) != OLS_OK ||
        (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    if (!strcmp(p->code, "MODIFIED") && p->codeargs && modified) {
        if (!ols_imap_seqset_valid(p->codeargs))
            im_note(im, OLS_EPROTO, "malformed MODIFIED set");
        else if (!(*modified = strdup(p->codeargs)))
            im_note(im, OLS_ENOMEM, "out of memory");
    }
    st = im_result(im, p, "UID STORE", err);
    if (st != OLS_OK && modified) {
        free(*modified);
        *modified = NULL;
    }
    return st;
}

/* ================= SEARCH ================= */

typedef struct search_ctx {
    char tag[16];
    char *out;
    size_t n, cap;
    int oom, bad;
    uint32_t run_start, run_end; /* the run of consecutive numbers being collected */
    int in_run;
} search_ctx;

static void sc_add(search_ctx *s, const char *t)
{
    size_t l = strlen(t);
    if (s->oom)
        return;
    if (s->n + l + 2 > IM_MAX_COLLECT) {
        s->oom = 1;
        return;
    }
    if (s->n + l + 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        char *x;
        while (cap < s->n + l + 2)
            cap *= 2;
        if (!(x = realloc(s->out, cap))) {
            s->oom = 1;
            return;
        }
        s->out = x;
        s->cap = cap;
    }
    if (s->n)
        s->out[s->n++] = ',';
    memcpy(s->out + s->n, t, l + 1);
    s->n += l;
}

static void sc_flush(search_ctx *s)
{
    char b[32];
    if (!s->in_run)
        return;
    if (s->run_start == s->run_end)
        snprintf(b, sizeof b, "%u", (unsigned)s->run_start);
    else
        snprintf(b, sizeof b, "%u:%u", (unsigned)s->run_start, (unsigned)s->run_end);
    sc_add(s, b);
    s->in_run = 0;
}

static void search_untagged(ols_imap *im, const ols_imap_line *l, void *ctx)
{
    search_ctx *s = ctx;
    const ols_imap_arg *a;
    (void)im;
    if (!strcmp(l->keyword, "SEARCH")) {
        for (a = l->args; a; a = a->next) {
            uint32_t u;
            if (a->type == OLS_IMAP_ARG_LIST) /* (MODSEQ n) after the numbers */
                continue;
            if (!ols_imap_arg_u32(a, &u) || u == 0) {
                s->bad = 1;
                return;
            }
            if (s->in_run && u == s->run_end + 1) {
                s->run_end = u;
            } else {
                sc_flush(s);
                s->run_start = s->run_end = u;
                s->in_run = 1;
            }
        }
    } else if (!strcmp(l->keyword, "ESEARCH")) {
        a = l->args;
        /* (TAG "aN") ties it to our command */
        if (!a || a->type != OLS_IMAP_ARG_LIST || a->len != 2 || !ols_imap_atom_is(a->list, "TAG") ||
            !ols_imap_arg_astring(a->list->next) || strcmp(a->list->next->s, s->tag))
            return;
        for (a = a->next; a; a = a->next) {
            if (ols_imap_atom_is(a, "ALL") && a->next) {
                a = a->next;
                if (a->type != OLS_IMAP_ARG_ATOM || !ols_imap_seqset_valid(a->s) ||
                    strchr(a->s, '*')) {
                    s->bad = 1;
                    return;
                }
                sc_add(s, a->s);
            }
        }
    }
}

ols_status ols_imap_uid_search(ols_imap *im, const char *criteria, char **uids, ols_err *err)
{
    ols_err tmp;
    search_ctx s;
    im_pend *p;
    ols_status st;
    int es;

    err = ERRP(err, tmp);
    *uids = NULL;
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    if (!criteria || !*criteria || !im_safe_text(criteria))
        return ols_err_set(err, OLS_EINVAL, "UID SEARCH: bad criteria");
    memset(&s, 0, sizeof s);
    es = (im_caps(im) & OLS_CAP_ESEARCH) != 0;
    if ((st = im_begin(im, NULL, search_untagged, &s, &p, err)) != OLS_OK)
        return st;
    snprintf(s.tag, sizeof s.tag, "a%u", (unsigned)p->tag);
    if ((st = im_putf(im, err, "UID SEARCH %s%s", es ? "RETURN (ALL) " : "", criteria)) != OLS_OK ||
        (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        goto fail;
    sc_flush(&s);
    if (s.bad)
        im_note(im, OLS_EPROTO, "malformed SEARCH result");
    else if (s.oom)
        im_note(im, OLS_ERANGE, "SEARCH result too large");
    if ((st = im_result(im, p, "UID SEARCH", err)) != OLS_OK)
        goto fail;
    *uids = s.out ? s.out : strdup("");
    return *uids ? OLS_OK : ols_err_set(err, OLS_ENOMEM, "out of memory");
fail:
    free(s.out);
    return st;
}

/* ================= APPEND ================= */

static int parse_two_u32(const char *s, uint32_t *a, uint32_t *b)
{
    char x[24], y[24];
    if (!s || sscanf(s, "%23s %23s", x, y) != 2)
        return 0;
    return ols_imap_str_u32(x, a) && ols_imap_str_u32(y, b);
}

ols_status ols_imap_append(ols_imap *im, const char *mailbox, unsigned flags, int64_t date,
                           const void *msg, size_t len, uint32_t *uidvalidity, uint32_t *uid,
                           ols_err *err)
{
    ols_err tmp;
    im_pend *p;
    ols_status st;
    char fl[128], d[32];

    err = ERRP(err, tmp);
    if (uidvalidity)
        *uidvalidity = 0;
    if (uid)
        *uid = 0;
    if (!im || !mailbox || (!msg && len))
        return ols_err_set(err, OLS_EINVAL, "APPEND: bad arguments");
    ols_imap_flags_format(flags & OLS_MF_ALL, fl, sizeof fl);
    if ((st = im_begin(im, NULL, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_put(im, "APPEND ", err)) != OLS_OK ||
        (st = im_put_astring(im, p, mailbox, err)) != OLS_OK ||
        (st = im_putf(im, err, " (%s) ", fl)) != OLS_OK)
        return st;
    if (date) {
        ols_imap_format_datetime(date, d);
        if ((st = im_putf(im, err, "\"%s\" ", d)) != OLS_OK)
            return st;
    }
    if ((st = im_put_literal(im, p, msg, len, err)) != OLS_OK ||
        (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    if (!strcmp(p->code, "APPENDUID") && (im_caps(im) & OLS_CAP_UIDPLUS)) {
        uint32_t v, u;
        if (!parse_two_u32(p->codeargs, &v, &u) || u == 0)
            im_note(im, OLS_EPROTO, "malformed APPENDUID");
        else if (uidvalidity && uid)
            *uidvalidity = v, *uid = u;
    }
    if ((st = im_result(im, p, "APPEND", err)) != OLS_OK) {
        if (uidvalidity)
            *uidvalidity = 0;
        if (uid)
            *uid = 0;
        ols_err_prefix(err, "%s", mailbox);
    }
    return st;
}

/* ================= MOVE / EXPUNGE ================= */

static ols_status copyuid_out(ols_imap *im, const char *s, char **copyuid)
{
    char v[24], a[4096], b[4096];
    uint32_t u;
    if (!copyuid || !s)
        return OLS_OK;
    if (strlen(s) >= sizeof a || sscanf(s, "%23s %4095s %4095s", v, a, b) != 3 ||
        !ols_imap_str_u32(v, &u) || !ols_imap_seqset_valid(a) || !ols_imap_seqset_valid(b)) {
        im_note(im, OLS_EPROTO, "malformed COPYUID");
        return OLS_OK;
    }
    if (!(*copyuid = strdup(s)))
        im_note(im, OLS_ENOMEM, "out of memory");
    return OLS_OK;
}

ols_status ols_imap_uid_move(ols_imap *im, const char *uidset, const char *dest, char **copyuid,
                             ols_err *err)
{
    ols_err tmp;
    im_pend *p;
    ols_status st;
    uint64_t caps;
    int move;

    err = ERRP(err, tmp);
    if (copyuid)
        *copyuid = NULL;
    if (!im || !dest)
        return ols_err_set(err, OLS_EINVAL, "MOVE: bad arguments");
    if (!ols_imap_seqset_valid(uidset))
        return ols_err_set(err, OLS_EINVAL, "MOVE: malformed UID set");
    caps = im_caps(im);
    move = (caps & OLS_CAP_MOVE) != 0;
    free(im->copyuid);
    im->copyuid = NULL;
    if ((st = im_begin(im, NULL, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_putf(im, err, "UID %s %s ", move ? "MOVE" : "COPY", uidset)) != OLS_OK ||
        (st = im_put_astring(im, p, dest, err)) != OLS_OK ||
        (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    /* MOVE says COPYUID in an untagged OK before the expunges, COPY in its tagged OK */
    if (caps & OLS_CAP_UIDPLUS)
        copyuid_out(im, !strcmp(p->code, "COPYUID") ? p->codeargs : im->copyuid, copyuid);
    if ((st = im_result(im, p, move ? "UID MOVE" : "UID COPY", err)) != OLS_OK)
        goto fail;
    if (move)
        return OLS_OK;
    st = ols_imap_uid_store(im, uidset, "+FLAGS.SILENT", OLS_MF_DELETED, 0, NULL, err);
    if (st == OLS_OK && (caps & OLS_CAP_UIDPLUS))
        st = ols_imap_uid_expunge(im, uidset, err);
    /* without UIDPLUS the originals stay marked \Deleted: ols_imap_expunge is the caller's call */
    if (st == OLS_OK)
        return OLS_OK;
fail:
    if (copyuid) {
        free(*copyuid);
        *copyuid = NULL;
    }
    return st;
}

ols_status ols_imap_uid_expunge(ols_imap *im, const char *uidset, ols_err *err)
{
    ols_err tmp;
    err = ERRP(err, tmp);
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    if (!ols_imap_seqset_valid(uidset))
        return ols_err_set(err, OLS_EINVAL, "UID EXPUNGE: malformed UID set");
    if (!(im_caps(im) & OLS_CAP_UIDPLUS))
        return ols_err_set(err, OLS_EUNSUPPORTED, "the server has no UID EXPUNGE (UIDPLUS)");
    return im_simple(im, "UID EXPUNGE", err, "UID EXPUNGE %s", uidset);
}

ols_status ols_imap_expunge(ols_imap *im, ols_err *err)
{
    ols_err tmp;
    err = ERRP(err, tmp);
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    return im_simple(im, "EXPUNGE", err, "EXPUNGE");
}

/* ================= NOOP / IDLE ================= */

ols_status ols_imap_noop(ols_imap *im, const ols_imap_events *ev, ols_err *err)
{
    ols_err tmp;
    im_pend *p;
    ols_status st;
    err = ERRP(err, tmp);
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    if ((st = im_begin(im, ev, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_put(im, "NOOP", err)) != OLS_OK || (st = im_end(im, p, 1, err)) != OLS_OK ||
        (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    return im_result(im, p, "NOOP", err);
}

static int buffered_input(ols_imap *im)
{
    return im->rpos != im->rlen || ols_conn_pending(im->conn) > 0;
}

/* Without IDLE: NOOP now and then, sleeping in one-second steps so stop() is heard. */
static ols_status idle_by_polling(ols_imap *im, uint32_t max_ms, int (*stop)(void *ctx),
                                  void *stop_ctx, const ols_imap_events *ev, ols_err *err)
{
    uint64_t start = ols_mono_ms();
    for (;;) {
        uint64_t next = ols_mono_ms() + 30000;
        ols_status st = ols_imap_noop(im, ev, err);
        if (st != OLS_OK || im->activity)
            return st;
        while (ols_mono_ms() < next) {
            if ((stop && stop(stop_ctx)) || ols_mono_ms() - start >= max_ms)
                return OLS_OK;
            ols_sleep_ms(1000);
        }
    }
}

ols_status ols_imap_idle(ols_imap *im, uint32_t max_ms, int (*stop)(void *ctx), void *stop_ctx,
                         const ols_imap_events *ev, ols_err *err)
{
    ols_err tmp;
    im_pend *p;
    ols_status st;
    uint64_t start, now;

    err = ERRP(err, tmp);
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    if (!(im_caps(im) & OLS_CAP_IDLE))
        return idle_by_polling(im, max_ms, stop, stop_ctx, ev, err);
    if ((st = im_begin(im, ev, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_put(im, "IDLE", err)) != OLS_OK || (st = im_end(im, p, 1, err)) != OLS_OK)
        return st;
    im->want_cont = 1;
    while (!im->got_cont && !p->done)
        if ((st = im_step(im, err)) != OLS_OK)
            return st;
    im->want_cont = 0;
    if (p->done) /* IDLE refused */
        return im_result(im, p, "IDLE", err);
    start = ols_mono_ms();
    /* Wait for something to happen. The stream layer has no wait that survives a timeout
     * (a read that times out closes the connection), so a read blocks until data arrives
     * or max_ms is over; stop() is checked whenever a response arrives. */
    while (!im->activity) {
        if (stop && stop(stop_ctx))
            break;
        now = ols_mono_ms();
        if (now - start >= max_ms)
            break;
        if (!buffered_input(im))
            ols_conn_set_timeout(im->conn, (uint32_t)(max_ms - (now - start)) + 1);
        st = im_step(im, err);
        ols_conn_set_timeout(im->conn, im->timeout_ms);
        if (st != OLS_OK) {
            if (err->code == OLS_ETIMEDOUT)
                ols_err_set(err, OLS_ETIMEDOUT,
                            "IDLE: nothing arrived in %u ms; the connection was closed",
                            (unsigned)max_ms);
            return st;
        }
        if (p->done) /* the server ended IDLE by itself */
            return im_result(im, p, "IDLE", err);
    }
    if ((st = im_put(im, "DONE", err)) != OLS_OK || (st = im_end(im, p, 1, err)) != OLS_OK)
        return st;
    if ((st = im_wait(im, p, err)) != OLS_OK)
        return st;
    return im_result(im, p, "IDLE", err);
}
