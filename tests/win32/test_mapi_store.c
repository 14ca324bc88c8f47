/* The MAPI store backend over fake_msgstore: the store vtable's promises (the checks of
 * tests/unit/test_store.c, adapted where MAPI differs) and what only MAPI has: default
 * folders by entry id, container classes, flags in MAPI properties, sync state in named
 * properties, changes made "in Outlook" through MAPI, notifications, IConverterSession. */
#include <windows.h>

#include "fake_msgstore.h"
#include "mapi_mime.h"
#include "mapi_rt.h"
#include "mapi_store.h"
#include "mime.h"
#include "olsync/mailflags.h"
#include "olsync/store.h"
#include "t.h"

/* ---- helpers ---- */
struct names {
    char list[8192];
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
    char pat[512], buf[8300];
    snprintf(pat, sizeof pat, "|%s|", entry);
    snprintf(buf, sizeof buf, "|%s", nm->list);
    return strstr(buf, pat) != NULL;
}

static void list_all(ols_store *s, struct names *nm)
{
    ols_err err = {0};
    memset(nm, 0, sizeof *nm);
    OK(s->ops->list_folders(s, folder_cb, nm, &err) == OLS_OK, "list_folders: %s", err.msg);
}

static ols_status add_msg_tag(ols_store_folder *f, const char *text, unsigned flags,
                              const char *tag, char **id)
{
    ols_store_writer *w;
    ols_err err = {0};
    ols_status st = f->store->ops->add_begin(f, flags, 0, tag, &w, &err);
    if (st != OLS_OK)
        return st;
    st = f->store->ops->add_write(w, text, strlen(text) / 2, &err);
    if (st == OLS_OK)
        st = f->store->ops->add_write(w, text + strlen(text) / 2, strlen(text) - strlen(text) / 2,
                                      &err);
    if (st != OLS_OK) {
        f->store->ops->add_abort(w);
        return st;
    }
    st = f->store->ops->add_commit(w, NULL, id, &err);
    if (st != OLS_OK)
        fprintf(stderr, "add_commit: %s\n", err.msg);
    return st;
}

static ols_status add_msg(ols_store_folder *f, const char *text, unsigned flags, char **id)
{
    return add_msg_tag(f, text, flags, NULL, id);
}

struct buf {
    char data[65536];
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
    int64_t mtime[16];
    int n;
};
static int item_cb(void *ctx, const ols_store_item *it)
{
    struct items *is = ctx;
    if (is->n < 16) {
        snprintf(is->ids[is->n], sizeof is->ids[0], "%s", it->id);
        snprintf(is->tags[is->n], sizeof is->tags[0], "%s", it->tag ? it->tag : "");
        is->flags[is->n] = it->flags;
        is->mtime[is->n] = it->mtime;
    }
    is->n++;
    return 0;
}

static unsigned flags_of(struct items *is, const char *id)
{
    int i;
    for (i = 0; i < is->n && i < 16; i++)
        if (!strcmp(is->ids[i], id))
            return is->flags[i];
    return 0xffff;
}

static void relist(ols_store_folder *f, struct items *is)
{
    ols_err err = {0};
    memset(is, 0, sizeof *is);
    OK(f->store->ops->list_items(f, item_cb, is, &err) == OLS_OK, "list_items: %s", err.msg);
}

/* Open an item "from Outlook's side": straight through MAPI, by its id. */
static IMessage *outlook_open(IMsgStore *st, const char *id, int modify)
{
    BYTE *b = NULL;
    ULONG cb = 0, type = 0;
    IUnknown *unk = NULL;
    if (ols_hex_decode(id, &b, &cb) != 0)
        return NULL;
    if (FAILED(st->lpVtbl->OpenEntry(st, cb, (LPENTRYID)b, &IID_IMessage,
                                     modify ? MAPI_MODIFY : 0, &type, &unk)))
        unk = NULL;
    free(b);
    return (IMessage *)unk;
}

static LONG prop_long(IMAPIProp *o, ULONG tag, LONG dflt)
{
    SPropValue *v = NULL;
    LONG r = dflt;
    if (SUCCEEDED(ols_mapi_get_one(o, tag, &v)))
        r = v->Value.l;
    ols_mapi_free(v);
    return r;
}

static char *prop_str(IMAPIProp *o, ULONG tag)
{
    char *s = NULL;
    if (FAILED(ols_mapi_read_string(o, tag, &s)))
        return NULL;
    return s;
}

static ULONG named_tag(IMsgStore *st, const wchar_t *name, ULONG type)
{
    ULONG tag = 0;
    const wchar_t *names[1] = {name};
    ULONG types[1] = {type};
    if (FAILED(ols_mapi_named_tags((IMAPIProp *)st, &PSETID_Olsync, names, types, 1, &tag)))
        return 0;
    return tag;
}

static char *folder_class(IMsgStore *st, const wchar_t *path)
{
    IMAPIFolder *f = NULL;
    char *cls = NULL;
    if (FAILED(fake_open_path(st, path, &f)))
        return NULL;
    cls = prop_str((IMAPIProp *)f, PR_CONTAINER_CLASS_W);
    f->lpVtbl->Release(f);
    return cls;
}

static int folder_exists(IMsgStore *st, const wchar_t *path)
{
    IMAPIFolder *f = NULL;
    if (FAILED(fake_open_path(st, path, &f)))
        return 0;
    f->lpVtbl->Release(f);
    return 1;
}

