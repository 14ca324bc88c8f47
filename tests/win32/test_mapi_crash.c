/* A crash at every step of a sync with the MAPI backend loses nothing and duplicates
 * nothing: the "PST" is fake_msgstore saved to a file after every change (what a real PST
 * has on disk), each sync runs in a child process that the engine kills at step N
 * (OLSYNC_CRASH_AT, ols_state_step), and after the next, undisturbed sync the PST's INBOX
 * and the server's hold the same messages with the same \Seen flags, each once. Changes
 * come from both sides before every round. Run through dovecot_fixture.py run -- wine. */
#include <windows.h>

#include "fake_msgstore.h"
#include "mapi_mime.h"
#include "mapi_rt.h"
#include "mapi_store.h"
#include "olsync/log.h"
#include "olsync/mailflags.h"
#include "olsync/sync.h"
#include "t.h"

static ols_imap_config g_imap;
static char *g_dir;

static const char *env(const char *k)
{
    const char *v = getenv(k);
    if (!v || !*v) {
        fprintf(stderr, "test_mapi_crash: %s is not set (run me through dovecot_fixture.py run)\n",
                k);
        exit(2);
    }
    return v;
}

static void setup(void)
{
    ols_log_config lc;
    memset(&lc, 0, sizeof lc);
    lc.level = OLS_LOG_ERROR;
    lc.to_stderr = 1;
    ols_log_open(&lc, NULL);
    memset(&g_imap, 0, sizeof g_imap);
    g_imap.host = env("OLS_TEST_IMAP_HOST");
    g_imap.port = (uint16_t)atoi(env("OLS_TEST_IMAPS_PORT"));
    g_imap.security = OLS_SEC_TLS;
    g_imap.tls.ca_file = env("OLS_TEST_CA_FILE");
    g_imap.user = env("OLS_TEST_USER");
    g_imap.password = env("OLS_TEST_PASSWORD");
    g_imap.timeout_ms = 60000;
}

static ols_status sync_store(ols_store *s, const char *state, int force, ols_sync_report *rep)
{
    ols_sync_opts o;
    ols_err err = {0};
    ols_status st;
    memset(&o, 0, sizeof o);
    o.imap = &g_imap;
    o.store = s;
    o.state_path = state;
    o.only_folder = "INBOX";
    o.force = force;
    st = ols_sync_run(&o, rep, &err);
    if (st != OLS_OK)
        fprintf(stderr, "sync (%s): %s\n", s->ops->name, err.msg);
    return st;
}

static char *in_dir(const char *name) { return ols_path_join(g_dir, name); }

/* ---- the child: one sync of the PST kept in a file ---- */
static int child(void)
{
    char *pst = in_dir("pst.bin"), *state = in_dir("state.db"), *pins = in_dir("pins.json");
    fake_msgstore *fs = fake_msgstore_load(pst, NULL);
    IMsgStore *st;
    ols_store *s = NULL;
    ols_mapi_store_opts mo;
    ols_sync_report rep;
    ols_err err = {0};
    int rc;
    if (!fs) {
        fprintf(stderr, "child: cannot load %s\n", pst);
        return 3;
    }
    g_imap.tls.pin_file = pins;
    fake_msgstore_write_through(fs, pst);
    st = fake_msgstore_iface(fs);
    memset(&mo, 0, sizeof mo);
    mo.converter = OLS_MAPI_CONV_OWN;
    if (ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) != OLS_OK) {
        fprintf(stderr, "child: %s\n", err.msg);
        return 3;
    }
    rc = sync_store(s, state, 0, &rep) == OLS_OK ? 0 : 1;
    ols_store_close(s);
    st->lpVtbl->Release(st);
    fake_msgstore_release(fs);
    return rc;
}

