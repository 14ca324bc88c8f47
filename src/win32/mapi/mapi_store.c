/* The engine's store vtable over an IMsgStore (Outlook's PST).
 *
 * Folders. Engine paths are '/'-separated UTF-8 levels. "INBOX" is the store's receive
 * folder for IPM.Note; the configured sent/trash/junk paths (default "Sent", "Trash",
 * "Junk") are Outlook's Sent Items, Deleted Items and Junk E-mail, found by entry id, so
 * localised names ("Gesendete Elemente") do not matter; their sub-folders are below them.
 * Every other path lives under the IPM subtree. Drafts, Outbox, the default Calendar,
 * Contacts, Tasks, Notes and Journal, the Sync Issues tree and hidden folders are local:
 * never listed, never matched. A folder gets its container class (IPF.Note,
 * IPF.Appointment, ...) from the kind at creation. A level the engine names is matched
 * against the display name, except for folders we created, which remember the engine's
 * name (named property ImapName) next to the display name we gave them (LocalName): a
 * name Outlook cannot hold as is ("Calendar" next to the default Calendar, "foo" next to
 * "Foo") gets a display name with a suffix and still maps back to the engine's name; once
 * the user renames such a folder in Outlook the display name wins again. Parents that
 * the engine never created (a path "A/B" with no "A") are made as placeholders: not
 * listed, removed again when they become empty.
 *
 * Items. The id is the entry id in upper-case hex (what Outlook's MailItem.EntryID
 * shows). Content is written with our own MIME mapper or IConverterSession, flags and
 * sync state are set before the first and only save, so an item appears whole or not at
 * all, as received mail (MSGFLAG_UNSENT cleared) unless it is an IMAP draft. Flags:
 * \Seen = MSGFLAG_READ, \Flagged = PR_FLAG_STATUS 2 (+ the red follow-up icon and the
 * to-do bit), \Answered / $Forwarded = PR_LAST_VERB_EXECUTED 102 / 104 (+ icon).
 * \Deleted and \Draft, and whichever of answered/forwarded the single last-verb
 * property cannot hold, live in the named property SyncFlags; SyncVerb records the verb
 * we wrote, so a verb the user adds in Outlook (a reply after a forward) adds to the
 * flags instead of replacing them. The engine's tag (UIDVALIDITY-UID) is the named
 * property Tag, split into UidValidity and Uid as well, and Folder holds the engine path
 * the item was delivered to: all in PSETID_Olsync, all saved with the content, so the
 * engine's state and the PST can be reconciled after either is lost. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mapi_mime.h"
#include "mapi_rt.h"
#include "mapi_store.h"
#include "olsync/log.h"
#include "olsync/mailflags.h"

#define MAX_ITEM (512u * 1024 * 1024)
/* fill(): the converter failed on a message that must be made again */
#define FILL_RETRY ((ols_status)-1)
#define RING 512

enum {
    NP_TAG,
    NP_SYNCFLAGS,
    NP_SYNCVERB,
    NP_UIDVALIDITY,
    NP_UID,
    NP_FOLDER,
    NP_IMAPNAME,
    NP_LOCALNAME,
    NP_PLACEHOLDER,
    NP_PARTIAL,
    NP_COUNT
};
static const wchar_t *const np_names[NP_COUNT] = {
    L"Tag", L"SyncFlags", L"SyncVerb", L"UidValidity", L"Uid",
    L"Folder", L"ImapName", L"LocalName", L"Placeholder", L"Partial"};
static const ULONG np_types[NP_COUNT] = {PT_UNICODE, PT_LONG,    PT_LONG,    PT_LONG,
                                         PT_LONG,    PT_UNICODE, PT_UNICODE, PT_UNICODE,
                                         PT_BOOLEAN, PT_BOOLEAN};

enum { SP_INBOX, SP_SENT, SP_TRASH, SP_JUNK, SP_COUNT };

typedef struct eid {
    ULONG cb;
    BYTE *ab;
} eid;

typedef struct ring_entry {
    char *hex;
    uint64_t modtime; /* 0: deleted by us */
} ring_entry;

typedef struct ms_sink ms_sink;

typedef struct ms_store {
    ols_store base;
    IMsgStore *mdb;
    IConverterSession *conv;
    ULONG np[NP_COUNT];
    eid subtree;
    eid special[SP_COUNT];
    char *special_path[SP_COUNT];
    eid system[16];
    size_t nsystem;
    CRITICAL_SECTION lock;
    ring_entry ring[RING];
    size_t ring_next;
    volatile LONG writing;
    ms_sink *sink;
    ULONG_PTR conn;
    ols_mapi_change_cb cb;
    void *cb_ctx;
} ms_store;

typedef struct ms_folder {
    ols_store_folder base;
    IMAPIFolder *f;
    eid id;
    char *path;
} ms_folder;

typedef struct ms_writer {
    ols_store_writer base;
    ols_buf data;
    unsigned flags;
    int64_t date;
    char tag[72];
    int has_tag, failed;
} ms_writer;

/* ---- small helpers ---- */
static void eid_free(eid *e)
{
    free(e->ab);
    e->ab = NULL;
    e->cb = 0;
}

static int eid_set(eid *e, const SBinary *b)
{
    e->ab = malloc(b->cb ? b->cb : 1);
    if (!e->ab)
        return -1;
    memcpy(e->ab, b->lpb, b->cb);
    e->cb = b->cb;
    return 0;
}

static int eid_same(ms_store *s, const eid *a, ULONG cb, const BYTE *ab)
{
    ULONG res = 0;
    if (!a->ab || !cb)
        return 0;
    if (a->cb == cb && !memcmp(a->ab, ab, cb))
        return 1;
    if (FAILED(s->mdb->lpVtbl->CompareEntryIDs(s->mdb, a->cb, (LPENTRYID)a->ab, cb,
                                                (LPENTRYID)ab, 0, &res)))
        return 0;
    return res != 0;
}

static char *w8(const SPropValue *v)
{
    return v && PROP_TYPE(v->ulPropTag) == PT_UNICODE ? ols_wide_to_utf8(v->Value.lpszW, -1)
                                                       : NULL;
}

static int tag_ok(const char *t)
{
    size_t n = 0;
    for (; *t; t++, n++)
        if (!(isalnum((unsigned char)*t) || *t == '.' || *t == '-'))
            return 0;
    return n > 0 && n <= 64;
}

/* Levels are non-empty and never "." or "..". */
static int path_ok(const char *path)
{
    const char *p = path;
    if (!path || !*path)
        return 0;
    for (;;) {
        size_t l = strcspn(p, "/");
        if (l == 0 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (!p[l])
            return 1;
        p += l + 1;
    }
}

static const char *kind_class(const char *kind)
{
    static const struct {
        const char *kind, *cls;
    } map[] = {{"event", "IPF.Appointment"}, {"contact", "IPF.Contact"}, {"task", "IPF.Task"},
               {"note", "IPF.StickyNote"},   {"journal", "IPF.Journal"}};
    size_t i;
    if (kind)
        for (i = 0; i < sizeof map / sizeof map[0]; i++)
            if (!strcmp(kind, map[i].kind))
                return map[i].cls;
    return "IPF.Note";
}

/* Kind of a container class: NULL for mail; "-" for classes we do not sync. */
static const char *class_kind(const char *cls)
{
    if (!cls || !*cls || !strncmp(cls, "IPF.Note", 8) || !strcmp(cls, "IPF.Imap") ||
        !strcmp(cls, "IPF"))
        return NULL;
    if (!strncmp(cls, "IPF.Appointment", 15))
        return "event";
    if (!strncmp(cls, "IPF.Contact", 11))
        return "contact";
    if (!strncmp(cls, "IPF.Task", 8))
        return "task";
    if (!strncmp(cls, "IPF.StickyNote", 14))
        return "note";
    if (!strncmp(cls, "IPF.Journal", 11))
        return "journal";
    return "-";
}

static HRESULT open_folder_eid(ms_store *s, const eid *e, IMAPIFolder **out)
{
    ULONG type = 0;
    IUnknown *unk = NULL;
    HRESULT hr = s->mdb->lpVtbl->OpenEntry(s->mdb, e->cb, (LPENTRYID)e->ab, &IID_IMAPIFolder,
                                           MAPI_MODIFY | MAPI_BEST_ACCESS, &type, &unk);
    if (FAILED(hr))
        return hr;
    if (type != MAPI_FOLDER) {
        unk->lpVtbl->Release(unk);
        return MAPI_E_NOT_FOUND;
    }
    *out = (IMAPIFolder *)unk;
    return S_OK;
}

/* ---- echo suppression ---- */
static void ring_note(ms_store *s, const char *hex, uint64_t modtime)
{
    ring_entry *r;
    EnterCriticalSection(&s->lock);
    r = &s->ring[s->ring_next];
    s->ring_next = (s->ring_next + 1) % RING;
    free(r->hex);
    r->hex = hex ? strdup(hex) : NULL;
    r->modtime = modtime;
    LeaveCriticalSection(&s->lock);
}

static void note_saved(ms_store *s, IMessage *m)
{
    static const ULONG tags[] = {PR_ENTRYID, PR_LAST_MODIFICATION_TIME};
    SPropValue *v = NULL;
    ULONG n = 0;
    if (SUCCEEDED(ols_mapi_get_props((IMAPIProp *)m, tags, 2, &n, &v))) {
        const SPropValue *e = ols_mapi_find(v, n, PR_ENTRYID);
        const SPropValue *t = ols_mapi_find(v, n, PR_LAST_MODIFICATION_TIME);
        char *hex = e ? ols_hex_encode(e->Value.bin.lpb, e->Value.bin.cb) : NULL;
        if (hex)
            ring_note(s, hex, t ? ols_filetime_u64(t->Value.ft) : 1);
        free(hex);
    }
    ols_mapi_free(v);
}

/* Ours when we wrote it last and nobody changed it since (same modification time). */
static int is_echo(ms_store *s, const char *hex, unsigned ev)
{
    size_t i;
    uint64_t mt = 0;
    int found = 0;
    EnterCriticalSection(&s->lock);
    for (i = 0; i < RING; i++)
        if (s->ring[i].hex && !strcmp(s->ring[i].hex, hex)) {
            mt = s->ring[i].modtime;
            found = 1; /* the newest entry wins: keep looking */
        }
    LeaveCriticalSection(&s->lock);
    if (!found)
        return 0;
    if (ev == OLS_MAPI_EV_DELETED)
        return mt == 0;
    if (mt == 0)
        return 0;
    {
        BYTE *b = NULL;
        ULONG cb = 0, type = 0;
        IUnknown *unk = NULL;
        SPropValue *v = NULL;
        int echo = 0;
        if (ols_hex_decode(hex, &b, &cb) != 0)
            return 0;
        if (SUCCEEDED(s->mdb->lpVtbl->OpenEntry(s->mdb, cb, (LPENTRYID)b, NULL, MAPI_BEST_ACCESS,
                                                &type, &unk))) {
            if (SUCCEEDED(ols_mapi_get_one((IMAPIProp *)unk, PR_LAST_MODIFICATION_TIME, &v))) {
                echo = ols_filetime_u64(v->Value.ft) == mt;
                ols_mapi_free(v);
            }
            unk->lpVtbl->Release(unk);
        }
        free(b);
        return echo;
    }
}

/* ---- the folder tree ---- */
typedef struct child {
    eid id;
    char *level;     /* the engine's name for it */
    char *display;
    char *cls;
    int placeholder, hidden;
} child;

typedef struct children {
    ms_store *s;
    child *v;
    size_t n, cap;
    int oom;
} children;

static int child_cb(void *ctx, const SRow *row)
{
    children *c = ctx;
    ms_store *s = c->s;
    const SPropValue *e = ols_mapi_find(row->lpProps, row->cValues, PR_ENTRYID);
    const SPropValue *dn = ols_mapi_find(row->lpProps, row->cValues, PR_DISPLAY_NAME_W);
    const SPropValue *cl = ols_mapi_find(row->lpProps, row->cValues, PR_CONTAINER_CLASS_W);
    const SPropValue *hid = ols_mapi_find(row->lpProps, row->cValues, PR_ATTR_HIDDEN);
    const SPropValue *imn = ols_mapi_find(row->lpProps, row->cValues, s->np[NP_IMAPNAME]);
    const SPropValue *lcn = ols_mapi_find(row->lpProps, row->cValues, s->np[NP_LOCALNAME]);
    const SPropValue *ph = ols_mapi_find(row->lpProps, row->cValues, s->np[NP_PLACEHOLDER]);
    child *x;
    char *p;
    if (!e || !dn)
        return 0;
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 16;
        child *nv = realloc(c->v, nc * sizeof *nv);
        if (!nv) {
            c->oom = 1;
            return 1;
        }
        c->v = nv;
        c->cap = nc;
    }
    x = &c->v[c->n];
    memset(x, 0, sizeof *x);
    if (eid_set(&x->id, &e->Value.bin) != 0) {
        c->oom = 1;
        return 1;
    }
    x->display = w8(dn);
    x->cls = w8(cl);
    x->hidden = hid && hid->Value.b;
    x->placeholder = ph && ph->Value.b;
    if (imn && lcn && !wcscmp(lcn->Value.lpszW, dn->Value.lpszW))
        x->level = w8(imn);
    else if (x->display) {
        x->level = strdup(x->display);
        for (p = x->level; p && *p; p++)
            if (*p == '/')
                *p = '_'; /* a '/' inside a display name cannot be a level separator */
    }
    if (!x->display || !x->level) {
        free(x->display);
        free(x->level);
        free(x->cls);
        eid_free(&x->id);
        c->oom = 1;
        return 1;
    }
    c->n++;
    return 0;
}

