/* One sync pass: connect, reconcile the folder trees, then each folder's items. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "olsync/log.h"
#include "olsync/mutf7.h"
#include "plat/plat.h"

#define KOLAB_TYPE_PRIVATE "/private/vendor/kolab/folder-type"
#define KOLAB_TYPE_SHARED "/shared/vendor/kolab/folder-type"

void ols_sync_progress_tick(eng *e, int force)
{
    uint64_t now = ols_mono_ms();
    if (!e->o->progress || (!force && now - e->last_progress_ms < 100))
        return;
    e->last_progress_ms = now;
    e->prog.elapsed_ms = now - e->start_ms;
    if (e->im) {
        ols_conn_stats cs;
        ols_conn_stats_get(ols_imap_conn(e->im), &cs);
        e->prog.bytes_in = cs.wire_in;
        e->prog.bytes_out = cs.wire_out;
    }
    e->o->progress(e->o->progress_ctx, &e->prog);
}

ols_status ols_sync_commit(eng *e, ols_err *err)
{
    ols_err tmp = {0};
    if (e->store->ops->sync && e->store->ops->sync(e->store, err ? err : &tmp) != OLS_OK) {
        ols_state_rollback(e->st);
        return err ? err->code : tmp.code;
    }
    return ols_state_commit(e->st, err);
}

int ols_sync_cancelled(eng *e) { return e->o->cancelled && e->o->cancelled(e->o->cancel_ctx); }

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

int ols_download_mode_parse(const char *s)
{
    if (!s)
        return -1;
    if (!strcmp(s, "full"))
        return OLS_DL_FULL;
    if (!strcmp(s, "headers"))
        return OLS_DL_HEADERS;
    if (!strcmp(s, "custom"))
        return OLS_DL_CUSTOM;
    return -1;
}

int ols_sync_folder_excluded(const char *path, unsigned imap_flags)
{
    return (imap_flags & OLS_FOLDER_DRAFTS) || ieq(path, "Drafts") || ieq(path, "Outbox");
}

/* ---- names: server (modified UTF-7, server delimiter) <-> local ('/'-separated UTF-8) ---- */
static char *remote_to_path(const char *remote, char delim)
{
    char *d = ols_mutf7_decode(remote, NULL), *p;
    if (!d)
        return NULL;
    if (ieq(d, "INBOX")) {
        strcpy(d, "INBOX");
        return d;
    }
    if (delim && delim != '/')
        for (p = d; *p; p++) {
            if (*p == '/')
                *p = '_'; /* a '/' inside a level cannot be a level separator locally */
            else if (*p == delim)
                *p = '/';
        }
    return d;
}

static char *path_to_remote(const char *path, char delim)
{
    char *copy = strdup(path), *p, *enc;
    if (!copy)
        return NULL;
    if (delim && delim != '/')
        for (p = copy; *p; p++)
            if (*p == '/')
                *p = delim;
    enc = ols_mutf7_encode(copy, NULL);
    free(copy);
    return enc;
}

/* ---- the three folder views ---- */
typedef struct sfolder {
    char *path, *remote;
    unsigned flags;
    uint32_t uidvalidity;
    int has_status, seen;
} sfolder;

typedef struct lfolder {
    char *path, *kind;
    int seen;
} lfolder;

typedef struct trees {
    sfolder *s;
    size_t ns, caps;
    lfolder *l;
    size_t nl, capl;
    ols_state_folder *k;
    size_t nk, capk;
    char delim;
} trees;

static int on_server_folder(void *ctx, const ols_imap_folder *f)
{
    trees *t = ctx;
    sfolder *x;
    char *path;
    if (f->flags & (OLS_FOLDER_NOSELECT | OLS_FOLDER_NONEXISTENT))
        return 0;
    if (f->delim && !t->delim)
        t->delim = f->delim;
    path = remote_to_path(f->name, f->delim ? f->delim : t->delim);
    if (!path) {
        OLS_LOG_WARN("sync", "skipping a folder with a malformed name");
        return 0;
    }
    if (t->ns == t->caps) {
        size_t nc = t->caps ? t->caps * 2 : 32;
        sfolder *n = realloc(t->s, nc * sizeof *n);
        if (!n) {
            free(path);
            return 1;
        }
        t->s = n;
        t->caps = nc;
    }
    x = &t->s[t->ns++];
    memset(x, 0, sizeof *x);
    x->path = path;
    x->remote = strdup(f->name);
    x->flags = f->flags;
    x->has_status = f->has_status;
    x->uidvalidity = f->uidvalidity;
    return 0;
}

