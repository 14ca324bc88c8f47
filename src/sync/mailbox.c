/* Item sync of one folder: a three-way merge of the server, the local store and the state
 * of the last pass, with QRESYNC when possible and a full listing otherwise. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "olsync/log.h"
#include "olsync/mailflags.h"
#include "plat/plat.h"

#define FETCH_CHUNK 200               /* UIDs per pipelined FETCH */
#define MAX_UPLOAD (256u * 1024 * 1024) /* a larger local item is refused, not truncated */

typedef struct row {
    uint32_t uid;
    char *local_id;
    unsigned base;     /* flags agreed last time */
    uint64_t size;
    int s_present;     /* server still has it */
    unsigned s_flags;
    int l_index;       /* index into locals, -1 if gone */
    int drop;          /* a conflict turned it into a new item on one side */
    const char *move_to; /* the local item now lives in this folder */
    char *partial;     /* missing sections, as in the state */
} row;

typedef struct local {
    char *id;
    char *tag;
    unsigned flags;
    uint64_t size;
    int64_t mtime;
    int mapped;
} local;

typedef struct srv {
    uint32_t uid;
    unsigned flags;
    uint32_t size;
    int64_t date;
    int mapped;
} srv;

typedef struct fsync {
    eng *e;
    ols_state_folder *f;
    row *rows;
    size_t nrows, caprows;
    local *locals;
    size_t nlocals, caplocals;
    srv *srvs; /* full listing, or the changed/new messages after QRESYNC */
    size_t nsrvs, capsrvs;
    int full;  /* srvs is the complete server content */
    uint32_t uidvalidity, uidnext;
    uint64_t highestmodseq;
    int readonly;
    /* download state */
    ols_store_folder *sf;
    ols_store_writer *w;
    uint32_t w_uid;
    int w_failed;
    ols_err w_err;
    unsigned batch;
} fsync;

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
    void *np;
    size_t nc;
    if (n < *cap)
        return p;
    nc = *cap ? *cap * 2 : 64;
    np = realloc(p, nc * elem);
    if (np)
        *cap = nc;
    return np;
}