/* ---- run time ---- */
static void test_runtime(void)
{
    ols_err err = {0};
    void *p = NULL, *q = NULL;
    long live = ols_mapi_rt_builtin_live();
    const ols_mapi_rt *rt;
    /* the built-in allocator keeps the MAPIAllocateBuffer contract */
    OK(SUCCEEDED(ols_mapi_rt_builtin()->alloc(100, &p)) && p, "builtin alloc");
    OK(SUCCEEDED(ols_mapi_rt_builtin()->more(50, p, &q)) && q, "builtin more");
    OK(ols_mapi_rt_builtin_live() == live + 1, "one chain live");
    ols_mapi_rt_builtin()->free(p);
    OK(ols_mapi_rt_builtin_live() == live, "the chain went at once");
    /* Wine's mapi32: resolved at run time, decorated names as fallback */
    OK(ols_mapi_rt_load(NULL, &err) == OLS_OK, "mapi32 resolved: %s", err.msg);
    rt = ols_mapi_rt_get();
    OK(rt->alloc && rt->more && rt->free, "allocator from %s", rt->source);
    p = q = NULL;
    OK(SUCCEEDED(rt->alloc(64, &p)) && SUCCEEDED(rt->more(64, p, &q)) && q, "mapi32 allocates");
    if (p)
        rt->free(p);
    {
        /* Wine's MAPIInitialize answers MAPI_E_NOT_INITIALIZED (no profiles): no crash */
        HRESULT hr = ols_mapi_thread_init();
        OK(hr == S_OK || FAILED(hr), "MAPIInitialize returned %#lx", (unsigned long)hr);
        if (SUCCEEDED(hr))
            ols_mapi_thread_done();
    }
    {
        char b[16];
        OK(!strcmp(ols_mapi_hr_name(MAPI_E_NOT_FOUND, b, sizeof b), "MAPI_E_NOT_FOUND"),
           "hr names");
        OK(ols_mapi_status(MAPI_E_COLLISION) == OLS_EEXIST, "collision is EEXIST");
    }
}