static int on_local_folder(void *ctx, const ols_store_folder_info *f)
{
    trees *t = ctx;
    lfolder *x;
    if (t->nl == t->capl) {
        size_t nc = t->capl ? t->capl * 2 : 32;
        lfolder *n = realloc(t->l, nc * sizeof *n);
        if (!n)
            return 1;
        t->l = n;
        t->capl = nc;
    }
    x = &t->l[t->nl++];
    x->path = strdup(f->path);
    x->kind = f->kind ? strdup(f->kind) : NULL;
    x->seen = 0;
    return 0;
}

static int on_known_folder(void *ctx, const ols_state_folder *f)
{
    trees *t = ctx;
    if (t->nk == t->capk) {
        size_t nc = t->capk ? t->capk * 2 : 32;
        ols_state_folder *n = realloc(t->k, nc * sizeof *n);
        if (!n)
            return 1;
        t->k = n;
        t->capk = nc;
    }
    t->k[t->nk++] = *f;
    return 0;
}

static void free_trees(trees *t)
{
    size_t i;
    for (i = 0; i < t->ns; i++) {
        free(t->s[i].path);
        free(t->s[i].remote);
    }
    for (i = 0; i < t->nl; i++) {
        free(t->l[i].path);
        free(t->l[i].kind);
    }
    free(t->s);
    free(t->l);
    free(t->k);
}

static sfolder *find_s(trees *t, const char *path)
{
    size_t i;
    for (i = 0; i < t->ns; i++)
        if (!strcmp(t->s[i].path, path))
            return &t->s[i];
    return NULL;
}

static lfolder *find_l(trees *t, const char *path)
{
    size_t i;
    for (i = 0; i < t->nl; i++)
        if (!strcmp(t->l[i].path, path))
            return &t->l[i];
    return NULL;
}

static const char *kind_from_metadata(const char *v)
{
    static const char *const kinds[] = {"event", "contact", "task", "note", "journal", "mail"};
    size_t i;
    if (!v)
        return NULL;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strncmp(v, kinds[i], strlen(kinds[i])))
            return i == 5 ? NULL : kinds[i];
    return NULL;
}

static const char *server_kind(eng *e, const char *remote)
{
    char *v = NULL;
    const char *k;
    if (!(ols_imap_caps(e->im) & OLS_CAP_METADATA))
        return NULL;
    if (ols_imap_getmetadata(e->im, remote, KOLAB_TYPE_PRIVATE, &v, NULL) != OLS_OK || !v) {
        free(v);
        v = NULL;
        if (ols_imap_getmetadata(e->im, remote, KOLAB_TYPE_SHARED, &v, NULL) != OLS_OK)
            v = NULL;
    }
    k = kind_from_metadata(v);
    free(v);
    return k;
}

/* Local folder g holds items the state knows in folder k: a local rename of k to g. */
struct hits {
    eng *e;
    int64_t k;
    unsigned seen, hits;
};

static int hits_cb(void *ctx, const ols_store_item *it)
{
    struct hits *h = ctx;
    if (ols_state_folder_of_local(h->e->st, it->id, 0) == h->k)
        h->hits++;
    return ++h->seen >= 50; /* a sample is enough */
}

static int holds_items_of(eng *e, const char *g, int64_t k)
{
    ols_store_folder *sf;
    struct hits h = {e, k, 0, 0};
    if (e->store->ops->open_folder(e->store, g, &sf, NULL) != OLS_OK)
        return 0;
    e->store->ops->list_items(sf, hits_cb, &h, NULL);
    e->store->ops->close_folder(sf);
    return h.hits > 0 && h.hits * 2 >= h.seen;
}

/* Delete the items of a local folder that the state maps to k; EBUSY (and nothing deleted)
 * when the folder holds items the server never had. */
struct idlist {
    eng *e;
    int64_t k;
    char **ids;
    size_t n, cap;
    int foreign, oom;
};