static int cmp_row(const void *a, const void *b)
{
    const row *x = a, *y = b;
    return x->uid < y->uid ? -1 : x->uid > y->uid;
}
static int cmp_local(const void *a, const void *b)
{
    return strcmp(((const local *)a)->id, ((const local *)b)->id);
}
static int cmp_srv(const void *a, const void *b)
{
    const srv *x = a, *y = b;
    return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static row *find_row(fsync *s, uint32_t uid)
{
    row key;
    key.uid = uid;
    return s->nrows ? bsearch(&key, s->rows, s->nrows, sizeof *s->rows, cmp_row) : NULL;
}
static srv *find_srv(fsync *s, uint32_t uid)
{
    srv key;
    key.uid = uid;
    return s->nsrvs ? bsearch(&key, s->srvs, s->nsrvs, sizeof *s->srvs, cmp_srv) : NULL;
}
static int find_local(fsync *s, const char *id)
{
    local key, *l;
    key.id = (char *)id;
    l = s->nlocals ? bsearch(&key, s->locals, s->nlocals, sizeof *s->locals, cmp_local) : NULL;
    return l ? (int)(l - s->locals) : -1;
}

/* ---- loading the three views ---- */
static int load_row(void *ctx, const ols_state_item *it)
{
    fsync *s = ctx;
    row *r;
    s->rows = grow(s->rows, &s->caprows, s->nrows, sizeof *s->rows);
    if (!s->rows)
        return 1;
    r = &s->rows[s->nrows];
    memset(r, 0, sizeof *r);
    r->uid = it->uid;
    r->local_id = strdup(it->local_id ? it->local_id : "");
    r->partial = strdup(it->partial ? it->partial : "");
    r->base = it->flags;
    r->size = it->size;
    r->s_present = 1; /* until the server says otherwise */
    r->s_flags = it->flags;
    r->l_index = -1;
    if (r->local_id)
        s->nrows++;
    return 0;
}

static int load_local(void *ctx, const ols_store_item *it)
{
    fsync *s = ctx;
    local *l;
    s->locals = grow(s->locals, &s->caplocals, s->nlocals, sizeof *s->locals);
    if (!s->locals)
        return 1;
    l = &s->locals[s->nlocals];
    memset(l, 0, sizeof *l);
    l->id = strdup(it->id);
    l->tag = it->tag ? strdup(it->tag) : NULL;
    l->flags = it->flags;
    l->size = it->size;
    l->mtime = it->mtime;
    if (l->id)
        s->nlocals++;
    return 0;
}

static srv *add_srv(fsync *s, uint32_t uid)
{
    srv *v;
    s->srvs = grow(s->srvs, &s->capsrvs, s->nsrvs, sizeof *s->srvs);
    if (!s->srvs)
        return NULL;
    v = &s->srvs[s->nsrvs++];
    memset(v, 0, sizeof *v);
    v->uid = uid;
    return v;
}

static ols_status on_listing(void *ctx, const ols_imap_msg *m)
{
    fsync *s = ctx;
    srv *v;
    if (!m->uid)
        return OLS_OK;
    v = add_srv(s, m->uid);
    if (!v)
        return OLS_ENOMEM;
    v->flags = m->has_flags ? m->flags : 0;
    v->size = m->size;
    v->date = m->internaldate;
    if (!s->full)
        OLS_LOG_DEBUG("sync", "%s: server change: UID %u flags %#x", s->f->path, m->uid, v->flags);
    return OLS_OK;
}

static void mark_vanished(void *ctx, uint32_t uid)
{
    fsync *s = ctx;
    row *r = find_row(s, uid);
    if (r)
        r->s_present = 0;
}

static void on_vanished(void *ctx, const char *set, int earlier)
{
    fsync *s = ctx;
    (void)earlier;
    OLS_LOG_DEBUG("sync", "%s: vanished on the server: %s", s->f->path, set);
    if (ols_uidset_walk(set, mark_vanished, s) != OLS_OK)
        OLS_LOG_WARN("sync", "%s: ignoring a malformed VANISHED set", s->f->path);
}

/* ---- new messages ---- */
struct metactx {
    fsync *s;
};

static ols_status on_meta(void *ctx, const ols_imap_msg *m)
{
    fsync *s = ctx;
    srv *v = find_srv(s, m->uid);
    if (v) {
        if (m->size)
            v->size = m->size;
        if (m->internaldate)
            v->date = m->internaldate;
    }
    return OLS_OK;
}

static int queue_class(const fsync *s, const srv *v)
{
    int64_t now = ols_wall_ms() / 1000;
    if (!strcmp(s->f->path, "INBOX"))
        return 2;
    if ((v->date && now - v->date < 7 * 86400) || v->size < 64 * 1024)
        return 3;
    return 4;
}

static ols_status take_new(fsync *s, uint32_t *uids, size_t n, ols_err *err)
{
    eng *e = s->e;
    size_t i;
    ols_status st = OLS_OK;
    if (!n)
        return OLS_OK;
    /* QRESYNC told us of new UIDs but not their size and date */
    if (!s->full) {
        char **sets = NULL;
        size_t k = ols_uidset_chunks(uids, n, 1000, &sets), c;
        ols_imap_events ev;
        memset(&ev, 0, sizeof ev);
        ev.ctx = s;
        ev.message = on_meta;
        for (c = 0; c < k && st == OLS_OK; c++)
            st = ols_imap_uid_fetch(e->im, sets[c], "(UID RFC822.SIZE INTERNALDATE)", 0, &ev,
                                    err);
        ols_uidset_chunks_free(sets, k);
        if (st != OLS_OK)
            return st;
    }
    for (i = 0; i < n && st == OLS_OK; i++) {
        srv *v = find_srv(s, uids[i]);
        ols_fetchq_entry q;
        int partial = e->o->mode == OLS_DL_HEADERS ||
                      (e->o->mode == OLS_DL_CUSTOM && v && v->size > e->o->threshold);
        if (!v)
            continue;
        if (partial) {
            char key[32];
            ols_err perr = {0};
            ols_status pst = ols_sync_fetch_partial(e, s->f, s->sf, s->uidvalidity, v->uid,
                                                    v->flags, e->o->mode == OLS_DL_HEADERS,
                                                    NULL, NULL, NULL, NULL, &perr);
            if (pst == OLS_OK) {
                v->mapped = 1;
                e->rep->partial++;
                e->prog.down_done++;
                continue;
            }
            if (pst == OLS_ENET || pst == OLS_ETIMEDOUT || pst == OLS_EPROTO ||
                pst == OLS_ENOSPC)
                return ols_err_set(err, pst, "%s", perr.msg);
            snprintf(key, sizeof key, "uid:%u", v->uid);
            e->rep->failed++;
            OLS_LOG_ERR("sync", "%s: message %u: %s", s->f->path, v->uid, perr.msg);
            if (ols_state_fail(e->st, s->f->id, key, perr.msg) >= 3)
                e->rep->ignored++;
            continue;
        }
        memset(&q, 0, sizeof q);
        q.folder = s->f->id;
        q.uid = v->uid;
        q.prio = queue_class(s, v);
        q.size = v->size;
        q.date = v->date;
        q.flags = v->flags;
        st = ols_fetchq_add(e->st, &q, err);
        e->rep->queued++;
    }
    return st;
}

/* ---- uploading ---- */
struct membuf {
    char *p;
    size_t n, cap;
};

static ols_status mem_sink(void *ctx, const void *p, size_t n)
{
    struct membuf *b = ctx;
    if (b->n + n > MAX_UPLOAD)
        return OLS_ERANGE;
    if (b->n + n > b->cap) {
        size_t nc = b->cap ? b->cap : 65536;
        char *np;
        while (nc < b->n + n)
            nc *= 2;
        np = realloc(b->p, nc);
        if (!np)
            return OLS_ENOMEM;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    return OLS_OK;
}

static int prefix_ci(const char *p, const char *lower)
{
    for (; *lower; p++, lower++)
        if (tolower((unsigned char)*p) != *lower)
            return 0;
    return 1;
}

/* Message-ID header value of a message in memory, "" if none; out has room for 256. */
static void message_id(const char *p, size_t n, char *out, size_t outn)
{
    size_t i = 0;
    out[0] = '\0';
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '\n')
            j++;
        if (j == i || (j == i + 1 && p[i] == '\r'))
            return; /* end of the header */
        if (j - i > 11 && prefix_ci(p + i, "message-id:")) {
            size_t a = i + 11, b;
            while (a < j && (p[a] == ' ' || p[a] == '\t'))
                a++;
            b = j;
            while (b > a && (p[b - 1] == '\r' || p[b - 1] == ' ' || p[b - 1] == '\t'))
                b--;
            if (b - a < outn) {
                memcpy(out, p + a, b - a);
                out[b - a] = '\0';
            }
            return;
        }
        i = j + 1;
    }
}

