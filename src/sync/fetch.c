/* Downloads: the fetch queue drained by priority in pipelined batches, large messages in
 * ranges, on-demand fetches that fill stand-ins in place, and the partial download modes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "olsync/imap_body.h"
#include "olsync/log.h"
#include "olsync/mailflags.h"
#include "partial.h"
#include "plat/plat.h"

#define BATCH 500                     /* queue entries taken at once */
#define PIPE_SETS 5                   /* UID sets in flight */
#define SET_UIDS 100                  /* UIDs per set */
#define RANGE (1024u * 1024)          /* a large message comes in pieces of this size */
#define MAX_PIECES (64u * 1024 * 1024) /* header and text parts kept in memory, per message */

/* ---- one message streamed into the store ---- */
typedef struct dl {
    eng *e;
    int64_t folder_id;
    const char *path;
    uint32_t uidvalidity;
    ols_store_folder *sf;
    ols_store_writer *w;
    uint32_t uid;
    unsigned flags;
    int failed;
    ols_err werr;
    const ols_fetchq_entry *entries;
    unsigned nentries;
    unsigned char *delivered; /* per entry */
    const char *replace_id;   /* fill a stand-in in place */
    char *result_id;
    uint64_t last_len;        /* size of the last literal (range) */
    /* stored but not yet recorded: written to the state in one short transaction, so
     * another process (an on-demand fetch, the status) never waits behind the network */
    struct pend {
        uint32_t uid;
        char *id;
        unsigned flags;
        uint64_t size;
        int64_t qid;
    } *pend;
    size_t npend, cappend;
} dl;

static const ols_fetchq_entry *entry_of(dl *d, uint32_t uid, unsigned *idx)
{
    unsigned i;
    for (i = 0; i < d->nentries; i++)
        if (d->entries[i].uid == uid) {
            if (idx)
                *idx = i;
            return &d->entries[i];
        }
    return NULL;
}

static ols_status dl_begin(void *ctx, uint32_t uid, const char *section, uint64_t size)
{
    dl *d = ctx;
    char tag[32];
    (void)section;
    d->last_len = size;
    if (d->w) /* a range continues the same message */
        return OLS_OK;
    d->failed = 0;
    d->uid = uid;
    snprintf(tag, sizeof tag, "%u-%u", d->uidvalidity, uid);
    if (d->sf->store->ops->add_begin(d->sf, d->flags, 0, uid && !d->replace_id ? tag : NULL,
                                     &d->w, &d->werr) != OLS_OK) {
        d->w = NULL;
        d->failed = 1;
    }
    return OLS_OK;
}

static ols_status dl_data(void *ctx, const void *p, size_t n)
{
    dl *d = ctx;
    if (d->w && !d->failed && d->sf->store->ops->add_write(d->w, p, n, &d->werr) != OLS_OK) {
        d->failed = 1;
        if (d->werr.code == OLS_ENOSPC)
            return OLS_ENOSPC; /* a full disk stops the pass */
    }
    return OLS_OK;
}

static ols_status dl_end(void *ctx)
{
    (void)ctx;
    return OLS_OK;
}