static int run_child(int crash_at)
{
    wchar_t exe[MAX_PATH], cmd[2 * MAX_PATH + 64], *wdir = ols_utf8_to_wide(g_dir, -1);
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    DWORD code = 99;
    char n[32];
    GetModuleFileNameW(NULL, exe, MAX_PATH);
    _snwprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --child \"%ls\"", exe, wdir);
    cmd[sizeof cmd / sizeof cmd[0] - 1] = 0;
    free(wdir);
    snprintf(n, sizeof n, "%d", crash_at);
    SetEnvironmentVariableA("OLSYNC_CRASH_AT", crash_at ? n : NULL);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "CreateProcess failed: %lu\n", (unsigned long)GetLastError());
        SetEnvironmentVariableA("OLSYNC_CRASH_AT", NULL);
        return -1;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    SetEnvironmentVariableA("OLSYNC_CRASH_AT", NULL);
    return (int)code;
}

/* ---- the two views: Message-ID -> \Seen, counted ---- */
typedef struct view {
    char mid[512][96];
    int seen[512], count[512];
    int n, overflow;
} view;

static void view_add(view *v, const char *mid, int seen)
{
    int i;
    for (i = 0; i < v->n; i++)
        if (!strcmp(v->mid[i], mid)) {
            v->count[i]++;
            return;
        }
    if (v->n == 512) {
        v->overflow = 1;
        return;
    }
    snprintf(v->mid[v->n], sizeof v->mid[0], "%s", mid);
    v->seen[v->n] = seen;
    v->count[v->n] = 1;
    v->n++;
}

static int pst_row(void *ctx, const SRow *r)
{
    view *v = ctx;
    const SPropValue *m = ols_mapi_find(r->lpProps, r->cValues, PR_INTERNET_MESSAGE_ID_W);
    const SPropValue *f = ols_mapi_find(r->lpProps, r->cValues, PR_MESSAGE_FLAGS);
    char *mid = m ? ols_wide_to_utf8(m->Value.lpszW, -1) : _strdup("(none)");
    view_add(v, mid ? mid : "", f && (f->Value.ul & MSGFLAG_READ));
    free(mid);
    return 0;
}

static void pst_view(fake_msgstore *fs, view *v)
{
    static const ULONG cols[] = {PR_INTERNET_MESSAGE_ID_W, PR_MESSAGE_FLAGS};
    IMsgStore *st = fake_msgstore_iface(fs);
    IMAPIFolder *f = NULL;
    IMAPITable *t = NULL;
    memset(v, 0, sizeof *v);
    if (SUCCEEDED(fake_open_path(st, L"Inbox", &f)) &&
        SUCCEEDED(f->lpVtbl->GetContentsTable(f, 0, &t))) {
        ols_mapi_table_each(t, cols, 2, 200, pst_row, v);
        t->lpVtbl->Release(t);
    }
    if (f)
        f->lpVtbl->Release(f);
    st->lpVtbl->Release(st);
}

struct md_ctx {
    ols_store_folder *f;
    view *v;
    char ids[512][256];
    int n;
};

static ols_status mem_sink(void *ctx, const void *p, size_t n)
{
    ols_buf_put(ctx, p, n);
    return OLS_OK;
}

static int md_row(void *ctx, const ols_store_item *it)
{
    struct md_ctx *c = ctx;
    ols_buf b = {0};
    if (c->n < 512)
        snprintf(c->ids[c->n++], sizeof c->ids[0], "%s", it->id);
    if (c->v && c->f->store->ops->read_item(c->f, it->id, mem_sink, &b, NULL) == OLS_OK) {
        ols_eml_msg *m = NULL;
        if (ols_eml_parse(b.p ? b.p : "", b.n, &m, NULL) == OLS_OK) {
            const char *mid = ols_eml_header(&m->root, "Message-ID");
            view_add(c->v, mid ? mid : "(none)", (it->flags & OLS_MF_SEEN) != 0);
            ols_eml_free(m);
        }
    }
    ols_buf_free(&b);
    return 0;
}

static void md_view(ols_store *md, view *v, struct md_ctx *c)
{
    memset(c, 0, sizeof *c);
    if (v)
        memset(v, 0, sizeof *v);
    c->v = v;
    if (md->ops->open_folder(md, "INBOX", &c->f, NULL) != OLS_OK)
        return;
    md->ops->list_items(c->f, md_row, c, NULL);
    md->ops->close_folder(c->f);
}