static int collect_ids(void *ctx, const ols_store_item *it)
{
    struct idlist *l = ctx;
    if (ols_state_folder_of_local(l->e->st, it->id, 0) != l->k) {
        l->foreign = 1;
        return 1;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        char **nn = realloc(l->ids, nc * sizeof *nn);
        if (!nn) {
            l->oom = 1;
            return 1;
        }
        l->ids = nn;
        l->cap = nc;
    }
    l->ids[l->n] = strdup(it->id);
    if (l->ids[l->n])
        l->n++;
    return 0;
}

static ols_status delete_local_items(eng *e, ols_state_folder *k)
{
    ols_store_folder *sf;
    struct idlist l = {e, k->id, NULL, 0, 0, 0, 0};
    ols_status st = OLS_OK;
    size_t i;
    if (e->store->ops->open_folder(e->store, k->path, &sf, NULL) != OLS_OK)
        return OLS_ENOENT;
    e->store->ops->list_items(sf, collect_ids, &l, NULL);
    if (l.foreign || l.oom)
        st = OLS_EBUSY;
    for (i = 0; i < l.n; i++) {
        if (st == OLS_OK && e->store->ops->delete_item(sf, l.ids[i], NULL) == OLS_OK)
            e->rep->deleted_local++;
        free(l.ids[i]);
    }
    free(l.ids);
    e->store->ops->close_folder(sf);
    return st;
}

static int excluded_s(sfolder *x) { return x && ols_sync_folder_excluded(x->path, x->flags); }

static int wanted(eng *e, const char *path)
{
    return !e->o->only_folder || !strcmp(e->o->only_folder, path);
}

static void record_tripped(eng *e, const char *path)
{
    e->rep->tripped++;
    if (strlen(e->rep->tripped_names) + strlen(path) + 3 < sizeof e->rep->tripped_names) {
        if (e->rep->tripped_names[0])
            strcat(e->rep->tripped_names, ", ");
        strcat(e->rep->tripped_names, path);
    }
}

