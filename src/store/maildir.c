/* Maildir++ backend of the store vtable: tmp -> new/cur delivery, ":2," flag suffixes. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "olsync/mailflags.h"
#include "olsync/mutf7.h"
#include "olsync/store.h"
#include "plat/plat.h"

#ifdef _WIN32
#define INFO_SEP ';' /* ':' cannot appear in Windows file names */
#else
#define INFO_SEP ':'
#endif
#define KIND_FILE "olsync-kind"
#define MAX_NAME 1024

typedef struct md_store {
    ols_store base;
    char *root;
    char host[64];
    atomic_uint counter;
    int batch_sync;   /* the file system can be flushed at once: defer per-item flushes */
    atomic_int dirty; /* items committed since the last sync (several writers may run) */
} md_store;

typedef struct md_entry {
    char *id;   /* unique part */
    char *name; /* full file name */
    int in_cur;
} md_entry;

typedef struct md_folder {
    ols_store_folder base;
    char *dir;
    md_entry *tab; /* open-addressing hash on id */
    size_t cap, used;
    int indexed;
} md_folder;

typedef struct md_writer {
    ols_store_writer base;
    FILE *f;
    char *tmp_path;
    char *unique;
    unsigned flags;
    int failed;
} md_writer;

/* ---- names ---- */
static const struct {
    char letter;
    unsigned flag;
} letters[] = {{'D', OLS_MF_DRAFT},   {'F', OLS_MF_FLAGGED}, {'P', OLS_MF_FORWARDED},
               {'R', OLS_MF_ANSWERED}, {'S', OLS_MF_SEEN},    {'T', OLS_MF_DELETED}};

static unsigned parse_flags(const char *name)
{
    const char *info = strrchr(name, INFO_SEP);
    unsigned f = 0;
    size_t i;
    if (!info || strncmp(info + 1, "2,", 2) != 0)
        return 0;
    for (info += 3; *info; info++)
        for (i = 0; i < sizeof letters / sizeof letters[0]; i++)
            if (*info == letters[i].letter)
                f |= letters[i].flag;
    return f;
}

static void flags_suffix(unsigned flags, char *out)
{
    size_t i;
    *out++ = INFO_SEP;
    *out++ = '2';
    *out++ = ',';
    for (i = 0; i < sizeof letters / sizeof letters[0]; i++) /* letters are in ASCII order */
        if (flags & letters[i].flag)
            *out++ = letters[i].letter;
    *out = '\0';
}

/* "A/B" -> ".A.B" with each level in modified UTF-7, '.' and '%' escaped. */
static char *encode_path(const char *path, ols_err *err)
{
    char *out, *o, *copy, *part, *save = NULL;
    size_t cap = strlen(path) * 12 + 8;
    if (!strcmp(path, "INBOX"))
        return strdup("");
    out = malloc(cap);
    copy = strdup(path);
    if (!out || !copy) {
        free(out);
        free(copy);
        ols_err_set(err, OLS_ENOMEM, "out of memory");
        return NULL;
    }
    o = out;
    for (part = copy; part; part = save) {
        char *m, *p;
        save = strchr(part, '/');
        if (save)
            *save++ = '\0';
        if (!*part || !strcmp(part, ".") || !strcmp(part, "..")) {
            ols_err_set(err, OLS_EINVAL, "folder name \"%s\" has an empty or dot level", path);
            free(out);
            free(copy);
            return NULL;
        }
        m = ols_mutf7_encode(part, err);
        if (!m) {
            free(out);
            free(copy);
            return NULL;
        }
        *o++ = '.';
        for (p = m; *p; p++) {
            if (*p == '.' || *p == '%' || *p == '\\') {
                o += sprintf(o, "%%%02X", (unsigned char)*p);
            } else {
                *o++ = *p;
            }
        }
        free(m);
    }
    *o = '\0';
    free(copy);
    return out;
}

