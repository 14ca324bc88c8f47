/* Folders: LIST (SPECIAL-USE, LIST-STATUS, other namespaces) with plain IMAP4rev1 fallbacks
 * (LSUB, one STATUS per folder), STATUS, CREATE, DELETE, RENAME, SUBSCRIBE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/client.h"
#include "olsync/log.h"
#include "olsync/mutf7.h"

#define MAX_FOLDERS 100000u
#define MAX_NS 16

typedef struct frec {
    char *name;
    char delim;
    unsigned flags;
    int has_status;
    uint32_t messages, uidnext, uidvalidity, unseen;
    uint64_t highestmodseq;
} frec;

typedef struct list_ctx {
    frec *f;       /* LIST (and LSUB) results */
    size_t n, cap;
    frec *s;       /* STATUS results */
    size_t ns, scap;
    frec *sub;     /* LSUB results (names only) */
    size_t nsub, subcap;
    size_t bytes;
    int bad, full;
    char *ns_prefix[MAX_NS];
    unsigned ns_kind[MAX_NS];
    size_t nns;
} list_ctx;

static void free_recs(frec *r, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(r[i].name);
    free(r);
}

static frec *push_rec(list_ctx *c, frec **arr, size_t *n, size_t *cap, const char *name)
{
    size_t l = strlen(name);
    frec *r;
    if (*n >= MAX_FOLDERS || c->bytes + l > IM_MAX_COLLECT) {
        c->full = 1;
        return NULL;
    }
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        frec *x = realloc(*arr, nc * sizeof *x);
        if (!x) {
            c->full = 1;
            return NULL;
        }
        *arr = x;
        *cap = nc;
    }
    r = &(*arr)[*n];
    memset(r, 0, sizeof *r);
    if (!(r->name = strdup(name))) {
        c->full = 1;
        return NULL;
    }
    c->bytes += l;
    (*n)++;
    return r;
}

/* Mailbox names: "INBOX" in any case is INBOX. */
static const char *mbox_name(const ols_imap_arg *a)
{
    const char *s = ols_imap_arg_astring(a);
    if (s && ols_imap_strcaseeq(s, "INBOX"))
        return "INBOX";
    return s;
}

static unsigned attr_bit(const char *a)
{
    static const struct {
        const char *name;
        unsigned bit;
    } t[] = {{"\\Noselect", OLS_FOLDER_NOSELECT},
             {"\\NonExistent", OLS_FOLDER_NONEXISTENT | OLS_FOLDER_NOSELECT},
             {"\\HasChildren", OLS_FOLDER_HASCHILDREN},
             {"\\Subscribed", OLS_FOLDER_SUBSCRIBED},
             {"\\Sent", OLS_FOLDER_SENT},
             {"\\Drafts", OLS_FOLDER_DRAFTS},
             {"\\Trash", OLS_FOLDER_TRASH},
             {"\\Junk", OLS_FOLDER_JUNK},
             {"\\Spam", OLS_FOLDER_JUNK},
             {"\\Archive", OLS_FOLDER_ARCHIVE},
             {"\\All", OLS_FOLDER_ALL},
             {"\\Flagged", OLS_FOLDER_FLAGGED}};
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        if (ols_imap_strcaseeq(a, t[i].name))
            return t[i].bit;
    return 0;
}

static int parse_status_items(const ols_imap_arg *list, frec *r)
{
    const ols_imap_arg *k;
    if (!list || list->type != OLS_IMAP_ARG_LIST)
        return 0;
    for (k = list->list; k; k = k->next->next) {
        const ols_imap_arg *v = k->next;
        if (!v || k->type != OLS_IMAP_ARG_ATOM)
            return 0;
        if (ols_imap_strcaseeq(k->s, "MESSAGES")) {
            if (!ols_imap_arg_u32(v, &r->messages))
                return 0;
        } else if (ols_imap_strcaseeq(k->s, "UIDNEXT")) {
            if (!ols_imap_arg_u32(v, &r->uidnext))
                return 0;
        } else if (ols_imap_strcaseeq(k->s, "UIDVALIDITY")) {
            if (!ols_imap_arg_u32(v, &r->uidvalidity))
                return 0;
        } else if (ols_imap_strcaseeq(k->s, "UNSEEN")) {
            if (!ols_imap_arg_u32(v, &r->unseen))
                return 0;
        } else if (ols_imap_strcaseeq(k->s, "HIGHESTMODSEQ")) {
            if (!ols_imap_arg_u64(v, &r->highestmodseq))
                return 0;
        }
    }
    r->has_status = 1;
    return 1;
}