/* Commit what was streamed for d->uid; it is recorded by dl_flush. */
static ols_status dl_commit(dl *d)
{
    eng *e = d->e;
    char *id = NULL, key[32];
    ols_err err = {0};
    snprintf(key, sizeof key, "uid:%u", d->uid);
    if (!d->w || d->failed) {
        if (d->w)
            d->sf->store->ops->add_abort(d->w);
        d->w = NULL;
        e->rep->failed++;
        OLS_LOG_ERR("sync", "%s: cannot store message %u: %s", d->path, d->uid, d->werr.msg);
        if (ols_state_fail(e->st, d->folder_id, key, d->werr.msg) >= 3)
            e->rep->ignored++;
        return OLS_OK;
    }
    e->prog.internal_total++; /* fetched; written to the store once committed */
    ols_state_step("download: before commit");
    if (d->sf->store->ops->add_commit(d->w, d->replace_id, &id, &err) != OLS_OK) {
        d->w = NULL;
        e->rep->failed++;
        OLS_LOG_ERR("sync", "%s: cannot store message %u: %s", d->path, d->uid, err.msg);
        ols_state_fail(e->st, d->folder_id, key, err.msg);
        return err.code == OLS_ENOSPC ? OLS_ENOSPC : OLS_OK;
    }
    d->w = NULL;
    e->prog.internal_done++;
    ols_state_step("download: stored, not recorded");
    {
        unsigned idx;
        const ols_fetchq_entry *q = entry_of(d, d->uid, &idx);
        struct pend *pn;
        if (d->npend == d->cappend) {
            size_t nc = d->cappend ? d->cappend * 2 : 64;
            struct pend *np = realloc(d->pend, nc * sizeof *np);
            if (!np) {
                free(id);
                return OLS_ENOMEM; /* stored, unrecorded: the tag brings it back */
            }
            d->pend = np;
            d->cappend = nc;
        }
        pn = &d->pend[d->npend++];
        pn->uid = d->uid;
        pn->id = id;
        pn->flags = d->flags;
        pn->size = q ? q->size : 0;
        pn->qid = q ? q->id : 0;
        if (q)
            d->delivered[idx] = 1;
    }
    free(d->result_id);
    d->result_id = strdup(id);
    return OLS_OK;
}

/* Make what was stored durable, then record it: one short transaction. */
static ols_status dl_flush(dl *d, ols_err *err)
{
    eng *e = d->e;
    ols_err tmp = {0};
    ols_status st = OLS_OK;
    size_t i;
    if (!err)
        err = &tmp;
    if (d->npend) {
        if (e->store->ops->sync && (st = e->store->ops->sync(e->store, err)) != OLS_OK)
            goto out; /* unrecorded: the item tags bring them back next time */
        if ((st = ols_state_begin(e->st, err)) != OLS_OK)
            goto out;
        for (i = 0; i < d->npend && st == OLS_OK; i++) {
            ols_state_item it = {d->pend[i].uid, d->pend[i].id, d->pend[i].flags,
                                 d->pend[i].size, NULL};
            st = ols_state_item_put(e->st, d->folder_id, &it, err);
            if (st == OLS_OK && d->pend[i].qid)
                st = ols_fetchq_done(e->st, d->pend[i].qid, err);
        }
        if (st == OLS_OK)
            st = ols_state_commit(e->st, err);
        else
            ols_state_rollback(e->st);
    }
out:
    for (i = 0; i < d->npend; i++)
        free(d->pend[i].id);
    free(d->pend);
    d->pend = NULL;
    d->npend = d->cappend = 0;
    return st;
}

static ols_status dl_message(void *ctx, const ols_imap_msg *m)
{
    dl *d = ctx;
    const ols_fetchq_entry *q = entry_of(d, m->uid, NULL);
    if (!d->w && !d->failed)
        return OLS_OK; /* no body in this response */
    if (q)
        d->flags = q->flags;
    d->uid = m->uid;
    if (dl_commit(d) == OLS_ENOSPC)
        return OLS_ENOSPC;
    d->e->rep->downloaded++;
    d->e->prog.down_done++;
    ols_sync_progress_tick(d->e, 0);
    return OLS_OK;
}

/* dl_begin needs the flags before the body arrives: pre-set them from the entry. */
static ols_status dl_begin_q(void *ctx, uint32_t uid, const char *section, uint64_t size)
{
    dl *d = ctx;
    const ols_fetchq_entry *q = entry_of(d, uid, NULL);
    if (!d->w)
        d->flags = q ? q->flags : 0;
    return dl_begin(ctx, uid, section, size);
}

/* ---- selecting the folder of a batch ---- */
static ols_status select_folder(eng *e, const ols_state_folder *f, uint32_t *uidvalidity,
                                ols_err *err)
{
    ols_imap_mailbox mb;
    ols_status st = ols_imap_select(e->im, f->remote, 0, NULL, NULL, &mb, err);
    if (st == OLS_OK)
        *uidvalidity = mb.uidvalidity;
    return st;
}

struct find_folder {
    int64_t id;
    ols_state_folder *out;
    int found;
};
static int find_folder_cb(void *ctx, const ols_state_folder *f)
{
    struct find_folder *c = ctx;
    if (f->id == c->id) {
        *c->out = *f;
        c->found = 1;
        return 1;
    }
    return 0;
}