/* ".A.B" -> "A/B"; NULL if not one of ours. */
static char *decode_dirname(const char *name)
{
    size_t n = strlen(name);
    char *enc = malloc(n + 1), *e = enc, *out = NULL;
    const char *p;
    if (!enc || name[0] != '.' || n < 2)
        goto fail;
    for (p = name + 1; *p; p++) {
        if (*p == '.') {
            *e++ = '/';
        } else if (*p == '%' && p[1] && p[2]) {
            unsigned v;
            if (sscanf(p + 1, "%2X", &v) != 1)
                goto fail;
            *e++ = (char)v;
            p += 2;
        } else {
            *e++ = *p;
        }
    }
    *e = '\0';
    /* decode each level */
    {
        char *res = malloc(n * 3 + 1), *r = res, *part, *save = NULL;
        if (!res)
            goto fail;
        *r = '\0';
        for (part = enc; part; part = save) {
            char *d;
            save = strchr(part, '/');
            if (save)
                *save++ = '\0';
            if (!*part) {
                free(res);
                goto fail;
            }
            d = ols_mutf7_decode(part, NULL);
            if (!d) {
                free(res);
                goto fail;
            }
            if (r != res)
                *r++ = '/';
            strcpy(r, d);
            r += strlen(d);
            free(d);
        }
        out = res;
    }
fail:
    free(enc);
    return out;
}

static char *folder_dir(md_store *s, const char *path, ols_err *err)
{
    char *enc = encode_path(path, err), *dir;
    if (!enc)
        return NULL;
    dir = *enc ? ols_path_join(s->root, enc) : strdup(s->root);
    free(enc);
    if (!dir)
        ols_err_set(err, OLS_ENOMEM, "out of memory");
    return dir;
}

static char *sub(const char *dir, const char *a, const char *b)
{
    char *x = ols_path_join(dir, a), *y;
    if (!x || !b)
        return x;
    y = ols_path_join(x, b);
    free(x);
    return y;
}

static ols_status make_maildir(const char *dir, ols_err *err)
{
    static const char *const subs[] = {"cur", "new", "tmp"};
    size_t i;
    for (i = 0; i < 3; i++) {
        char *p = sub(dir, subs[i], NULL);
        ols_status st = p ? ols_mkdir_p(p, err) : OLS_ENOMEM;
        free(p);
        if (st != OLS_OK)
            return st;
    }
    return OLS_OK;
}

/* ---- store ---- */
static void md_close(ols_store *base)
{
    md_store *s = (md_store *)base;
    free(s->root);
    free(s);
}

struct list_ctx {
    md_store *s;
    int (*cb)(void *ctx, const ols_store_folder_info *f);
    void *ctx;
    int stopped;
};

static char *read_kind(const char *dir)
{
    char *p = ols_path_join(dir, KIND_FILE), *text = NULL;
    size_t len = 0;
    if (p && ols_file_read_all(p, 64, &text, &len, NULL) == OLS_OK) {
        while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            text[--len] = '\0';
    }
    free(p);
    return text;
}

static int list_cb(void *vctx, const char *name)
{
    struct list_ctx *c = vctx;
    char *dir, *cur, *path, *kind;
    ols_store_folder_info fi;
    if (name[0] != '.' || !strcmp(name, ".") || !strcmp(name, ".."))
        return 0;
    dir = ols_path_join(c->s->root, name);
    cur = dir ? ols_path_join(dir, "cur") : NULL;
    path = decode_dirname(name);
    if (dir && cur && path && ols_is_dir(cur)) {
        kind = read_kind(dir);
        fi.path = path;
        fi.kind = kind;
        if (c->cb(c->ctx, &fi))
            c->stopped = 1;
        free(kind);
    }
    free(path);
    free(cur);
    free(dir);
    return c->stopped;
}

