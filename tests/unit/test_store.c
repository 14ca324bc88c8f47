/* Maildir++ store: folders (nested, non-ASCII, dots), atomic delivery, flags, external
 * changes, in-place replacement, deletes. */
#include "olsync/mailflags.h"
#include "olsync/store.h"
#include "t.h"

static char *g_root;

struct names {
    char list[4096];
    int n;
};

static int folder_cb(void *ctx, const ols_store_folder_info *f)
{
    struct names *nm = ctx;
    strncat(nm->list, f->path, sizeof nm->list - strlen(nm->list) - 2);
    if (f->kind) {
        strncat(nm->list, "=", sizeof nm->list - strlen(nm->list) - 2);
        strncat(nm->list, f->kind, sizeof nm->list - strlen(nm->list) - 2);
    }
    strncat(nm->list, "|", sizeof nm->list - strlen(nm->list) - 1);
    nm->n++;
    return 0;
}

static int has(struct names *nm, const char *entry)
{
    char pat[512];
    snprintf(pat, sizeof pat, "|%s|", entry);
    {
        char buf[4200];
        snprintf(buf, sizeof buf, "|%s", nm->list);
        return strstr(buf, pat) != NULL;
    }
}

static ols_status add_msg(ols_store_folder *f, const char *text, unsigned flags, char **id)
{
    ols_store_writer *w;
    ols_err err = {0};
    ols_status st = f->store->ops->add_begin(f, flags, 0, NULL, &w, &err);
    if (st != OLS_OK)
        return st;
    /* written in two chunks, as the engine streams */
    st = f->store->ops->add_write(w, text, strlen(text) / 2, &err);
    if (st == OLS_OK)
        st = f->store->ops->add_write(w, text + strlen(text) / 2, strlen(text) - strlen(text) / 2,
                                      &err);
    if (st != OLS_OK) {
        f->store->ops->add_abort(w);
        return st;
    }
    return f->store->ops->add_commit(w, NULL, id, &err);
}

struct buf {
    char data[8192];
    size_t n;
};
static ols_status buf_sink(void *ctx, const void *p, size_t n)
{
    struct buf *b = ctx;
    if (b->n + n >= sizeof b->data)
        return OLS_ERANGE;
    memcpy(b->data + b->n, p, n);
    b->n += n;
    b->data[b->n] = '\0';
    return OLS_OK;
}

struct items {
    char tags[16][80];
    char ids[16][256];
    unsigned flags[16];
    int n;
};
static int item_cb(void *ctx, const ols_store_item *it)
{
    struct items *is = ctx;
    if (is->n < 16) {
        snprintf(is->ids[is->n], sizeof is->ids[0], "%s", it->id);
        snprintf(is->tags[is->n], sizeof is->tags[0], "%s", it->tag ? it->tag : "");
        is->flags[is->n] = it->flags;
        is->n++;
    }
    return 0;
}

static unsigned flags_of(struct items *is, const char *id)
{
    int i;
    for (i = 0; i < is->n; i++)
        if (!strcmp(is->ids[i], id))
            return is->flags[i];
    return 0xffff;
}

static void test_folders(ols_store *s)
{
    ols_err err = {0};
    struct names nm = {"", 0};
    const ols_store_ops *o = s->ops;
    OK(o->create_folder(s, "Projekte", NULL, &err) == OLS_OK, "create: %s", err.msg);
    OK(o->create_folder(s, "Projekte/\xc3\x9c" "berblick", NULL, &err) == OLS_OK, "nested: %s",
       err.msg);
    OK(o->create_folder(s, "v1.2 notes", NULL, &err) == OLS_OK, "dot in name: %s", err.msg);
    OK(o->create_folder(s, "Calendar", "event", &err) == OLS_OK, "groupware kind: %s", err.msg);
    OK(o->create_folder(s, "a//b", NULL, &err) == OLS_EINVAL, "empty level refused");
    OK(o->create_folder(s, "../escape", NULL, &err) == OLS_EINVAL, "dot-dot refused");
    o->list_folders(s, folder_cb, &nm, &err);
    OK(has(&nm, "INBOX"), "INBOX listed: %s", nm.list);
    OK(has(&nm, "Projekte/\xc3\x9c" "berblick"), "non-ASCII nested listed: %s", nm.list);
    OK(has(&nm, "v1.2 notes"), "dotted name round-trips: %s", nm.list);
    OK(has(&nm, "Calendar=event"), "kind kept: %s", nm.list);
    {
        char *dir = ols_path_join(g_root, ".Projekte.&ANw-berblick");
        OK(ols_is_dir(dir), "on disk as Maildir++ with modified UTF-7");
        free(dir);
    }
    OK(o->rename_folder(s, "Projekte", "Archiv/Projekte", &err) == OLS_OK, "rename: %s", err.msg);
    memset(&nm, 0, sizeof nm);
    o->list_folders(s, folder_cb, &nm, &err);
    OK(has(&nm, "Archiv/Projekte/\xc3\x9c" "berblick") && !has(&nm, "Projekte"),
       "rename carries sub-folders: %s", nm.list);
    OK(o->rename_folder(s, "nope", "x", &err) == OLS_ENOENT, "rename missing");
    OK(o->delete_folder(s, "Archiv/Projekte", &err) == OLS_EBUSY, "folder with children kept");
    OK(o->delete_folder(s, "Archiv/Projekte/\xc3\x9c" "berblick", &err) == OLS_OK, "delete leaf: %s",
       err.msg);
    OK(o->delete_folder(s, "Archiv/Projekte", &err) == OLS_OK, "then parent: %s", err.msg);
    OK(o->delete_folder(s, "INBOX", &err) == OLS_EINVAL, "INBOX stays");
}