static int folder_by_id(eng *e, int64_t id, ols_state_folder *out)
{
    struct find_folder c = {id, out, 0};
    ols_state_folders(e->st, find_folder_cb, &c, NULL);
    return c.found;
}

/* A message in ranges, one command per range, into one store item. Ends when a range
 * comes back shorter than asked, so a wrong size in the queue cannot truncate it. */
static ols_status fetch_ranges(dl *d, uint32_t uid, ols_err *err)
{
    uint64_t off;
    ols_imap_events ev;
    char items[96], set[16];
    ols_status st;
    memset(&ev, 0, sizeof ev);
    ev.ctx = d;
    ev.body_begin = dl_begin_q;
    ev.body_data = dl_data;
    ev.body_end = dl_end;
    snprintf(set, sizeof set, "%u", uid);
    for (off = 0;; off += RANGE) {
        d->last_len = 0;
        snprintf(items, sizeof items, "(UID BODY.PEEK[]<%llu.%u>)", (unsigned long long)off, RANGE);
        st = ols_imap_uid_fetch(d->e->im, set, items, 0, &ev, err);
        if (st != OLS_OK) {
            if (d->w)
                d->sf->store->ops->add_abort(d->w);
            d->w = NULL;
            return st;
        }
        if (!d->w && !d->failed)
            return OLS_OK; /* the message is gone */
        if (d->last_len < RANGE)
            break;
        if (ols_sync_cancelled(d->e)) {
            if (d->w)
                d->sf->store->ops->add_abort(d->w);
            d->w = NULL;
            return ols_err_set(err, OLS_ECANCELED, "cancelled");
        }
    }
    d->uid = uid;
    st = dl_commit(d);
    if (st != OLS_OK)
        return ols_err_set(err, st, "cannot store message %u", uid);
    d->e->rep->downloaded++;
    d->e->prog.down_done++;
    return OLS_OK;
}

/* Everything queued, best class first. Between batches the queue is read again, so an
 * entry of a better class that arrived meanwhile goes first. */