static ols_status md_list_folders(ols_store *base,
                                  int (*cb)(void *ctx, const ols_store_folder_info *f), void *ctx,
                                  ols_err *err)
{
    md_store *s = (md_store *)base;
    struct list_ctx c = {s, cb, ctx, 0};
    ols_store_folder_info inbox = {"INBOX", NULL};
    if (cb(ctx, &inbox))
        return OLS_OK;
    if (ols_dir_list(s->root, list_cb, &c) != OLS_OK)
        return ols_err_set(err, OLS_EIO, "cannot list %s", s->root);
    return OLS_OK;
}

static ols_status md_create_folder(ols_store *base, const char *path, const char *kind,
                                   ols_err *err)
{
    md_store *s = (md_store *)base;
    char *dir = folder_dir(s, path, err);
    ols_status st;
    if (!dir)
        return err ? err->code : OLS_EINVAL;
    st = make_maildir(dir, err);
    if (st == OLS_OK && strcmp(path, "INBOX") != 0) {
        char *mf = ols_path_join(dir, "maildirfolder");
        if (mf)
            ols_file_write_atomic(mf, "", 0, 0, NULL);
        free(mf);
        if (kind && *kind && strcmp(kind, "mail") != 0) {
            char *kf = ols_path_join(dir, KIND_FILE);
            st = kf ? ols_file_write_atomic(kf, kind, strlen(kind), 0, err) : OLS_ENOMEM;
            free(kf);
        }
    }
    free(dir);
    return st;
}

struct child_ctx {
    const char *prefix;
    size_t plen;
    int found;
};

static int child_cb(void *vctx, const char *name)
{
    struct child_ctx *c = vctx;
    if (!strncmp(name, c->prefix, c->plen) && name[c->plen] == '.')
        c->found = 1;
    return c->found;
}

static int any_file_cb(void *ctx, const char *name)
{
    (void)name;
    *(int *)ctx = 1;
    return 1;
}

static int has_files(const char *dir, const char *subdir)
{
    char *p = ols_path_join(dir, subdir);
    int any = 0;
    if (p)
        ols_dir_list(p, any_file_cb, &any);
    free(p);
    return any;
}

static ols_status md_delete_folder(ols_store *base, const char *path, ols_err *err)
{
    md_store *s = (md_store *)base;
    char *enc, *dir;
    struct child_ctx cc;
    static const char *const subs[] = {"cur", "new", "tmp"};
    size_t i;
    if (!strcmp(path, "INBOX"))
        return ols_err_set(err, OLS_EINVAL, "INBOX cannot be deleted");
    enc = encode_path(path, err);
    if (!enc)
        return err ? err->code : OLS_EINVAL;
    cc.prefix = enc;
    cc.plen = strlen(enc);
    cc.found = 0;
    ols_dir_list(s->root, child_cb, &cc);
    dir = ols_path_join(s->root, enc);
    free(enc);
    if (!dir)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    if (!ols_is_dir(dir)) {
        free(dir);
        return ols_err_set(err, OLS_ENOENT, "no folder %s", path);
    }
    if (cc.found || has_files(dir, "cur") || has_files(dir, "new")) {
        free(dir);
        return ols_err_set(err, OLS_EBUSY, "folder %s is not empty", path);
    }
    for (i = 0; i < 3; i++) {
        char *p = ols_path_join(dir, subs[i]);
        if (p)
            ols_dir_remove(p);
        free(p);
    }
    {
        char *mf = ols_path_join(dir, "maildirfolder"), *kf = ols_path_join(dir, KIND_FILE);
        if (mf)
            ols_file_remove(mf);
        if (kf)
            ols_file_remove(kf);
        free(mf);
        free(kf);
    }
    if (ols_dir_remove(dir) != OLS_OK) {
        free(dir);
        return ols_err_set(err, OLS_EBUSY, "folder %s holds other files; left in place", path);
    }
    free(dir);
    return OLS_OK;
}

struct rename_ctx {
    const char *from;
    size_t flen;
    char **names;
    size_t n, cap;
};