static int quoted_ok(const char *s)
{
    for (; *s; s++)
        if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

static ols_status upload(fsync *s, local *l, ols_err *err)
{
    eng *e = s->e;
    struct membuf b = {0};
    char key[300], mid[256];
    uint32_t uv = 0, uid = 0;
    int64_t seq = 0;
    ols_state_journal j;
    ols_status st;
    ols_err ierr = {0};

    snprintf(key, sizeof key, "local:%.280s", l->id);
    if (ols_state_is_ignored(e->st, s->f->id, key))
        return OLS_OK;
    st = s->sf->store->ops->read_item(s->sf, l->id, mem_sink, &b, &ierr);
    if (st != OLS_OK) {
        free(b.p);
        e->rep->failed++;
        if (ols_state_fail(e->st, s->f->id, key, ierr.msg[0] ? ierr.msg : "cannot read") >= 3)
            e->rep->ignored++;
        OLS_LOG_ERR("sync", "%s: cannot read local item %s: %s", s->f->path, l->id,
                    ierr.msg[0] ? ierr.msg : ols_status_name(st));
        return OLS_OK;
    }
    message_id(b.p, b.n, mid, sizeof mid);
    j.folder = s->f->id;
    j.local_id = l->id;
    j.message_id = mid;
    j.size = b.n;
    j.uidnext = s->uidnext;
    st = ols_state_journal_add(e->st, &j, &seq, err);
    if (st == OLS_OK)
        st = ols_sync_commit(e, err); /* the intent is durable before the APPEND */
    ols_state_begin(e->st, NULL);
    if (st != OLS_OK) {
        free(b.p);
        return st;
    }
    ols_state_step("upload: journalled");
    st = ols_imap_append(e->im, s->f->remote, l->flags & ~OLS_MF_DELETED, l->mtime, b.p, b.n, &uv,
                         &uid, &ierr);
    free(b.p);
    if (st != OLS_OK) {
        ols_state_journal_done(e->st, seq, NULL);
        e->rep->failed++;
        if (ols_state_fail(e->st, s->f->id, key, ierr.msg) >= 3)
            e->rep->ignored++;
        OLS_LOG_ERR("sync", "%s: upload of %s refused: %s", s->f->path, l->id, ierr.msg);
        /* a broken connection ends the pass; a refused message does not */
        if (st == OLS_ENET || st == OLS_ETIMEDOUT || st == OLS_EPROTO)
            return ols_err_set(err, st, "%s", ierr.msg);
        return OLS_OK;
    }
    ols_state_step("upload: appended, not recorded");
    e->rep->uploaded++;
    e->prog.up_done++;
    if (uid && uv == s->uidvalidity) {
        ols_state_item it = {uid, l->id, l->flags & ~OLS_MF_DELETED, j.size, NULL};
        st = ols_state_item_put(e->st, s->f->id, &it, err);
        if (st == OLS_OK)
            st = ols_state_journal_done(e->st, seq, err);
        l->mapped = 1;
        return st;
    }
    /* no APPENDUID: the journal entry is resolved by a search on the next pass */
    l->mapped = 1;
    return OLS_OK;
}

/* A journalled upload whose UID was never recorded: find it on the server, or let the item
 * be uploaded again (it is still unmapped) - never both. */
struct jctx {
    fsync *s;
    ols_err *err;
    ols_status st;
};

static int recover_journal(void *ctx, const ols_state_journal *j)
{
    struct jctx *c = ctx;
    fsync *s = c->s;
    eng *e = s->e;
    char crit[512], *found = NULL;
    uint32_t uid = 0;
    if (j->message_id[0] && quoted_ok(j->message_id))
        snprintf(crit, sizeof crit, "UID %u:* HEADER Message-ID \"%s\"", j->uidnext ? j->uidnext : 1,
                 j->message_id);
    else
        snprintf(crit, sizeof crit, "UID %u:* LARGER %llu SMALLER %llu",
                 j->uidnext ? j->uidnext : 1, (unsigned long long)(j->size ? j->size - 1 : 0),
                 (unsigned long long)j->size + 1);
    if (ols_imap_uid_search(e->im, crit, &found, c->err) != OLS_OK) {
        c->st = c->err->code;
        return 1;
    }
    if (found && *found) {
        /* the first UID of the answer ("12" or "12:14,20") */
        uid = (uint32_t)strtoul(found, NULL, 10);
    }
    free(found);
    if (uid && uid >= j->uidnext && !find_row(s, uid)) {
        ols_state_item it = {uid, j->local_id, 0, j->size, NULL};
        int li = find_local(s, j->local_id);
        srv *v = find_srv(s, uid);
        if (li >= 0) {
            it.flags = s->locals[li].flags & ~OLS_MF_DELETED;
            ols_state_item_put(e->st, s->f->id, &it, NULL);
            s->locals[li].mapped = 1;
            if (v) {
                v->mapped = 1;
                v->flags = it.flags; /* what we appended; a later change shows next time */
            }
            e->rep->adopted++;
            OLS_LOG_INFO("sync", "%s: an interrupted upload was found on the server (UID %u)",
                         s->f->path, uid);
        }
    }
    ols_state_journal_done(e->st, j->seq, NULL);
    return 0;
}

/* ---- flag pushes, grouped by the change ---- */
typedef struct flagop {
    unsigned add, del;
    uint32_t *uids;
    size_t n, cap;
} flagop;

static ols_status push_flags(fsync *s, flagop *ops, size_t nops, ols_err *err)
{
    static const unsigned bits[] = {OLS_MF_SEEN, OLS_MF_ANSWERED, OLS_MF_FLAGGED, OLS_MF_DELETED,
                                    OLS_MF_DRAFT, OLS_MF_FORWARDED};
    size_t i, b;
    for (i = 0; i < nops; i++) {
        char **sets = NULL;
        size_t k, c;
        if (!ops[i].n)
            continue;
        k = ols_uidset_chunks(ops[i].uids, ops[i].n, 500, &sets);
        for (c = 0; c < k; c++) {
            for (b = 0; b < sizeof bits / sizeof bits[0]; b++) {
                unsigned bit = bits[b];
                const char *op = (ops[i].add & bit) ? "+FLAGS.SILENT"
                                 : (ops[i].del & bit) ? "-FLAGS.SILENT"
                                                      : NULL;
                if (!op)
                    continue;
                if (ols_imap_uid_store(s->e->im, sets[c], op, bit, 0, NULL, err) != OLS_OK) {
                    ols_uidset_chunks_free(sets, k);
                    return err->code;
                }
            }
        }
        ols_uidset_chunks_free(sets, k);
        s->e->rep->flags_remote += ops[i].n;
    }
    return OLS_OK;
}

static int add_flagop(flagop **ops, size_t *nops, unsigned add, unsigned del, uint32_t uid)
{
    size_t i;
    flagop *o = NULL;
    for (i = 0; i < *nops; i++)
        if ((*ops)[i].add == add && (*ops)[i].del == del)
            o = &(*ops)[i];
    if (!o) {
        flagop *n = realloc(*ops, (*nops + 1) * sizeof *n);
        if (!n)
            return -1;
        *ops = n;
        o = &n[(*nops)++];
        memset(o, 0, sizeof *o);
        o->add = add;
        o->del = del;
    }
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 64;
        uint32_t *nu = realloc(o->uids, nc * sizeof *nu);
        if (!nu)
            return -1;
        o->uids = nu;
        o->cap = nc;
    }
    o->uids[o->n++] = uid;
    return 0;
}