ols_status ols_sync_drain(eng *e, ols_err *err)
{
    ols_fetchq_entry *q = calloc(BATCH, sizeof *q);
    unsigned char *delivered = calloc(BATCH, 1);
    int64_t cur_folder = 0;
    uint32_t uidvalidity = 0;
    ols_state_folder f;
    ols_store_folder *sf = NULL;
    ols_status st = OLS_OK;
    unsigned n;

    if (!q || !delivered) {
        free(q);
        free(delivered);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    {
        uint64_t counts[5];
        ols_fetchq_counts(e->st, counts);
        e->prog.down_total = e->prog.down_done + counts[0];
    }
    while (st == OLS_OK && (n = ols_fetchq_take(e->st, BATCH, q)) > 0) {
        dl d;
        uint32_t small[BATCH];
        size_t ns = 0, i;
        if (ols_sync_cancelled(e)) {
            for (i = 0; i < n; i++)
                ols_fetchq_release(e->st, q[i].id, NULL);
            st = ols_err_set(err, OLS_ECANCELED, "cancelled");
            break;
        }
        if (q[0].folder != cur_folder) {
            if (sf)
                e->store->ops->close_folder(sf);
            sf = NULL;
            if (!folder_by_id(e, q[0].folder, &f) ||
                e->store->ops->open_folder(e->store, f.path, &sf, NULL) != OLS_OK) {
                for (i = 0; i < n; i++) /* the folder is gone: so are its entries */
                    ols_fetchq_done(e->st, q[i].id, NULL);
                cur_folder = 0;
                continue;
            }
            if ((st = select_folder(e, &f, &uidvalidity, err)) != OLS_OK)
                break;
            cur_folder = q[0].folder;
            e->prog.folder = f.path;
        }
        memset(&d, 0, sizeof d);
        memset(delivered, 0, BATCH);
        d.e = e;
        d.folder_id = f.id;
        d.path = f.path;
        d.uidvalidity = uidvalidity;
        d.sf = sf;
        d.entries = q;
        d.nentries = n;
        d.delivered = delivered;
        for (i = 0; i < n && st == OLS_OK; i++) {
            /* already here (an on-demand fetch, or adopted after a crash): no duplicate */
            if (ols_state_item_get(e->st, f.id, q[i].uid, NULL, NULL, NULL) == OLS_OK ||
                uidvalidity != f.uidvalidity) {
                ols_fetchq_done(e->st, q[i].id, NULL);
                delivered[i] = 1;
                continue;
            }
            if (q[i].size > RANGE)
                st = fetch_ranges(&d, q[i].uid, err);
            else
                small[ns++] = q[i].uid;
        }
        if (st == OLS_OK && ns) {
            char **sets = NULL;
            size_t k = ols_uidset_chunks(small, ns, SET_UIDS, &sets), j;
            ols_imap_events ev;
            memset(&ev, 0, sizeof ev);
            ev.ctx = &d;
            ev.message = dl_message;
            ev.body_begin = dl_begin_q;
            ev.body_data = dl_data;
            ev.body_end = dl_end;
            for (j = 0; j < k && st == OLS_OK; j += PIPE_SETS) {
                size_t m = k - j < PIPE_SETS ? k - j : PIPE_SETS;
                st = ols_imap_uid_fetch_many(e->im, (const char *const *)sets + j, m,
                                             "(UID BODY.PEEK[])", &ev, err);
                e->rep->body_fetches += m;
            }
            if (d.w) {
                sf->store->ops->add_abort(d.w);
                d.w = NULL;
            }
            ols_uidset_chunks_free(sets, k);
        }
        free(d.result_id);
        for (i = 0; i < n; i++) {
            if (delivered[i])
                continue;
            if (st == OLS_OK) { /* vanished before we got to it: nothing to keep */
                OLS_LOG_INFO("sync", "%s: UID %u was gone before its download", f.path,
                             q[i].uid);
                ols_fetchq_done(e->st, q[i].id, NULL);
            } else {
                ols_fetchq_release(e->st, q[i].id, NULL);
            }
        }
        if (dl_flush(&d, st == OLS_OK ? err : NULL) != OLS_OK && st == OLS_OK)
            st = err->code;
        ols_sync_progress_tick(e, 0);
    }
    if (sf)
        e->store->ops->close_folder(sf);
    e->prog.folder = NULL;
    free(q);
    free(delivered);
    return st;
}

/* ---- partial modes ---- */
typedef struct piece {
    char key[80];
    char *data;
    size_t len, cap;
} piece;

typedef struct pieces {
    uint32_t uid;
    piece *v;
    size_t n, cap, total;
    char *bodystructure;
    uint32_t size;
    int failed;
} pieces;

static piece *cur_piece(pieces *p) { return p->n ? &p->v[p->n - 1] : NULL; }

static ols_status pc_begin(void *ctx, uint32_t uid, const char *section, uint64_t size)
{
    pieces *p = ctx;
    piece *x;
    const char *a = strchr(section, '['), *b = a ? strchr(a, ']') : NULL;
    (void)uid;
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        piece *nv = realloc(p->v, nc * sizeof *nv);
        if (!nv)
            return OLS_ENOMEM;
        p->v = nv;
        p->cap = nc;
    }
    x = &p->v[p->n++];
    memset(x, 0, sizeof *x);
    if (a && b && b > a)
        snprintf(x->key, sizeof x->key, "%.*s", (int)(b - a - 1), a + 1);
    if (size + p->total > MAX_PIECES)
        p->failed = 1;
    return OLS_OK;
}

static ols_status pc_data(void *ctx, const void *d, size_t n)
{
    pieces *p = ctx;
    piece *x = cur_piece(p);
    if (!x || p->failed)
        return OLS_OK;
    if (p->total + n > MAX_PIECES) {
        p->failed = 1;
        return OLS_OK;
    }
    if (x->len + n + 1 > x->cap) {
        size_t nc = x->cap ? x->cap : 4096;
        char *nd;
        while (nc < x->len + n + 1)
            nc *= 2;
        nd = realloc(x->data, nc);
        if (!nd)
            return OLS_ENOMEM;
        x->data = nd;
        x->cap = nc;
    }
    memcpy(x->data + x->len, d, n);
    x->len += n;
    x->data[x->len] = '\0';
    p->total += n;
    return OLS_OK;
}

static ols_status pc_end(void *ctx)
{
    (void)ctx;
    return OLS_OK;
}