/* Reconcile the folder trees; fills `todo` with the state rows to sync items for. */
static ols_status reconcile(eng *e, trees *t, ols_state_folder **todo, size_t *ntodo, ols_err *err)
{
    size_t i, j;
    ols_state_folder *list = calloc(t->ns + t->nl + 1, sizeof *list);
    size_t n = 0;
    ols_status st = OLS_OK;
    if (!list)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");

    /* folders the state knows */
    for (i = 0; i < t->nk && st == OLS_OK; i++) {
        ols_state_folder *k = &t->k[i];
        sfolder *sx = find_s(t, k->path);
        lfolder *lx = find_l(t, k->path);
        if (sx)
            sx->seen = 1;
        if (lx)
            lx->seen = 1;
        if (sx && lx) {
            if (wanted(e, k->path))
                list[n++] = *k;
            continue;
        }
        if (!sx && !lx) {
            ols_state_folder_drop(e->st, k->id, NULL);
            continue;
        }
        if (!sx) {
            /* gone from the server: renamed there (same UIDVALIDITY), or deleted */
            sfolder *to = NULL;
            for (j = 0; j < t->ns; j++)
                if (!find_l(t, t->s[j].path) && t->s[j].has_status && k->uidvalidity &&
                    t->s[j].uidvalidity == k->uidvalidity && !excluded_s(&t->s[j])) {
                    int known = 0;
                    size_t q;
                    for (q = 0; q < t->nk; q++)
                        if (!strcmp(t->k[q].path, t->s[j].path))
                            known = 1;
                    if (!known) {
                        to = &t->s[j];
                        break;
                    }
                }
            if (to) {
                ols_state_step("rename local folder: before");
                st = e->store->ops->rename_folder(e->store, k->path, to->path, err);
                if (st != OLS_OK)
                    break;
                ols_state_folder_rename(e->st, k->id, to->path, to->remote, NULL);
                to->seen = 1;
                snprintf(k->path, sizeof k->path, "%s", to->path);
                snprintf(k->remote, sizeof k->remote, "%s", to->remote);
                e->rep->folders_renamed++;
                if (wanted(e, k->path))
                    list[n++] = *k;
            } else {
                uint64_t items = 0;
                ols_state_item_count(e->st, k->id, &items);
                if (!e->o->force && items > e->guard_min) {
                    OLS_LOG_ERR("sync", "%s was deleted on the server; it holds %llu messages "
                                        "here, kept (use --force to delete it)",
                                k->path, (unsigned long long)items);
                    record_tripped(e, k->path);
                    continue;
                }
                ols_state_step("delete local folder: before");
                st = OLS_OK;
                if (delete_local_items(e, k) == OLS_OK &&
                    e->store->ops->delete_folder(e->store, k->path, err) == OLS_OK) {
                    ols_state_folder_drop(e->st, k->id, NULL);
                    e->rep->folders_deleted_local++;
                } else {
                    /* local-only items: keep them, and make the folder again on the server */
                    OLS_LOG_WARN("sync", "%s was deleted on the server but holds new items "
                                         "here; kept and created again on the server",
                                 k->path);
                    ols_err_clear(err);
                    ols_state_folder_drop(e->st, k->id, NULL);
                    if (lx)
                        lx->seen = 0;
                }
            }
            continue;
        }
        /* !lx: gone locally: renamed here (a new local folder holds its items), or deleted */
        {
            lfolder *to = NULL;
            for (j = 0; j < t->nl; j++) {
                int known = 0;
                size_t q;
                if (find_s(t, t->l[j].path))
                    continue;
                for (q = 0; q < t->nk; q++)
                    if (!strcmp(t->k[q].path, t->l[j].path))
                        known = 1;
                if (!known && holds_items_of(e, t->l[j].path, k->id)) {
                    to = &t->l[j];
                    break;
                }
            }
            if (to) {
                char *remote = path_to_remote(to->path, t->delim);
                if (!remote) {
                    st = ols_err_set(err, OLS_ENOMEM, "out of memory");
                    break;
                }
                ols_state_step("rename server folder: before");
                st = ols_imap_rename(e->im, k->remote, remote, err);
                if (st == OLS_OK) {
                    ols_imap_subscribe(e->im, remote, 1, NULL);
                    ols_state_folder_rename(e->st, k->id, to->path, remote, NULL);
                    snprintf(k->path, sizeof k->path, "%s", to->path);
                    snprintf(k->remote, sizeof k->remote, "%s", remote);
                    to->seen = 1;
                    e->rep->folders_renamed++;
                    if (wanted(e, k->path))
                        list[n++] = *k;
                }
                free(remote);
            } else {
                uint64_t items = 0;
                ols_state_item_count(e->st, k->id, &items);
                if (!e->o->force && items > e->guard_min) {
                    OLS_LOG_ERR("sync", "%s was deleted here; it holds %llu messages on the "
                                        "server, kept (use --force to delete it there)",
                                k->path, (unsigned long long)items);
                    record_tripped(e, k->path);
                    continue;
                }
                ols_state_step("delete server folder: before");
                st = ols_imap_delete(e->im, k->remote, err);
                if (st == OLS_OK) {
                    ols_state_folder_drop(e->st, k->id, NULL);
                    e->rep->folders_deleted_remote++;
                }
            }
        }
    }

    /* new on the server: create here */
    for (i = 0; i < t->ns && st == OLS_OK; i++) {
        sfolder *x = &t->s[i];
        ols_state_folder f;
        const char *kind;
        if (x->seen || excluded_s(x))
            continue;
        x->seen = 1;
        memset(&f, 0, sizeof f);
        snprintf(f.path, sizeof f.path, "%s", x->path);
        snprintf(f.remote, sizeof f.remote, "%s", x->remote);
        kind = server_kind(e, x->remote);
        snprintf(f.kind, sizeof f.kind, "%s", kind ? kind : "");
        if (!find_l(t, x->path)) {
            ols_state_step("create local folder: before");
            st = e->store->ops->create_folder(e->store, x->path, kind, err);
            if (st != OLS_OK)
                break;
            e->rep->folders_created_local++;
        } else {
            find_l(t, x->path)->seen = 1;
        }
        st = ols_state_folder_put(e->st, &f, err);
        if (st == OLS_OK && wanted(e, f.path))
            list[n++] = f;
    }

    /* new here: create on the server */
    for (i = 0; i < t->nl && st == OLS_OK; i++) {
        lfolder *x = &t->l[i];
        ols_state_folder f;
        char *remote;
        if (x->seen || ols_sync_folder_excluded(x->path, 0))
            continue;
        x->seen = 1;
        remote = path_to_remote(x->path, t->delim);
        if (!remote) {
            OLS_LOG_WARN("sync", "cannot name folder %s on the server", x->path);
            continue;
        }
        ols_state_step("create server folder: before");
        st = ols_imap_create(e->im, remote, err);
        if (st == OLS_OK) {
            ols_imap_subscribe(e->im, remote, 1, NULL);
            if (x->kind && (ols_imap_caps(e->im) & OLS_CAP_METADATA)) {
                char v[40];
                snprintf(v, sizeof v, "%s", x->kind);
                ols_imap_setmetadata(e->im, remote, KOLAB_TYPE_PRIVATE, v, NULL);
            }
            memset(&f, 0, sizeof f);
            snprintf(f.path, sizeof f.path, "%s", x->path);
            snprintf(f.remote, sizeof f.remote, "%s", remote);
            snprintf(f.kind, sizeof f.kind, "%s", x->kind ? x->kind : "");
            st = ols_state_folder_put(e->st, &f, err);
            e->rep->folders_created_remote++;
            if (st == OLS_OK && wanted(e, f.path))
                list[n++] = f;
        }
        free(remote);
    }
    *todo = list;
    *ntodo = n;
    return st;
}