static int rename_collect(void *vctx, const char *name)
{
    struct rename_ctx *c = vctx;
    if (strncmp(name, c->from, c->flen) != 0 || (name[c->flen] != '\0' && name[c->flen] != '.'))
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 8;
        char **nn = realloc(c->names, nc * sizeof *nn);
        if (!nn)
            return 1;
        c->names = nn;
        c->cap = nc;
    }
    c->names[c->n] = strdup(name);
    if (c->names[c->n])
        c->n++;
    return 0;
}

static ols_status md_rename_folder(ols_store *base, const char *from, const char *to, ols_err *err)
{
    md_store *s = (md_store *)base;
    char *ef, *et, *target;
    struct rename_ctx c;
    ols_status st = OLS_OK;
    size_t i;
    if (!strcmp(from, "INBOX") || !strcmp(to, "INBOX"))
        return ols_err_set(err, OLS_EINVAL, "INBOX cannot be renamed");
    ef = encode_path(from, err);
    et = ef ? encode_path(to, err) : NULL;
    if (!ef || !et) {
        free(ef);
        return err ? err->code : OLS_EINVAL;
    }
    target = ols_path_join(s->root, et);
    if (target && ols_is_dir(target)) {
        free(target);
        free(ef);
        free(et);
        return ols_err_set(err, OLS_EEXIST, "folder %s exists already", to);
    }
    free(target);
    memset(&c, 0, sizeof c);
    c.from = ef;
    c.flen = strlen(ef);
    ols_dir_list(s->root, rename_collect, &c);
    if (c.n == 0)
        st = ols_err_set(err, OLS_ENOENT, "no folder %s", from);
    for (i = 0; i < c.n && st == OLS_OK; i++) {
        /* the folder itself and every sub-folder keep their tail */
        size_t nl = strlen(et) + strlen(c.names[i]) + 1;
        char *newname = malloc(nl), *a, *b;
        if (!newname) {
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
            break;
        }
        snprintf(newname, nl, "%s%s", et, c.names[i] + c.flen);
        a = ols_path_join(s->root, c.names[i]);
        b = ols_path_join(s->root, newname);
        if (!a || !b || ols_file_rename(a, b) != OLS_OK)
            st = ols_err_set(err, OLS_EIO, "cannot rename %s to %s", c.names[i], newname);
        free(a);
        free(b);
        free(newname);
    }
    for (i = 0; i < c.n; i++)
        free(c.names[i]);
    free(c.names);
    free(ef);
    free(et);
    return st;
}

/* ---- folder index ---- */
static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static void index_clear(md_folder *f)
{
    size_t i;
    for (i = 0; i < f->cap; i++) {
        free(f->tab[i].id);
        free(f->tab[i].name);
    }
    free(f->tab);
    f->tab = NULL;
    f->cap = f->used = 0;
    f->indexed = 0;
}

static md_entry *index_find(md_folder *f, const char *id)
{
    size_t i;
    if (!f->cap)
        return NULL;
    for (i = hash(id) & (f->cap - 1); f->tab[i].id; i = (i + 1) & (f->cap - 1))
        if (!strcmp(f->tab[i].id, id))
            return &f->tab[i];
    return NULL;
}

static int index_put(md_folder *f, const char *id, const char *name, int in_cur);

static int index_grow(md_folder *f)
{
    md_entry *old = f->tab;
    size_t oldcap = f->cap, i;
    size_t nc = f->cap ? f->cap * 2 : 256;
    f->tab = calloc(nc, sizeof *f->tab);
    if (!f->tab) {
        f->tab = old;
        return -1;
    }
    f->cap = nc;
    f->used = 0;
    for (i = 0; i < oldcap; i++) {
        if (old[i].id) {
            size_t j = hash(old[i].id) & (f->cap - 1);
            while (f->tab[j].id)
                j = (j + 1) & (f->cap - 1);
            f->tab[j] = old[i];
            f->used++;
        }
    }
    free(old);
    return 0;
}