static ols_status pc_message(void *ctx, const ols_imap_msg *m)
{
    pieces *p = ctx;
    if (m->bodystructure && !p->bodystructure)
        p->bodystructure = strdup(m->bodystructure);
    if (m->size)
        p->size = m->size;
    return OLS_OK;
}

static const char *pc_lookup(void *ctx, const char *key, size_t *len)
{
    pieces *p = ctx;
    size_t i;
    for (i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].key, key)) {
            *len = p->v[i].len;
            return p->v[i].data ? p->v[i].data : "";
        }
    return NULL;
}

static void pc_reset(pieces *p)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        free(p->v[i].data);
    free(p->v);
    free(p->bodystructure);
    memset(p, 0, sizeof *p);
}

struct want_ctx {
    const char *also; /* one more section wanted (an on-demand part), or NULL */
    const char *missing; /* sections still missing in the local copy, NULL = none known */
    int text_only;
};

static int want_part(void *ctx, const ols_mime_part *p)
{
    struct want_ctx *w = ctx;
    if (w->also && !strcmp(w->also, p->section))
        return 1;
    if (w->missing && *w->missing && !ols_partial_has(w->missing, p->section))
        return 1; /* was here before: keep it */
    return w->text_only ? ols_mime_is_readable_text(p) : 0;
}

static int part_exists(const ols_mime_part *root, const char *section)
{
    const ols_mime_part *stack[64], *x;
    int sp = 0;
    stack[sp++] = root;
    while (sp) {
        x = stack[--sp];
        if (!strcmp(x->section, section))
            return 1;
        for (x = x->child; x && sp < 63; x = x->next)
            stack[sp++] = x;
    }
    return 0;
}

/* The message exists and has that part (from its BODYSTRUCTURE). */
static ols_status check_section(eng *e, const char *path, uint32_t uid, const char *section,
                                ols_err *err)
{
    pieces p;
    ols_imap_events ev;
    ols_mime_part *root = NULL;
    char set[16];
    ols_status st;
    memset(&p, 0, sizeof p);
    memset(&ev, 0, sizeof ev);
    ev.ctx = &p;
    ev.message = pc_message;
    snprintf(set, sizeof set, "%u", uid);
    st = ols_imap_uid_fetch(e->im, set, "(UID BODYSTRUCTURE)", 0, &ev, err);
    if (st == OLS_OK && !p.bodystructure)
        st = ols_err_set(err, OLS_ENOENT, "no message with UID %u in %s", uid, path);
    if (st == OLS_OK)
        st = ols_mime_parse_bodystructure(p.bodystructure, &root, err);
    if (st == OLS_OK && !part_exists(root, section))
        st = ols_err_set(err, OLS_ENOENT, "message %u in %s has no part %s", uid, path, section);
    ols_mime_free(root);
    pc_reset(&p);
    return st;
}