static int cmp_home(const void *a, const void *b)
{
    return strcmp(((const local_home *)a)->id, ((const local_home *)b)->id);
}

const char *ols_sync_local_home(eng *e, const char *id)
{
    local_home key, *h;
    key.id = (char *)id;
    h = e->nhomes ? bsearch(&key, e->homes, e->nhomes, sizeof *e->homes, cmp_home) : NULL;
    return h ? e->homes_paths[h->folder] : NULL;
}

struct home_ctx {
    eng *e;
    unsigned folder;
    size_t cap;
    int oom;
};

static int home_cb(void *ctx, const ols_store_item *it)
{
    struct home_ctx *c = ctx;
    eng *e = c->e;
    if (e->nhomes == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        local_home *n = realloc(e->homes, nc * sizeof *n);
        if (!n) {
            c->oom = 1;
            return 1;
        }
        e->homes = n;
        c->cap = nc;
    }
    e->homes[e->nhomes].id = strdup(it->id);
    e->homes[e->nhomes].folder = c->folder;
    if (e->homes[e->nhomes].id)
        e->nhomes++;
    return 0;
}

/* Index every local item of the folders about to be synced. */
static void index_homes(eng *e, const ols_state_folder *todo, size_t n)
{
    struct home_ctx c = {e, 0, 0, 0};
    size_t i;
    e->homes_paths = calloc(n ? n : 1, sizeof *e->homes_paths);
    if (!e->homes_paths)
        return;
    for (i = 0; i < n && !c.oom; i++) {
        ols_store_folder *sf;
        e->homes_paths[i] = strdup(todo[i].path);
        e->npaths = i + 1;
        if (!e->homes_paths[i] ||
            e->store->ops->open_folder(e->store, todo[i].path, &sf, NULL) != OLS_OK)
            continue;
        c.folder = (unsigned)i;
        e->store->ops->list_items(sf, home_cb, &c, NULL);
        e->store->ops->close_folder(sf);
    }
    if (e->nhomes)
        qsort(e->homes, e->nhomes, sizeof *e->homes, cmp_home);
}

static void free_homes(eng *e)
{
    size_t i;
    for (i = 0; i < e->nhomes; i++)
        free(e->homes[i].id);
    for (i = 0; i < e->npaths; i++)
        free(e->homes_paths[i]);
    free(e->homes);
    free(e->homes_paths);
}

/* Extra connections draining the queue beside the main one. Each worker has its own IMAP
 * connection, state handle and report; claims in the queue keep them off each other's
 * messages. Progress is reported by the main connection only. */
typedef struct drain_worker {
    eng e;
    ols_sync_opts opts;
    ols_sync_report rep;
    ols_err err;
    ols_status st;
    ols_thread *th;
} drain_worker;