static int index_put(md_folder *f, const char *id, const char *name, int in_cur)
{
    md_entry *e = index_find(f, id);
    size_t i;
    if (e) {
        char *n = strdup(name);
        if (!n)
            return -1;
        free(e->name);
        e->name = n;
        e->in_cur = in_cur;
        return 0;
    }
    if ((f->used + 1) * 2 > f->cap && index_grow(f) != 0)
        return -1;
    i = hash(id) & (f->cap - 1);
    while (f->tab[i].id)
        i = (i + 1) & (f->cap - 1);
    f->tab[i].id = strdup(id);
    f->tab[i].name = strdup(name);
    f->tab[i].in_cur = in_cur;
    if (!f->tab[i].id || !f->tab[i].name) {
        free(f->tab[i].id);
        free(f->tab[i].name);
        f->tab[i].id = f->tab[i].name = NULL;
        return -1;
    }
    f->used++;
    return 0;
}

/* Backward-shift deletion keeps linear probing chains intact. */
static void index_del(md_folder *f, md_entry *e)
{
    size_t i = (size_t)(e - f->tab), j = i;
    free(e->id);
    free(e->name);
    f->tab[i].id = f->tab[i].name = NULL;
    f->used--;
    for (;;) {
        size_t k;
        j = (j + 1) & (f->cap - 1);
        if (!f->tab[j].id)
            break;
        k = hash(f->tab[j].id) & (f->cap - 1);
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            f->tab[i] = f->tab[j];
            f->tab[j].id = f->tab[j].name = NULL;
            i = j;
        }
    }
}

static char *id_of(const char *name)
{
    const char *sep = strchr(name, INFO_SEP);
    size_t n = sep ? (size_t)(sep - name) : strlen(name);
    char *id = malloc(n + 1);
    if (id) {
        memcpy(id, name, n);
        id[n] = '\0';
    }
    return id;
}

struct scan_ctx {
    md_folder *f;
    int in_cur;
    int (*cb)(void *ctx, const ols_store_item *it);
    void *ctx;
    int stopped, oom;
};

static int scan_cb(void *vctx, const char *name)
{
    struct scan_ctx *c = vctx;
    char *id, *path;
    ols_store_item it;
    uint64_t size = 0;
    int64_t mtime = 0;
    if (name[0] == '.')
        return 0;
    id = id_of(name);
    if (!id) {
        c->oom = 1;
        return 1;
    }
    if (index_put(c->f, id, name, c->in_cur) != 0) {
        free(id);
        c->oom = 1;
        return 1;
    }
    if (c->cb) {
        /* the name tells the delivery time ("1700000000.M...") and often the size (",S=");
         * a stat of every file would cost more than the rest of a no-change pass */
        const char *sz = strstr(name, ",S=");
        char *end = NULL;
        long long t = strtoll(name, &end, 10);
        if (end && end - name >= 9 && *end == '.')
            mtime = t;
        if (sz)
            size = strtoull(sz + 3, NULL, 10);
        if (!mtime) {
            path = sub(c->f->dir, c->in_cur ? "cur" : "new", name);
            if (path)
                ols_file_stat(path, &size, &mtime);
            free(path);
        }
        it.id = id;
        it.tag = strstr(id, ",U=") ? strstr(id, ",U=") + 3 : NULL;
        it.flags = c->in_cur ? parse_flags(name) : 0;
        it.size = size;
        it.mtime = mtime;
        if (c->cb(c->ctx, &it))
            c->stopped = 1;
    }
    free(id);
    return c->stopped;
}