/* Fetch what the mode wants of one message and store the stand-in (or replace one). */
ols_status ols_sync_fetch_partial(eng *e, const ols_state_folder *f, ols_store_folder *sf,
                                  uint32_t uidvalidity, uint32_t uid, unsigned flags,
                                  int headers_only, const char *also, const char *missing,
                                  const char *replace_id, char **where, ols_err *err)
{
    pieces p;
    ols_imap_events ev;
    ols_mime_part *root = NULL;
    ols_strbuf items = {0}, out = {0}, miss = {0};
    struct want_ctx w = {also, missing, !headers_only};
    ols_partial_src src;
    char set[16];
    ols_status st;
    ols_store_writer *wr = NULL;
    char *id = NULL, tag[32];

    memset(&p, 0, sizeof p);
    memset(&ev, 0, sizeof ev);
    ev.ctx = &p;
    ev.message = pc_message;
    ev.body_begin = pc_begin;
    ev.body_data = pc_data;
    ev.body_end = pc_end;
    snprintf(set, sizeof set, "%u", uid);
    st = ols_imap_uid_fetch(e->im, set, "(UID RFC822.SIZE BODYSTRUCTURE)", 0, &ev, err);
    if (st == OLS_OK && !p.bodystructure)
        st = ols_err_set(err, OLS_ENOENT, "no message with UID %u in %s", uid, f->path);
    if (st == OLS_OK)
        st = ols_mime_parse_bodystructure(p.bodystructure, &root, err);
    if (st == OLS_OK && also && *also && !part_exists(root, also))
        st = ols_err_set(err, OLS_ENOENT, "message %u in %s has no part %s", uid, f->path, also);
    if (st == OLS_OK) {
        uint32_t size = p.size;
        char *bs = p.bodystructure;
        p.bodystructure = NULL;
        pc_reset(&p);
        p.size = size;
        ols_partial_fetch_items(root, want_part, &w, &items);
        st = items.oom ? OLS_ENOMEM : ols_imap_uid_fetch(e->im, set, items.p, 0, &ev, err);
        free(bs);
        if (st == OLS_OK && p.failed)
            st = ols_err_set(err, OLS_ERANGE, "message %u: its text parts are too large", uid);
    }
    if (st == OLS_OK) {
        src.user = e->o->imap->user;
        src.host = e->o->imap->host;
        src.mailbox = f->remote;
        src.uidvalidity = uidvalidity;
        src.uid = uid;
        src.size = p.size;
        st = ols_partial_assemble(&src, root, want_part, &w, pc_lookup, &p, &out, &miss, err);
    }
    if (st == OLS_OK) {
        snprintf(tag, sizeof tag, "%u-%u", uidvalidity, uid);
        st = sf->store->ops->add_begin(sf, flags, 0, replace_id ? NULL : tag, &wr, err);
        if (st == OLS_OK)
            st = sf->store->ops->add_write(wr, out.p, out.n, err);
        if (st == OLS_OK) {
            ols_state_step("partial: before commit");
            st = sf->store->ops->add_commit(wr, replace_id, &id, err);
            wr = NULL;
        }
        if (wr)
            sf->store->ops->add_abort(wr);
    }
    if (st == OLS_OK) {
        ols_state_item it = {uid, id, flags, p.size, miss.p ? miss.p : ""};
        st = ols_state_item_put(e->st, f->id, &it, err);
        if (where)
            *where = id, id = NULL;
    }
    free(id);
    ols_mime_free(root);
    pc_reset(&p);
    ols_sb_free(&items);
    ols_sb_free(&out);
    ols_sb_free(&miss);
    return st;
}

/* The whole message, now, into the store (new, or replacing a stand-in in place). */
ols_status ols_sync_fetch_whole(eng *e, const ols_state_folder *f, ols_store_folder *sf,
                                uint32_t uidvalidity, uint32_t uid, unsigned flags,
                                uint64_t size, const char *replace_id, char **where,
                                ols_err *err)
{
    dl d;
    ols_fetchq_entry one;
    unsigned char delivered = 0;
    ols_status st;
    memset(&d, 0, sizeof d);
    memset(&one, 0, sizeof one);
    one.uid = uid;
    one.flags = flags;
    one.size = size;
    d.e = e;
    d.folder_id = f->id;
    d.path = f->path;
    d.uidvalidity = uidvalidity;
    d.sf = sf;
    d.entries = &one;
    d.nentries = 1;
    d.delivered = &delivered;
    d.replace_id = replace_id;
    (void)size;
    st = fetch_ranges(&d, uid, err);
    if (dl_flush(&d, st == OLS_OK ? err : NULL) != OLS_OK && st == OLS_OK)
        st = err->code;
    if (st == OLS_OK && !delivered && !d.result_id)
        st = ols_err_set(err, OLS_ENOENT, "no message with UID %u in %s", uid, f->path);
    if (st == OLS_OK && where) {
        *where = d.result_id;
        d.result_id = NULL;
    }
    free(d.result_id);
    return st;
}

/* ---- on demand: `olsync fetch` and opening an item in Outlook ---- */
struct probe {
    uint32_t uid;
    unsigned flags;
    uint32_t size;
    int found;
};

static ols_status probe_msg(void *ctx, const ols_imap_msg *m)
{
    struct probe *p = ctx;
    if (m->uid == p->uid) {
        p->found = 1;
        p->flags = m->has_flags ? m->flags : 0;
        p->size = m->size;
    }
    return OLS_OK;
}