static void parse_namespace(list_ctx *c, const ols_imap_line *l)
{
    const ols_imap_arg *kind = l->args;
    unsigned k;
    for (k = 0; kind && k < 3; kind = kind->next, k++) {
        const ols_imap_arg *e;
        if (kind->type == OLS_IMAP_ARG_NIL)
            continue;
        if (kind->type != OLS_IMAP_ARG_LIST) {
            c->bad = 1;
            return;
        }
        for (e = kind->list; e; e = e->next) {
            const char *prefix;
            if (e->type != OLS_IMAP_ARG_LIST || !e->list ||
                !(prefix = ols_imap_arg_astring(e->list))) {
                c->bad = 1;
                return;
            }
            if (k > 0 && c->nns < MAX_NS && (c->ns_prefix[c->nns] = strdup(prefix)) != NULL)
                c->ns_kind[c->nns++] = k == 1 ? OLS_FOLDER_OTHER_USERS : OLS_FOLDER_SHARED;
        }
    }
}

static void list_untagged(ols_imap *im, const ols_imap_line *l, void *ctx)
{
    list_ctx *c = ctx;
    const ols_imap_arg *a = l->args, *x;
    const char *name;
    (void)im;
    if (!l->keyword || l->status)
        return;
    if (!strcmp(l->keyword, "LIST") || !strcmp(l->keyword, "LSUB")) {
        unsigned flags = 0;
        char delim = 0;
        frec *r;
        if (!a || a->type != OLS_IMAP_ARG_LIST || !a->next || !a->next->next) {
            c->bad = 1;
            return;
        }
        for (x = a->list; x; x = x->next) {
            if (x->type != OLS_IMAP_ARG_ATOM) {
                c->bad = 1;
                return;
            }
            flags |= attr_bit(x->s);
        }
        x = a->next;
        if (x->type == OLS_IMAP_ARG_STRING && x->len == 1)
            delim = x->s[0];
        else if (x->type != OLS_IMAP_ARG_NIL) {
            c->bad = 1;
            return;
        }
        if (!(name = mbox_name(x->next)) || !*name) {
            c->bad = 1;
            return;
        }
        if (!strcmp(l->keyword, "LSUB")) {
            push_rec(c, &c->sub, &c->nsub, &c->subcap, name);
        } else if ((r = push_rec(c, &c->f, &c->n, &c->cap, name)) != NULL) {
            r->delim = delim;
            r->flags = flags;
        }
    } else if (!strcmp(l->keyword, "STATUS")) {
        frec *r;
        if (!(name = mbox_name(a)) || !a->next) {
            c->bad = 1;
            return;
        }
        if ((r = push_rec(c, &c->s, &c->ns, &c->scap, name)) != NULL &&
            !parse_status_items(a->next, r))
            c->bad = 1;
    } else if (!strcmp(l->keyword, "NAMESPACE")) {
        parse_namespace(c, l);
    }
}

static int cmp_rec(const void *a, const void *b)
{
    return strcmp(((const frec *)a)->name, ((const frec *)b)->name);
}

static frec *find_rec(frec *arr, size_t n, const char *name)
{
    frec key;
    key.name = (char *)name;
    return n ? bsearch(&key, arr, n, sizeof *arr, cmp_rec) : NULL;
}

/* Sort, drop duplicates (several patterns may reach a folder), mark LSUB names. */
static void settle(list_ctx *c)
{
    size_t i, o = 0;
    qsort(c->f, c->n, sizeof *c->f, cmp_rec);
    for (i = 0; i < c->n; i++) {
        if (o && !strcmp(c->f[o - 1].name, c->f[i].name)) {
            c->f[o - 1].flags |= c->f[i].flags;
            free(c->f[i].name);
            continue;
        }
        c->f[o++] = c->f[i];
    }
    c->n = o;
    for (i = 0; i < c->nsub; i++) {
        frec *r = find_rec(c->f, c->n, c->sub[i].name);
        if (r) /* a subscribed name that does not exist is no folder */
            r->flags |= OLS_FOLDER_SUBSCRIBED;
    }
}