/* ---- pairing unmapped items on both sides (state lost, UIDVALIDITY changed) ---- */
struct idmap {
    uint32_t uid;
    char mid[256];
};
struct midctx {
    struct idmap *v;
    size_t n, cap;
    char cur[256];
};

static ols_status mid_begin(void *ctx, uint32_t uid, const char *section, uint64_t size)
{
    struct midctx *c = ctx;
    (void)uid;
    (void)section;
    (void)size;
    c->cur[0] = '\0';
    return OLS_OK;
}
static ols_status mid_data(void *ctx, const void *p, size_t n)
{
    struct midctx *c = ctx;
    size_t l = strlen(c->cur);
    if (l + n < sizeof c->cur) {
        memcpy(c->cur + l, p, n);
        c->cur[l + n] = '\0';
    }
    return OLS_OK;
}
static ols_status mid_message(void *ctx, const ols_imap_msg *m)
{
    struct midctx *c = ctx;
    struct idmap *nv;
    if (!m->uid)
        return OLS_OK;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 64;
        nv = realloc(c->v, nc * sizeof *nv);
        if (!nv)
            return OLS_ENOMEM;
        c->v = nv;
        c->cap = nc;
    }
    c->v[c->n].uid = m->uid;
    message_id(c->cur, strlen(c->cur), c->v[c->n].mid, sizeof c->v[c->n].mid);
    c->n++;
    c->cur[0] = '\0';
    return OLS_OK;
}