static void test_items(ols_store *s)
{
    const ols_store_ops *o = s->ops;
    ols_store_folder *f;
    ols_err err = {0};
    char *id1 = NULL, *id2 = NULL, *id3 = NULL;
    struct items is = {0};
    struct buf b = {{0}, 0};
    static const char m1[] = "From: a@example.org\r\nSubject: one\r\n\r\nbody one\r\n";
    static const char m2[] = "From: b@example.org\r\nSubject: two\r\n\r\nbody two\r\n";

    OK(o->create_folder(s, "Work", NULL, &err) == OLS_OK, "create");
    OK(o->open_folder(s, "Work", &f, &err) == OLS_OK, "open: %s", err.msg);
    {
        ols_store_folder *nf = NULL;
        OK(o->open_folder(s, "Missing", &nf, &err) == OLS_ENOENT && nf == NULL, "open missing");
    }
    OK(add_msg(f, m1, 0, &id1) == OLS_OK, "add unseen");
    OK(add_msg(f, m2, OLS_MF_SEEN | OLS_MF_FLAGGED, &id2) == OLS_OK, "add seen+flagged");
    OK(id1 && id2 && strcmp(id1, id2) != 0, "distinct ids");
    {
        char *p = ols_path_join(g_root, ".Work"), *n = ols_path_join(p, "new"),
             *t = ols_path_join(p, "tmp");
        OK(t_count_files(n) == 1, "unseen message delivered into new/");
        OK(t_count_files(t) == 0, "nothing left in tmp/");
        free(p);
        free(n);
        free(t);
    }
    o->list_items(f, item_cb, &is, &err);
    OK(is.n == 2, "two items");
    OK(flags_of(&is, id2) == (OLS_MF_SEEN | OLS_MF_FLAGGED), "flags from the :2, suffix");
    OK(o->read_item(f, id1, buf_sink, &b, &err) == OLS_OK && !strcmp(b.data, m1),
       "content byte for byte");

    /* flags: set, stays the same id; file moves new -> cur */
    OK(o->set_flags(f, id1, OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_DRAFT, &err) == OLS_OK,
       "set flags: %s", err.msg);
    memset(&is, 0, sizeof is);
    o->list_items(f, item_cb, &is, &err);
    OK(flags_of(&is, id1) == (OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_DRAFT), "flags stored");

    /* another program changes flags behind our back: seen on the next listing */
    {
        char *cur = ols_path_join(g_root, ".Work/cur"), from[600], to[600];
        char *p1, *p2;
        snprintf(from, sizeof from, "%s%c2,FS", id2, ':');
        snprintf(to, sizeof to, "%s%c2,S", id2, ':');
#ifdef _WIN32
        from[strlen(id2)] = ';';
        to[strlen(id2)] = ';';
#endif
        p1 = ols_path_join(cur, from);
        p2 = ols_path_join(cur, to);
        OK(ols_file_rename(p1, p2) == OLS_OK, "external rename");
        memset(&is, 0, sizeof is);
        o->list_items(f, item_cb, &is, &err);
        OK(flags_of(&is, id2) == OLS_MF_SEEN, "external flag change detected");
        /* and an operation on the stale index still finds the file */
        OK(o->set_flags(f, id2, OLS_MF_SEEN | OLS_MF_FORWARDED, &err) == OLS_OK,
           "set flags after external change: %s", err.msg);
        free(p1);
        free(p2);
        free(cur);
    }

    /* replace content in place: same id, same flags, one item */
    {
        ols_store_writer *w;
        char *rid = NULL;
        static const char full[] = "From: a@example.org\r\nSubject: one\r\n\r\nthe full body\r\n";
        o->add_begin(f, 0, 0, NULL, &w, &err);
        o->add_write(w, full, sizeof full - 1, &err);
        OK(o->add_commit(w, id1, &rid, &err) == OLS_OK, "replace: %s", err.msg);
        OK(rid && !strcmp(rid, id1), "same id after replace");
        b.n = 0;
        o->read_item(f, id1, buf_sink, &b, &err);
        OK(!strcmp(b.data, full), "new content");
        memset(&is, 0, sizeof is);
        o->list_items(f, item_cb, &is, &err);
        OK(is.n == 2, "no duplicate after replace (%d)", is.n);
        OK(flags_of(&is, id1) == (OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_DRAFT), "flags kept");
        free(rid);
    }

    /* abort leaves nothing behind */
    {
        ols_store_writer *w;
        o->add_begin(f, 0, 0, NULL, &w, &err);
        o->add_write(w, "partial", 7, &err);
        o->add_abort(w);
        memset(&is, 0, sizeof is);
        o->list_items(f, item_cb, &is, &err);
        OK(is.n == 2, "aborted add is invisible");
    }

    /* a tag given at add time comes back with the item */
    {
        ols_store_writer *w;
        char *tid = NULL;
        int i, found = 0;
        OK(o->add_begin(f, OLS_MF_SEEN, 0, "bad/tag", &w, &err) == OLS_EINVAL, "bad tag refused");
        OK(o->add_begin(f, OLS_MF_SEEN, 0, "1700000000-42", &w, &err) == OLS_OK, "tagged add");
        o->add_write(w, m2, sizeof m2 - 1, &err);
        o->add_commit(w, NULL, &tid, &err);
        memset(&is, 0, sizeof is);
        o->list_items(f, item_cb, &is, &err);
        for (i = 0; i < is.n; i++)
            if (!strcmp(is.ids[i], tid) && !strcmp(is.tags[i], "1700000000-42"))
                found = 1;
        OK(found, "tag reported by list_items");
        o->delete_item(f, tid, &err);
        free(tid);
    }

    /* delete, and a missing id is a clean error */
    OK(add_msg(f, m1, OLS_MF_DELETED, &id3) == OLS_OK, "add third");
    OK(o->delete_item(f, id3, &err) == OLS_OK, "delete: %s", err.msg);
    OK(o->delete_item(f, id3, &err) == OLS_ENOENT, "delete again is ENOENT");
    OK(o->read_item(f, "no-such-id", buf_sink, &b, &err) == OLS_ENOENT, "read missing");
    OK(o->delete_folder(s, "Work", &err) == OLS_EBUSY, "folder with mail kept");
    o->close_folder(f);
    free(id1);
    free(id2);
    free(id3);
}