static int same_views(const view *a, const view *b, char *why, size_t n)
{
    int i, j;
    if (a->overflow || b->overflow) {
        snprintf(why, n, "too many messages");
        return 0;
    }
    for (i = 0; i < a->n; i++)
        if (a->count[i] != 1) {
            snprintf(why, n, "duplicate %s in the PST (%d)", a->mid[i], a->count[i]);
            return 0;
        }
    for (i = 0; i < b->n; i++)
        if (b->count[i] != 1) {
            snprintf(why, n, "duplicate %s on the server (%d)", b->mid[i], b->count[i]);
            return 0;
        }
    if (a->n != b->n) {
        snprintf(why, n, "%d messages in the PST, %d on the server", a->n, b->n);
        return 0;
    }
    for (i = 0; i < a->n; i++) {
        for (j = 0; j < b->n && strcmp(a->mid[i], b->mid[j]); j++)
            ;
        if (j == b->n) {
            snprintf(why, n, "%s only in the PST", a->mid[i]);
            return 0;
        }
        if (a->seen[i] != b->seen[j]) {
            snprintf(why, n, "\\Seen of %s: PST %d, server %d", a->mid[i], a->seen[i], b->seen[j]);
            return 0;
        }
    }
    return 1;
}

static char *message(const char *who, int round, int i)
{
    char *m = malloc(512);
    snprintf(m, 512,
             "From: %s@example.org\r\nTo: alice@example.org\r\nSubject: %s r%d n%d\r\n"
             "Date: Wed, 22 Nov 2023 10:%02d:00 +0000\r\nMessage-ID: <%s-r%d-n%d@example.org>\r\n"
             "\r\nbody of %s r%d n%d\r\n",
             who, who, round, i, round % 60, who, round, i, who, round, i);
    return m;
}

/* Before each round: new mail, a flag change and a delete on both sides. */
static void make_changes(ols_store *md, const char *md_state, const char *pst, int round)
{
    struct md_ctx c;
    ols_store_folder *f = NULL;
    ols_sync_report rep;
    int i;
    fake_msgstore *fs;
    /* the server, through the second client */
    md_view(md, NULL, &c);
    if (md->ops->open_folder(md, "INBOX", &f, NULL) == OLS_OK) {
        for (i = 0; i < 2; i++) {
            ols_store_writer *w = NULL;
            char *m = message("srv", round, i), *id = NULL;
            md->ops->add_begin(f, 0, 0, NULL, &w, NULL);
            md->ops->add_write(w, m, strlen(m), NULL);
            md->ops->add_commit(w, NULL, &id, NULL);
            free(id);
            free(m);
        }
        if (c.n > 1)
            md->ops->set_flags(f, c.ids[0], round % 2 ? OLS_MF_SEEN : 0, NULL);
        if (c.n > 3)
            md->ops->delete_item(f, c.ids[c.n / 2], NULL);
        md->ops->close_folder(f);
    }
    sync_store(md, md_state, 0, &rep);
    /* the PST, as Outlook would change it */
    fs = fake_msgstore_load(pst, NULL);
    if (fs) {
        IMsgStore *st = fake_msgstore_iface(fs);
        IMAPIFolder *inbox = NULL;
        fake_msgstore_write_through(fs, pst);
        if (SUCCEEDED(fake_open_path(st, L"Inbox", &inbox))) {
            static const ULONG cols[] = {PR_ENTRYID};
            IMAPITable *t = NULL;
            SRowSet *rows = NULL;
            for (i = 0; i < 2; i++) {
                IMessage *m = NULL;
                char *text = message("loc", round, i);
                ols_mime_in_opts o = {0, MSGFLAG_READ, 0};
                if (SUCCEEDED(inbox->lpVtbl->CreateMessage(inbox, NULL, 0, &m))) {
                    ols_mime_to_mapi(text, strlen(text), m, &o, NULL);
                    m->lpVtbl->SaveChanges(m, 0);
                    m->lpVtbl->Release(m);
                }
                free(text);
            }
            if (SUCCEEDED(inbox->lpVtbl->GetContentsTable(inbox, 0, &t))) {
                SizedSPropTagArray(1, cs) = {1, {cols[0]}};
                t->lpVtbl->SetColumns(t, (LPSPropTagArray)&cs, 0);
                t->lpVtbl->QueryRows(t, 1000, 0, &rows);
                t->lpVtbl->Release(t);
            }
            if (rows && rows->cRows > 4) {
                /* mark one read or unread, delete another */
                ULONG type = 0;
                IUnknown *unk = NULL;
                const SBinary *e1 = &rows->aRow[1].lpProps[0].Value.bin;
                SBinary del = rows->aRow[rows->cRows / 2 + 1].lpProps[0].Value.bin;
                ENTRYLIST l = {1, &del};
                if (SUCCEEDED(st->lpVtbl->OpenEntry(st, e1->cb, (LPENTRYID)e1->lpb, NULL,
                                                    MAPI_MODIFY, &type, &unk))) {
                    IMessage *m = (IMessage *)unk;
                    m->lpVtbl->SetReadFlag(m, round % 3 ? CLEAR_READ_FLAG : SUPPRESS_RECEIPT);
                    m->lpVtbl->Release(m);
                }
                inbox->lpVtbl->DeleteMessages(inbox, &l, 0, NULL, 0);
            }
            ols_mapi_free_rows(rows);
            inbox->lpVtbl->Release(inbox);
        }
        st->lpVtbl->Release(st);
        fake_msgstore_release(fs);
    }
}