/* ---- folders ---- */
static void test_folders(ols_store *s, IMsgStore *st)
{
    ols_err err = {0};
    struct names nm;
    const ols_store_ops *o = s->ops;
    char *cls;

    list_all(s, &nm);
    OK(has(&nm, "INBOX") && has(&nm, "Sent") && has(&nm, "Trash") && has(&nm, "Junk"),
       "default folders by their engine paths: %s", nm.list);
    OK(!has(&nm, "Drafts") && !has(&nm, "Outbox") && !has(&nm, "Calendar") &&
           !has(&nm, "Sync Issues") && !has(&nm, "Inbox") && !has(&nm, "Sent Items"),
       "local and system folders stay out: %s", nm.list);

    OK(o->create_folder(s, "Projekte", NULL, &err) == OLS_OK, "create: %s", err.msg);
    OK(o->create_folder(s, "Projekte/\xc3\x9c" "berblick", NULL, &err) == OLS_OK, "nested: %s",
       err.msg);
    OK(o->create_folder(s, "v1.2 notes", NULL, &err) == OLS_OK, "dot in name: %s", err.msg);
    OK(o->create_folder(s, "Calendar", "event", &err) == OLS_OK, "groupware kind: %s", err.msg);
    OK(o->create_folder(s, "Calendar", "event", &err) == OLS_OK, "again: same folder");
    OK(o->create_folder(s, "a//b", NULL, &err) == OLS_EINVAL, "empty level refused");
    OK(o->create_folder(s, "../escape", NULL, &err) == OLS_EINVAL, "dot-dot refused");
    OK(o->create_folder(s, "", NULL, &err) == OLS_EINVAL, "empty path refused");
    OK(o->create_folder(s, "INBOX/Sub", NULL, &err) == OLS_OK, "under INBOX: %s", err.msg);
    OK(o->create_folder(s, "Trash/Old", NULL, &err) == OLS_OK, "under Trash: %s", err.msg);
    OK(o->create_folder(s, "Sent", NULL, &err) == OLS_OK, "the mapped Sent exists already");
    OK(o->create_folder(s, "K/Contacts", "contact", &err) == OLS_OK &&
           o->create_folder(s, "K/Tasks", "task", &err) == OLS_OK &&
           o->create_folder(s, "K/Notes", "note", &err) == OLS_OK &&
           o->create_folder(s, "K/Journal", "journal", &err) == OLS_OK &&
           o->create_folder(s, "K/Mail", "mail", &err) == OLS_OK,
       "every kind: %s", err.msg);

    list_all(s, &nm);
    OK(has(&nm, "INBOX"), "INBOX listed: %s", nm.list);
    OK(has(&nm, "Projekte/\xc3\x9c" "berblick"), "non-ASCII nested listed: %s", nm.list);
    OK(has(&nm, "v1.2 notes"), "dotted name round-trips: %s", nm.list);
    OK(has(&nm, "Calendar=event"), "kind kept, next to Outlook's own Calendar: %s", nm.list);
    OK(has(&nm, "INBOX/Sub") && has(&nm, "Trash/Old"), "children of default folders: %s",
       nm.list);
    OK(has(&nm, "K/Contacts=contact") && has(&nm, "K/Tasks=task") && has(&nm, "K/Notes=note") &&
           has(&nm, "K/Journal=journal") && has(&nm, "K/Mail"),
       "kinds listed back: %s", nm.list);
    OK(!has(&nm, "K"), "a parent the engine never made is a placeholder: %s", nm.list);
    OK(!has(&nm, "Sent Items") && has(&nm, "Sent"), "one Sent: %s", nm.list);

    /* how it looks in Outlook */
    OK(folder_exists(st, L"Projekte/\x00dc" L"berblick"), "display name in UTF-16");
    OK(folder_exists(st, L"Inbox/Sub") && folder_exists(st, L"Deleted Items/Old"),
       "under Outlook's Inbox and Deleted Items");
    cls = folder_class(st, L"Calendar (2)");
    OK(cls && !strcmp(cls, "IPF.Appointment"), "Outlook's Calendar kept, ours beside it: %s",
       cls ? cls : "(none)");
    free(cls);
    cls = folder_class(st, L"Calendar");
    OK(cls && !strcmp(cls, "IPF.Appointment"), "the default Calendar untouched");
    free(cls);
    {
        static const struct {
            const wchar_t *path;
            const char *cls;
        } want[] = {{L"K/Contacts", "IPF.Contact"}, {L"K/Tasks", "IPF.Task"},
                    {L"K/Notes", "IPF.StickyNote"}, {L"K/Journal", "IPF.Journal"},
                    {L"K/Mail", "IPF.Note"},        {L"Projekte", "IPF.Note"}};
        size_t i;
        for (i = 0; i < sizeof want / sizeof want[0]; i++) {
            cls = folder_class(st, want[i].path);
            OK(cls && !strcmp(cls, want[i].cls), "%ls is %s, not %s", want[i].path, want[i].cls,
               cls ? cls : "(none)");
            free(cls);
        }
    }

    /* folders made or renamed in Outlook */
    {
        IMAPIFolder *sub = NULL, *nf = NULL, *v12 = NULL;
        SPropValue v;
        SPropProblemArray *probs = NULL;
        OK(SUCCEEDED(fake_open_path(st, L"", &sub)), "IPM subtree");
        OK(SUCCEEDED(sub->lpVtbl->CreateFolder(sub, FOLDER_GENERIC, (LPWSTR)L"Outlook made", NULL,
                                               NULL, MAPI_UNICODE, &nf)),
           "folder made in Outlook");
        if (nf)
            nf->lpVtbl->Release(nf);
        nf = NULL;
        OK(SUCCEEDED(sub->lpVtbl->CreateFolder(sub, FOLDER_GENERIC, (LPWSTR)L"a/b", NULL, NULL,
                                               MAPI_UNICODE, &nf)),
           "a '/' in an Outlook name");
        if (nf)
            nf->lpVtbl->Release(nf);
        nf = NULL;
        OK(SUCCEEDED(sub->lpVtbl->CreateFolder(sub, FOLDER_GENERIC, (LPWSTR)L"Trash", NULL, NULL,
                                               MAPI_UNICODE, &nf)),
           "a folder named like a mapped default, made in Outlook");
        if (nf)
            nf->lpVtbl->Release(nf);
        sub->lpVtbl->Release(sub);
        OK(SUCCEEDED(fake_open_path(st, L"v1.2 notes", &v12)), "open v1.2 notes");
        memset(&v, 0, sizeof v);
        v.ulPropTag = PR_DISPLAY_NAME_W;
        v.Value.lpszW = (LPWSTR)L"Notes 1.2";
        OK(v12 && SUCCEEDED(v12->lpVtbl->SetProps(v12, 1, &v, &probs)), "renamed in Outlook");
        ols_mapi_free(probs);
        if (v12)
            v12->lpVtbl->Release(v12);
        list_all(s, &nm);
        OK(has(&nm, "Outlook made"), "Outlook's new folder listed: %s", nm.list);
        OK(has(&nm, "a_b"), "'/' inside a level becomes '_': %s", nm.list);
        OK(has(&nm, "Notes 1.2") && !has(&nm, "v1.2 notes"), "the user's rename wins: %s",
           nm.list);
        {
            const char *p = strstr(nm.list, "|Trash|");
            OK(p && !strstr(p + 1, "|Trash|") && strncmp(nm.list, "Trash|", 6) != 0,
               "one Trash only, the default: %s", nm.list);
        }
        OK(o->create_folder(s, "a_b", NULL, &err) == OLS_OK && !folder_exists(st, L"a_b"),
           "and resolves back to it");
    }

    /* renames and deletes */
    OK(o->rename_folder(s, "Projekte", "Archiv/Projekte", &err) == OLS_OK, "rename: %s", err.msg);
    list_all(s, &nm);
    OK(has(&nm, "Archiv/Projekte/\xc3\x9c" "berblick") && !has(&nm, "Projekte"),
       "rename carries sub-folders: %s", nm.list);
    OK(!has(&nm, "Archiv"), "the new parent is a placeholder: %s", nm.list);
    OK(o->rename_folder(s, "nope", "x", &err) == OLS_ENOENT, "rename missing");
    OK(o->rename_folder(s, "Notes 1.2", "Outlook made", &err) == OLS_EEXIST, "rename onto another");
    OK(o->rename_folder(s, "INBOX", "Elsewhere", &err) == OLS_EINVAL, "INBOX cannot be renamed");
    OK(o->rename_folder(s, "Trash", "Bin", &err) == OLS_EINVAL, "nor Trash");
    OK(o->delete_folder(s, "Archiv/Projekte", &err) == OLS_EBUSY, "folder with children kept");
    OK(o->delete_folder(s, "Archiv/Projekte/\xc3\x9c" "berblick", &err) == OLS_OK,
       "delete leaf: %s", err.msg);
    OK(o->delete_folder(s, "Archiv/Projekte", &err) == OLS_OK, "then parent: %s", err.msg);
    OK(!folder_exists(st, L"Archiv"), "the empty placeholder went with it");
    OK(o->delete_folder(s, "INBOX", &err) == OLS_EINVAL, "INBOX stays");
    OK(o->delete_folder(s, "Sent", &err) == OLS_EINVAL, "Sent stays");
    OK(o->delete_folder(s, "Missing", &err) == OLS_ENOENT, "delete missing");
    OK(o->create_folder(s, "K", NULL, &err) == OLS_OK, "the engine creates the placeholder");
    list_all(s, &nm);
    OK(has(&nm, "K"), "a placeholder the engine made is a folder: %s", nm.list);
}

static void test_localised(void)
{
    fake_opts fo = {1, 0, 0};
    fake_msgstore *fs = fake_msgstore_new(&fo);
    IMsgStore *st = fake_msgstore_iface(fs);
    ols_store *s = NULL;
    ols_err err = {0};
    struct names nm;
    ols_mapi_store_opts mo;
    memset(&mo, 0, sizeof mo);
    mo.converter = OLS_MAPI_CONV_OWN;
    mo.sent_path = "Gesendet";
    mo.junk_path = ""; /* not mapped: Junk-E-Mail stays local */
    OK(ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) == OLS_OK, "open: %s", err.msg);
    if (!s)
        return;
    list_all(s, &nm);
    OK(has(&nm, "INBOX") && has(&nm, "Gesendet") && has(&nm, "Trash"),
       "German folders by entry id: %s", nm.list);
    OK(!has(&nm, "Posteingang") && !has(&nm, "Junk") && !has(&nm, "Junk-E-Mail") &&
           !has(&nm, "Kalender"),
       "nothing by display name: %s", nm.list);
    OK(s->ops->create_folder(s, "Gesendet/2023", NULL, &err) == OLS_OK &&
           folder_exists(st, L"Gesendete Elemente/2023"),
       "a child of the mapped Sent: %s", err.msg);
    ols_store_close(s);
    st->lpVtbl->Release(st);
    fake_msgstore_release(fs);
}