static ols_status rescan(md_folder *f, int (*cb)(void *ctx, const ols_store_item *it), void *ctx,
                         ols_err *err)
{
    struct scan_ctx c = {f, 0, cb, ctx, 0, 0};
    char *p;
    index_clear(f);
    p = ols_path_join(f->dir, "new");
    if (p && ols_dir_list(p, scan_cb, &c) != OLS_OK) {
        free(p);
        return ols_err_set(err, OLS_EIO, "cannot read %s", f->dir);
    }
    free(p);
    c.in_cur = 1;
    p = c.stopped ? NULL : ols_path_join(f->dir, "cur");
    if (p && ols_dir_list(p, scan_cb, &c) != OLS_OK) {
        free(p);
        return ols_err_set(err, OLS_EIO, "cannot read %s", f->dir);
    }
    free(p);
    if (c.oom)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    f->indexed = !c.stopped;
    return OLS_OK;
}

/* Look an id up, rescanning once if another program moved it. */
static md_entry *locate(md_folder *f, const char *id, ols_err *err)
{
    md_entry *e = f->indexed ? index_find(f, id) : NULL;
    char *p;
    if (e) {
        p = sub(f->dir, e->in_cur ? "cur" : "new", e->name);
        if (p && ols_file_stat(p, NULL, NULL) == OLS_OK) {
            free(p);
            return e;
        }
        free(p);
    }
    if (rescan(f, NULL, NULL, err) != OLS_OK)
        return NULL;
    e = index_find(f, id);
    if (!e)
        ols_err_set(err, OLS_ENOENT, "no item %s", id);
    return e;
}

static ols_status md_open_folder(ols_store *base, const char *path, ols_store_folder **out,
                                 ols_err *err)
{
    md_store *s = (md_store *)base;
    md_folder *f;
    char *dir = folder_dir(s, path, err), *cur;
    if (!dir)
        return err ? err->code : OLS_EINVAL;
    cur = ols_path_join(dir, "cur");
    if (!cur || !ols_is_dir(cur)) {
        free(cur);
        free(dir);
        return ols_err_set(err, OLS_ENOENT, "no folder %s", path);
    }
    free(cur);
    f = calloc(1, sizeof *f);
    if (!f) {
        free(dir);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    f->base.store = base;
    f->dir = dir;
    *out = &f->base;
    return OLS_OK;
}

static void md_close_folder(ols_store_folder *base)
{
    md_folder *f = (md_folder *)base;
    if (!f)
        return;
    index_clear(f);
    free(f->dir);
    free(f);
}

static ols_status md_list_items(ols_store_folder *base,
                                int (*cb)(void *ctx, const ols_store_item *it), void *ctx,
                                ols_err *err)
{
    return rescan((md_folder *)base, cb, ctx, err);
}

/* ---- adding ---- */
static int tag_ok(const char *t)
{
    size_t n = 0;
    for (; *t; t++, n++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || (*t >= '0' && *t <= '9') ||
              *t == '.' || *t == '-'))
            return 0;
    return n > 0 && n <= 64;
}

static ols_status md_add_begin(ols_store_folder *base, unsigned flags, int64_t date,
                               const char *tag, ols_store_writer **out, ols_err *err)
{
    md_folder *f = (md_folder *)base;
    md_store *s = (md_store *)base->store;
    md_writer *w = calloc(1, sizeof *w);
    char unique[256];
    int64_t now = ols_wall_ms();
    uint32_t rnd = 0;
    (void)date;
    if (!w)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    if (tag && !tag_ok(tag)) {
        free(w);
        return ols_err_set(err, OLS_EINVAL, "bad item tag");
    }
    ols_random(&rnd, sizeof rnd);
    snprintf(unique, sizeof unique, "%lld.M%06dP%uQ%uR%08x.%s%s%s", (long long)(now / 1000),
             (int)(now % 1000) * 1000, ols_process_id(), atomic_fetch_add(&s->counter, 1) + 1,
             rnd, s->host,
             tag ? ",U=" : "", tag ? tag : "");
    w->base.folder = base;
    w->flags = flags & OLS_MF_ALL;
    w->unique = strdup(unique);
    w->tmp_path = w->unique ? sub(f->dir, "tmp", unique) : NULL;
    w->f = w->tmp_path ? ols_fopen(w->tmp_path, "wb") : NULL;
    if (!w->f) {
        ols_err_set(err, OLS_EIO, "cannot create %s", w->tmp_path ? w->tmp_path : f->dir);
        free(w->tmp_path);
        free(w->unique);
        free(w);
        return err ? err->code : OLS_EIO;
    }
    *out = &w->base;
    return OLS_OK;
}