int main(int argc, char **argv)
{
    char *pst, *md_state, *mdroot;
    ols_store *md = NULL;
    ols_sync_report rep;
    ols_err err = {0};
    struct md_ctx c;
    int step, completed = 0, crashes = 0, i;

    setup();
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (argc >= 3 && !strcmp(argv[1], "--child")) {
        g_dir = argv[2];
        return child();
    }
    g_dir = t_scratch("mapi-crash");
    g_imap.tls.pin_file = in_dir("pins.json");
    pst = in_dir("pst.bin");
    md_state = in_dir("md.db");
    mdroot = in_dir("Mail");
    OK(ols_maildir_open(mdroot, &md, &err) == OLS_OK, "second client: %s", err.msg);
    if (!md)
        return T_DONE();
    /* a small INBOX keeps the number of steps small */
    OK(sync_store(md, md_state, 0, &rep) == OLS_OK, "second client's first sync");
    md_view(md, NULL, &c);
    {
        ols_store_folder *f = NULL;
        md->ops->open_folder(md, "INBOX", &f, NULL);
        for (i = 0; f && i < c.n; i++)
            md->ops->delete_item(f, c.ids[i], NULL);
        if (f)
            md->ops->close_folder(f);
    }
    OK(sync_store(md, md_state, 1, &rep) == OLS_OK, "the server's INBOX emptied");
    {
        fake_msgstore *fs = fake_msgstore_new(NULL);
        OK(fs && fake_msgstore_save(fs, pst) == 0, "a new PST file");
        if (fs)
            fake_msgstore_release(fs);
    }
    OK(run_child(0) == 0, "first sync of the PST");

    for (step = 1; !completed && step < 200; step++) {
        int rc;
        view a, b;
        char why[300] = "";
        make_changes(md, md_state, pst, step);
        rc = run_child(step);
        if (rc == 137) {
            crashes++;
        } else {
            OK(rc == 0, "sync at step %d ended with %d", step, rc);
            completed = 1;
        }
        OK(run_child(0) == 0, "the sync after a crash at step %d", step);
        sync_store(md, md_state, 0, &rep);
        {
            fake_msgstore *fs = fake_msgstore_load(pst, NULL);
            if (!fs) {
                OK(0, "the PST file reads back");
                break;
            }
            pst_view(fs, &a);
            fake_msgstore_release(fs);
        }
        md_view(md, &b, &c);
        OK(same_views(&a, &b, why, sizeof why), "converged after a crash at step %d: %s", step,
           why);
        if (why[0])
            break;
    }
    OK(completed, "a sync got through all its steps");
    OK(crashes > 5, "the steps were exercised (%d crashes)", crashes);
    fprintf(stderr, "crash points exercised: %d\n", crashes);
    ols_store_close(md);
    free(pst);
    free(md_state);
    free(mdroot);
    CoUninitialize();
    return T_DONE();
}