/* ---- items ---- */
struct seen_ev {
    int n, created, modified, deleted;
    char last[256];
};
static void on_change(void *ctx, unsigned ev, const char *hex, const char *parent)
{
    struct seen_ev *e = ctx;
    (void)parent;
    e->n++;
    if (ev == OLS_MAPI_EV_CREATED)
        e->created++;
    if (ev == OLS_MAPI_EV_MODIFIED)
        e->modified++;
    if (ev == OLS_MAPI_EV_DELETED)
        e->deleted++;
    snprintf(e->last, sizeof e->last, "%s", hex);
}

static void test_items(ols_store *s, IMsgStore *st, fake_msgstore *fs)
{
    const ols_store_ops *o = s->ops;
    ols_store_folder *f, *other = NULL;
    ols_err err = {0};
    char *id1 = NULL, *id2 = NULL, *id3 = NULL;
    struct items is;
    struct buf b = {{0}, 0};
    struct seen_ev ev;
    static const char m1[] = "From: a@example.org\r\nSubject: one\r\n\r\nbody one\r\n";
    static const char m2[] = "From: b@example.org\r\nSubject: two\r\n\r\nbody two\r\n";
    IMessage *m;

    OK(o->create_folder(s, "Work", NULL, &err) == OLS_OK, "create");
    OK(o->open_folder(s, "Work", &f, &err) == OLS_OK, "open: %s", err.msg);
    {
        ols_store_folder *nf = NULL;
        OK(o->open_folder(s, "Missing", &nf, &err) == OLS_ENOENT && nf == NULL, "open missing");
    }
    memset(&ev, 0, sizeof ev);
    OK(ols_mapi_store_watch(s, on_change, &ev, &err) == OLS_OK, "watch: %s", err.msg);
    OK(fake_active_sinks(fs) == 1, "one sink registered");
    OK(add_msg(f, m1, 0, &id1) == OLS_OK, "add unseen");
    OK(add_msg(f, m2, OLS_MF_SEEN | OLS_MF_FLAGGED, &id2) == OLS_OK, "add seen+flagged");
    OK(id1 && id2 && strcmp(id1, id2) != 0, "distinct ids");
    OK(ev.n == 0, "our own writes are no news (%d notifications passed)", ev.n);
    relist(f, &is);
    OK(is.n == 2, "two items");
    OK(flags_of(&is, id1) == 0, "unseen");
    OK(flags_of(&is, id2) == (OLS_MF_SEEN | OLS_MF_FLAGGED), "flags from MAPI properties");

    /* items arrive as received mail, with their flags in MAPI's own properties */
    m = outlook_open(st, id1, 0);
    OK(m != NULL, "Outlook opens item 1");
    if (m) {
        LONG mf = prop_long((IMAPIProp *)m, PR_MESSAGE_FLAGS, -1);
        OK(mf != -1 && !(mf & MSGFLAG_UNSENT), "not an unsent draft (%#lx)", (unsigned long)mf);
        OK(!(mf & MSGFLAG_READ), "unread");
        m->lpVtbl->Release(m);
    }
    m = outlook_open(st, id2, 0);
    if (m) {
        LONG mf = prop_long((IMAPIProp *)m, PR_MESSAGE_FLAGS, -1);
        OK(mf & MSGFLAG_READ, "\\Seen is MSGFLAG_READ");
        OK(prop_long((IMAPIProp *)m, PR_FLAG_STATUS, 0) == FOLLOWUP_FLAGGED,
           "\\Flagged is the follow-up flag");
        OK(prop_long((IMAPIProp *)m, PR_FOLLOWUP_ICON, 0) == FOLLOWUP_ICON_RED, "red flag");
        m->lpVtbl->Release(m);
    }

    b.n = 0;
    OK(o->read_item(f, id1, buf_sink, &b, &err) == OLS_OK, "read: %s", err.msg);
    {
        ols_eml_msg *pm = NULL;
        OK(ols_eml_parse(b.data, b.n, &pm, NULL) == OLS_OK, "read back parses");
        if (pm) {
            char *body = NULL;
            size_t bl = 0;
            const char *subj = ols_eml_header(&pm->root, "Subject");
            const char *from = ols_eml_header(&pm->root, "From");
            OK(subj && !strcmp(subj, "one"), "subject back: %s", subj ? subj : "(none)");
            OK(from && strstr(from, "a@example.org"), "sender back: %s", from ? from : "(none)");
            ols_eml_body(&pm->root, &body, &bl);
            OK(body && strstr(body, "body one"), "body back: %s", body ? body : "(none)");
            free(body);
            ols_eml_free(pm);
        }
    }

    /* flags: set, same id; \Answered is the last verb "replied", \Draft our own state */
    {
        int64_t before = 0, after = 0;
        int i;
        relist(f, &is);
        for (i = 0; i < is.n; i++)
            if (!strcmp(is.ids[i], id1))
                before = is.mtime[i];
        m = outlook_open(st, id1, 0);
        {
            SPropValue *t0 = NULL, *t1 = NULL;
            ols_mapi_get_one((IMAPIProp *)m, PR_LAST_MODIFICATION_TIME, &t0);
            m->lpVtbl->Release(m);
            OK(o->set_flags(f, id1, OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_DRAFT, &err) == OLS_OK,
               "set flags: %s", err.msg);
            m = outlook_open(st, id1, 0);
            ols_mapi_get_one((IMAPIProp *)m, PR_LAST_MODIFICATION_TIME, &t1);
            OK(t0 && t1 && ols_filetime_u64(t1->Value.ft) > ols_filetime_u64(t0->Value.ft),
               "the save moved the modification time on");
            ols_mapi_free(t0);
            ols_mapi_free(t1);
        }
        OK(prop_long((IMAPIProp *)m, PR_LAST_VERB_EXECUTED, 0) == EXCHIVERB_REPLYTOSENDER,
           "\\Answered is EXCHIVERB_REPLYTOSENDER");
        OK(prop_long((IMAPIProp *)m, PR_MESSAGE_FLAGS, 0) & MSGFLAG_READ, "read now");
        m->lpVtbl->Release(m);
        relist(f, &is);
        for (i = 0; i < is.n; i++)
            if (!strcmp(is.ids[i], id1))
                after = is.mtime[i];
        OK(after >= before, "mtime never goes back");
        OK(flags_of(&is, id1) == (OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_DRAFT), "flags stored");
        OK(ev.n == 0, "still no echo of our own changes (%d)", ev.n);
        SET_EXPECT(SaveChanges);
        OK(o->set_flags(f, id1, OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_DRAFT, &err) == OLS_OK,
           "same flags again");
        OK(CALLED(SaveChanges) == 0, "nothing to save when nothing changed");
    }

    /* the user changes things in Outlook: seen on the next listing, and notified */
    m = outlook_open(st, id2, 1);
    OK(m != NULL, "Outlook opens item 2 for writing");
    if (m) {
        SizedSPropTagArray(1, del) = {1, {PR_FLAG_STATUS}};
        SPropProblemArray *probs = NULL;
        OK(SUCCEEDED(m->lpVtbl->SetReadFlag(m, CLEAR_READ_FLAG)), "mark unread in Outlook");
        OK(SUCCEEDED(m->lpVtbl->DeleteProps(m, (LPSPropTagArray)&del, &probs)), "unflag");
        ols_mapi_free(probs);
        OK(SUCCEEDED(m->lpVtbl->SaveChanges(m, 0)), "Outlook saves");
        m->lpVtbl->Release(m);
    }
    OK(ev.modified >= 1 && !strcmp(ev.last, id2), "Outlook's change was notified (%d, %s)",
       ev.modified, ev.last);
    m = outlook_open(st, id1, 1);
    if (m) {
        /* a forward in Outlook after the reply: the verb changes, both flags stay */
        OK(SUCCEEDED(ols_mapi_set_long((IMAPIProp *)m, PR_LAST_VERB_EXECUTED, EXCHIVERB_FORWARD)),
           "forwarded in Outlook");
        m->lpVtbl->SaveChanges(m, 0);
        m->lpVtbl->Release(m);
    }
    relist(f, &is);
    OK(flags_of(&is, id2) == 0, "external flag change detected (%#x)", flags_of(&is, id2));
    OK(flags_of(&is, id1) == (OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_FORWARDED | OLS_MF_DRAFT),
       "a verb added in Outlook adds a flag (%#x)", flags_of(&is, id1));
    OK(o->set_flags(f, id2, OLS_MF_SEEN | OLS_MF_FORWARDED, &err) == OLS_OK,
       "set flags after external change: %s", err.msg);
    relist(f, &is);
    OK(flags_of(&is, id2) == (OLS_MF_SEEN | OLS_MF_FORWARDED), "forwarded (%#x)",
       flags_of(&is, id2));

    /* replace content in place: same id, same flags, one item */
    {
        ols_store_writer *w;
        char *rid = NULL;
        static const char full[] = "From: a@example.org\r\nSubject: one\r\n\r\nthe full body\r\n";
        IMAPIFolder *wf = NULL;
        o->add_begin(f, 0, 0, NULL, &w, &err);
        o->add_write(w, full, sizeof full - 1, &err);
        OK(o->add_commit(w, id1, &rid, &err) == OLS_OK, "replace: %s", err.msg);
        OK(rid && !strcmp(rid, id1), "same id after replace");
        b.n = 0;
        o->read_item(f, id1, buf_sink, &b, &err);
        OK(strstr(b.data, "the full body") && !strstr(b.data, "body one"), "new content");
        relist(f, &is);
        OK(is.n == 2, "no duplicate after replace (%d)", is.n);
        OK(flags_of(&is, id1) == (OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_FORWARDED | OLS_MF_DRAFT),
           "flags kept (%#x)", flags_of(&is, id1));
        OK(SUCCEEDED(fake_open_path(st, L"Work", &wf)) && fake_count(wf) == 2,
           "two messages in the PST folder");
        if (wf)
            wf->lpVtbl->Release(wf);
        free(rid);
        o->add_begin(f, 0, 0, NULL, &w, &err);
        o->add_write(w, full, sizeof full - 1, &err);
        OK(o->add_commit(w, "00", &rid, &err) == OLS_ENOENT, "replacing a missing item");
    }

    /* abort leaves nothing behind */
    {
        ols_store_writer *w;
        SET_EXPECT(CreateMessage);
        o->add_begin(f, 0, 0, NULL, &w, &err);
        o->add_write(w, "partial", 7, &err);
        o->add_abort(w);
        relist(f, &is);
        OK(is.n == 2, "aborted add is invisible");
        OK(CALLED(CreateMessage) == 0, "and never reached the store");
    }

    /* a tag given at add time comes back, and sits in named properties */
    {
        ols_store_writer *w;
        char *tid = NULL;
        int i, found = 0;
        OK(o->add_begin(f, OLS_MF_SEEN, 0, "bad/tag", &w, &err) == OLS_EINVAL, "bad tag refused");
        OK(add_msg_tag(f, m2, OLS_MF_SEEN, "1700000000-42", &tid) == OLS_OK, "tagged add");
        relist(f, &is);
        for (i = 0; i < is.n && i < 16; i++)
            if (!strcmp(is.ids[i], tid) && !strcmp(is.tags[i], "1700000000-42"))
                found = 1;
        OK(found, "tag reported by list_items");
        m = outlook_open(st, tid, 0);
        if (m) {
            ULONG t_uid = named_tag(st, L"Uid", PT_LONG);
            ULONG t_uv = named_tag(st, L"UidValidity", PT_LONG);
            ULONG t_folder = named_tag(st, L"Folder", PT_UNICODE);
            char *fold = prop_str((IMAPIProp *)m, t_folder);
            OK(t_uid && prop_long((IMAPIProp *)m, t_uid, 0) == 42, "UID in a named property");
            OK(t_uv && prop_long((IMAPIProp *)m, t_uv, 0) == 1700000000,
               "UIDVALIDITY in a named property");
            OK(fold && !strcmp(fold, "Work"), "folder in a named property: %s",
               fold ? fold : "(none)");
            free(fold);
            m->lpVtbl->Release(m);
        }
        {
            ols_mapi_item_ref r;
            char *lower = _strdup(tid);
            size_t k;
            for (k = 0; lower[k]; k++)
                lower[k] = (char)tolower((unsigned char)lower[k]);
            OK(ols_mapi_store_lookup(s, lower, &r, &err) == OLS_OK, "lookup: %s", err.msg);
            OK(r.folder_path && !strcmp(r.folder_path, "Work"), "lookup folder: %s",
               r.folder_path ? r.folder_path : "(none)");
            OK(r.item_id && !strcmp(r.item_id, tid), "lookup id (upper case)");
            OK(r.tag && !strcmp(r.tag, "1700000000-42"), "lookup tag");
            OK(r.flags == OLS_MF_SEEN && !r.partial, "lookup flags %#x", r.flags);
            ols_mapi_item_ref_free(&r);
            free(lower);
        }
        {
            char *where = NULL;
            OK(o->locate_item(f, tid, &where, &err) == OLS_OK && where && strstr(where, tid) &&
                   strstr(where, "Work"),
               "locate_item: %s", where ? where : err.msg);
            free(where);
        }
        o->delete_item(f, tid, &err);
        free(tid);
    }

    /* an id of another folder is not in this one */
    OK(o->create_folder(s, "Other", NULL, &err) == OLS_OK &&
           o->open_folder(s, "Other", &other, &err) == OLS_OK,
       "second folder");
    if (other) {
        b.n = 0;
        OK(o->read_item(other, id2, buf_sink, &b, &err) == OLS_ENOENT, "foreign id is ENOENT");
        OK(o->set_flags(other, id2, 0, &err) == OLS_ENOENT, "and cannot be flagged there");
        o->close_folder(other);
    }

    /* delete, and a missing id is a clean error */
    OK(add_msg(f, m1, OLS_MF_DELETED, &id3) == OLS_OK, "add third");
    relist(f, &is);
    OK(flags_of(&is, id3) == OLS_MF_DELETED, "\\Deleted kept in our own property");
    ev.n = ev.deleted = 0;
    OK(o->delete_item(f, id3, &err) == OLS_OK, "delete: %s", err.msg);
    OK(ev.deleted == 0, "our delete is no news");
    OK(o->delete_item(f, id3, &err) == OLS_ENOENT, "delete again is ENOENT");
    OK(o->read_item(f, "no-such-id", buf_sink, &b, &err) == OLS_ENOENT, "read missing");
    OK(o->delete_folder(s, "Work", &err) == OLS_EBUSY, "folder with mail kept");

    /* notifications: Outlook deletes an item; then no more after unwatch */
    {
        IMAPIFolder *wf = NULL;
        BYTE *bb = NULL;
        ULONG cb = 0;
        ev.n = ev.deleted = 0;
        if (SUCCEEDED(fake_open_path(st, L"Work", &wf)) && ols_hex_decode(id2, &bb, &cb) == 0) {
            SBinary bin = {cb, bb};
            ENTRYLIST l = {1, &bin};
            OK(SUCCEEDED(wf->lpVtbl->DeleteMessages(wf, &l, 0, NULL, 0)), "deleted in Outlook");
        }
        OK(ev.deleted == 1, "Outlook's delete was notified");
        relist(f, &is);
        OK(is.n == 1 && flags_of(&is, id1) != 0xffff, "one left");
        ols_mapi_store_unwatch(s);
        OK(fake_active_sinks(fs) == 0, "Unadvise found the pointer-sized connection");
        ev.n = 0;
        m = outlook_open(st, id1, 1);
        if (m) {
            m->lpVtbl->SetReadFlag(m, CLEAR_READ_FLAG);
            m->lpVtbl->Release(m);
        }
        OK(ev.n == 0, "nothing after unwatch");
        free(bb);
        if (wf)
            wf->lpVtbl->Release(wf);
    }
    o->close_folder(f);
    free(id1);
    free(id2);
    free(id3);
}

