/* The real sync engine with the MAPI backend over fake_msgstore, against the seeded
 * Dovecot fixture (run through tests/fixture/dovecot_fixture.py run -- wine ...): the
 * first sync fills the "PST" (nested, non-ASCII and groupware folders, default folders,
 * flags, tags); changes made "in Outlook" through MAPI reach the server; server changes
 * (made by a second client, the Maildir backend) reach the PST; a pass with nothing to do
 * does nothing. The server side is read back through that second client. */
#include <windows.h>

#include "fake_msgstore.h"
#include "mapi_mime.h"
#include "mapi_rt.h"
#include "mapi_store.h"
#include "olsync/imap.h"
#include "olsync/log.h"
#include "olsync/mailflags.h"
#include "olsync/sync.h"
#include "t.h"

static const char *env(const char *k)
{
    const char *v = getenv(k);
    if (!v || !*v) {
        fprintf(stderr, "test_mapi_sync: %s is not set (run me through dovecot_fixture.py run)\n",
                k);
        exit(2);
    }
    return v;
}

static ols_imap_config g_imap;
static char *g_scratch;

static ols_status run_sync(ols_store *s, const char *state, ols_sync_report *rep)
{
    ols_sync_opts o;
    ols_err err = {0};
    ols_status st;
    memset(&o, 0, sizeof o);
    o.imap = &g_imap;
    o.store = s;
    o.state_path = state;
    st = ols_sync_run(&o, rep, &err);
    if (st != OLS_OK)
        fprintf(stderr, "sync (%s): %s\n", s->ops->name, err.msg);
    return st;
}

/* ---- the PST side, through MAPI ---- */
struct find {
    const wchar_t *subject;
    char hex[256];
    int n;
};

static int find_cb(void *ctx, const SRow *row)
{
    struct find *f = ctx;
    const SPropValue *s = ols_mapi_find(row->lpProps, row->cValues, PR_SUBJECT_W);
    const SPropValue *e = ols_mapi_find(row->lpProps, row->cValues, PR_ENTRYID);
    if (s && e && !wcscmp(s->Value.lpszW, f->subject)) {
        char *h = ols_hex_encode(e->Value.bin.lpb, e->Value.bin.cb);
        if (h)
            snprintf(f->hex, sizeof f->hex, "%s", h);
        free(h);
        f->n++;
    }
    return 0;
}

/* Entry id (hex) of the one item with that subject in a folder; "" if none or several. */
static int pst_find(IMsgStore *st, const wchar_t *folder, const wchar_t *subject, char *hex)
{
    static const ULONG cols[] = {PR_SUBJECT_W, PR_ENTRYID};
    IMAPIFolder *f = NULL;
    IMAPITable *t = NULL;
    struct find c;
    memset(&c, 0, sizeof c);
    c.subject = subject;
    hex[0] = 0;
    if (FAILED(fake_open_path(st, folder, &f)))
        return 0;
    if (SUCCEEDED(f->lpVtbl->GetContentsTable(f, 0, &t))) {
        ols_mapi_table_each(t, cols, 2, 100, find_cb, &c);
        t->lpVtbl->Release(t);
    }
    f->lpVtbl->Release(f);
    if (c.n == 1)
        strcpy(hex, c.hex);
    return c.n;
}

static ULONG pst_count(IMsgStore *st, const wchar_t *folder)
{
    IMAPIFolder *f = NULL;
    ULONG n;
    if (FAILED(fake_open_path(st, folder, &f)))
        return (ULONG)-1;
    n = fake_count(f);
    f->lpVtbl->Release(f);
    return n;
}

static IMessage *pst_open(IMsgStore *st, const char *hex, int modify)
{
    BYTE *b = NULL;
    ULONG cb = 0, type = 0;
    IUnknown *unk = NULL;
    if (!hex[0] || ols_hex_decode(hex, &b, &cb) != 0)
        return NULL;
    if (FAILED(st->lpVtbl->OpenEntry(st, cb, (LPENTRYID)b, &IID_IMessage,
                                     modify ? MAPI_MODIFY : 0, &type, &unk)))
        unk = NULL;
    free(b);
    return (IMessage *)unk;
}

static LONG pst_long(IMsgStore *st, const char *hex, ULONG tag, LONG dflt)
{
    IMessage *m = pst_open(st, hex, 0);
    SPropValue *v = NULL;
    LONG r = dflt;
    if (!m)
        return dflt;
    if (SUCCEEDED(ols_mapi_get_one((IMAPIProp *)m, tag, &v)))
        r = v->Value.l;
    ols_mapi_free(v);
    m->lpVtbl->Release(m);
    return r;
}