static void drain_thread(void *arg)
{
    drain_worker *w = arg;
    w->st = ols_state_open(w->opts.state_path, &w->e.st, &w->err);
    if (w->st == OLS_OK)
        w->st = ols_imap_connect(w->opts.imap, &w->e.im, &w->err);
    if (w->st == OLS_OK)
        w->st = ols_sync_drain(&w->e, &w->err);
    if (w->e.im)
        ols_imap_close(w->e.im);
    ols_state_close(w->e.st);
}

static ols_status drain_all(eng *e, ols_err *err)
{
    unsigned extra = e->o->connections > 1 ? e->o->connections - 1 : 0, i, started = 0;
    drain_worker *w = extra ? calloc(extra, sizeof *w) : NULL;
    ols_status st;
    uint64_t counts[5];
    /* before any connection of ours claims anything: what is claimed now belongs to a
     * process that is gone (or to an earlier one that had our process id) */
    ols_fetchq_reclaim(e->st);
    ols_fetchq_counts(e->st, counts);
    if (counts[0] < 200)
        extra = 0; /* a few messages: not worth more connections */
    for (i = 0; w && i < extra; i++) {
        w[i].opts = *e->o;
        w[i].opts.progress = NULL;
        w[i].e.o = &w[i].opts;
        w[i].e.rep = &w[i].rep;
        w[i].e.store = e->store;
        w[i].e.start_ms = e->start_ms;
        if (ols_thread_start(&w[i].th, drain_thread, &w[i]) == OLS_OK)
            started++;
        else
            break;
    }
    st = ols_sync_drain(e, err);
    for (i = 0; i < started; i++) {
        ols_thread_join(w[i].th);
        e->rep->downloaded += w[i].rep.downloaded;
        e->rep->failed += w[i].rep.failed;
        e->rep->ignored += w[i].rep.ignored;
        e->rep->body_fetches += w[i].rep.body_fetches;
        e->prog.down_done += w[i].e.prog.down_done;
        e->prog.internal_done += w[i].e.prog.internal_done;
        e->prog.internal_total += w[i].e.prog.internal_total;
        if (st == OLS_OK && w[i].st != OLS_OK) {
            st = w[i].st;
            ols_err_set(err, st, "%s", w[i].err.msg);
        }
    }
    free(w);
    return st;
}