static ols_status pair_unmapped(fsync *s, uint32_t *new_uids, size_t *n_new, ols_err *err)
{
    eng *e = s->e;
    size_t i, k, nloc = 0;
    struct midctx c = {0};
    ols_imap_events ev;
    char **sets = NULL;
    ols_status st = OLS_OK;

    for (i = 0; i < s->nlocals; i++)
        if (!s->locals[i].mapped)
            nloc++;
    if (!nloc || !*n_new)
        return OLS_OK;
    memset(&ev, 0, sizeof ev);
    ev.ctx = &c;
    ev.body_begin = mid_begin;
    ev.body_data = mid_data;
    ev.message = mid_message;
    k = ols_uidset_chunks(new_uids, *n_new, 500, &sets);
    for (i = 0; i < k && st == OLS_OK; i++)
        st = ols_imap_uid_fetch(e->im, sets[i], "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])", 0,
                                &ev, err);
    ols_uidset_chunks_free(sets, k);
    if (st != OLS_OK) {
        free(c.v);
        return st;
    }
    for (i = 0; i < s->nlocals; i++) {
        local *l = &s->locals[i];
        struct membuf b = {0};
        char mid[256];
        size_t x;
        if (l->mapped)
            continue;
        /* only the header is needed, but the store API reads whole items; bounded anyway */
        if (s->sf->store->ops->read_item(s->sf, l->id, mem_sink, &b, NULL) != OLS_OK) {
            free(b.p);
            continue;
        }
        message_id(b.p, b.n, mid, sizeof mid);
        free(b.p);
        if (!mid[0])
            continue;
        for (x = 0; x < c.n; x++) {
            srv *v;
            if (!c.v[x].uid || strcmp(c.v[x].mid, mid) != 0)
                continue;
            v = find_srv(s, c.v[x].uid);
            if (v && !v->mapped) {
                unsigned merged = v->flags | l->flags; /* no base: keep every flag either has */
                ols_state_item it = {v->uid, l->id, merged, v->size, NULL};
                if (merged != l->flags)
                    s->sf->store->ops->set_flags(s->sf, l->id, merged, NULL);
                v->flags = merged; /* pushed to the server below if it lacks some */
                v->mapped = 1;
                l->mapped = 1;
                ols_state_item_put(e->st, s->f->id, &it, NULL);
                e->rep->adopted++;
                c.v[x].uid = 0;
                break;
            }
        }
    }
    free(c.v);
    /* drop the paired ones from the download list */
    for (i = k = 0; i < *n_new; i++) {
        srv *v = find_srv(s, new_uids[i]);
        if (!v || !v->mapped)
            new_uids[k++] = new_uids[i];
    }
    *n_new = k;
    return OLS_OK;
}

/* ---- the merge ---- */
static void free_fsync(fsync *s)
{
    size_t i;
    for (i = 0; i < s->nrows; i++) {
        free(s->rows[i].local_id);
        free(s->rows[i].partial);
    }
    for (i = 0; i < s->nlocals; i++) {
        free(s->locals[i].id);
        free(s->locals[i].tag);
    }
    free(s->rows);
    free(s->locals);
    free(s->srvs);
    if (s->sf)
        s->sf->store->ops->close_folder(s->sf);
}

static ols_status list_server(fsync *s, ols_err *err)
{
    eng *e = s->e;
    ols_imap_events ev;
    ols_imap_mailbox mb;
    ols_imap_qresync q;
    ols_status st;
    int try_q = (ols_imap_caps(e->im) & OLS_CAP_QRESYNC) && s->f->uidvalidity &&
                s->f->highestmodseq && !e->o->full && s->f->incremental < e->full_every;

    memset(&ev, 0, sizeof ev);
    ev.ctx = s;
    ev.message = on_listing;
    ev.vanished = on_vanished;
    memset(&q, 0, sizeof q);
    q.uidvalidity = s->f->uidvalidity;
    q.modseq = s->f->highestmodseq;
    st = ols_imap_select(e->im, s->f->remote, 0, try_q ? &q : NULL, &ev, &mb, err);
    if (st != OLS_OK)
        return st;
    s->uidvalidity = mb.uidvalidity;
    s->uidnext = mb.uidnext;
    s->highestmodseq = mb.highestmodseq;
    s->readonly = mb.readonly;
    if (try_q && mb.uidvalidity == s->f->uidvalidity && mb.highestmodseq) {
        s->full = 0;
        return OLS_OK;
    }
    /* full listing */
    s->full = 1;
    s->nsrvs = 0;
    {
        size_t i;
        for (i = 0; i < s->nrows; i++)
            s->rows[i].s_present = 0;
    }
    if (mb.exists == 0)
        return OLS_OK;
    ev.vanished = NULL;
    return ols_imap_uid_fetch(e->im, "1:*", "(UID FLAGS RFC822.SIZE INTERNALDATE)", 0, &ev, err);
}

struct uidvec {
    uint32_t *v;
    size_t n, cap;
};

static void uidvec_add(void *ctx, uint32_t uid)
{
    struct uidvec *u = ctx;
    if (u->n == u->cap) {
        size_t nc = u->cap ? u->cap * 2 : 64;
        uint32_t *nv = realloc(u->v, nc * sizeof *nv);
        if (!nv)
            return;
        u->v = nv;
        u->cap = nc;
    }
    u->v[u->n++] = uid;
}

/* UID MOVE the rows marked move_to, grouped by destination. With COPYUID the new UIDs are
 * recorded in the destination at once; without it, the destination's pass pairs them by
 * Message-ID. Either way nothing is downloaded or uploaded again. */