static void test_partial(ols_store *s, IMsgStore *st)
{
    const ols_store_ops *o = s->ops;
    ols_store_folder *f = NULL;
    ols_err err = {0};
    char *id = NULL, *rid = NULL;
    ols_mapi_item_ref r;
    static const char standin[] =
        "From: big@example.org\r\nSubject: big one\r\nMessage-ID: <big@example.org>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: message/external-body; access-type=URL;\r\n"
        " URL=\"imap://alice@host/Work;UIDVALIDITY=7/;UID=9\"; size=123456\r\n"
        "X-Olsync-Partial: yes\r\n\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n";
    static const char whole[] = "From: big@example.org\r\nSubject: big one\r\n"
                                "Message-ID: <big@example.org>\r\n\r\nall of it\r\n";
    ols_store_writer *w;
    IMessage *m;
    o->create_folder(s, "Big", NULL, &err);
    OK(o->open_folder(s, "Big", &f, &err) == OLS_OK, "open Big");
    if (!f)
        return;
    OK(add_msg_tag(f, standin, 0, "7-9", &id) == OLS_OK, "a stand-in");
    OK(ols_mapi_store_lookup(s, id, &r, &err) == OLS_OK && r.partial,
       "the hook says: fetch this one");
    ols_mapi_item_ref_free(&r);
    m = outlook_open(st, id, 0);
    if (m) {
        char *body = prop_str((IMAPIProp *)m, PR_BODY_W);
        SPropValue *sub = NULL;
        IMAPITable *t = NULL;
        ULONG n = 99;
        OK(body && strstr(body, "not been downloaded"), "a note instead of the body: %s",
           body ? body : "(none)");
        OK(SUCCEEDED(ols_mapi_get_one((IMAPIProp *)m, PR_SUBJECT_W, &sub)) &&
               !wcscmp(sub->Value.lpszW, L"big one"),
           "looks complete: subject there");
        if (SUCCEEDED(m->lpVtbl->GetAttachmentTable(m, 0, &t))) {
            t->lpVtbl->GetRowCount(t, 0, &n);
            t->lpVtbl->Release(t);
        }
        OK(n == 0, "the stand-in is no attachment (%lu)", (unsigned long)n);
        ols_mapi_free(sub);
        free(body);
        m->lpVtbl->Release(m);
    }
    /* the add-in queued the fetch; the engine fills it in place */
    o->add_begin(f, 0, 0, NULL, &w, &err);
    o->add_write(w, whole, sizeof whole - 1, &err);
    OK(o->add_commit(w, id, &rid, &err) == OLS_OK && rid && !strcmp(rid, id), "filled in place");
    OK(ols_mapi_store_lookup(s, id, &r, &err) == OLS_OK && !r.partial && r.tag &&
           !strcmp(r.tag, "7-9"),
       "whole now, tag kept");
    ols_mapi_item_ref_free(&r);
    m = outlook_open(st, id, 0);
    if (m) {
        char *body = prop_str((IMAPIProp *)m, PR_BODY_W);
        OK(body && strstr(body, "all of it") && !strstr(body, "downloaded"), "the real body");
        free(body);
        m->lpVtbl->Release(m);
    }
    free(id);
    free(rid);
    o->close_folder(f);
}