static ols_status md_add_write(ols_store_writer *base, const void *p, size_t n, ols_err *err)
{
    md_writer *w = (md_writer *)base;
    if (w->failed || fwrite(p, 1, n, w->f) != n) {
        w->failed = 1;
        return ols_err_set(err, OLS_EIO, "cannot write %s (disk full?)", w->tmp_path);
    }
    return OLS_OK;
}

static void writer_free(md_writer *w)
{
    free(w->tmp_path);
    free(w->unique);
    free(w);
}

static void md_add_abort(ols_store_writer *base)
{
    md_writer *w = (md_writer *)base;
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    ols_file_remove(w->tmp_path);
    writer_free(w);
}

static ols_status md_add_commit(ols_store_writer *base, const char *replace_id, char **id,
                                ols_err *err)
{
    md_writer *w = (md_writer *)base;
    md_folder *f = (md_folder *)base->folder;
    char name[MAX_NAME], *target;
    const char *subdir;
    ols_status st;
    md_store *ms = (md_store *)base->folder->store;
    int bad = w->failed || (ms->batch_sync ? fflush(w->f) != 0 : ols_file_sync(w->f) != 0);
    if (fclose(w->f) != 0)
        bad = 1;
    atomic_store(&ms->dirty, 1); /* after the data was written: a sync that sees it covers it */
    w->f = NULL;
    if (bad) {
        ols_file_remove(w->tmp_path);
        st = ols_err_set(err, OLS_EIO, "cannot write %s (disk full?)", w->tmp_path);
        writer_free(w);
        return st;
    }
    if (replace_id) {
        md_entry *e = locate(f, replace_id, err);
        if (!e) {
            ols_file_remove(w->tmp_path);
            writer_free(w);
            return err ? err->code : OLS_ENOENT;
        }
        snprintf(name, sizeof name, "%s", e->name);
        subdir = e->in_cur ? "cur" : "new";
    } else if (w->flags) {
        char sfx[16];
        flags_suffix(w->flags, sfx);
        snprintf(name, sizeof name, "%s%s", w->unique, sfx);
        subdir = "cur";
    } else {
        snprintf(name, sizeof name, "%s", w->unique);
        subdir = "new";
    }
    target = sub(f->dir, subdir, name);
    if (!target || ols_file_rename(w->tmp_path, target) != OLS_OK) {
        ols_file_remove(w->tmp_path);
        st = ols_err_set(err, OLS_EIO, "cannot deliver into %s", f->dir);
        free(target);
        writer_free(w);
        return st;
    }
    free(target);
    if (id) {
        *id = replace_id ? strdup(replace_id) : strdup(w->unique);
        if (!*id) {
            writer_free(w);
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        }
    }
    if (!replace_id && f->indexed)
        index_put(f, w->unique, name, subdir[0] == 'c');
    writer_free(w);
    return OLS_OK;
}

/* ---- reading and changing ---- */
static ols_status md_read_item(ols_store_folder *base, const char *id, ols_store_sink sink,
                               void *ctx, ols_err *err)
{
    md_folder *f = (md_folder *)base;
    md_entry *e = locate(f, id, err);
    char *path, buf[65536];
    FILE *fp;
    size_t n;
    ols_status st = OLS_OK;
    if (!e)
        return err ? err->code : OLS_ENOENT;
    path = sub(f->dir, e->in_cur ? "cur" : "new", e->name);
    fp = path ? ols_fopen(path, "rb") : NULL;
    free(path);
    if (!fp)
        return ols_err_set(err, OLS_EIO, "cannot open item %s", id);
    while (st == OLS_OK && (n = fread(buf, 1, sizeof buf, fp)) > 0)
        st = sink(ctx, buf, n);
    if (st == OLS_OK && ferror(fp))
        st = ols_err_set(err, OLS_EIO, "cannot read item %s", id);
    fclose(fp);
    return st;
}