static ols_status move_rows(fsync *s, ols_err *err)
{
    eng *e = s->e;
    size_t i, j;
    for (i = 0; i < s->nrows; i++) {
        const char *dest = s->rows[i].move_to;
        ols_state_folder df;
        uint32_t *uids;
        size_t n = 0;
        char *set, *copyuid = NULL;
        ols_status st;
        if (!dest)
            continue;
        if (ols_state_folder_get(e->st, dest, &df, NULL) != OLS_OK) {
            s->rows[i].move_to = NULL; /* not on the server (yet): leave it for next time */
            continue;
        }
        uids = calloc(s->nrows, sizeof *uids);
        if (!uids)
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        for (j = i; j < s->nrows; j++)
            if (s->rows[j].move_to && !strcmp(s->rows[j].move_to, dest))
                uids[n++] = s->rows[j].uid;
        set = ols_uidset_make(uids, n);
        ols_state_step("move remote: before");
        st = set ? ols_imap_uid_move(e->im, set, df.remote, &copyuid, err) : OLS_ENOMEM;
        free(set);
        if (st != OLS_OK) {
            free(uids);
            free(copyuid);
            return st;
        }
        ols_state_step("move remote: moved, not recorded");
        {
            struct uidvec src = {0}, dst = {0};
            char srcset[4096], dstset[4096];
            unsigned long uv = 0;
            if (copyuid && sscanf(copyuid, "%lu %4095s %4095s", &uv, srcset, dstset) == 3) {
                ols_uidset_walk(srcset, uidvec_add, &src);
                ols_uidset_walk(dstset, uidvec_add, &dst);
            }
            for (j = i; j < s->nrows; j++) {
                row *r = &s->rows[j];
                size_t k;
                if (!r->move_to || strcmp(r->move_to, dest) != 0)
                    continue;
                for (k = 0; k < src.n && k < dst.n; k++) {
                    if (src.v[k] == r->uid && uv == df.uidvalidity) {
                        ols_state_item it = {dst.v[k], r->local_id, r->s_flags, r->size,
                                             r->partial};
                        ols_state_item_put(e->st, df.id, &it, NULL);
                        break;
                    }
                }
                ols_state_item_del(e->st, s->f->id, r->uid, NULL);
                r->move_to = NULL;
                e->rep->moved++;
            }
            free(src.v);
            free(dst.v);
        }
        free(uids);
        free(copyuid);
    }
    return OLS_OK;
}