static void test_many(ols_store *s, IMsgStore *st)
{
    const ols_store_ops *o = s->ops;
    ols_store_folder *f;
    ols_err err = {0};
    char *ids[600];
    int i, ok = 1;
    struct items is = {0};
    IMAPIFolder *bf = NULL;
    o->create_folder(s, "Bulk", NULL, &err);
    o->open_folder(s, "Bulk", &f, &err);
    for (i = 0; i < 600; i++)
        if (add_msg(f, "Subject: x\r\n\r\nx\r\n", (unsigned)(i & 7), &ids[i]) != OLS_OK)
            ok = 0;
    OK(ok, "600 adds");
    o->list_items(f, item_cb, &is, &err);
    OK(is.n == 600, "600 listed (%d)", is.n);
    for (i = 0; i < 600; i += 2)
        if (o->delete_item(f, ids[i], &err) != OLS_OK)
            ok = 0;
    for (i = 1; i < 600; i += 2)
        if (o->set_flags(f, ids[i], OLS_MF_SEEN, &err) != OLS_OK)
            ok = 0;
    OK(ok, "interleaved deletes and flag changes: %s", err.msg);
    OK(SUCCEEDED(fake_open_path(st, L"Bulk", &bf)) && fake_count(bf) == 300, "300 left");
    if (bf)
        bf->lpVtbl->Release(bf);
    memset(&is, 0, sizeof is);
    o->list_items(f, item_cb, &is, &err);
    OK(is.n == 300, "300 listed");
    for (i = 0; i < 600; i++)
        free(ids[i]);
    o->close_folder(f);
}

