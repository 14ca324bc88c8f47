/* Folder metadata (RFC 5464), own rights (RFC 4314 MYRIGHTS) and quota (RFC 2087/9208). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/client.h"

typedef struct meta_ctx {
    const char *want;  /* entry, or rights / quota root being looked for */
    char *value;
    int found, bad;
    uint64_t used, limit;
    int have_quota;
} meta_ctx;

static void meta_untagged(ols_imap *im, const ols_imap_line *l, void *ctx)
{
    meta_ctx *m = ctx;
    const ols_imap_arg *a = l->args, *k;
    (void)im;
    if (l->status || !a)
        return;
    if (!strcmp(l->keyword, "METADATA")) {
        /* * METADATA mbox (entry value entry value ...) */
        if (!ols_imap_arg_astring(a) || !a->next || a->next->type != OLS_IMAP_ARG_LIST) {
            m->bad = 1;
            return;
        }
        for (k = a->next->list; k; k = k->next->next) {
            int ok;
            const char *v;
            if (!k->next || !ols_imap_arg_astring(k)) {
                m->bad = 1;
                return;
            }
            v = ols_imap_arg_nstring(k->next, &ok);
            if (!ok) {
                m->bad = 1;
                return;
            }
            if (ols_imap_strcaseeq(k->s, m->want) && !m->found) {
                m->found = 1;
                if (v && !(m->value = strdup(v)))
                    m->bad = 1;
            }
        }
    } else if (!strcmp(l->keyword, "MYRIGHTS")) {
        const char *r = a->next ? ols_imap_arg_astring(a->next) : NULL;
        if (!ols_imap_arg_astring(a) || !r) {
            m->bad = 1;
            return;
        }
        if (!m->found) {
            m->found = 1;
            if (!(m->value = strdup(r)))
                m->bad = 1;
        }
    } else if (!strcmp(l->keyword, "QUOTA")) {
        /* * QUOTA root (resource usage limit ...) */
        if (!ols_imap_arg_astring(a) || !a->next || a->next->type != OLS_IMAP_ARG_LIST) {
            m->bad = 1;
            return;
        }
        for (k = a->next->list; k; k = k->next->next->next) {
            uint64_t u, lim;
            if (!k->next || !k->next->next || !ols_imap_arg_u64(k->next, &u) ||
                !ols_imap_arg_u64(k->next->next, &lim)) {
                m->bad = 1;
                return;
            }
            if (ols_imap_atom_is(k, "STORAGE") && !m->have_quota) {
                m->have_quota = 1;
                m->used = u;
                m->limit = lim;
            }
        }
    }
    /* QUOTAROOT only names the roots; the QUOTA lines that follow carry the numbers */
}

static ols_status meta_run(ols_imap *im, meta_ctx *m, const char *verb, const char *mailbox,
                           const char *arg, ols_err *err)
{
    im_pend *p;
    ols_status st;
    if ((st = im_begin(im, NULL, meta_untagged, m, &p, err)) != OLS_OK ||
        (st = im_putf(im, err, "%s ", verb)) != OLS_OK ||
        (st = im_put_astring(im, p, mailbox, err)) != OLS_OK)
        return st;
    if (arg && ((st = im_put(im, " ", err)) != OLS_OK ||
                (st = im_put_astring(im, p, arg, err)) != OLS_OK))
        return st;
    if ((st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    if (m->bad)
        im_note(im, OLS_EPROTO, "malformed %s response", verb);
    if ((st = im_result(im, p, verb, err)) != OLS_OK)
        ols_err_prefix(err, "%s", mailbox);
    return st;
}

static ols_status need(ols_imap *im, uint64_t cap, const char *name, ols_err *err)
{
    if (!im)
        return ols_err_set(err, OLS_EINVAL, "no connection");
    if (!(im_caps(im) & cap))
        return ols_err_set(err, OLS_EUNSUPPORTED, "the server has no %s", name);
    return OLS_OK;
}

ols_status ols_imap_getmetadata(ols_imap *im, const char *mailbox, const char *entry,
                                char **value, ols_err *err)
{
    ols_err tmp;
    meta_ctx m;
    ols_status st;
    err = ERRP(err, tmp);
    *value = NULL;
    if ((st = need(im, OLS_CAP_METADATA, "METADATA", err)) != OLS_OK)
        return st;
    if (!mailbox || !entry || !*entry)
        return ols_err_set(err, OLS_EINVAL, "GETMETADATA: bad arguments");
    memset(&m, 0, sizeof m);
    m.want = entry;
    if ((st = meta_run(im, &m, "GETMETADATA", mailbox, entry, err)) != OLS_OK) {
        free(m.value);
        return st;
    }
    *value = m.value;
    return OLS_OK;
}

ols_status ols_imap_setmetadata(ols_imap *im, const char *mailbox, const char *entry,
                                const char *value, ols_err *err)
{
    ols_err tmp;
    im_pend *p;
    ols_status st;
    err = ERRP(err, tmp);
    if ((st = need(im, OLS_CAP_METADATA, "METADATA", err)) != OLS_OK)
        return st;
    if (!mailbox || !entry || !*entry)
        return ols_err_set(err, OLS_EINVAL, "SETMETADATA: bad arguments");
    if ((st = im_begin(im, NULL, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_put(im, "SETMETADATA ", err)) != OLS_OK ||
        (st = im_put_astring(im, p, mailbox, err)) != OLS_OK ||
        (st = im_put(im, " (", err)) != OLS_OK ||
        (st = im_put_astring(im, p, entry, err)) != OLS_OK || (st = im_put(im, " ", err)) != OLS_OK)
        return st;
    st = value ? im_put_string(im, p, value, err) : im_put(im, "NIL", err);
    if (st != OLS_OK || (st = im_put(im, ")", err)) != OLS_OK ||
        (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    if ((st = im_result(im, p, "SETMETADATA", err)) != OLS_OK)
        ols_err_prefix(err, "%s", mailbox);
    return st;
}

ols_status ols_imap_myrights(ols_imap *im, const char *mailbox, char **rights, ols_err *err)
{
    ols_err tmp;
    meta_ctx m;
    ols_status st;
    err = ERRP(err, tmp);
    *rights = NULL;
    if ((st = need(im, OLS_CAP_ACL, "ACL", err)) != OLS_OK)
        return st;
    if (!mailbox)
        return ols_err_set(err, OLS_EINVAL, "MYRIGHTS: no mailbox");
    memset(&m, 0, sizeof m);
    if ((st = meta_run(im, &m, "MYRIGHTS", mailbox, NULL, err)) != OLS_OK) {
        free(m.value);
        return st;
    }
    if (!m.found)
        return ols_err_set(err, OLS_EPROTO, "MYRIGHTS %s: no answer", mailbox);
    *rights = m.value;
    return OLS_OK;
}

ols_status ols_imap_getquotaroot(ols_imap *im, const char *mailbox, uint64_t *used_kb,
                                 uint64_t *limit_kb, ols_err *err)
{
    ols_err tmp;
    meta_ctx m;
    ols_status st;
    err = ERRP(err, tmp);
    *used_kb = *limit_kb = 0;
    if ((st = need(im, OLS_CAP_QUOTA, "QUOTA", err)) != OLS_OK)
        return st;
    if (!mailbox)
        return ols_err_set(err, OLS_EINVAL, "GETQUOTAROOT: no mailbox");
    memset(&m, 0, sizeof m);
    if ((st = meta_run(im, &m, "GETQUOTAROOT", mailbox, NULL, err)) != OLS_OK)
        return st;
    *used_kb = m.used;
    *limit_kb = m.limit;
    return OLS_OK;
}