static void children_free(children *c)
{
    size_t i;
    for (i = 0; i < c->n; i++) {
        eid_free(&c->v[i].id);
        free(c->v[i].level);
        free(c->v[i].display);
        free(c->v[i].cls);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

static HRESULT list_children(ms_store *s, IMAPIFolder *f, children *out)
{
    ULONG cols[7] = {PR_ENTRYID, PR_DISPLAY_NAME_W, PR_CONTAINER_CLASS_W, PR_ATTR_HIDDEN, 0, 0, 0};
    IMAPITable *t = NULL;
    HRESULT hr;
    cols[4] = s->np[NP_IMAPNAME];
    cols[5] = s->np[NP_LOCALNAME];
    cols[6] = s->np[NP_PLACEHOLDER];
    memset(out, 0, sizeof *out);
    out->s = s;
    hr = f->lpVtbl->GetHierarchyTable(f, MAPI_UNICODE, &t);
    if (FAILED(hr))
        return hr;
    hr = ols_mapi_table_each(t, cols, 7, 200, child_cb, out);
    t->lpVtbl->Release(t);
    if (SUCCEEDED(hr) && out->oom)
        hr = MAPI_E_NOT_ENOUGH_MEMORY;
    if (FAILED(hr))
        children_free(out);
    return hr;
}

static int special_index(ms_store *s, const eid *e)
{
    int i;
    for (i = 0; i < SP_COUNT; i++)
        if (s->special_path[i][0] && eid_same(s, &s->special[i], e->cb, e->ab))
            return i;
    return -1;
}

static int is_system(ms_store *s, const child *c)
{
    size_t i;
    if (c->hidden)
        return 1;
    for (i = 0; i < s->nsystem; i++)
        if (eid_same(s, &s->system[i], c->id.cb, c->id.ab))
            return 1;
    /* a special folder that is not mapped to a path is local like the system ones */
    for (i = 0; i < SP_COUNT; i++)
        if (!s->special_path[i][0] && eid_same(s, &s->special[i], c->id.cb, c->id.ab))
            return 1;
    return 0;
}

/* ---- resolving paths ---- */
enum { RES_OPEN = 0, RES_CREATE, RES_PLACEHOLDERS };

static HRESULT set_folder_names(ms_store *s, IMAPIFolder *f, const char *level,
                                const wchar_t *display, int placeholder)
{
    SPropValue v[3];
    SPropProblemArray *probs = NULL;
    wchar_t *wl = ols_utf8_to_wide(level, -1);
    HRESULT hr;
    if (!wl)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    memset(v, 0, sizeof v);
    v[0].ulPropTag = s->np[NP_IMAPNAME];
    v[0].Value.lpszW = wl;
    v[1].ulPropTag = s->np[NP_LOCALNAME];
    v[1].Value.lpszW = (LPWSTR)display;
    v[2].ulPropTag = s->np[NP_PLACEHOLDER];
    v[2].Value.b = (unsigned short)(placeholder ? 1 : 0);
    hr = f->lpVtbl->SetProps(f, 3, v, &probs);
    ols_mapi_free(probs);
    free(wl);
    return hr;
}

/* Create a child folder for an engine level, with a suffixed display name if Outlook
 * already has one of that name (names are unique per parent, case-insensitive). */
static HRESULT create_child(ms_store *s, IMAPIFolder *parent, const char *level, const char *kind,
                            int placeholder, IMAPIFolder **out)
{
    wchar_t *base = ols_utf8_to_wide(level, -1), name[600];
    HRESULT hr = MAPI_E_COLLISION;
    int k;
    if (!base)
        return MAPI_E_NOT_ENOUGH_MEMORY;
    for (k = 1; k <= 20 && hr == MAPI_E_COLLISION; k++) {
        if (k == 1)
            _snwprintf(name, 600, L"%.500ls", base);
        else
            _snwprintf(name, 600, L"%.500ls (%d)", base, k);
        name[599] = 0;
        hr = parent->lpVtbl->CreateFolder(parent, FOLDER_GENERIC, name, NULL, NULL, MAPI_UNICODE,
                                          out);
    }
    free(base);
    if (FAILED(hr))
        return hr;
    {
        wchar_t *cls = ols_utf8_to_wide(kind_class(placeholder ? NULL : kind), -1);
        SPropValue v;
        SPropProblemArray *probs = NULL;
        memset(&v, 0, sizeof v);
        v.ulPropTag = PR_CONTAINER_CLASS_W;
        v.Value.lpszW = cls;
        if (cls)
            hr = (*out)->lpVtbl->SetProps(*out, 1, &v, &probs);
        ols_mapi_free(probs);
        free(cls);
    }
    if (SUCCEEDED(hr))
        hr = set_folder_names(s, *out, level, name, placeholder);
    if (FAILED(hr)) {
        (*out)->lpVtbl->Release(*out);
        *out = NULL;
    }
    return hr;
}

/* Walk (and with RES_CREATE/RES_PLACEHOLDERS make) a path; *out is opened for writing. */
static ols_status resolve(ms_store *s, const char *path, int mode, const char *kind,
                          IMAPIFolder **out, eid *out_id, ols_err *err)
{
    const char *rest = path;
    IMAPIFolder *cur = NULL;
    eid cur_id = {0, NULL};
    size_t best = 0;
    int i, at_subtree = 1;
    HRESULT hr;
    if (!path_ok(path))
        return ols_err_set(err, OLS_EINVAL, "folder name \"%s\" has an empty or dot level", path);
    for (i = 0; i < SP_COUNT; i++) {
        size_t l = strlen(s->special_path[i]);
        if (l && s->special[i].ab && !strncmp(path, s->special_path[i], l) &&
            (path[l] == 0 || path[l] == '/') && l > best) {
            best = l;
            rest = path[l] ? path + l + 1 : path + l;
            if (cur_id.ab)
                eid_free(&cur_id);
            cur_id.cb = s->special[i].cb;
            cur_id.ab = malloc(cur_id.cb);
            if (!cur_id.ab)
                return ols_err_set(err, OLS_ENOMEM, "out of memory");
            memcpy(cur_id.ab, s->special[i].ab, cur_id.cb);
            at_subtree = 0;
        }
    }
    if (!cur_id.ab) {
        cur_id.cb = s->subtree.cb;
        cur_id.ab = malloc(cur_id.cb);
        if (!cur_id.ab)
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        memcpy(cur_id.ab, s->subtree.ab, cur_id.cb);
    }
    hr = open_folder_eid(s, &cur_id, &cur);
    if (FAILED(hr)) {
        eid_free(&cur_id);
        return ols_mapi_err(err, hr, "opening a folder");
    }
    while (*rest) {
        size_t l = strcspn(rest, "/");
        char level[1024];
        children c;
        child *hit = NULL;
        size_t k;
        int last = rest[l] == 0;
        IMAPIFolder *next = NULL;
        if (l >= sizeof level) {
            cur->lpVtbl->Release(cur);
            eid_free(&cur_id);
            return ols_err_set(err, OLS_ERANGE, "folder name too long");
        }
        memcpy(level, rest, l);
        level[l] = 0;
        hr = list_children(s, cur, &c);
        if (FAILED(hr)) {
            cur->lpVtbl->Release(cur);
            eid_free(&cur_id);
            return ols_mapi_err(err, hr, "listing folders");
        }
        for (k = 0; k < c.n && !hit; k++) {
            if (is_system(s, &c.v[k]))
                continue;
            if (at_subtree && special_index(s, &c.v[k].id) >= 0)
                continue; /* Inbox, Sent Items, ... answer to their mapped paths only */
            if (!strcmp(c.v[k].level, level))
                hit = &c.v[k];
        }
        if (hit) {
            eid nid;
            nid.cb = hit->id.cb;
            nid.ab = hit->id.ab;
            hr = open_folder_eid(s, &nid, &next);
            if (SUCCEEDED(hr) && hit->placeholder && last && mode == RES_CREATE) {
                SPropValue v;
                SPropProblemArray *probs = NULL;
                wchar_t *cls = ols_utf8_to_wide(kind_class(kind), -1);
                memset(&v, 0, sizeof v);
                v.ulPropTag = s->np[NP_PLACEHOLDER];
                v.Value.b = 0;
                next->lpVtbl->SetProps(next, 1, &v, &probs);
                ols_mapi_free(probs);
                probs = NULL;
                /* an empty placeholder never had a class of its own: give it the kind's */
                if (cls) {
                    v.ulPropTag = PR_CONTAINER_CLASS_W;
                    v.Value.lpszW = cls;
                    next->lpVtbl->SetProps(next, 1, &v, &probs);
                    ols_mapi_free(probs);
                }
                free(cls);
            }
            eid_free(&cur_id);
            cur_id = hit->id;
            hit->id.ab = NULL;
            hit->id.cb = 0;
        } else if (mode == RES_OPEN) {
            hr = MAPI_E_NOT_FOUND;
        } else {
            hr = create_child(s, cur, level, last ? kind : NULL,
                              mode == RES_PLACEHOLDERS || !last, &next);
            if (SUCCEEDED(hr)) {
                SPropValue *v = NULL;
                eid_free(&cur_id);
                if (SUCCEEDED(ols_mapi_get_one((IMAPIProp *)next, PR_ENTRYID, &v))) {
                    eid_set(&cur_id, &v->Value.bin);
                    ols_mapi_free(v);
                }
                if (!cur_id.ab)
                    hr = MAPI_E_CALL_FAILED;
            }
        }
        children_free(&c);
        cur->lpVtbl->Release(cur);
        cur = next;
        if (FAILED(hr)) {
            if (cur)
                cur->lpVtbl->Release(cur);
            eid_free(&cur_id);
            if (hr == MAPI_E_NOT_FOUND)
                return ols_err_set(err, OLS_ENOENT, "no folder %s", path);
            return ols_mapi_err(err, hr, "folder");
        }
        at_subtree = 0;
        rest += l;
        if (*rest == '/')
            rest++;
    }
    if (out)
        *out = cur;
    else
        cur->lpVtbl->Release(cur);
    if (out_id)
        *out_id = cur_id;
    else
        eid_free(&cur_id);
    return OLS_OK;
}

static int is_special_path(ms_store *s, const char *path)
{
    int i;
    for (i = 0; i < SP_COUNT; i++)
        if (s->special_path[i][0] && !strcmp(path, s->special_path[i]))
            return 1;
    return 0;
}

/* ---- store operations ---- */
static void ms_close(ols_store *base)
{
    ms_store *s = (ms_store *)base;
    size_t i;
    ols_mapi_store_unwatch(base);
    for (i = 0; i < SP_COUNT; i++) {
        eid_free(&s->special[i]);
        free(s->special_path[i]);
    }
    for (i = 0; i < s->nsystem; i++)
        eid_free(&s->system[i]);
    for (i = 0; i < RING; i++)
        free(s->ring[i].hex);
    eid_free(&s->subtree);
    if (s->conv)
        s->conv->lpVtbl->Release(s->conv);
    if (s->mdb)
        s->mdb->lpVtbl->Release(s->mdb);
    DeleteCriticalSection(&s->lock);
    free(s);
}

struct lf_ctx {
    ms_store *s;
    int (*cb)(void *ctx, const ols_store_folder_info *f);
    void *ctx;
    int stop, depth;
};

static HRESULT list_tree(struct lf_ctx *c, const eid *id, const char *prefix)
{
    ms_store *s = c->s;
    IMAPIFolder *f = NULL;
    children ch;
    size_t i;
    HRESULT hr = open_folder_eid(s, id, &f);
    if (FAILED(hr))
        return hr;
    hr = list_children(s, f, &ch);
    f->lpVtbl->Release(f);
    if (FAILED(hr))
        return hr;
    for (i = 0; i < ch.n && !c->stop && SUCCEEDED(hr); i++) {
        child *x = &ch.v[i];
        const char *kind = class_kind(x->cls);
        char *path;
        int sp = prefix ? -1 : special_index(s, &x->id);
        if (is_system(s, x) || (kind && !strcmp(kind, "-")))
            continue;
        if (sp >= 0) {
            path = strdup(s->special_path[sp]);
            kind = NULL;
        } else if (prefix) {
            size_t n = strlen(prefix) + strlen(x->level) + 2;
            path = malloc(n);
            if (path)
                snprintf(path, n, "%s/%s", prefix, x->level);
        } else {
            path = strdup(x->level);
        }
        if (!path) {
            hr = MAPI_E_NOT_ENOUGH_MEMORY;
            break;
        }
        if (sp < 0 && is_special_path(s, path)) {
            /* an Outlook folder named like a mapped default ("Trash" beside Deleted Items):
             * its path belongs to the default folder, so it and its sub-folders stay local */
            OLS_LOG_DEBUG("mapi", "folder %s is shadowed by a default folder; not synced", path);
            free(path);
            continue;
        }
        if (!x->placeholder) {
            ols_store_folder_info fi;
            fi.path = path;
            fi.kind = kind;
            if (c->cb(c->ctx, &fi))
                c->stop = 1;
        }
        if (!c->stop && c->depth < 64) {
            c->depth++;
            hr = list_tree(c, &x->id, path);
            c->depth--;
        }
        free(path);
    }
    children_free(&ch);
    return hr;
}

static ols_status ms_list_folders(ols_store *base,
                                  int (*cb)(void *ctx, const ols_store_folder_info *f), void *ctx,
                                  ols_err *err)
{
    ms_store *s = (ms_store *)base;
    struct lf_ctx c = {s, cb, ctx, 0, 0};
    HRESULT hr = list_tree(&c, &s->subtree, NULL);
    return FAILED(hr) ? ols_mapi_err(err, hr, "listing folders") : OLS_OK;
}

static ols_status ms_create_folder(ols_store *base, const char *path, const char *kind,
                                   ols_err *err)
{
    ms_store *s = (ms_store *)base;
    if (!path_ok(path))
        return ols_err_set(err, OLS_EINVAL, "folder name \"%s\" has an empty or dot level", path);
    if (is_special_path(s, path))
        return OLS_OK; /* Inbox and the mapped defaults always exist */
    return resolve(s, path, RES_CREATE, kind && strcmp(kind, "mail") ? kind : NULL, NULL, NULL,
                   err);
}

static HRESULT row_count(IMAPIFolder *f, int hierarchy, ULONG *n)
{
    IMAPITable *t = NULL;
    HRESULT hr = hierarchy ? f->lpVtbl->GetHierarchyTable(f, 0, &t)
                           : f->lpVtbl->GetContentsTable(f, 0, &t);
    *n = 0;
    if (FAILED(hr))
        return hr;
    hr = t->lpVtbl->GetRowCount(t, 0, n);
    t->lpVtbl->Release(t);
    return hr;
}

static HRESULT parent_of(ms_store *s, IMAPIProp *obj, eid *out)
{
    SPropValue *v = NULL;
    HRESULT hr = ols_mapi_get_one(obj, PR_PARENT_ENTRYID, &v);
    (void)s;
    if (FAILED(hr))
        return hr;
    if (eid_set(out, &v->Value.bin) != 0)
        hr = MAPI_E_NOT_ENOUGH_MEMORY;
    ols_mapi_free(v);
    return hr;
}

/* Remove placeholder folders that became empty, from id upwards. */
static void prune_placeholders(ms_store *s, eid *id)
{
    int guard = 0;
    while (id->ab && guard++ < 64 && !eid_same(s, &s->subtree, id->cb, id->ab) &&
           special_index(s, id) < 0) {
        IMAPIFolder *f = NULL, *parent = NULL;
        SPropValue *v = NULL;
        ULONG items = 1, subs = 1;
        eid pid = {0, NULL};
        int ph = 0;
        if (FAILED(open_folder_eid(s, id, &f)))
            return;
        if (SUCCEEDED(ols_mapi_get_one((IMAPIProp *)f, s->np[NP_PLACEHOLDER], &v))) {
            ph = v->Value.b != 0;
            ols_mapi_free(v);
        }
        if (ph) {
            row_count(f, 0, &items);
            row_count(f, 1, &subs);
        }
        if (!ph || items || subs || FAILED(parent_of(s, (IMAPIProp *)f, &pid))) {
            f->lpVtbl->Release(f);
            return;
        }
        f->lpVtbl->Release(f);
        if (FAILED(open_folder_eid(s, &pid, &parent)) ||
            FAILED(parent->lpVtbl->DeleteFolder(parent, id->cb, (LPENTRYID)id->ab, 0, NULL, 0))) {
            if (parent)
                parent->lpVtbl->Release(parent);
            eid_free(&pid);
            return;
        }
        parent->lpVtbl->Release(parent);
        eid_free(id);
        *id = pid;
    }
}

static ols_status ms_delete_folder(ols_store *base, const char *path, ols_err *err)
{
    ms_store *s = (ms_store *)base;
    IMAPIFolder *f = NULL, *parent = NULL;
    eid id = {0, NULL}, pid = {0, NULL};
    ULONG items = 0, subs = 0;
    ols_status st;
    HRESULT hr;
    if (path_ok(path) && is_special_path(s, path))
        return ols_err_set(err, OLS_EINVAL, "%s is one of Outlook's default folders", path);
    st = resolve(s, path, RES_OPEN, NULL, &f, &id, err);
    if (st != OLS_OK)
        return st;
    hr = row_count(f, 0, &items);
    if (SUCCEEDED(hr))
        hr = row_count(f, 1, &subs);
    if (SUCCEEDED(hr))
        hr = parent_of(s, (IMAPIProp *)f, &pid);
    f->lpVtbl->Release(f);
    if (FAILED(hr)) {
        eid_free(&id);
        return ols_mapi_err(err, hr, "deleting a folder");
    }
    if (items || subs) {
        eid_free(&id);
        eid_free(&pid);
        return ols_err_set(err, OLS_EBUSY, "folder %s is not empty", path);
    }
    hr = open_folder_eid(s, &pid, &parent);
    if (SUCCEEDED(hr)) {
        hr = parent->lpVtbl->DeleteFolder(parent, id.cb, (LPENTRYID)id.ab, 0, NULL, 0);
        if (hr == MAPI_E_HAS_MESSAGES) /* only hidden (associated) items are left: views */
            hr = parent->lpVtbl->DeleteFolder(parent, id.cb, (LPENTRYID)id.ab, 0, NULL,
                                              DEL_MESSAGES);
        parent->lpVtbl->Release(parent);
    }
    eid_free(&id);
    if (FAILED(hr)) {
        eid_free(&pid);
        return ols_mapi_err(err, hr, "deleting a folder");
    }
    prune_placeholders(s, &pid);
    eid_free(&pid);
    return OLS_OK;
}

static ols_status ms_rename_folder(ols_store *base, const char *from, const char *to,
                                   ols_err *err)
{
    ms_store *s = (ms_store *)base;
    IMAPIFolder *f = NULL, *src_parent = NULL, *dst_parent = NULL;
    eid id = {0, NULL}, old_parent = {0, NULL};
    const char *slash;
    char *parent_path = NULL;
    wchar_t *wleaf = NULL, name[600];
    ols_status st;
    HRESULT hr = MAPI_E_COLLISION;
    int k, i;
    if (!path_ok(from) || !path_ok(to))
        return ols_err_set(err, OLS_EINVAL, "folder name has an empty or dot level");
    for (i = 0; i < SP_COUNT; i++)
        if (s->special_path[i][0] &&
            (!strcmp(from, s->special_path[i]) || !strcmp(to, s->special_path[i])))
            return ols_err_set(err, OLS_EINVAL, "%s cannot be renamed",
                               s->special_path[i]);
    st = resolve(s, from, RES_OPEN, NULL, &f, &id, err);
    if (st != OLS_OK)
        return st;
    if (resolve(s, to, RES_OPEN, NULL, NULL, NULL, NULL) == OLS_OK) {
        f->lpVtbl->Release(f);
        eid_free(&id);
        return ols_err_set(err, OLS_EEXIST, "folder %s exists already", to);
    }
    hr = parent_of(s, (IMAPIProp *)f, &old_parent);
    f->lpVtbl->Release(f);
    f = NULL;
    if (FAILED(hr)) {
        eid_free(&id);
        return ols_mapi_err(err, hr, "renaming a folder");
    }
    slash = strrchr(to, '/');
    if (slash) {
        parent_path = malloc((size_t)(slash - to) + 1);
        if (!parent_path) {
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
            goto out;
        }
        memcpy(parent_path, to, (size_t)(slash - to));
        parent_path[slash - to] = 0;
        st = resolve(s, parent_path, RES_PLACEHOLDERS, NULL, &dst_parent, NULL, err);
        if (st != OLS_OK)
            goto out;
    } else {
        hr = open_folder_eid(s, &s->subtree, &dst_parent);
        if (FAILED(hr)) {
            st = ols_mapi_err(err, hr, "renaming a folder");
            goto out;
        }
    }
    hr = open_folder_eid(s, &old_parent, &src_parent);
    if (FAILED(hr)) {
        st = ols_mapi_err(err, hr, "renaming a folder");
        goto out;
    }
    wleaf = ols_utf8_to_wide(slash ? slash + 1 : to, -1);
    if (!wleaf) {
        st = ols_err_set(err, OLS_ENOMEM, "out of memory");
        goto out;
    }
    hr = MAPI_E_COLLISION;
    for (k = 1; k <= 20 && hr == MAPI_E_COLLISION; k++) {
        if (k == 1)
            _snwprintf(name, 600, L"%.500ls", wleaf);
        else
            _snwprintf(name, 600, L"%.500ls (%d)", wleaf, k);
        name[599] = 0;
        hr = src_parent->lpVtbl->CopyFolder(src_parent, id.cb, (LPENTRYID)id.ab, NULL, dst_parent,
                                            name, 0, NULL, FOLDER_MOVE | MAPI_UNICODE);
    }
    if (FAILED(hr)) {
        st = ols_mapi_err(err, hr, "moving a folder");
        goto out;
    }
    /* the folder keeps its entry id in a PST; remember the engine's name for it */
    if (SUCCEEDED(open_folder_eid(s, &id, &f))) {
        set_folder_names(s, f, slash ? slash + 1 : to, name, 0);
        f->lpVtbl->Release(f);
    }
    prune_placeholders(s, &old_parent);
    st = OLS_OK;
out:
    if (src_parent)
        src_parent->lpVtbl->Release(src_parent);
    if (dst_parent)
        dst_parent->lpVtbl->Release(dst_parent);
    free(parent_path);
    free(wleaf);
    eid_free(&id);
    eid_free(&old_parent);
    return st;
}

static ols_status ms_open_folder(ols_store *base, const char *path, ols_store_folder **out,
                                 ols_err *err)
{
    ms_store *s = (ms_store *)base;
    ms_folder *f = calloc(1, sizeof *f);
    ols_status st;
    if (!f)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    st = resolve(s, path, RES_OPEN, NULL, &f->f, &f->id, err);
    if (st == OLS_OK && !(f->path = strdup(path)))
        st = ols_err_set(err, OLS_ENOMEM, "out of memory");
    if (st != OLS_OK) {
        if (f->f)
            f->f->lpVtbl->Release(f->f);
        eid_free(&f->id);
        free(f);
        return st;
    }
    f->base.store = base;
    *out = &f->base;
    return OLS_OK;
}

static void ms_close_folder(ols_store_folder *base)
{
    ms_folder *f = (ms_folder *)base;
    if (!f)
        return;
    if (f->f)
        f->f->lpVtbl->Release(f->f);
    eid_free(&f->id);
    free(f->path);
    free(f);
}

/* ---- flags ---- */
static unsigned verb_bits(LONG verb)
{
    if (verb == EXCHIVERB_REPLYTOSENDER || verb == EXCHIVERB_REPLYTOALL)
        return OLS_MF_ANSWERED;
    if (verb == EXCHIVERB_FORWARD)
        return OLS_MF_FORWARDED;
    return 0;
}

/* The item's flags from its properties (see the file comment). */
static unsigned flags_from(ms_store *s, const SPropValue *v, ULONG n)
{
    const SPropValue *mf = ols_mapi_find(v, n, PR_MESSAGE_FLAGS);
    const SPropValue *fs = ols_mapi_find(v, n, PR_FLAG_STATUS);
    const SPropValue *vb = ols_mapi_find(v, n, PR_LAST_VERB_EXECUTED);
    const SPropValue *sf = ols_mapi_find(v, n, s->np[NP_SYNCFLAGS]);
    const SPropValue *sv = ols_mapi_find(v, n, s->np[NP_SYNCVERB]);
    LONG verb = vb ? vb->Value.l : 0;
    unsigned f = 0;
    if (mf && (mf->Value.ul & MSGFLAG_READ))
        f |= OLS_MF_SEEN;
    if (fs && fs->Value.l == FOLLOWUP_FLAGGED)
        f |= OLS_MF_FLAGGED;
    if (sf) {
        unsigned synced = sf->Value.ul & OLS_MF_ALL;
        f |= synced & (OLS_MF_DELETED | OLS_MF_DRAFT);
        f |= synced & (OLS_MF_ANSWERED | OLS_MF_FORWARDED);
        if (!sv || sv->Value.l != verb)
            f |= verb_bits(verb); /* the user replied or forwarded in Outlook */
    } else {
        f |= verb_bits(verb);
        if (mf && (mf->Value.ul & MSGFLAG_UNSENT))
            f |= OLS_MF_DRAFT;
    }
    return f;
}

static const ULONG *flag_cols(ms_store *s, ULONG *n)
{
    static ULONG cols[5];
    cols[0] = PR_MESSAGE_FLAGS;
    cols[1] = PR_FLAG_STATUS;
    cols[2] = PR_LAST_VERB_EXECUTED;
    cols[3] = s->np[NP_SYNCFLAGS];
    cols[4] = s->np[NP_SYNCVERB];
    *n = 5;
    return cols;
}

/* The last verb for a set of flags: keep the current one when it still fits. */
static LONG pick_verb(unsigned want, LONG current)
{
    if (current && (verb_bits(current) & want))
        return current;
    if (want & OLS_MF_ANSWERED)
        return EXCHIVERB_REPLYTOSENDER;
    if (want & OLS_MF_FORWARDED)
        return EXCHIVERB_FORWARD;
    return 0;
}

/* Set the follow-up flag, last verb and sync flags (not the read flag) on an item;
 * current_* describe what it has now (0 for a new item). */
static HRESULT write_flags(ms_store *s, IMessage *m, unsigned want, LONG cur_status,
                           LONG cur_verb)
{
    SPropValue v[8];
    ULONG n = 0, nd = 0;
    SizedSPropTagArray(6, del);
    SPropProblemArray *probs = NULL;
    LONG verb = pick_verb(want, cur_verb);
    HRESULT hr = S_OK;
    memset(v, 0, sizeof v);
    del.cValues = 0;
    if (want & OLS_MF_FLAGGED) {
        v[n].ulPropTag = PR_FLAG_STATUS;
        v[n++].Value.l = FOLLOWUP_FLAGGED;
        v[n].ulPropTag = PR_FOLLOWUP_ICON;
        v[n++].Value.l = FOLLOWUP_ICON_RED;
        v[n].ulPropTag = PR_TODO_ITEM_FLAGS;
        v[n++].Value.l = TODO_FLAGGED;
    } else if (cur_status == FOLLOWUP_FLAGGED) {
        /* a completed flag (1) is the user's business and stays */
        del.aulPropTag[nd++] = PR_FLAG_STATUS;
        del.aulPropTag[nd++] = PR_FOLLOWUP_ICON;
        del.aulPropTag[nd++] = PR_TODO_ITEM_FLAGS;
    }
    if (verb) {
        if (verb != cur_verb) {
            v[n].ulPropTag = PR_LAST_VERB_EXECUTED;
            v[n++].Value.l = verb;
            v[n].ulPropTag = PR_ICON_INDEX;
            v[n++].Value.l = verb == EXCHIVERB_FORWARD ? ICON_MAIL_FORWARDED : ICON_MAIL_REPLIED;
            v[n].ulPropTag = PR_LAST_VERB_EXECUTION_TIME;
            v[n++].Value.ft = ols_unix_to_filetime((int64_t)time(NULL));
        }
    } else if (cur_verb) {
        del.aulPropTag[nd++] = PR_LAST_VERB_EXECUTED;
        del.aulPropTag[nd++] = PR_ICON_INDEX;
        del.aulPropTag[nd++] = PR_LAST_VERB_EXECUTION_TIME;
    }
    v[n].ulPropTag = s->np[NP_SYNCFLAGS];
    v[n++].Value.l = (LONG)(want & OLS_MF_ALL);
    v[n].ulPropTag = s->np[NP_SYNCVERB];
    v[n++].Value.l = verb;
    hr = m->lpVtbl->SetProps(m, n, v, &probs);
    ols_mapi_free(probs);
    probs = NULL;
    if (SUCCEEDED(hr) && nd) {
        del.cValues = nd;
        hr = m->lpVtbl->DeleteProps(m, (LPSPropTagArray)&del, &probs);
        ols_mapi_free(probs);
    }
    return hr;
}

/* ---- items ---- */
struct li_ctx {
    ms_store *s;
    int (*cb)(void *ctx, const ols_store_item *it);
    void *ctx;
    int oom;
};

static int item_row(void *vctx, const SRow *row)
{
    struct li_ctx *c = vctx;
    ms_store *s = c->s;
    const SPropValue *e = ols_mapi_find(row->lpProps, row->cValues, PR_ENTRYID);
    const SPropValue *sz = ols_mapi_find(row->lpProps, row->cValues, PR_MESSAGE_SIZE);
    const SPropValue *mt = ols_mapi_find(row->lpProps, row->cValues, PR_LAST_MODIFICATION_TIME);
    const SPropValue *tg = ols_mapi_find(row->lpProps, row->cValues, s->np[NP_TAG]);
    ols_store_item it;
    char *id, *tag;
    int stop;
    if (!e)
        return 0;
    id = ols_hex_encode(e->Value.bin.lpb, e->Value.bin.cb);
    tag = w8(tg);
    if (!id) {
        free(tag);
        c->oom = 1;
        return 1;
    }
    it.id = id;
    it.tag = tag && tag_ok(tag) ? tag : NULL;
    it.flags = flags_from(s, row->lpProps, row->cValues);
    it.size = sz ? sz->Value.ul : 0;
    it.mtime = mt ? ols_filetime_to_unix(mt->Value.ft) : 0;
    stop = c->cb(c->ctx, &it);
    free(id);
    free(tag);
    return stop;
}

static ols_status ms_list_items(ols_store_folder *base,
                                int (*cb)(void *ctx, const ols_store_item *it), void *ctx,
                                ols_err *err)
{
    ms_folder *f = (ms_folder *)base;
    ms_store *s = (ms_store *)base->store;
    struct li_ctx c = {s, cb, ctx, 0};
    ULONG cols[9], nf = 0, i;
    const ULONG *fc = flag_cols(s, &nf);
    IMAPITable *t = NULL;
    HRESULT hr;
    cols[0] = PR_ENTRYID;
    cols[1] = PR_MESSAGE_SIZE;
    cols[2] = PR_LAST_MODIFICATION_TIME;
    cols[3] = s->np[NP_TAG];
    for (i = 0; i < nf; i++)
        cols[4 + i] = fc[i];
    hr = f->f->lpVtbl->GetContentsTable(f->f, MAPI_UNICODE, &t);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "contents table");
    hr = ols_mapi_table_each(t, cols, 4 + nf, 256, item_row, &c);
    t->lpVtbl->Release(t);
    if (c.oom)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    return FAILED(hr) ? ols_mapi_err(err, hr, "listing items") : OLS_OK;
}

/* Open an item of this folder by its id; ENOENT when it is gone or lives elsewhere. */
static ols_status open_item(ms_folder *f, const char *id, int modify, IMessage **out,
                            ols_err *err)
{
    ms_store *s = (ms_store *)f->base.store;
    BYTE *b = NULL;
    ULONG cb = 0, type = 0;
    IUnknown *unk = NULL;
    eid parent = {0, NULL};
    HRESULT hr;
    if (ols_hex_decode(id, &b, &cb) != 0)
        return ols_err_set(err, OLS_ENOENT, "no item %s", id);
    hr = s->mdb->lpVtbl->OpenEntry(s->mdb, cb, (LPENTRYID)b, &IID_IMessage,
                                   MAPI_BEST_ACCESS | (modify ? MAPI_MODIFY : 0), &type, &unk);
    free(b);
    if (FAILED(hr) || type != MAPI_MESSAGE) {
        if (SUCCEEDED(hr))
            unk->lpVtbl->Release(unk);
        if (FAILED(hr) && ols_mapi_status(hr) != OLS_ENOENT)
            return ols_mapi_err(err, hr, "opening an item");
        return ols_err_set(err, OLS_ENOENT, "no item %s", id);
    }
    hr = parent_of(s, (IMAPIProp *)unk, &parent);
    if (FAILED(hr) || !eid_same(s, &f->id, parent.cb, parent.ab)) {
        eid_free(&parent);
        unk->lpVtbl->Release(unk);
        return ols_err_set(err, OLS_ENOENT, "no item %s in %s", id, f->path);
    }
    eid_free(&parent);
    *out = (IMessage *)unk;
    return OLS_OK;
}

static ols_status ms_add_begin(ols_store_folder *base, unsigned flags, int64_t date,
                               const char *tag, ols_store_writer **out, ols_err *err)
{
    ms_writer *w;
    if (tag && !tag_ok(tag))
        return ols_err_set(err, OLS_EINVAL, "bad item tag");
    w = calloc(1, sizeof *w);
    if (!w)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    w->base.folder = base;
    w->flags = flags & OLS_MF_ALL;
    w->date = date;
    if (tag) {
        snprintf(w->tag, sizeof w->tag, "%s", tag);
        w->has_tag = 1;
    }
    *out = &w->base;
    return OLS_OK;
}

static ols_status ms_add_write(ols_store_writer *base, const void *p, size_t n, ols_err *err)
{
    ms_writer *w = (ms_writer *)base;
    if (w->failed)
        return ols_err_set(err, OLS_EIO, "an earlier write failed");
    if (w->data.n + n > MAX_ITEM) {
        w->failed = 1;
        return ols_err_set(err, OLS_ERANGE, "message larger than %u bytes", MAX_ITEM);
    }
    ols_buf_put(&w->data, p, n);
    if (w->data.oom) {
        w->failed = 1;
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    return OLS_OK;
}

static void ms_add_abort(ols_store_writer *base)
{
    ms_writer *w = (ms_writer *)base;
    if (!w)
        return;
    ols_buf_free(&w->data);
    free(w);
}

/* Everything but the flags and our state goes before an in-place replacement. */
static HRESULT empty_message(ms_store *s, IMessage *m)
{
    SPropTagArray *tags = NULL, *del;
    SPropProblemArray *probs = NULL;
    IMAPITable *t = NULL;
    HRESULT hr;
    ULONG i, k = 0;
    hr = m->lpVtbl->GetPropList(m, MAPI_UNICODE, &tags);
    if (FAILED(hr))
        return hr;
    del = malloc(CbNewSPropTagArray(tags->cValues + 1));
    if (!del) {
        ols_mapi_free(tags);
        return MAPI_E_NOT_ENOUGH_MEMORY;
    }
    for (i = 0; i < tags->cValues; i++) {
        ULONG t_ = tags->aulPropTag[i], id = PROP_ID(t_), j;
        int keep_ = t_ == PR_MESSAGE_FLAGS || t_ == PR_FLAG_STATUS || t_ == PR_FOLLOWUP_ICON ||
                    t_ == PR_TODO_ITEM_FLAGS || t_ == PR_LAST_VERB_EXECUTED ||
                    t_ == PR_ICON_INDEX || t_ == PR_LAST_VERB_EXECUTION_TIME ||
                    PROP_TYPE(t_) == PT_OBJECT;
        /* computed and identity properties (0x0E.., 0x0F.., 0x30.., 0x65..) stay */
        if ((id >= 0x0E00 && id < 0x1000 && id != 0x0E02 && id != 0x0E03 && id != 0x0E04) ||
            (id >= 0x3000 && id < 0x3010) || (id >= 0x6500 && id < 0x6800))
            keep_ = 1;
        for (j = 0; j < NP_COUNT; j++)
            if (PROP_ID(s->np[j]) == id)
                keep_ = 1;
        if (!keep_)
            del->aulPropTag[k++] = t_;
    }
    del->cValues = k;
    ols_mapi_free(tags);
    hr = k ? m->lpVtbl->DeleteProps(m, del, &probs) : S_OK;
    ols_mapi_free(probs);
    free(del);
    if (FAILED(hr))
        return hr;
    /* recipients */
    if (SUCCEEDED(m->lpVtbl->GetRecipientTable(m, 0, &t))) {
        static const ULONG cols[] = {PR_ROWID};
        SRowSet *rows = NULL;
        SPropTagArray one;
        one.cValues = 1;
        one.aulPropTag[0] = cols[0];
        hr = t->lpVtbl->SetColumns(t, &one, 0);
        if (SUCCEEDED(hr))
            hr = t->lpVtbl->QueryRows(t, 0x7fffffff, 0, &rows);
        if (SUCCEEDED(hr) && rows && rows->cRows) {
            ADRLIST *list = NULL;
            if (SUCCEEDED(ols_mapi_alloc((ULONG)CbNewADRLIST(rows->cRows), (void **)&list))) {
                list->cEntries = rows->cRows;
                for (i = 0; i < rows->cRows; i++) {
                    list->aEntries[i].ulReserved1 = 0;
                    list->aEntries[i].cValues = rows->aRow[i].cValues;
                    list->aEntries[i].rgPropVals = rows->aRow[i].lpProps;
                }
                hr = m->lpVtbl->ModifyRecipients(m, MODRECIP_REMOVE, list);
                ols_mapi_free(list); /* the rows still own the values */
            }
        }
        ols_mapi_free_rows(rows);
        t->lpVtbl->Release(t);
        if (FAILED(hr))
            return hr;
    }
    /* attachments */
    if (SUCCEEDED(m->lpVtbl->GetAttachmentTable(m, 0, &t))) {
        SRowSet *rows = NULL;
        SPropTagArray one;
        one.cValues = 1;
        one.aulPropTag[0] = PR_ATTACH_NUM;
        hr = t->lpVtbl->SetColumns(t, &one, 0);
        if (SUCCEEDED(hr))
            hr = t->lpVtbl->QueryRows(t, 0x7fffffff, 0, &rows);
        for (i = 0; SUCCEEDED(hr) && rows && i < rows->cRows; i++) {
            const SPropValue *n = ols_mapi_find(rows->aRow[i].lpProps, rows->aRow[i].cValues,
                                                PR_ATTACH_NUM);
            if (n)
                hr = m->lpVtbl->DeleteAttach(m, n->Value.ul, 0, NULL, 0);
        }
        ols_mapi_free_rows(rows);
        t->lpVtbl->Release(t);
    }
    return hr;
}

/* Content into m: IConverterSession when we have one (falling back to our mapper on a
 * message that was not touched), else our mapper. Stand-ins of a partial download always
 * go through our mapper, which turns them into a note instead of attachments. */
static ols_status fill(ms_store *s, IMessage *m, const ms_writer *w, ULONG msg_flags,
                       int *conv_failed, unsigned *missing, ols_err *err)
{
    ols_mime_in_opts o;
    const char *data = w->data.p ? w->data.p : "";
    ols_status st;
    o.delivery_time = w->date;
    o.msg_flags = msg_flags;
    o.missing = 0;
    *missing = 0;
    if (s->conv && !*conv_failed && !ols_mime_is_partial(data, w->data.n)) {
        ols_err cerr = {0};
        st = ols_converter_mime_to_mapi(s->conv, data, w->data.n, m, &o, &cerr);
        if (st == OLS_OK)
            return OLS_OK;
        OLS_LOG_WARN("mapi", "IConverterSession failed (%s); using olsync's own mapper",
                     cerr.msg);
        *conv_failed = 1;
        return FILL_RETRY;
    }
    st = ols_mime_to_mapi(data, w->data.n, m, &o, err);
    *missing = o.missing;
    return st;
}

static HRESULT write_partial(ms_store *s, IMessage *m, unsigned missing)
{
    SPropValue v;
    memset(&v, 0, sizeof v);
    v.ulPropTag = s->np[NP_PARTIAL];
    v.Value.b = (unsigned short)(missing ? 1 : 0);
    return ols_mapi_set_one((IMAPIProp *)m, &v);
}

static HRESULT write_state(ms_store *s, IMessage *m, const ms_writer *w, const char *folder)
{
    SPropValue v[5];
    SPropProblemArray *probs = NULL;
    ULONG n = 0;
    wchar_t *wtag = NULL, *wfolder = ols_utf8_to_wide(folder, -1);
    unsigned long uv = 0, uid = 0;
    HRESULT hr;
    memset(v, 0, sizeof v);
    if (w->has_tag) {
        wtag = ols_utf8_to_wide(w->tag, -1);
        if (wtag) {
            v[n].ulPropTag = s->np[NP_TAG];
            v[n++].Value.lpszW = wtag;
        }
        if (sscanf(w->tag, "%lu-%lu", &uv, &uid) == 2) {
            v[n].ulPropTag = s->np[NP_UIDVALIDITY];
            v[n++].Value.l = (LONG)uv;
            v[n].ulPropTag = s->np[NP_UID];
            v[n++].Value.l = (LONG)uid;
        }
    }
    if (wfolder) {
        v[n].ulPropTag = s->np[NP_FOLDER];
        v[n++].Value.lpszW = wfolder;
    }
    hr = n ? m->lpVtbl->SetProps(m, n, v, &probs) : S_OK;
    ols_mapi_free(probs);
    free(wtag);
    free(wfolder);
    return hr;
}

static ols_status commit_new(ms_folder *f, ms_writer *w, char **id, ols_err *err)
{
    ms_store *s = (ms_store *)f->base.store;
    IMessage *m = NULL;
    ols_status st = OLS_OK;
    HRESULT hr;
    int conv_failed = 0, attempt;
    unsigned missing = 0;
    ULONG msg_flags = (w->flags & OLS_MF_SEEN ? MSGFLAG_READ : 0) |
                      (w->flags & OLS_MF_DRAFT ? MSGFLAG_UNSENT : 0);
    for (attempt = 0; attempt < 2; attempt++) {
        hr = f->f->lpVtbl->CreateMessage(f->f, NULL, 0, &m);
        if (FAILED(hr))
            return ols_mapi_err(err, hr, "CreateMessage");
        st = fill(s, m, w, msg_flags, &conv_failed, &missing, err);
        if (st == FILL_RETRY) {
            m->lpVtbl->Release(m); /* never saved: gone */
            m = NULL;
            continue;
        }
        break;
    }
    if (st == OLS_OK) {
        hr = write_flags(s, m, w->flags, 0, 0);
        if (SUCCEEDED(hr))
            hr = write_state(s, m, w, f->path);
        if (SUCCEEDED(hr))
            hr = write_partial(s, m, missing);
        if (SUCCEEDED(hr))
            hr = m->lpVtbl->SaveChanges(m, KEEP_OPEN_READWRITE);
        if (FAILED(hr))
            st = ols_mapi_err(err, hr, "saving an item");
    }
    if (st == OLS_OK) {
        SPropValue *v = NULL;
        note_saved(s, m);
        hr = ols_mapi_get_one((IMAPIProp *)m, PR_ENTRYID, &v);
        if (FAILED(hr)) {
            st = ols_mapi_err(err, hr, "entry id of a new item");
        } else {
            if (id) {
                *id = ols_hex_encode(v->Value.bin.lpb, v->Value.bin.cb);
                if (!*id)
                    st = ols_err_set(err, OLS_ENOMEM, "out of memory");
            }
            ols_mapi_free(v);
        }
    }
    if (m)
        m->lpVtbl->Release(m);
    return st;
}

static ols_status commit_replace(ms_folder *f, ms_writer *w, const char *replace_id, char **id,
                                 ols_err *err)
{
    ms_store *s = (ms_store *)f->base.store;
    IMessage *m = NULL;
    ols_status st;
    HRESULT hr;
    int conv_failed = 0, attempt;
    unsigned missing = 0;
    for (attempt = 0; attempt < 2; attempt++) {
        st = open_item(f, replace_id, 1, &m, err);
        if (st != OLS_OK)
            return st;
        hr = empty_message(s, m);
        if (FAILED(hr)) {
            m->lpVtbl->Release(m);
            return ols_mapi_err(err, hr, "emptying an item for its new content");
        }
        st = fill(s, m, w, OLS_KEEP_MSG_FLAGS, &conv_failed, &missing, err);
        if (st == FILL_RETRY) {
            m->lpVtbl->Release(m); /* unsaved changes are dropped: the old content stays */
            m = NULL;
            continue;
        }
        break;
    }
    if (st == OLS_OK) {
        hr = write_partial(s, m, missing);
        if (SUCCEEDED(hr))
            hr = m->lpVtbl->SaveChanges(m, KEEP_OPEN_READWRITE);
        if (FAILED(hr))
            st = ols_mapi_err(err, hr, "saving an item");
        else
            note_saved(s, m);
    }
    if (m)
        m->lpVtbl->Release(m);
    if (st == OLS_OK && id) {
        *id = strdup(replace_id);
        if (!*id)
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    return st;
}

static ols_status ms_add_commit(ols_store_writer *base, const char *replace_id, char **id,
                                ols_err *err)
{
    ms_writer *w = (ms_writer *)base;
    ms_folder *f = (ms_folder *)base->folder;
    ms_store *s = (ms_store *)f->base.store;
    ols_status st;
    if (w->failed) {
        ms_add_abort(base);
        return ols_err_set(err, OLS_EIO, "the item could not be written completely");
    }
    InterlockedIncrement(&s->writing);
    st = replace_id ? commit_replace(f, w, replace_id, id, err) : commit_new(f, w, id, err);
    InterlockedDecrement(&s->writing);
    ms_add_abort(base);
    return st;
}

static ols_status ms_read_item(ols_store_folder *base, const char *id, ols_store_sink sink,
                               void *ctx, ols_err *err)
{
    ms_folder *f = (ms_folder *)base;
    ms_store *s = (ms_store *)base->store;
    IMessage *m = NULL;
    ols_buf out = {0};
    ols_status st = open_item(f, id, 0, &m, err);
    size_t off;
    if (st != OLS_OK)
        return st;
    if (s->conv) {
        ols_err cerr = {0};
        st = ols_converter_mapi_to_mime(s->conv, m, &out, &cerr);
        if (st != OLS_OK) {
            OLS_LOG_WARN("mapi", "IConverterSession could not write %s (%s); using olsync's own "
                                 "writer",
                         id, cerr.msg);
            ols_buf_free(&out);
        }
    }
    if (!s->conv || st != OLS_OK)
        st = ols_mapi_to_mime(m, &out, err);
    m->lpVtbl->Release(m);
    for (off = 0; st == OLS_OK && off < out.n; off += 65536)
        st = sink(ctx, out.p + off, out.n - off < 65536 ? out.n - off : 65536);
    ols_buf_free(&out);
    return st;
}

static ols_status ms_set_flags(ols_store_folder *base, const char *id, unsigned flags,
                               ols_err *err)
{
    ms_folder *f = (ms_folder *)base;
    ms_store *s = (ms_store *)base->store;
    IMessage *m = NULL;
    SPropValue *v = NULL;
    ULONG n = 0, nc = 0;
    const ULONG *cols = flag_cols(s, &nc);
    const SPropValue *fs, *vb;
    unsigned have;
    ols_status st = open_item(f, id, 1, &m, err);
    HRESULT hr;
    flags &= OLS_MF_ALL;
    if (st != OLS_OK)
        return st;
    hr = ols_mapi_get_props((IMAPIProp *)m, cols, nc, &n, &v);
    if (FAILED(hr)) {
        m->lpVtbl->Release(m);
        return ols_mapi_err(err, hr, "reading flags");
    }
    have = flags_from(s, v, n);
    fs = ols_mapi_find(v, n, PR_FLAG_STATUS);
    vb = ols_mapi_find(v, n, PR_LAST_VERB_EXECUTED);
    InterlockedIncrement(&s->writing);
    if (have != flags || !ols_mapi_find(v, n, s->np[NP_SYNCFLAGS])) {
        if ((have ^ flags) & OLS_MF_SEEN)
            hr = m->lpVtbl->SetReadFlag(m, flags & OLS_MF_SEEN ? SUPPRESS_RECEIPT
                                                               : CLEAR_READ_FLAG);
        if (SUCCEEDED(hr))
            hr = write_flags(s, m, flags, fs ? fs->Value.l : 0, vb ? vb->Value.l : 0);
        if (SUCCEEDED(hr))
            hr = m->lpVtbl->SaveChanges(m, KEEP_OPEN_READWRITE);
        if (SUCCEEDED(hr))
            note_saved(s, m);
        else
            st = ols_mapi_err(err, hr, "changing flags");
    }
    InterlockedDecrement(&s->writing);
    ols_mapi_free(v);
    m->lpVtbl->Release(m);
    return st;
}

static ols_status ms_delete_item(ols_store_folder *base, const char *id, ols_err *err)
{
    ms_folder *f = (ms_folder *)base;
    ms_store *s = (ms_store *)base->store;
    IMessage *m = NULL;
    BYTE *b = NULL;
    ULONG cb = 0;
    SBinary bin;
    ENTRYLIST list;
    HRESULT hr;
    ols_status st = open_item(f, id, 0, &m, err);
    if (st != OLS_OK)
        return st;
    m->lpVtbl->Release(m);
    if (ols_hex_decode(id, &b, &cb) != 0)
        return ols_err_set(err, OLS_ENOENT, "no item %s", id);
    bin.cb = cb;
    bin.lpb = b;
    list.cValues = 1;
    list.lpbin = &bin;
    ring_note(s, id, 0);
    InterlockedIncrement(&s->writing);
    hr = f->f->lpVtbl->DeleteMessages(f->f, &list, 0, NULL, 0);
    InterlockedDecrement(&s->writing);
    free(b);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "deleting an item");
    return OLS_OK;
}

/* For people: "entry id HEX in PATH" (Outlook's MailItem.EntryID is the HEX part). */
static ols_status ms_locate_item(ols_store_folder *base, const char *id, char **where,
                                 ols_err *err)
{
    ms_folder *f = (ms_folder *)base;
    IMessage *m = NULL;
    ols_status st = open_item(f, id, 0, &m, err);
    size_t n;
    if (st != OLS_OK)
        return st;
    m->lpVtbl->Release(m);
    n = strlen(id) + strlen(f->path) + 32;
    *where = malloc(n);
    if (!*where)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    snprintf(*where, n, "entry id %s in %s", id, f->path);
    return OLS_OK;
}

/* sync is NULL: SaveChanges has made each item durable in the PST already. */
static const ols_store_ops mapi_ops = {
    "mapi",           ms_close,       ms_list_folders, ms_create_folder, ms_delete_folder,
    ms_rename_folder, ms_open_folder, ms_close_folder, ms_list_items,    ms_add_begin,
    ms_add_write,     ms_add_commit,  ms_add_abort,    ms_read_item,     ms_set_flags,
    ms_delete_item,   ms_locate_item, NULL,
};

/* ---- opening ---- */
static void add_system(ms_store *s, const SPropValue *v)
{
    if (v && PROP_TYPE(v->ulPropTag) == PT_BINARY && v->Value.bin.cb && s->nsystem < 16 &&
        eid_set(&s->system[s->nsystem], &v->Value.bin) == 0)
        s->nsystem++;
}

/* The default folders: store properties, the receive folder, and the properties that
 * Outlook keeps on the Inbox (and the root folder) for the others. */
static ols_status find_defaults(ms_store *s, ols_err *err)
{
    static const ULONG store_tags[] = {PR_IPM_SUBTREE_ENTRYID, PR_IPM_SENTMAIL_ENTRYID,
                                       PR_IPM_WASTEBASKET_ENTRYID, PR_IPM_OUTBOX_ENTRYID};
    static const ULONG folder_tags[] = {PR_IPM_APPOINTMENT_ENTRYID, PR_IPM_CONTACT_ENTRYID,
                                        PR_IPM_JOURNAL_ENTRYID,     PR_IPM_NOTE_ENTRYID,
                                        PR_IPM_TASK_ENTRYID,        PR_IPM_DRAFTS_ENTRYID,
                                        PR_ADDITIONAL_REN_ENTRYIDS};
    SPropValue *v = NULL;
    ULONG n = 0, cb = 0, i, k;
    LPENTRYID inbox = NULL;
    const SPropValue *x;
    HRESULT hr = ols_mapi_get_props((IMAPIProp *)s->mdb, store_tags, 4, &n, &v);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "store properties");
    x = ols_mapi_find(v, n, PR_IPM_SUBTREE_ENTRYID);
    if (!x || eid_set(&s->subtree, &x->Value.bin) != 0) {
        ols_mapi_free(v);
        return ols_err_set(err, OLS_EUNSUPPORTED, "the store has no IPM subtree");
    }
    x = ols_mapi_find(v, n, PR_IPM_SENTMAIL_ENTRYID);
    if (x)
        eid_set(&s->special[SP_SENT], &x->Value.bin);
    x = ols_mapi_find(v, n, PR_IPM_WASTEBASKET_ENTRYID);
    if (x)
        eid_set(&s->special[SP_TRASH], &x->Value.bin);
    add_system(s, ols_mapi_find(v, n, PR_IPM_OUTBOX_ENTRYID));
    ols_mapi_free(v);
    v = NULL;
    hr = s->mdb->lpVtbl->GetReceiveFolder(s->mdb, (LPWSTR)L"IPM.Note", MAPI_UNICODE, &cb, &inbox,
                                          NULL);
    if (SUCCEEDED(hr) && inbox) {
        SBinary b;
        b.cb = cb;
        b.lpb = (LPBYTE)inbox;
        eid_set(&s->special[SP_INBOX], &b);
        ols_mapi_free(inbox);
    }
    /* Outlook writes these on the Inbox; older stores only on the root folder */
    for (k = 0; k < 2; k++) {
        IUnknown *unk = NULL;
        ULONG type = 0;
        if (k == 0 && !s->special[SP_INBOX].ab)
            continue;
        hr = s->mdb->lpVtbl->OpenEntry(s->mdb, k == 0 ? s->special[SP_INBOX].cb : 0,
                                       k == 0 ? (LPENTRYID)s->special[SP_INBOX].ab : NULL, NULL,
                                       MAPI_BEST_ACCESS, &type, &unk);
        if (FAILED(hr))
            continue;
        hr = ols_mapi_get_props((IMAPIProp *)unk, folder_tags, 7, &n, &v);
        unk->lpVtbl->Release(unk);
        if (FAILED(hr))
            continue;
        if (!ols_mapi_find(v, n, PR_IPM_DRAFTS_ENTRYID) && k == 0) {
            ols_mapi_free(v);
            v = NULL;
            continue;
        }
        for (i = 0; i < 6; i++)
            add_system(s, ols_mapi_find(v, n, folder_tags[i]));
        x = ols_mapi_find(v, n, PR_ADDITIONAL_REN_ENTRYIDS);
        if (x) {
            for (i = 0; i < x->Value.MVbin.cValues; i++) {
                if (i == REN_JUNK) {
                    if (x->Value.MVbin.lpbin[i].cb)
                        eid_set(&s->special[SP_JUNK], &x->Value.MVbin.lpbin[i]);
                } else if (s->nsystem < 16 && x->Value.MVbin.lpbin[i].cb &&
                           eid_set(&s->system[s->nsystem], &x->Value.MVbin.lpbin[i]) == 0) {
                    s->nsystem++;
                }
            }
        }
        ols_mapi_free(v);
        v = NULL;
        break;
    }
    return OLS_OK;
}

ols_status ols_mapi_store_open(IUnknown *unk, const ols_mapi_store_opts *o, ols_store **out,
                               ols_err *err)
{
    ms_store *s;
    IMsgStore *mdb = NULL;
    IMAPISession *ses = NULL;
    ols_mapi_store_opts none;
    const char *paths[SP_COUNT];
    ols_status st;
    HRESULT hr;
    int i;
    if (!o) {
        memset(&none, 0, sizeof none);
        o = &none;
    }
    if (!unk)
        return ols_err_set(err, OLS_EINVAL, "no MAPI object");
    if (!o->keep_allocator && ols_mapi_rt_get() == ols_mapi_rt_builtin() &&
        (GetModuleHandleW(L"olmapi32.dll") || GetModuleHandleW(L"mapi32.dll"))) {
        ols_err lerr = {0};
        if (ols_mapi_rt_load(NULL, &lerr) != OLS_OK)
            OLS_LOG_WARN("mapi", "MAPI allocator not found (%s); using the built-in one",
                         lerr.msg);
    }
    if (SUCCEEDED(unk->lpVtbl->QueryInterface(unk, &IID_IMsgStore, (void **)&mdb))) {
        /* a store handed over as is */
    } else if (SUCCEEDED(unk->lpVtbl->QueryInterface(unk, &IID_IMAPISession, (void **)&ses))) {
        st = o->pst_path ? ols_mapi_pst_open(ses, o->pst_path, o->pst_display_name, &mdb, err)
                         : ols_mapi_default_store(ses, &mdb, err);
        ses->lpVtbl->Release(ses);
        if (st != OLS_OK)
            return st;
    } else {
        return ols_err_set(err, OLS_EINVAL, "neither an IMsgStore nor an IMAPISession");
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        mdb->lpVtbl->Release(mdb);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    InitializeCriticalSection(&s->lock);
    s->base.ops = &mapi_ops;
    s->mdb = mdb;
    paths[SP_INBOX] = "INBOX";
    paths[SP_SENT] = o->sent_path ? o->sent_path : "Sent";
    paths[SP_TRASH] = o->trash_path ? o->trash_path : "Trash";
    paths[SP_JUNK] = o->junk_path ? o->junk_path : "Junk";
    for (i = 0; i < SP_COUNT; i++) {
        s->special_path[i] = strdup(paths[i]);
        if (!s->special_path[i] || (paths[i][0] && !path_ok(paths[i]))) {
            ms_close(&s->base);
            return ols_err_set(err, OLS_EINVAL, "bad default folder path \"%s\"", paths[i]);
        }
    }
    hr = ols_mapi_named_tags((IMAPIProp *)mdb, &PSETID_Olsync, np_names, np_types, NP_COUNT,
                             s->np);
    if (FAILED(hr)) {
        ms_close(&s->base);
        return ols_mapi_err(err, hr, "named properties");
    }
    st = find_defaults(s, err);
    if (st != OLS_OK) {
        ms_close(&s->base);
        return st;
    }
    if (o->conv) {
        s->conv = o->conv;
        s->conv->lpVtbl->AddRef(s->conv);
    } else if (o->converter == OLS_MAPI_CONV_AUTO) {
        hr = ols_converter_create(&s->conv);
        if (FAILED(hr)) {
            char b[16];
            OLS_LOG_INFO("mapi", "IConverterSession not available (%s): olsync's own MIME "
                                 "mapper is used",
                         ols_mapi_hr_name(hr, b, sizeof b));
            s->conv = NULL;
        }
    }
    *out = &s->base;
    return OLS_OK;
}

const char *ols_mapi_store_converter(ols_store *base)
{
    return ((ms_store *)base)->conv ? "IConverterSession" : "olsync";
}

IMsgStore *ols_mapi_store_msgstore(ols_store *base) { return ((ms_store *)base)->mdb; }

ols_status ols_mapi_store_folder(ols_store *base, const char *path, IMAPIFolder **out,
                                 ols_err *err)
{
    *out = NULL;
    return resolve((ms_store *)base, path, RES_OPEN, NULL, out, NULL, err);
}

/* ---- the lookup hook ---- */
/* Engine path of a folder, by climbing to the IPM subtree. */
static ols_status folder_path(ms_store *s, const eid *start, char **out, ols_err *err)
{
    eid cur = {0, NULL};
    char *path = NULL;
    int guard = 0;
    if (eid_set(&cur, &(SBinary){start->cb, start->ab}) != 0)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    for (;;) {
        IMAPIFolder *f = NULL;
        eid parent = {0, NULL};
        char *level = NULL, *np;
        int sp = special_index(s, &cur);
        if (guard++ > 64 || eid_same(s, &s->subtree, cur.cb, cur.ab)) {
            eid_free(&cur);
            if (!path)
                return ols_err_set(err, OLS_ENOENT, "not a synced folder");
            *out = path;
            return OLS_OK;
        }
        if (FAILED(open_folder_eid(s, &cur, &f)) || FAILED(parent_of(s, (IMAPIProp *)f, &parent))) {
            if (f)
                f->lpVtbl->Release(f);
            eid_free(&cur);
            free(path);
            return ols_err_set(err, OLS_ENOENT, "not a synced folder");
        }
        if (sp >= 0 && eid_same(s, &s->subtree, parent.cb, parent.ab)) {
            level = strdup(s->special_path[sp]);
        } else {
            children c;
            size_t k;
            /* the parent's listing gives the level the way resolve() reads it */
            IMAPIFolder *pf = NULL;
            if (SUCCEEDED(open_folder_eid(s, &parent, &pf)) && SUCCEEDED(list_children(s, pf, &c))) {
                for (k = 0; k < c.n && !level; k++)
                    if (eid_same(s, &c.v[k].id, cur.cb, cur.ab))
                        level = is_system(s, &c.v[k]) ? NULL : strdup(c.v[k].level);
                children_free(&c);
            }
            if (pf)
                pf->lpVtbl->Release(pf);
            if (!level) {
                f->lpVtbl->Release(f);
                eid_free(&parent);
                eid_free(&cur);
                free(path);
                return ols_err_set(err, OLS_ENOENT, "not a synced folder");
            }
        }
        f->lpVtbl->Release(f);
        np = malloc(strlen(level) + (path ? strlen(path) + 2 : 1));
        if (!np) {
            free(level);
            eid_free(&parent);
            eid_free(&cur);
            free(path);
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        }
        strcpy(np, level);
        if (path) {
            strcat(np, "/");
            strcat(np, path);
        }
        free(path);
        free(level);
        path = np;
        eid_free(&cur);
        if (sp >= 0 && eid_same(s, &s->subtree, parent.cb, parent.ab)) {
            eid_free(&parent);
            *out = path;
            return OLS_OK;
        }
        cur = parent;
    }
}

ols_status ols_mapi_store_lookup(ols_store *base, const char *hex, ols_mapi_item_ref *r,
                                 ols_err *err)
{
    ms_store *s = (ms_store *)base;
    BYTE *b = NULL;
    ULONG cb = 0, type = 0, n = 0, nc = 0, i;
    IUnknown *unk = NULL;
    SPropValue *v = NULL;
    ULONG cols[8];
    const ULONG *fc = flag_cols(s, &nc);
    const SPropValue *pe, *tg;
    eid parent = {0, NULL};
    ols_status st;
    HRESULT hr;
    memset(r, 0, sizeof *r);
    if (ols_hex_decode(hex, &b, &cb) != 0)
        return ols_err_set(err, OLS_EINVAL, "not an entry id");
    hr = s->mdb->lpVtbl->OpenEntry(s->mdb, cb, (LPENTRYID)b, &IID_IMessage, MAPI_BEST_ACCESS,
                                   &type, &unk);
    free(b);
    if (FAILED(hr) || type != MAPI_MESSAGE) {
        if (SUCCEEDED(hr))
            unk->lpVtbl->Release(unk);
        return ols_err_set(err, OLS_ENOENT, "no such item");
    }
    cols[0] = PR_PARENT_ENTRYID;
    cols[1] = s->np[NP_TAG];
    cols[2] = s->np[NP_PARTIAL];
    for (i = 0; i < nc; i++)
        cols[3 + i] = fc[i];
    hr = ols_mapi_get_props((IMAPIProp *)unk, cols, 3 + nc, &n, &v);
    unk->lpVtbl->Release(unk);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "item properties");
    pe = ols_mapi_find(v, n, PR_PARENT_ENTRYID);
    tg = ols_mapi_find(v, n, s->np[NP_TAG]);
    if (!pe || eid_set(&parent, &pe->Value.bin) != 0) {
        ols_mapi_free(v);
        return ols_err_set(err, OLS_ENOENT, "item without a folder");
    }
    st = folder_path(s, &parent, &r->folder_path, err);
    eid_free(&parent);
    if (st == OLS_OK) {
        r->item_id = strdup(hex);
        r->tag = w8(tg);
        r->flags = flags_from(s, v, n);
        {
            const SPropValue *pp = ols_mapi_find(v, n, s->np[NP_PARTIAL]);
            r->partial = pp && pp->Value.b;
        }
        for (i = 0; r->item_id && r->item_id[i]; i++)
            r->item_id[i] = (char)toupper((unsigned char)r->item_id[i]);
        if (!r->item_id)
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    ols_mapi_free(v);
    if (st != OLS_OK)
        ols_mapi_item_ref_free(r);
    return st;
}

void ols_mapi_item_ref_free(ols_mapi_item_ref *r)
{
    free(r->folder_path);
    free(r->item_id);
    free(r->tag);
    memset(r, 0, sizeof *r);
}

/* ---- change hints ---- */
struct ms_sink {
    IMAPIAdviseSink iface;
    LONG ref;
    ms_store *s;
};

static ms_sink *impl_from_sink(IMAPIAdviseSink *i) { return CONTAINING_RECORD(i, ms_sink, iface); }

static HRESULT STDMETHODCALLTYPE sink_qi(IMAPIAdviseSink *i, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMAPIAdviseSink)) {
        *ppv = i;
        i->lpVtbl->AddRef(i);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG STDMETHODCALLTYPE sink_addref(IMAPIAdviseSink *i)
{
    return (ULONG)InterlockedIncrement(&impl_from_sink(i)->ref);
}

static ULONG STDMETHODCALLTYPE sink_release(IMAPIAdviseSink *i)
{
    ms_sink *k = impl_from_sink(i);
    LONG r = InterlockedDecrement(&k->ref);
    if (!r)
        free(k);
    return (ULONG)r;
}

static ULONG STDMETHODCALLTYPE sink_notify(IMAPIAdviseSink *i, ULONG n, LPNOTIFICATION notifs)
{
    ms_sink *k = impl_from_sink(i);
    ms_store *s = k->s;
    ULONG j;
    if (!s || !s->cb)
        return 0;
    for (j = 0; j < n; j++) {
        const NOTIFICATION *x = &notifs[j];
        unsigned ev = x->ulEventType == fnevObjectCreated    ? OLS_MAPI_EV_CREATED
                      : x->ulEventType == fnevObjectModified ? OLS_MAPI_EV_MODIFIED
                      : x->ulEventType == fnevObjectDeleted  ? OLS_MAPI_EV_DELETED
                      : x->ulEventType == fnevObjectMoved    ? OLS_MAPI_EV_MOVED
                      : x->ulEventType == fnevObjectCopied   ? OLS_MAPI_EV_COPIED
                                                             : 0;
        char *hex, *phex;
        if (!ev || !x->info.obj.lpEntryID)
            continue;
        if (s->writing > 0)
            continue; /* delivered inside our own call: our own write */
        hex = ols_hex_encode(x->info.obj.lpEntryID, x->info.obj.cbEntryID);
        phex = x->info.obj.lpParentID
                   ? ols_hex_encode(x->info.obj.lpParentID, x->info.obj.cbParentID)
                   : NULL;
        if (hex && !((ev & (OLS_MAPI_EV_CREATED | OLS_MAPI_EV_MODIFIED | OLS_MAPI_EV_DELETED)) &&
                     is_echo(s, hex, ev)))
            s->cb(s->cb_ctx, ev, hex, phex);
        free(hex);
        free(phex);
    }
    return 0;
}

static const IMAPIAdviseSinkVtbl sink_vtbl = {sink_qi, sink_addref, sink_release, sink_notify};

ols_status ols_mapi_store_watch(ols_store *base, ols_mapi_change_cb cb, void *ctx, ols_err *err)
{
    ms_store *s = (ms_store *)base;
    ms_sink *k;
    HRESULT hr;
    if (s->sink)
        ols_mapi_store_unwatch(base);
    k = calloc(1, sizeof *k);
    if (!k)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    k->iface.lpVtbl = &sink_vtbl;
    k->ref = 1;
    k->s = s;
    s->cb = cb;
    s->cb_ctx = ctx;
    hr = s->mdb->lpVtbl->Advise(s->mdb, 0, NULL,
                                fnevObjectCreated | fnevObjectModified | fnevObjectDeleted |
                                    fnevObjectMoved | fnevObjectCopied,
                                &k->iface, &s->conn);
    if (FAILED(hr)) {
        k->s = NULL;
        k->iface.lpVtbl->Release(&k->iface);
        s->cb = NULL;
        return ols_err_set(err, hr == MAPI_E_NO_SUPPORT ? OLS_EUNSUPPORTED : ols_mapi_status(hr),
                           "store notifications unavailable");
    }
    s->sink = k;
    return OLS_OK;
}

void ols_mapi_store_unwatch(ols_store *base)
{
    ms_store *s = (ms_store *)base;
    if (!s->sink)
        return;
    s->mdb->lpVtbl->Unadvise(s->mdb, s->conn);
    s->sink->s = NULL; /* a late notification finds nobody */
    s->sink->iface.lpVtbl->Release(&s->sink->iface);
    s->sink = NULL;
    s->cb = NULL;
}