static ols_status list_cmd(ols_imap *im, list_ctx *c, const char *pattern, const char *ret,
                           ols_err *err)
{
    im_pend *p;
    ols_status st;
    if ((st = im_begin(im, NULL, list_untagged, c, &p, err)) != OLS_OK ||
        (st = im_put(im, "LIST \"\" ", err)) != OLS_OK ||
        (st = im_put_string(im, p, pattern, err)) != OLS_OK ||
        (st = im_put(im, ret, err)) != OLS_OK || (st = im_end(im, p, 1, err)) != OLS_OK ||
        (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    return im_result(im, p, "LIST", err);
}

static const char *status_items(ols_imap *im)
{
    return (im_caps(im) & OLS_CAP_CONDSTORE) ? "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)"
                                             : "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)";
}

/* One STATUS per selectable folder without one, IM_WINDOW in flight. A refusal (a folder
 * deleted meanwhile, no rights) leaves that folder without status. */
static ols_status status_all(ols_imap *im, list_ctx *c, ols_err *err)
{
    im_pend *fly[IM_WINDOW];
    size_t nfly = 0, next = 0, i;
    ols_status st;

    im_prepare(im, NULL, list_untagged, c);
    for (;;) {
        while (nfly < IM_WINDOW && next < c->n) {
            frec *r = &c->f[next++];
            if (r->has_status || (r->flags & OLS_FOLDER_NOSELECT))
                continue;
            if ((st = im_begin_more(im, &fly[nfly], err)) != OLS_OK)
                return st;
            nfly++;
            if ((st = im_put(im, "STATUS ", err)) != OLS_OK ||
                (st = im_put_astring(im, fly[nfly - 1], r->name, err)) != OLS_OK ||
                (st = im_putf(im, err, " %s", status_items(im))) != OLS_OK ||
                (st = im_end(im, fly[nfly - 1], 0, err)) != OLS_OK)
                return st;
        }
        if (!nfly)
            return OLS_OK;
        if ((st = ols_conn_flush(im->conn, err)) != OLS_OK)
            return im_fail(im, err);
        if ((st = im_wait(im, fly[0], err)) != OLS_OK)
            return st;
        for (i = 0; i < nfly;) {
            if (!fly[i]->done) {
                i++;
                continue;
            }
            if (fly[i]->st != OLS_IMAP_RESP_OK)
                OLS_LOG_INFO(CH, "STATUS refused: %s", fly[i]->text);
            im_release(fly[i]);
            memmove(&fly[i], &fly[i + 1], (nfly - i - 1) * sizeof fly[0]);
            nfly--;
        }
    }
}

static void merge_status(list_ctx *c)
{
    size_t i;
    for (i = 0; i < c->ns; i++) {
        frec *r = find_rec(c->f, c->n, c->s[i].name);
        if (r && c->s[i].has_status) {
            r->has_status = 1;
            r->messages = c->s[i].messages;
            r->uidnext = c->s[i].uidnext;
            r->uidvalidity = c->s[i].uidvalidity;
            r->unseen = c->s[i].unseen;
            r->highestmodseq = c->s[i].highestmodseq;
        }
    }
    free_recs(c->s, c->ns);
    c->s = NULL;
    c->ns = c->scap = 0;
}

static ols_status list_all(ols_imap *im, list_ctx *c, int with_status, ols_err *err)
{
    uint64_t caps = im_caps(im);
    int ext = (caps & (OLS_CAP_LIST_EXTENDED | OLS_CAP_LIST_STATUS)) != 0;
    int lstatus = with_status && (caps & OLS_CAP_LIST_STATUS);
    char ret[160];
    ols_status st;
    size_t i;

    ret[0] = 0;
    if (ext) {
        int first = 1;
        strcpy(ret, " RETURN (");
        if (caps & OLS_CAP_LIST_EXTENDED) {
            strcat(ret, "SUBSCRIBED");
            first = 0;
        }
        if (caps & OLS_CAP_SPECIAL_USE) {
            strcat(ret, first ? "SPECIAL-USE" : " SPECIAL-USE");
            first = 0;
        }
        if (lstatus) {
            strcat(ret, first ? "STATUS " : " STATUS ");
            strcat(ret, status_items(im));
            first = 0;
        }
        strcat(ret, ")");
        if (first)
            ret[0] = 0;
    }
    if (caps & OLS_CAP_NAMESPACE) {
        im_pend *p;
        if ((st = im_begin(im, NULL, list_untagged, c, &p, err)) != OLS_OK ||
            (st = im_put(im, "NAMESPACE", err)) != OLS_OK || (st = im_end(im, p, 1, err)) != OLS_OK ||
            (st = im_wait(im, p, err)) != OLS_OK)
            return st;
        if (im_result(im, p, "NAMESPACE", err) != OLS_OK && im->broken)
            return im_broken(im, err);
    }
    if ((st = list_cmd(im, c, "*", ret, err)) != OLS_OK)
        return st;
    for (i = 0; i < c->nns; i++) {
        const char *pre = c->ns_prefix[i];
        size_t j, pl = strlen(pre);
        char *pat;
        int seen = 0;
        if (!pl)
            continue;
        for (j = 0; j < c->n && !seen; j++)
            seen = !strncmp(c->f[j].name, pre, pl);
        if (seen) /* "*" already reached it */
            continue;
        if (!(pat = malloc(pl + 2)))
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        memcpy(pat, pre, pl);
        memcpy(pat + pl, "*", 2);
        st = list_cmd(im, c, pat, ret, err);
        free(pat);
        if (st != OLS_OK) {
            if (im->broken)
                return st;
            OLS_LOG_INFO(CH, "listing namespace %s failed: %s", pre, err->msg);
        }
    }
    if (!(caps & OLS_CAP_LIST_EXTENDED)) {
        im_pend *p;
        if ((st = im_begin(im, NULL, list_untagged, c, &p, err)) != OLS_OK ||
            (st = im_put(im, "LSUB \"\" \"*\"", err)) != OLS_OK ||
            (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
            return st;
        if ((st = im_result(im, p, "LSUB", err)) != OLS_OK) {
            if (im->broken)
                return st;
            OLS_LOG_INFO(CH, "LSUB failed: %s", err->msg);
        }
    }
    if (c->bad)
        return ols_err_set(err, OLS_EPROTO, "malformed LIST, STATUS or NAMESPACE response");
    if (c->full)
        return ols_err_set(err, OLS_ERANGE, "more than %u folders, or out of memory", MAX_FOLDERS);
    settle(c);
    merge_status(c);
    if (with_status && !lstatus && (st = status_all(im, c, err)) != OLS_OK)
        return st;
    merge_status(c);
    if (c->bad)
        return ols_err_set(err, OLS_EPROTO, "malformed STATUS response");
    return OLS_OK;
}

ols_status ols_imap_list(ols_imap *im, int with_status, ols_imap_folder_cb cb, void *ctx,
                         ols_err *err)
{
    ols_err tmp;
    list_ctx c;
    ols_status st;
    size_t i;

    err = ERRP(err, tmp);
    if (!im || !cb)
        return ols_err_set(err, OLS_EINVAL, "LIST: bad arguments");
    memset(&c, 0, sizeof c);
    st = list_all(im, &c, with_status, err);
    for (i = 0; st == OLS_OK && i < c.n; i++) {
        frec *r = &c.f[i];
        ols_imap_folder f;
        ols_err e;
        size_t k;
        char *disp;
        memset(&f, 0, sizeof f);
        f.name = r->name;
        f.delim = r->delim;
        f.flags = r->flags;
        for (k = 0; k < c.nns; k++)
            if (c.ns_prefix[k][0] && !strncmp(r->name, c.ns_prefix[k], strlen(c.ns_prefix[k])))
                f.flags |= c.ns_kind[k];
        f.has_status = r->has_status;
        f.messages = r->messages;
        f.uidnext = r->uidnext;
        f.uidvalidity = r->uidvalidity;
        f.unseen = r->unseen;
        f.highestmodseq = r->highestmodseq;
        disp = ols_mutf7_decode(r->name, &e);
        f.display = disp;
        k = (size_t)cb(ctx, &f);
        free(disp);
        if (k)
            break;
    }
    free_recs(c.f, c.n);
    free_recs(c.s, c.ns);
    free_recs(c.sub, c.nsub);
    for (i = 0; i < c.nns; i++)
        free(c.ns_prefix[i]);
    return st;
}

ols_status ols_imap_status(ols_imap *im, const char *mailbox, ols_imap_folder *out, ols_err *err)
{
    ols_err tmp;
    list_ctx c;
    im_pend *p;
    ols_status st;

    err = ERRP(err, tmp);
    if (!im || !mailbox || !out)
        return ols_err_set(err, OLS_EINVAL, "STATUS: bad arguments");
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    if ((st = im_begin(im, NULL, list_untagged, &c, &p, err)) != OLS_OK ||
        (st = im_put(im, "STATUS ", err)) != OLS_OK ||
        (st = im_put_astring(im, p, mailbox, err)) != OLS_OK ||
        (st = im_putf(im, err, " %s", status_items(im))) != OLS_OK ||
        (st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        goto out;
    if ((st = im_result(im, p, "STATUS", err)) != OLS_OK) {
        ols_err_prefix(err, "%s", mailbox);
        goto out;
    }
    if (c.bad || c.ns != 1 || !c.s[0].has_status) {
        st = ols_err_set(err, OLS_EPROTO, "STATUS %s: no or malformed answer", mailbox);
        goto out;
    }
    out->name = mailbox;
    out->has_status = 1;
    out->messages = c.s[0].messages;
    out->uidnext = c.s[0].uidnext;
    out->uidvalidity = c.s[0].uidvalidity;
    out->unseen = c.s[0].unseen;
    out->highestmodseq = c.s[0].highestmodseq;
out:
    free_recs(c.f, c.n);
    free_recs(c.s, c.ns);
    free_recs(c.sub, c.nsub);
    return st;
}

static ols_status mbox_cmd(ols_imap *im, const char *verb, const char *a, const char *b,
                           ols_err *err)
{
    ols_err tmp;
    im_pend *p;
    ols_status st;
    err = ERRP(err, tmp);
    if (!im || !a || !*a)
        return ols_err_set(err, OLS_EINVAL, "%s: no mailbox", verb);
    if ((st = im_begin(im, NULL, NULL, NULL, &p, err)) != OLS_OK ||
        (st = im_putf(im, err, "%s ", verb)) != OLS_OK ||
        (st = im_put_astring(im, p, a, err)) != OLS_OK)
        return st;
    if (b && ((st = im_put(im, " ", err)) != OLS_OK || (st = im_put_astring(im, p, b, err)) != OLS_OK))
        return st;
    if ((st = im_end(im, p, 1, err)) != OLS_OK || (st = im_wait(im, p, err)) != OLS_OK)
        return st;
    if ((st = im_result(im, p, verb, err)) != OLS_OK)
        ols_err_prefix(err, "%s", a);
    return st;
}

ols_status ols_imap_create(ols_imap *im, const char *mailbox, ols_err *err)
{
    return mbox_cmd(im, "CREATE", mailbox, NULL, err);
}

ols_status ols_imap_delete(ols_imap *im, const char *mailbox, ols_err *err)
{
    return mbox_cmd(im, "DELETE", mailbox, NULL, err);
}

ols_status ols_imap_rename(ols_imap *im, const char *from, const char *to, ols_err *err)
{
    if (!to || !*to) {
        ols_err tmp;
        return ols_err_set(ERRP(err, tmp), OLS_EINVAL, "RENAME: no new name");
    }
    return mbox_cmd(im, "RENAME", from, to, err);
}

ols_status ols_imap_subscribe(ols_imap *im, const char *mailbox, int on, ols_err *err)
{
    return mbox_cmd(im, on ? "SUBSCRIBE" : "UNSUBSCRIBE", mailbox, NULL, err);
}