ols_status ols_sync_mailbox(eng *e, ols_state_folder *f, ols_err *err)
{
    fsync s;
    ols_status st;
    size_t i, n_new = 0, n_loc_del = 0, n_srv_del = 0, n_guard_srv = 0, n_moves = 0;
    uint32_t *new_uids = NULL, *srv_del = NULL;
    flagop *ops = NULL;
    size_t nops = 0;
    int uidvalidity_changed;

    memset(&s, 0, sizeof s);
    s.e = e;
    s.f = f;
    e->prog.folder = f->path;
    ols_sync_progress_tick(e, 1);

    st = e->store->ops->open_folder(e->store, f->path, &s.sf, err);
    if (st != OLS_OK)
        return st;
    if ((st = ols_state_items(e->st, f->id, load_row, &s, err)) != OLS_OK)
        goto out;
    if ((st = e->store->ops->list_items(s.sf, load_local, &s, err)) != OLS_OK)
        goto out;
    if ((st = list_server(&s, err)) != OLS_OK)
        goto out;
    if (s.nsrvs)
        qsort(s.srvs, s.nsrvs, sizeof *s.srvs, cmp_srv);
    if (s.nlocals)
        qsort(s.locals, s.nlocals, sizeof *s.locals, cmp_local);

    uidvalidity_changed = f->uidvalidity && s.uidvalidity != f->uidvalidity;
    if (uidvalidity_changed) {
        /* every UID we knew means nothing now: forget the map, pair by Message-ID below */
        OLS_LOG_WARN("sync", "%s: UIDVALIDITY changed (%u -> %u); re-pairing messages",
                     f->path, f->uidvalidity, s.uidvalidity);
        for (i = 0; i < s.nrows; i++)
            free(s.rows[i].local_id);
        s.nrows = 0;
        ols_state_folder_drop(e->st, f->id, NULL);
        f->id = 0;
        f->highestmodseq = 0;
        if ((st = ols_state_folder_put(e->st, f, err)) != OLS_OK)
            goto out;
    }

    /* server view into the rows */
    for (i = 0; i < s.nrows; i++) {
        row *r = &s.rows[i];
        srv *v = find_srv(&s, r->uid);
        if (v) {
            r->s_present = 1;
            r->s_flags = v->flags;
            v->mapped = 1;
        } else if (s.full) {
            r->s_present = 0;
        }
        r->l_index = find_local(&s, r->local_id);
        if (r->l_index >= 0)
            s.locals[r->l_index].mapped = 1;
    }

    /* interrupted uploads of an earlier run */
    {
        struct jctx jc = {&s, err, OLS_OK};
        ols_state_journal_list(e->st, f->id, recover_journal, &jc, err);
        if (jc.st != OLS_OK) {
            st = jc.st;
            goto out;
        }
    }

    /* locals tagged by our own download of a UID that is not recorded (crash). After
     * QRESYNC such a UID need not be among the changes: ask the server about it. */
    if (!s.full) {
        uint32_t *ask = calloc(s.nlocals ? s.nlocals : 1, sizeof *ask);
        size_t nask = 0;
        for (i = 0; ask && i < s.nlocals; i++) {
            local *l = &s.locals[i];
            unsigned long tv, tu;
            if (l->mapped || !l->tag || sscanf(l->tag, "%lu-%lu", &tv, &tu) != 2 ||
                tv != s.uidvalidity || tu == 0 || tu > 0xffffffffUL ||
                find_srv(&s, (uint32_t)tu) || find_row(&s, (uint32_t)tu))
                continue;
            ask[nask++] = (uint32_t)tu;
        }
        if (nask) {
            char *set;
            ols_imap_events ev;
            qsort(ask, nask, sizeof *ask, cmp_u32);
            set = ols_uidset_make(ask, nask);
            memset(&ev, 0, sizeof ev);
            ev.ctx = &s;
            ev.message = on_listing;
            st = set ? ols_imap_uid_fetch(e->im, set, "(UID FLAGS RFC822.SIZE INTERNALDATE)", 0,
                                          &ev, err)
                     : OLS_ENOMEM;
            free(set);
            if (s.nsrvs)
                qsort(s.srvs, s.nsrvs, sizeof *s.srvs, cmp_srv);
        }
        free(ask);
        if (st != OLS_OK)
            goto out;
    }
    for (i = 0; i < s.nlocals; i++) {
        local *l = &s.locals[i];
        unsigned long tv, tu;
        srv *v;
        if (l->mapped || !l->tag || sscanf(l->tag, "%lu-%lu", &tv, &tu) != 2 ||
            tv != s.uidvalidity)
            continue;
        v = find_srv(&s, (uint32_t)tu);
        if (v && !v->mapped && !find_row(&s, v->uid)) {
            ols_state_item it = {v->uid, l->id, v->flags, v->size, NULL};
            ols_state_item_put(e->st, f->id, &it, NULL);
            v->mapped = 1;
            l->mapped = 1;
            e->rep->adopted++;
        }
    }

    /* new on the server */
    new_uids = calloc(s.nsrvs ? s.nsrvs : 1, sizeof *new_uids);
    srv_del = calloc(s.nrows ? s.nrows : 1, sizeof *srv_del);
    if (!new_uids || !srv_del) {
        st = ols_err_set(err, OLS_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < s.nsrvs; i++) {
        char key[32];
        if (s.srvs[i].mapped || find_row(&s, s.srvs[i].uid))
            continue;
        snprintf(key, sizeof key, "uid:%u", s.srvs[i].uid);
        if (ols_state_is_ignored(e->st, f->id, key))
            continue;
        new_uids[n_new++] = s.srvs[i].uid;
    }
    if ((st = pair_unmapped(&s, new_uids, &n_new, err)) != OLS_OK)
        goto out;

    /* the guard: count what this pass would delete on each side; an item the user moved
     * to another folder leaves this one on the server too, but is no deletion */
    for (i = 0; i < s.nrows; i++) {
        row *r = &s.rows[i];
        if (r->s_present && r->l_index < 0) {
            const char *home = ols_sync_local_home(e, r->local_id);
            int moved = ols_state_folder_of_local(e->st, r->local_id, f->id) != 0;
            if (home && strcmp(home, f->path) != 0 && !s.readonly) {
                /* moved to another folder here: move it on the server too */
                r->move_to = home;
                n_moves++;
                continue;
            }
            if (!moved && e->o->conflict == OLS_CONFLICT_SERVER && r->s_flags != r->base) {
                /* deleted here, changed on the server: the server's copy comes back */
                r->drop = 1;
                new_uids[n_new++] = r->uid;
                continue;
            }
            if (!moved)
                n_guard_srv++;
            srv_del[n_srv_del++] = r->uid;
        } else if (!r->s_present && r->l_index >= 0) {
            local *l = &s.locals[r->l_index];
            if (e->o->conflict == OLS_CONFLICT_CLIENT && l->flags != r->base) {
                /* deleted on the server, changed here: the local copy goes back up */
                r->drop = 1;
                l->mapped = 0;
                continue;
            }
            n_loc_del++;
        }
    }
    {
        uint64_t total = s.nrows;
        uint64_t limit = (total * e->guard_pct) / 100;
        if (!e->o->force && ((n_loc_del > limit && n_loc_del > e->guard_min) ||
                             (n_guard_srv > limit && n_guard_srv > e->guard_min))) {
            e->rep->tripped++;
            if (strlen(e->rep->tripped_names) + strlen(f->path) + 3 < sizeof e->rep->tripped_names) {
                if (e->rep->tripped_names[0])
                    strcat(e->rep->tripped_names, ", ");
                strcat(e->rep->tripped_names, f->path);
            }
            OLS_LOG_ERR("sync",
                        "%s: this pass would delete %zu local and %zu server messages of %llu; "
                        "stopped (use --force if that is intended)",
                        f->path, n_loc_del, n_guard_srv, (unsigned long long)total);
            st = OLS_OK; /* the folder is left untouched; the caller reports it */
            goto out;
        }
    }

    e->prog.down_total += n_new;
    for (i = 0; i < s.nlocals; i++)
        if (!s.locals[i].mapped)
            e->prog.up_total++;

    /* per-row decisions */
    for (i = 0; i < s.nrows && st == OLS_OK; i++) {
        row *r = &s.rows[i];
        local *l = r->l_index >= 0 ? &s.locals[r->l_index] : NULL;
        OLS_LOG_DEBUG("sync", "%s: UID %u: server %s %#x, local %s %#x, base %#x", f->path,
                      r->uid, r->s_present ? "has" : "lost", r->s_flags, l ? "has" : "lost",
                      l ? l->flags : 0u, r->base);
        if (r->drop) {
            ols_state_item_del(e->st, f->id, r->uid, NULL);
        } else if (!r->s_present && !l) {
            ols_state_item_del(e->st, f->id, r->uid, NULL);
        } else if (!r->s_present) {
            /* deleted on the server */
            ols_state_step("delete local: before");
            if (e->store->ops->delete_item(s.sf, l->id, err) == OLS_OK || err->code == OLS_ENOENT)
                e->rep->deleted_local++;
            ols_state_item_del(e->st, f->id, r->uid, NULL);
        } else if (!l) {
            /* deleted or moved away locally: moved or expunged below, in one command */
        } else {
            /* per flag: the side that changed it wins; a flag both changed has the same
             * new value on both sides, so flags never conflict */
            unsigned lf = l->flags, sf = r->s_flags, b = r->base;
            unsigned s_changed = sf ^ b;
            unsigned merged = ((sf & s_changed) | (lf & ~s_changed)) & OLS_MF_ALL;
            if (merged != lf) {
                if (e->store->ops->set_flags(s.sf, l->id, merged, err) != OLS_OK) {
                    st = err->code;
                    break;
                }
                e->rep->flags_local++;
            }
            if (merged != sf && !s.readonly) {
                if (add_flagop(&ops, &nops, merged & ~sf, sf & ~merged, r->uid) != 0) {
                    st = ols_err_set(err, OLS_ENOMEM, "out of memory");
                    break;
                }
            }
            if (merged != b) {
                ols_state_item it = {r->uid, r->local_id, merged, r->size, r->partial};
                ols_state_item_put(e->st, f->id, &it, NULL);
            }
        }
    }
    if (st != OLS_OK)
        goto out;
    if ((st = push_flags(&s, ops, nops, err)) != OLS_OK)
        goto out;

    /* items the user moved to another folder: UID MOVE, one command per destination */
    if (n_moves && (st = move_rows(&s, err)) != OLS_OK)
        goto out;

    /* server deletions of what the user deleted locally */
    if (n_srv_del && !s.readonly) {
        char *set = ols_uidset_make(srv_del, n_srv_del);
        ols_state_step("delete remote: before");
        st = set ? ols_imap_uid_store(e->im, set, "+FLAGS.SILENT", OLS_MF_DELETED, 0, NULL, err)
                 : OLS_ENOMEM;
        if (st == OLS_OK) {
            st = ols_imap_uid_expunge(e->im, set, err);
            if (st == OLS_EUNSUPPORTED) /* no UIDPLUS: leave them marked \Deleted */
                st = OLS_OK;
        }
        free(set);
        if (st != OLS_OK)
            goto out;
        for (i = 0; i < n_srv_del; i++)
            ols_state_item_del(e->st, f->id, srv_del[i], NULL);
        e->rep->deleted_remote += n_srv_del;
        ols_state_step("delete remote: done");
    }

    /* new messages: queued by class, or their stand-ins written now (partial modes) */
    if (n_new)
        qsort(new_uids, n_new, sizeof *new_uids, cmp_u32);
    if ((st = take_new(&s, new_uids, n_new, err)) != OLS_OK)
        goto out;

    /* uploads: local items nobody knows (moved-in items are uploaded to their new folder) */
    if (!s.readonly) {
        for (i = 0; i < s.nlocals && st == OLS_OK; i++) {
            local *l = &s.locals[i];
            if (l->mapped)
                continue;
            if (ols_sync_cancelled(e)) {
                st = ols_err_set(err, OLS_ECANCELED, "cancelled");
                break;
            }
            if (ols_state_folder_of_local(e->st, l->id, f->id)) {
                /* moved here from a folder whose pass has not run yet: that pass moves the
                 * server copy and records it here; uploading too would make a duplicate */
                continue;
            }
            st = upload(&s, l, err);
        }
        if (st != OLS_OK)
            goto out;
    }

    /* remember where the server is */
    f->uidvalidity = s.uidvalidity;
    f->uidnext = s.uidnext;
    f->highestmodseq = s.highestmodseq;
    f->incremental = s.full ? 0 : f->incremental + 1;
    f->last_sync = ols_wall_ms() / 1000;
    /* our own changes raise HIGHESTMODSEQ past this value: the next QRESYNC reports them
     * as changes both sides already agree on, which costs a few lines and nothing else */
    st = ols_state_folder_put(e->st, f, err);
out:
    for (i = 0; i < nops; i++)
        free(ops[i].uids);
    free(ops);
    free(new_uids);
    free(srv_del);
    free_fsync(&s);
    e->prog.folder = NULL;
    return st;
}