/* ---- IConverterSession, as Outlook has it, scripted ---- */
typedef struct fake_conv {
    IConverterSession iface;
    LONG ref;
    int fail, to_mapi, to_mime;
    ULONG last_flags;
} fake_conv;

static fake_conv *impl_from_conv(IConverterSession *i) { return CONTAINING_RECORD(i, fake_conv, iface); }
static HRESULT STDMETHODCALLTYPE cv_qi(IConverterSession *i, REFIID r, void **ppv)
{
    if (IsEqualIID(r, &IID_IUnknown) || IsEqualIID(r, &IID_IConverterSession)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE cv_addref(IConverterSession *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_conv(i)->ref);
}
static ULONG STDMETHODCALLTYPE cv_release(IConverterSession *i)
{
    return (ULONG)InterlockedDecrement(&impl_from_conv(i)->ref);
}
static HRESULT STDMETHODCALLTYPE cv_setadrbook(IConverterSession *i, LPADRBOOK a)
{
    (void)i, (void)a;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE cv_setencoding(IConverterSession *i, ENCODINGTYPE e)
{
    (void)i, (void)e;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE cv_ph(IConverterSession *i)
{
    (void)i;
    return E_NOTIMPL;
}
/* Like Outlook's: properties in, flags untouched (the item would stay an unsent draft). */
static HRESULT STDMETHODCALLTYPE cv_mime2mapi(IConverterSession *i, LPSTREAM s, LPMESSAGE m,
                                              LPCSTR srv, ULONG flags)
{
    fake_conv *c = impl_from_conv(i);
    SPropValue v[2];
    SPropProblemArray *p = NULL;
    (void)s, (void)srv;
    c->to_mapi++;
    c->last_flags = flags;
    if (c->fail) {
        /* a half-converted message: the caller must throw it away */
        memset(v, 0, sizeof v);
        v[0].ulPropTag = PR_SUBJECT_W;
        v[0].Value.lpszW = (LPWSTR)L"half";
        m->lpVtbl->SetProps(m, 1, v, &p);
        ols_mapi_free(p);
        return E_FAIL;
    }
    memset(v, 0, sizeof v);
    v[0].ulPropTag = PR_SUBJECT_W;
    v[0].Value.lpszW = (LPWSTR)L"converted by Outlook";
    v[1].ulPropTag = PR_BODY_W;
    v[1].Value.lpszW = (LPWSTR)L"body";
    m->lpVtbl->SetProps(m, 2, v, &p);
    ols_mapi_free(p);
    return MAPI_W_PARTIAL_COMPLETION; /* a warning is success */
}
static HRESULT STDMETHODCALLTYPE cv_mapi2mime(IConverterSession *i, LPMESSAGE m, LPSTREAM s,
                                              ULONG flags)
{
    fake_conv *c = impl_from_conv(i);
    static const char out[] = "Subject: from Outlook's converter\r\n\r\nx\r\n";
    (void)m, (void)flags;
    c->to_mime++;
    return s->lpVtbl->Write(s, out, sizeof out - 1, NULL);
}
static HRESULT STDMETHODCALLTYPE cv_wrap(IConverterSession *i, BOOL w, ULONG n)
{
    (void)i, (void)w, (void)n;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE cv_savefmt(IConverterSession *i, MIMESAVETYPE t)
{
    (void)i, (void)t;
    return S_OK;
}
static HRESULT STDMETHODCALLTYPE cv_charset(IConverterSession *i, BOOL a, HCHARSET h,
                                            CSETAPPLYTYPE t)
{
    (void)i, (void)a, (void)h, (void)t;
    return S_OK;
}
static const IConverterSessionVtbl conv_vtbl = {
    cv_qi,        cv_addref,    cv_release, cv_setadrbook, cv_setencoding, cv_ph,
    cv_mime2mapi, cv_mapi2mime, cv_ph,      cv_ph,         cv_ph,          cv_wrap,
    cv_savefmt,   cv_ph,        cv_charset};

static void test_converter(void)
{
    fake_msgstore *fs = fake_msgstore_new(NULL);
    IMsgStore *st = fake_msgstore_iface(fs);
    fake_conv conv = {{&conv_vtbl}, 1, 0, 0, 0, 0};
    ols_mapi_store_opts mo;
    ols_store *s = NULL;
    ols_store_folder *f = NULL;
    ols_err err = {0};
    char *id = NULL;
    struct buf b = {{0}, 0};
    IMessage *m;
    static const char msg[] = "From: a@example.org\r\nSubject: own\r\n\r\nx\r\n";

    /* under Wine there is no converter: the store says so */
    memset(&mo, 0, sizeof mo);
    OK(ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) == OLS_OK, "open (auto): %s", err.msg);
    OK(s && !strcmp(ols_mapi_store_converter(s), "olsync"),
       "no IConverterSession under Wine: own mapper");
    if (s)
        ols_store_close(s);

    mo.conv = &conv.iface;
    OK(ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) == OLS_OK, "open (converter)");
    if (!s)
        goto out;
    OK(!strcmp(ols_mapi_store_converter(s), "IConverterSession"), "converter in use");
    s->ops->create_folder(s, "Conv", NULL, &err);
    s->ops->open_folder(s, "Conv", &f, &err);
    OK(add_msg(f, msg, OLS_MF_SEEN, &id) == OLS_OK, "add through the converter");
    OK(conv.to_mapi == 1 && (conv.last_flags & CCSF_SMTP), "MIMEToMAPI(CCSF_SMTP) called");
    m = id ? outlook_open(st, id, 0) : NULL;
    if (m) {
        char *subj = prop_str((IMAPIProp *)m, PR_SUBJECT_W);
        LONG mf = prop_long((IMAPIProp *)m, PR_MESSAGE_FLAGS, -1);
        OK(subj && !strcmp(subj, "converted by Outlook"), "the converter's result");
        OK(!(mf & MSGFLAG_UNSENT) && (mf & MSGFLAG_READ),
           "flags set before the first save: received and read (%#lx)", (unsigned long)mf);
        free(subj);
        m->lpVtbl->Release(m);
    }
    OK(s->ops->read_item(f, id, buf_sink, &b, &err) == OLS_OK &&
           strstr(b.data, "from Outlook's converter") && conv.to_mime == 1,
       "read through MAPIToMIMEStm");
    free(id);
    id = NULL;
    conv.fail = 1;
    OK(add_msg(f, msg, 0, &id) == OLS_OK, "a converter failure falls back");
    m = id ? outlook_open(st, id, 0) : NULL;
    if (m) {
        char *subj = prop_str((IMAPIProp *)m, PR_SUBJECT_W);
        OK(subj && !strcmp(subj, "own"), "own mapper on a fresh message, not the half one: %s",
           subj ? subj : "(none)");
        free(subj);
        m->lpVtbl->Release(m);
    }
    free(id);
    s->ops->close_folder(f);
    ols_store_close(s);
out:
    st->lpVtbl->Release(st);
    fake_msgstore_release(fs);
}

int main(void)
{
    fake_msgstore *fs;
    IMsgStore *st;
    ols_store *s = NULL;
    ols_err err = {0};
    ols_mapi_store_opts mo;
    long objects;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    objects = fake_live_objects();
    test_runtime();

    /* the rest runs on Wine's real MAPIAllocateBuffer, then once on the built-in one */
    fs = fake_msgstore_new(NULL);
    st = fake_msgstore_iface(fs);
    memset(&mo, 0, sizeof mo);
    mo.converter = OLS_MAPI_CONV_OWN;
    OK(ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) == OLS_OK, "open: %s", err.msg);
    if (s) {
        test_folders(s, st);
        test_items(s, st, fs);
        test_partial(s, st);
        ols_store_close(s);
    }
    st->lpVtbl->Release(st);
    fake_msgstore_release(fs);
    test_localised();
    test_converter();

    ols_mapi_rt_set(NULL);
    mo.keep_allocator = 1; /* mapi32 is loaded now: stay on the built-in allocator */
    {
        long live = ols_mapi_rt_builtin_live();
        fs = fake_msgstore_new(NULL);
        st = fake_msgstore_iface(fs);
        s = NULL;
        OK(ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) == OLS_OK, "open: %s", err.msg);
        if (s) {
            test_many(s, st);
            ols_store_close(s);
        }
        st->lpVtbl->Release(st);
        fake_msgstore_release(fs);
        OK(ols_mapi_rt_builtin_live() == live, "every MAPI buffer freed (%ld left)",
           ols_mapi_rt_builtin_live() - live);
    }
    {
        /* with MAPI loaded in the process, open takes its allocator (as inside Outlook) */
        ols_mapi_store_opts plain;
        memset(&plain, 0, sizeof plain);
        plain.converter = OLS_MAPI_CONV_OWN;
        ols_mapi_rt_set(NULL);
        fs = fake_msgstore_new(NULL);
        st = fake_msgstore_iface(fs);
        s = NULL;
        OK(ols_mapi_store_open((IUnknown *)st, &plain, &s, &err) == OLS_OK, "open: %s", err.msg);
        OK(ols_mapi_rt_get() != ols_mapi_rt_builtin() &&
               !strcmp(ols_mapi_rt_get()->source, "mapi32.dll"),
           "the loaded MAPI's allocator is in use (%s)", ols_mapi_rt_get()->source);
        if (s)
            ols_store_close(s);
        st->lpVtbl->Release(st);
        fake_msgstore_release(fs);
    }
    OK(fake_live_objects() == objects, "every COM object released (%ld left)",
       fake_live_objects() - objects);
    CoUninitialize();
    return T_DONE();
}