static void test_many(ols_store *s)
{
    const ols_store_ops *o = s->ops;
    ols_store_folder *f;
    ols_err err = {0};
    char *ids[600];
    int i, ok = 1;
    struct items is = {0};
    o->create_folder(s, "Bulk", NULL, &err);
    o->open_folder(s, "Bulk", &f, &err);
    for (i = 0; i < 600; i++)
        if (add_msg(f, "Subject: x\r\n\r\nx\r\n", (unsigned)(i & 7), &ids[i]) != OLS_OK)
            ok = 0;
    OK(ok, "600 adds");
    o->list_items(f, item_cb, &is, &err); /* builds the index */
    for (i = 0; i < 600; i += 2)
        if (o->delete_item(f, ids[i], &err) != OLS_OK)
            ok = 0;
    for (i = 1; i < 600; i += 2)
        if (o->set_flags(f, ids[i], OLS_MF_SEEN, &err) != OLS_OK)
            ok = 0;
    OK(ok, "index survives interleaved deletes and renames: %s", err.msg);
    {
        char *p = ols_path_join(g_root, ".Bulk"), *c = ols_path_join(p, "cur"),
             *n = ols_path_join(p, "new");
        OK(t_count_files(c) + t_count_files(n) == 300, "300 left");
        free(p);
        free(c);
        free(n);
    }
    for (i = 0; i < 600; i++)
        free(ids[i]);
    o->close_folder(f);
}

int main(void)
{
    ols_store *s;
    ols_err err = {0};
    g_root = t_scratch("store");
    OK(ols_maildir_open(g_root, &s, &err) == OLS_OK, "open: %s", err.msg);
    test_folders(s);
    test_items(s);
    test_many(s);
    ols_store_close(s);
    free(g_root);
    return T_DONE();
}