/* ---- the server side, through a second client (Maildir) ---- */
struct md_find {
    ols_store_folder *f;
    const char *subject;
    char id[512];
    unsigned flags;
    int n;
};

static ols_status mem_sink(void *ctx, const void *p, size_t n)
{
    ols_buf *b = ctx;
    ols_buf_put(b, p, n);
    return OLS_OK;
}

static int md_cb(void *ctx, const ols_store_item *it)
{
    struct md_find *c = ctx;
    ols_buf b = {0};
    char want[300];
    snprintf(want, sizeof want, "Subject: %s\r\n", c->subject);
    if (c->f->store->ops->read_item(c->f, it->id, mem_sink, &b, NULL) == OLS_OK && b.p &&
        strstr(b.p, want)) {
        snprintf(c->id, sizeof c->id, "%s", it->id);
        c->flags = it->flags;
        c->n++;
    }
    ols_buf_free(&b);
    return 0;
}

static int md_find(ols_store *md, const char *folder, const char *subject, unsigned *flags,
                   char *id)
{
    struct md_find c;
    memset(&c, 0, sizeof c);
    c.subject = subject;
    if (md->ops->open_folder(md, folder, &c.f, NULL) != OLS_OK)
        return 0;
    md->ops->list_items(c.f, md_cb, &c, NULL);
    md->ops->close_folder(c.f);
    if (flags)
        *flags = c.flags;
    if (id)
        strcpy(id, c.id);
    return c.n;
}

static int count_cb(void *ctx, const ols_store_item *it)
{
    (void)it;
    (*(int *)ctx)++;
    return 0;
}

static int md_count(ols_store *md, const char *folder)
{
    ols_store_folder *f = NULL;
    int n = 0;
    if (md->ops->open_folder(md, folder, &f, NULL) != OLS_OK)
        return -1;
    md->ops->list_items(f, count_cb, &n, NULL);
    md->ops->close_folder(f);
    return n;
}

struct names {
    char list[4096];
};
static int folder_cb(void *ctx, const ols_store_folder_info *f)
{
    struct names *nm = ctx;
    size_t l = strlen(nm->list);
    snprintf(nm->list + l, sizeof nm->list - l, "%s%s%s|", f->path, f->kind ? "=" : "",
             f->kind ? f->kind : "");
    return 0;
}
static int has(struct names *nm, const char *e)
{
    char pat[300], buf[4200];
    snprintf(pat, sizeof pat, "|%s|", e);
    snprintf(buf, sizeof buf, "|%s", nm->list);
    return strstr(buf, pat) != NULL;
}

static int tags_cb(void *ctx, const ols_store_item *it)
{
    int *bad = ctx;
    unsigned long a, b;
    if (!it->tag || sscanf(it->tag, "%lu-%lu", &a, &b) != 2)
        (*bad)++;
    return 0;
}