ols_status ols_sync_run(const ols_sync_opts *o, ols_sync_report *rep, ols_err *err)
{
    eng e;
    trees t;
    ols_status st;
    ols_state_folder *todo = NULL;
    size_t ntodo = 0, i;
    ols_conn_stats cs;

    memset(&e, 0, sizeof e);
    memset(&t, 0, sizeof t);
    memset(rep, 0, sizeof *rep);
    e.o = o;
    e.rep = rep;
    e.store = o->store;
    e.guard_pct = o->guard_percent ? o->guard_percent : 25;
    e.guard_min = o->guard_min ? o->guard_min : 10;
    e.full_every = o->full_every ? o->full_every : 10;
    e.start_ms = ols_mono_ms();

    st = ols_state_open(o->state_path, &e.st, err);
    if (st != OLS_OK)
        return st;
    st = ols_imap_connect(o->imap, &e.im, err);
    if (st != OLS_OK)
        goto out;
    if ((st = ols_imap_list(e.im, 0, on_server_folder, &t, err)) != OLS_OK)
        goto out;
    if ((st = e.store->ops->list_folders(e.store, on_local_folder, &t, err)) != OLS_OK)
        goto out;
    if ((st = ols_state_folders(e.st, on_known_folder, &t, err)) != OLS_OK)
        goto out;
    e.delim = t.delim ? t.delim : '/';
    t.delim = e.delim;
    /* server renames need the UIDVALIDITY of folders new to us */
    for (i = 0; i < t.ns; i++) {
        size_t q;
        int known = 0;
        for (q = 0; q < t.nk; q++)
            if (!strcmp(t.k[q].path, t.s[i].path))
                known = 1;
        if (!known && !t.s[i].has_status && !excluded_s(&t.s[i])) {
            ols_imap_folder fs;
            if (ols_imap_status(e.im, t.s[i].remote, &fs, NULL) == OLS_OK) {
                t.s[i].has_status = 1;
                t.s[i].uidvalidity = fs.uidvalidity;
            }
        }
    }

    if ((st = ols_state_begin(e.st, err)) != OLS_OK)
        goto out;
    st = reconcile(&e, &t, &todo, &ntodo, err);
    if (st == OLS_OK)
        st = ols_sync_commit(&e, err);
    else
        ols_sync_commit(&e, NULL); /* what was done stays recorded */
    if (st != OLS_OK)
        goto out;

    index_homes(&e, todo, ntodo);
    e.prog.folders_total = (unsigned)ntodo;
    for (i = 0; i < ntodo; i++) {
        ols_err ferr = {0};
        ols_status fst;
        if (ols_sync_cancelled(&e)) {
            st = ols_err_set(err, OLS_ECANCELED, "cancelled");
            break;
        }
        ols_state_begin(e.st, NULL);
        fst = ols_sync_mailbox(&e, &todo[i], &ferr);
        if (ols_sync_commit(&e, fst == OLS_OK ? &ferr : NULL) != OLS_OK && fst == OLS_OK)
            fst = ferr.code;
        rep->folders++;
        e.prog.folders_done++;
        if (fst != OLS_OK) {
            OLS_LOG_ERR("sync", "%s: %s", todo[i].path, ferr.msg);
            /* a broken connection or a full disk ends the pass; other folders go on */
            if (fst == OLS_ENET || fst == OLS_ETIMEDOUT || fst == OLS_EPROTO ||
                fst == OLS_ENOSPC || fst == OLS_ECANCELED || fst == OLS_EIO) {
                ols_err_set(err, fst, "%s: %s", todo[i].path, ferr.msg);
                st = fst;
                break;
            }
            rep->failed++;
        }
    }
    /* then everything the passes queued, best class first */
    if (st == OLS_OK && !o->no_drain) {
        ols_err derr = {0};
        ols_status dst = drain_all(&e, &derr);
        if (dst != OLS_OK) {
            OLS_LOG_ERR("sync", "download queue: %s", derr.msg);
            ols_err_set(err, dst, "%s", derr.msg);
            st = dst;
        }
    }
    {
        uint64_t counts[5];
        ols_fetchq_counts(e.st, counts);
        rep->queued = counts[0];
    }
    ols_sync_progress_tick(&e, 1);
    {
        /* the last pass's counters, for `olsync status` and the Notification Center */
        char js[1024];
        uint64_t ms = ols_mono_ms() - e.start_ms;
        ols_conn_stats cs2;
        ols_conn_stats_get(ols_imap_conn(e.im), &cs2);
        snprintf(js, sizeof js,
                 "{\"finished\": %lld, \"status\": \"%s\", \"elapsed_ms\": %llu, "
                 "\"downloaded\": [%llu, %llu], \"uploaded\": [%llu, %llu], "
                 "\"internal\": [%llu, %llu], \"bytes_in\": %llu, \"bytes_out\": %llu, "
                 "\"rate_bytes_s\": %llu}",
                 (long long)(ols_wall_ms() / 1000), ols_status_name(st), (unsigned long long)ms,
                 (unsigned long long)e.prog.down_done, (unsigned long long)e.prog.down_total,
                 (unsigned long long)e.prog.up_done, (unsigned long long)e.prog.up_total,
                 (unsigned long long)e.prog.internal_done,
                 (unsigned long long)e.prog.internal_total, (unsigned long long)cs2.wire_in,
                 (unsigned long long)cs2.wire_out,
                 (unsigned long long)(ms ? cs2.wire_in * 1000 / ms : 0));
        ols_state_meta_set(e.st, "last_pass", js);
    }
out:
    if (e.im) {
        ols_conn_stats_get(ols_imap_conn(e.im), &cs);
        rep->bytes_in = cs.wire_in;
        rep->bytes_out = cs.wire_out;
        ols_imap_close(e.im);
    }
    free(todo);
    free_homes(&e);
    free_trees(&t);
    ols_state_close(e.st);
    if (st == OLS_OK && rep->tripped)
        return ols_err_set(err, OLS_EBUSY,
                           "stopped to protect your mail: %s would lose many messages "
                           "(run again with --force if that is intended)",
                           rep->tripped_names);
    return st;
}