static ols_status fetch_one(eng *e, const char *path, uint32_t uid, const char *section,
                            char **where, ols_err *err)
{
    ols_state_folder f;
    ols_store_folder *sf = NULL;
    uint32_t uidvalidity = 0;
    struct probe pr = {uid, 0, 0, 0};
    ols_imap_events ev;
    char set[16], *local = NULL, *partial = NULL, *id = NULL;
    unsigned flags = 0;
    int64_t qid = 0;
    ols_status st;

    if (ols_state_folder_get(e->st, path, &f, NULL) != OLS_OK)
        return ols_err_set(err, OLS_ENOENT, "folder %s is not synced (run olsync sync first)",
                           path);
    if ((st = select_folder(e, &f, &uidvalidity, err)) != OLS_OK)
        return st;
    if (uidvalidity != f.uidvalidity)
        return ols_err_set(err, OLS_EBUSY, "%s changed on the server; run olsync sync first",
                           path);
    memset(&ev, 0, sizeof ev);
    ev.ctx = &pr;
    ev.message = probe_msg;
    snprintf(set, sizeof set, "%u", uid);
    if ((st = ols_imap_uid_fetch(e->im, set, "(UID FLAGS RFC822.SIZE)", 0, &ev, err)) != OLS_OK)
        return st;
    if (!pr.found)
        return ols_err_set(err, OLS_ENOENT, "no message with UID %u in %s", uid, path);
    if ((st = e->store->ops->open_folder(e->store, path, &sf, err)) != OLS_OK)
        return st;
    if (section && *section && (st = check_section(e, path, uid, section, err)) != OLS_OK) {
        e->store->ops->close_folder(sf);
        return st;
    }
    if (ols_state_item_get(e->st, f.id, uid, &local, &flags, &partial) == OLS_OK) {
        if (!*partial || (section && *section && !ols_partial_has(partial, section))) {
            id = local; /* already here, whole (or with that part) */
            local = NULL;
        } else if (section && *section) {
            /* that part (and the readable text) in place of its stand-in */
            ols_state_begin(e->st, NULL);
            st = ols_sync_fetch_partial(e, &f, sf, uidvalidity, uid, flags, 0, section, partial,
                                        local, &id, err);
            if (ols_sync_commit(e, st == OLS_OK ? err : NULL) != OLS_OK && st == OLS_OK)
                st = err->code;
        } else {
            st = ols_sync_fetch_whole(e, &f, sf, uidvalidity, uid, flags, pr.size, local, &id,
                                      err);
        }
    } else {
        /* not here yet: take it from the queue, unless another process is fetching it */
        int i;
        for (i = 0; i < 600 && !ols_fetchq_claim(e->st, f.id, uid, &qid); i++) {
            ols_sleep_ms(20);
            if (ols_state_item_get(e->st, f.id, uid, &id, NULL, NULL) == OLS_OK)
                break;
        }
        if (!id)
            st = ols_sync_fetch_whole(e, &f, sf, uidvalidity, uid, pr.flags, pr.size, NULL, &id,
                                      err);
        if (st == OLS_OK && qid)
            ols_fetchq_done(e->st, qid, NULL);
    }
    if (st == OLS_OK && id && where) {
        if (!e->store->ops->locate_item ||
            e->store->ops->locate_item(sf, id, where, NULL) != OLS_OK)
            *where = strdup(id);
    }
    e->store->ops->close_folder(sf);
    free(id);
    free(local);
    free(partial);
    return st;
}

ols_status ols_sync_fetch(const ols_sync_opts *o, const char *folder, uint32_t uid,
                          const char *section, char **where, ols_err *err)
{
    eng e;
    ols_sync_report rep;
    ols_status st;
    memset(&e, 0, sizeof e);
    memset(&rep, 0, sizeof rep);
    e.o = o;
    e.rep = &rep;
    e.store = o->store;
    e.start_ms = ols_mono_ms();
    *where = NULL;
    if ((st = ols_state_open(o->state_path, &e.st, err)) != OLS_OK)
        return st;
    st = ols_imap_connect(o->imap, &e.im, err);
    if (st == OLS_OK)
        st = fetch_one(&e, folder, uid, section, where, err);
    if (e.im)
        ols_imap_close(e.im);
    ols_state_close(e.st);
    return st;
}