int main(void)
{
    const char *host = env("OLS_TEST_IMAP_HOST");
    fake_msgstore *fs;
    IMsgStore *st;
    ols_store *s = NULL, *md = NULL;
    ols_mapi_store_opts mo;
    ols_sync_report rep;
    ols_err err = {0};
    char *state, *state2, *mdroot, hex[256], id[512];
    unsigned flags = 0;
    struct names nm;
    ols_log_config lc;

    memset(&lc, 0, sizeof lc);
    lc.level = OLS_LOG_WARNING;
    lc.to_stderr = 1;
    ols_log_open(&lc, NULL);
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    g_scratch = t_scratch("mapi-sync");
    state = ols_path_join(g_scratch, "state.db");
    state2 = ols_path_join(g_scratch, "state2.db");
    mdroot = ols_path_join(g_scratch, "Mail");
    memset(&g_imap, 0, sizeof g_imap);
    g_imap.host = host;
    g_imap.port = (uint16_t)atoi(env("OLS_TEST_IMAPS_PORT"));
    g_imap.security = OLS_SEC_TLS;
    g_imap.tls.ca_file = env("OLS_TEST_CA_FILE");
    g_imap.tls.pin_file = ols_path_join(g_scratch, "pins.json");
    g_imap.user = env("OLS_TEST_USER");
    g_imap.password = env("OLS_TEST_PASSWORD");
    g_imap.timeout_ms = 60000;

    fs = fake_msgstore_new(NULL);
    st = fake_msgstore_iface(fs);
    memset(&mo, 0, sizeof mo);
    mo.converter = OLS_MAPI_CONV_AUTO; /* no IConverterSession under Wine: the own mapper */
    OK(ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) == OLS_OK, "open: %s", err.msg);
    OK(ols_maildir_open(mdroot, &md, &err) == OLS_OK, "second client: %s", err.msg);
    if (!s || !md)
        return T_DONE();

    /* 1. first sync into the PST */
    OK(run_sync(s, state, &rep) == OLS_OK, "first sync");
    OK(rep.downloaded >= 20 && rep.failed == 0, "downloaded %llu, failed %llu",
       (unsigned long long)rep.downloaded, (unsigned long long)rep.failed);
    memset(&nm, 0, sizeof nm);
    s->ops->list_folders(s, folder_cb, &nm, &err);
    OK(has(&nm, "INBOX") && has(&nm, "Sent") && has(&nm, "Junk") && has(&nm, "Trash") &&
           has(&nm, "Archive") && has(&nm, "Projekte") &&
           has(&nm, "Projekte/\xc3\x9c" "berblick") && has(&nm, "Projekte/Alpha"),
       "mail folders: %s", nm.list);
    OK(has(&nm, "Calendar=event") && has(&nm, "Contacts=contact") && has(&nm, "Tasks=task"),
       "groupware folders with their kinds: %s", nm.list);
    OK(!has(&nm, "Drafts"), "Drafts stays local: %s", nm.list);
    {
        char *cls = NULL;
        IMAPIFolder *f = NULL;
        if (SUCCEEDED(fake_open_path(st, L"Calendar (2)", &f))) {
            ols_mapi_read_string((IMAPIProp *)f, PR_CONTAINER_CLASS_W, &cls);
            OK(fake_count(f) == 1, "the event arrived");
            f->lpVtbl->Release(f);
        }
        OK(cls && !strcmp(cls, "IPF.Appointment"), "server Calendar is an appointment folder "
                                                   "beside Outlook's own: %s",
           cls ? cls : "(none)");
        free(cls);
    }
    OK(pst_count(st, L"Sent Items") == 2, "Sent -> Sent Items (%lu)",
       (unsigned long)pst_count(st, L"Sent Items"));
    OK(pst_count(st, L"Junk E-mail") == 1, "Junk -> Junk E-mail");
    OK(pst_count(st, L"Drafts") == 0, "the server's draft did not come down");
    OK(pst_count(st, L"Projekte/\x00dc" L"berblick") == 2, "non-ASCII folder filled");
    OK(pst_find(st, L"Inbox", L"Flagged and unread", hex) == 1, "found an item by subject");
    OK(pst_long(st, hex, PR_FLAG_STATUS, 0) == FOLLOWUP_FLAGGED, "\\Flagged -> follow-up flag");
    OK(!(pst_long(st, hex, PR_MESSAGE_FLAGS, 0) & (MSGFLAG_READ | MSGFLAG_UNSENT)),
       "unread, received");
    OK(pst_find(st, L"Inbox", L"Answered and flagged", hex) == 1 &&
           pst_long(st, hex, PR_LAST_VERB_EXECUTED, 0) == EXCHIVERB_REPLYTOSENDER &&
           (pst_long(st, hex, PR_MESSAGE_FLAGS, 0) & MSGFLAG_READ),
       "\\Answered -> replied, \\Seen -> read");
    {
        ols_store_folder *f = NULL;
        int bad = 0;
        s->ops->open_folder(s, "INBOX", &f, NULL);
        if (f) {
            s->ops->list_items(f, tags_cb, &bad, NULL);
            s->ops->close_folder(f);
        }
        OK(f && bad == 0, "every downloaded item carries UIDVALIDITY-UID (%d without)", bad);
    }

    /* 2. changes in Outlook */
    {
        IMessage *m;
        IMAPIFolder *arch = NULL, *proj = NULL, *inbox = NULL, *alpha = NULL;
        pst_find(st, L"Inbox", L"Flagged and unread", hex);
        m = pst_open(st, hex, 1);
        if (m) {
            SizedSPropTagArray(1, del) = {1, {PR_FLAG_STATUS}};
            SPropProblemArray *p = NULL;
            m->lpVtbl->SetReadFlag(m, SUPPRESS_RECEIPT);
            m->lpVtbl->DeleteProps(m, (LPSPropTagArray)&del, &p);
            ols_mapi_free(p);
            OK(SUCCEEDED(m->lpVtbl->SaveChanges(m, 0)), "read and unflagged in Outlook");
            m->lpVtbl->Release(m);
        }
        if (SUCCEEDED(fake_open_path(st, L"Archive", &arch)) &&
            pst_find(st, L"Archive", L"Archived 2023", hex) == 1) {
            BYTE *b = NULL;
            ULONG cb = 0;
            ols_hex_decode(hex, &b, &cb);
            {
                SBinary bin = {cb, b};
                ENTRYLIST l = {1, &bin};
                OK(SUCCEEDED(arch->lpVtbl->DeleteMessages(arch, &l, 0, NULL, 0)),
                   "deleted in Outlook");
            }
            free(b);
        }
        if (SUCCEEDED(fake_open_path(st, L"Projekte", &proj))) {
            static const char made[] = "From: Alice <alice@example.org>\r\n"
                                       "To: Bob <bob@example.org>\r\n"
                                       "Subject: Made in Outlook\r\n"
                                       "Date: Mon, 20 Nov 2023 10:00:00 +0100\r\n"
                                       "Message-ID: <made-in-outlook@example.org>\r\n\r\n"
                                       "Written locally.\r\n";
            ols_mime_in_opts o = {0, MSGFLAG_READ, 0};
            m = NULL;
            proj->lpVtbl->CreateMessage(proj, NULL, 0, &m);
            OK(m && ols_mime_to_mapi(made, sizeof made - 1, m, &o, &err) == OLS_OK &&
                   SUCCEEDED(m->lpVtbl->SaveChanges(m, 0)),
               "a new item saved in Outlook");
            if (m)
                m->lpVtbl->Release(m);
        }
        if (SUCCEEDED(fake_open_path(st, L"Inbox", &inbox)) &&
            SUCCEEDED(fake_open_path(st, L"Projekte/Alpha", &alpha)) &&
            pst_find(st, L"Inbox", L"Newsletter #1", hex) == 1) {
            BYTE *b = NULL;
            ULONG cb = 0;
            ols_hex_decode(hex, &b, &cb);
            {
                SBinary bin = {cb, b};
                ENTRYLIST l = {1, &bin};
                OK(SUCCEEDED(inbox->lpVtbl->CopyMessages(inbox, &l, NULL, alpha, 0, NULL,
                                                         MESSAGE_MOVE)),
                   "moved in Outlook");
            }
            free(b);
        }
        if (arch)
            arch->lpVtbl->Release(arch);
        if (proj)
            proj->lpVtbl->Release(proj);
        if (inbox)
            inbox->lpVtbl->Release(inbox);
        if (alpha)
            alpha->lpVtbl->Release(alpha);
    }
    OK(run_sync(s, state, &rep) == OLS_OK, "second sync");
    OK(rep.uploaded >= 1 && rep.flags_remote >= 1 && rep.deleted_remote >= 1 && rep.moved >= 1,
       "up: %llu uploaded, %llu flag changes, %llu deleted, %llu moved",
       (unsigned long long)rep.uploaded, (unsigned long long)rep.flags_remote,
       (unsigned long long)rep.deleted_remote, (unsigned long long)rep.moved);

    /* what the server has now, seen by the second client */
    OK(run_sync(md, state2, &rep) == OLS_OK, "second client syncs");
    OK(md_find(md, "INBOX", "Flagged and unread", &flags, NULL) == 1 &&
           (flags & OLS_MF_SEEN) && !(flags & OLS_MF_FLAGGED),
       "read and unflagged on the server (%#x)", flags);
    OK(md_count(md, "Archive") == 0, "the delete reached the server");
    OK(md_find(md, "Projekte", "Made in Outlook", &flags, NULL) == 1 && (flags & OLS_MF_SEEN),
       "the local item was uploaded (MAPI -> MIME)");
    OK(md_find(md, "Projekte/Alpha", "Newsletter #1", NULL, NULL) == 1 &&
           md_find(md, "INBOX", "Newsletter #1", NULL, NULL) == 0,
       "the move became a move");

    /* 3. changes on the server, made by the second client */
    {
        ols_store_folder *f = NULL;
        ols_store_writer *w = NULL;
        static const char srv[] = "From: Server Side <srv@example.org>\r\n"
                                  "To: alice@example.org\r\n"
                                  "Subject: From the server side\r\n"
                                  "Date: Tue, 21 Nov 2023 09:00:00 +0000\r\n"
                                  "Message-ID: <server-side@example.org>\r\n\r\n"
                                  "Arrived elsewhere.\r\n";
        char *nid = NULL;
        md->ops->open_folder(md, "INBOX", &f, NULL);
        if (f) {
            md->ops->add_begin(f, 0, 0, NULL, &w, NULL);
            md->ops->add_write(w, srv, sizeof srv - 1, NULL);
            OK(md->ops->add_commit(w, NULL, &nid, NULL) == OLS_OK, "new item on the other client");
            free(nid);
            if (md_find(md, "INBOX", "Answered and flagged", &flags, id) == 1)
                md->ops->set_flags(f, id, flags & ~OLS_MF_FLAGGED, NULL);
            if (md_find(md, "INBOX", "Newsletter #2", NULL, id) == 1)
                md->ops->delete_item(f, id, NULL);
            md->ops->close_folder(f);
        }
        OK(run_sync(md, state2, &rep) == OLS_OK && rep.uploaded == 1,
           "the other client pushes its changes");
    }
    OK(run_sync(s, state, &rep) == OLS_OK, "third sync");
    OK(rep.downloaded == 1 && rep.flags_local >= 1 && rep.deleted_local == 1,
       "down: %llu downloaded, %llu flag changes, %llu deleted", (unsigned long long)rep.downloaded,
       (unsigned long long)rep.flags_local, (unsigned long long)rep.deleted_local);
    OK(pst_find(st, L"Inbox", L"From the server side", hex) == 1 &&
           !(pst_long(st, hex, PR_MESSAGE_FLAGS, 0) & (MSGFLAG_READ | MSGFLAG_UNSENT)),
       "the server's new item is in the PST, unread");
    OK(pst_find(st, L"Inbox", L"Answered and flagged", hex) == 1 &&
           pst_long(st, hex, PR_FLAG_STATUS, 0) != FOLLOWUP_FLAGGED &&
           pst_long(st, hex, PR_LAST_VERB_EXECUTED, 0) == EXCHIVERB_REPLYTOSENDER,
       "the flag change reached the PST, the reply stayed");
    OK(pst_find(st, L"Inbox", L"Newsletter #2", hex) == 0, "the server's delete reached the PST");

    /* 4. nothing to do */
    OK(run_sync(s, state, &rep) == OLS_OK, "fourth sync");
    OK(rep.downloaded == 0 && rep.uploaded == 0 && rep.flags_local == 0 &&
           rep.flags_remote == 0 && rep.deleted_local == 0 && rep.deleted_remote == 0 &&
           rep.moved == 0 && rep.failed == 0,
       "a pass with nothing to do does nothing (%llu %llu %llu %llu %llu %llu)",
       (unsigned long long)rep.downloaded, (unsigned long long)rep.uploaded,
       (unsigned long long)rep.flags_local, (unsigned long long)rep.flags_remote,
       (unsigned long long)rep.deleted_local, (unsigned long long)rep.deleted_remote);

    /* 5. the engine's state is lost: the tags (and Message-IDs) in the PST pair everything
     * up again, nothing comes down twice and nothing goes up again */
    {
        ULONG inbox = pst_count(st, L"Inbox"), proj = pst_count(st, L"Projekte");
        char *wal = malloc(strlen(state) + 8), *shm = malloc(strlen(state) + 8);
        sprintf(wal, "%s-wal", state);
        sprintf(shm, "%s-shm", state);
        OK(ols_file_remove(state) == OLS_OK, "state removed");
        ols_file_remove(wal);
        ols_file_remove(shm);
        free(wal);
        free(shm);
        OK(run_sync(s, state, &rep) == OLS_OK, "sync without state");
        OK(rep.downloaded == 0 && rep.uploaded == 0 && rep.adopted >= inbox,
           "re-paired from the PST: %llu adopted, %llu downloaded, %llu uploaded",
           (unsigned long long)rep.adopted, (unsigned long long)rep.downloaded,
           (unsigned long long)rep.uploaded);
        OK(pst_count(st, L"Inbox") == inbox && pst_count(st, L"Projekte") == proj,
           "no duplicates in the PST");
        OK(run_sync(md, state2, &rep) == OLS_OK && rep.downloaded == 0,
           "and none on the server");
    }

    ols_store_close(s);
    ols_store_close(md);
    st->lpVtbl->Release(st);
    fake_msgstore_release(fs);
    free(state);
    free(state2);
    free(mdroot);
    CoUninitialize();
    return T_DONE();
}