static ols_status md_set_flags(ols_store_folder *base, const char *id, unsigned flags,
                               ols_err *err)
{
    md_folder *f = (md_folder *)base;
    md_entry *e = locate(f, id, err);
    char name[MAX_NAME], sfx[16], *from, *to;
    ols_status st = OLS_OK;
    if (!e)
        return err ? err->code : OLS_ENOENT;
    flags_suffix(flags & OLS_MF_ALL, sfx);
    snprintf(name, sizeof name, "%s%s", e->id, sfx);
    if (e->in_cur && !strcmp(name, e->name))
        return OLS_OK;
    from = sub(f->dir, e->in_cur ? "cur" : "new", e->name);
    to = sub(f->dir, "cur", name);
    if (!from || !to || ols_file_rename(from, to) != OLS_OK)
        st = ols_err_set(err, OLS_EIO, "cannot change flags of %s", id);
    else
        index_put(f, e->id, name, 1);
    free(from);
    free(to);
    return st;
}

static ols_status md_delete_item(ols_store_folder *base, const char *id, ols_err *err)
{
    md_folder *f = (md_folder *)base;
    md_entry *e = locate(f, id, err);
    char *path;
    ols_status st;
    if (!e)
        return err ? err->code : OLS_ENOENT;
    path = sub(f->dir, e->in_cur ? "cur" : "new", e->name);
    st = path ? ols_file_remove(path) : OLS_ENOMEM;
    free(path);
    if (st != OLS_OK)
        return ols_err_set(err, st, "cannot delete item %s", id);
    index_del(f, e);
    return OLS_OK;
}

static ols_status md_locate_item(ols_store_folder *base, const char *id, char **where,
                                 ols_err *err)
{
    md_folder *f = (md_folder *)base;
    md_entry *e = locate(f, id, err);
    if (!e)
        return err ? err->code : OLS_ENOENT;
    *where = sub(f->dir, e->in_cur ? "cur" : "new", e->name);
    return *where ? OLS_OK : ols_err_set(err, OLS_ENOMEM, "out of memory");
}

static ols_status md_sync(ols_store *base, ols_err *err)
{
    md_store *s = (md_store *)base;
    ols_status st;
    if (!s->batch_sync || !atomic_exchange(&s->dirty, 0))
        return OLS_OK;
    st = ols_fs_sync(s->root);
    if (st != OLS_OK) {
        atomic_store(&s->dirty, 1);
        return ols_err_set(err, st, "cannot flush %s to disk", s->root);
    }
    return OLS_OK;
}

static const ols_store_ops maildir_ops = {
    "maildir",        md_close,        md_list_folders, md_create_folder, md_delete_folder,
    md_rename_folder, md_open_folder,  md_close_folder, md_list_items,    md_add_begin,
    md_add_write,     md_add_commit,   md_add_abort,    md_read_item,     md_set_flags,
    md_delete_item,   md_locate_item,  md_sync,
};

ols_status ols_maildir_open(const char *root, ols_store **out, ols_err *err)
{
    md_store *s = calloc(1, sizeof *s);
    ols_status st;
    if (!s)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    s->base.ops = &maildir_ops;
    s->root = strdup(root);
    if (!s->root) {
        free(s);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    ols_hostname(s->host, sizeof s->host);
    st = make_maildir(s->root, err);
    /* one flush per batch where the system can flush a whole file system at once */
    s->batch_sync = st == OLS_OK && ols_fs_sync(s->root) == OLS_OK;
    if (st != OLS_OK) {
        md_close(&s->base);
        return st;
    }
    *out = &s->base;
    return OLS_OK;
}
