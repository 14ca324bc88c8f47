/* The IMAP client against the seeded Dovecot fixture (run by dovecot_fixture.py run -- ...):
 * TLS and STARTTLS set-up and refusals, capabilities, folders, streamed fetches, pipelining,
 * APPEND/STORE/MOVE/EXPUNGE with QRESYNC, metadata, rights, quota, IDLE; then the same
 * sync-relevant calls with every extension ignored (plain IMAP4rev1). */
#include <stdarg.h>
#include <stdint.h>

#include "olsync/imap.h"
#include "olsync/log.h"
#include "olsync/mailflags.h"
#include "olsync/mutf7.h"
#include "plat/plat.h"
#include "t.h"

static const char *host, *ca, *bad_ca, *user, *pass, *user2, *pass2;
static uint16_t port_imap, port_imaps;
static char *scratch, *pins;

static const char *env(const char *k)
{
    const char *v = getenv(k);
    if (!v || !*v) {
        fprintf(stderr, "imap_probe: %s is not set (run me through dovecot_fixture.py run)\n", k);
        exit(2);
    }
    return v;
}

static void cfg_init(ols_imap_config *c, ols_security sec)
{
    memset(c, 0, sizeof *c);
    c->host = host;
    c->port = sec == OLS_SEC_TLS ? port_imaps : port_imap;
    c->security = sec;
    c->tls.ca_file = ca;
    c->tls.pin_file = pins;
    c->user = user;
    c->password = pass;
    c->timeout_ms = 30000;
    c->trace = "imap";
}

static ols_imap *open_conn(ols_security sec, uint64_t ignore, const char *what)
{
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    cfg_init(&c, sec);
    c.ignore_caps = ignore;
    OK(ols_imap_connect(&c, &im, &err) == OLS_OK, "%s: connect: %s", what, err.msg);
    return im;
}

/* ---------------- the protocol trace, from the log files ---------------- */

typedef struct slurp {
    const char *dir;
    char *all;
    size_t n;
} slurp;

static int slurp_cb(void *ctx, const char *name)
{
    slurp *s = ctx;
    char *path = ols_path_join(s->dir, name), *buf = NULL;
    size_t len = 0;
    if (path && ols_file_read_all(path, 64u << 20, &buf, &len, NULL) == OLS_OK) {
        char *x = realloc(s->all, s->n + len + 1);
        if (x) {
            s->all = x;
            memcpy(s->all + s->n, buf, len);
            s->n += len;
            s->all[s->n] = 0;
        }
    }
    free(buf);
    free(path);
    return 0;
}

static char *trace_text(void)
{
    slurp s;
    char *dir = ols_log_dir();
    memset(&s, 0, sizeof s);
    s.dir = dir;
    s.all = calloc(1, 1);
    if (dir)
        ols_dir_list(dir, slurp_cb, &s);
    free(dir);
    return s.all;
}

/* A client line ("C> ...") of the trace holds word. */
static int client_sent(const char *trace, const char *word)
{
    const char *l = trace;
    while (l && *l) {
        const char *nl = strchr(l, '\n'), *c = strstr(l, "C> ");
        const char *w = c ? strstr(c, word) : NULL;
        if (c && (!nl || c < nl) && w && (!nl || w < nl))
            return 1;
        l = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* ---------------- recording events ---------------- */

#define MAXM 512
typedef struct rec {
    int messages, begins, ends, vanished_n, vanished_earlier, exists_n;
    uint32_t uid[MAXM], size[MAXM];
    unsigned flags[MAXM];
    uint64_t modseq[MAXM];
    uint64_t body_bytes[MAXM];
    uint32_t body_hash[MAXM];
    uint64_t cur_bytes;
    uint32_t cur_hash;
    uint64_t announced;
    int bad_size;
    char vanished[512];
    char section[128];    /* the last section name */
    char bs[4096];        /* the last BODYSTRUCTURE */
} rec;

static ols_status r_begin(void *ctx, uint32_t uid, const char *section, uint64_t size)
{
    rec *r = ctx;
    (void)uid;
    snprintf(r->section, sizeof r->section, "%s", section);
    r->begins++;
    r->cur_bytes = 0;
    r->cur_hash = 2166136261u;
    r->announced = size;
    return OLS_OK;
}

static ols_status r_data(void *ctx, const void *p, size_t n)
{
    rec *r = ctx;
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++)
        r->cur_hash = (r->cur_hash ^ b[i]) * 16777619u;
    r->cur_bytes += n;
    return OLS_OK;
}

static ols_status r_end(void *ctx)
{
    rec *r = ctx;
    r->ends++;
    if (r->cur_bytes != r->announced)
        r->bad_size++;
    return OLS_OK;
}

static ols_status r_message(void *ctx, const ols_imap_msg *m)
{
    rec *r = ctx;
    if (r->messages < MAXM) {
        r->uid[r->messages] = m->uid;
        r->size[r->messages] = m->size;
        r->flags[r->messages] = m->flags;
        r->modseq[r->messages] = m->modseq;
        r->body_bytes[r->messages] = r->cur_bytes;
        r->body_hash[r->messages] = r->cur_hash;
    }
    if (m->bodystructure)
        snprintf(r->bs, sizeof r->bs, "%s", m->bodystructure);
    r->cur_bytes = 0;
    r->cur_hash = 0;
    r->messages++;
    return OLS_OK;
}

static void r_vanished(void *ctx, const char *set, int earlier)
{
    rec *r = ctx;
    r->vanished_n++;
    r->vanished_earlier += earlier;
    snprintf(r->vanished, sizeof r->vanished, "%s", set);
}

static void r_exists(void *ctx, uint32_t n)
{
    (void)n;
    ((rec *)ctx)->exists_n++;
}

static void ev_init(ols_imap_events *ev, rec *r)
{
    memset(ev, 0, sizeof *ev);
    memset(r, 0, sizeof *r);
    ev->ctx = r;
    ev->message = r_message;
    ev->body_begin = r_begin;
    ev->body_data = r_data;
    ev->body_end = r_end;
    ev->vanished = r_vanished;
    ev->exists = r_exists;
}

static int find_uid(const rec *r, uint32_t uid)
{
    int i;
    for (i = 0; i < r->messages && i < MAXM; i++)
        if (r->uid[i] == uid)
            return i;
    return -1;
}

/* ---------------- folders ---------------- */

#define MAXF 64
typedef struct flist {
    int n;
    char name[MAXF][128];
    char display[MAXF][128];
    unsigned flags[MAXF];
    int has_status[MAXF];
    uint32_t messages[MAXF], uidvalidity[MAXF];
    uint64_t hms[MAXF];
} flist;

static int list_cb(void *ctx, const ols_imap_folder *f)
{
    flist *l = ctx;
    if (l->n < MAXF) {
        snprintf(l->name[l->n], 128, "%s", f->name);
        snprintf(l->display[l->n], 128, "%s", f->display ? f->display : "(null)");
        l->flags[l->n] = f->flags;
        l->has_status[l->n] = f->has_status;
        l->messages[l->n] = f->messages;
        l->uidvalidity[l->n] = f->uidvalidity;
        l->hms[l->n] = f->highestmodseq;
    }
    l->n++;
    return 0;
}

static int find_folder(const flist *l, const char *name)
{
    int i;
    for (i = 0; i < l->n && i < MAXF; i++)
        if (!strcmp(l->name[i], name))
            return i;
    return -1;
}

static void check_folders(const flist *l, int plain, const char *what)
{
    static const struct {
        const char *name;
        unsigned flag;
    } want[] = {{"INBOX", 0},      {"Sent", OLS_FOLDER_SENT},   {"Drafts", OLS_FOLDER_DRAFTS},
                {"Junk", OLS_FOLDER_JUNK}, {"Trash", OLS_FOLDER_TRASH},
                {"Archive", OLS_FOLDER_ARCHIVE}, {"Projekte", 0}, {"Projekte/Alpha", 0},
                {"Calendar", 0},   {"Contacts", 0},             {"Tasks", 0}};
    size_t i;
    int k;
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        k = find_folder(l, want[i].name);
        OK(k >= 0, "%s: %s listed", what, want[i].name);
        if (k < 0)
            continue;
        OK((l->flags[k] & want[i].flag) == want[i].flag, "%s: %s special-use %x", what,
           want[i].name, l->flags[k]);
        OK(l->has_status[k] && l->uidvalidity[k] != 0, "%s: %s has STATUS", what, want[i].name);
        OK(plain ? l->hms[k] == 0 : l->hms[k] != 0, "%s: %s HIGHESTMODSEQ %llu", what,
           want[i].name, (unsigned long long)l->hms[k]);
        OK(!strcmp(want[i].name, "INBOX") || (l->flags[k] & OLS_FOLDER_SUBSCRIBED),
           "%s: %s subscribed", what, want[i].name);
    }
    k = find_folder(l, "INBOX");
    OK(k >= 0 && l->messages[k] >= 20, "%s: INBOX has the 20 seeded messages", what);
    k = find_folder(l, "Projekte/&ANw-berblick");
    OK(k >= 0 && !strcmp(l->display[k], "Projekte/\xc3\x9c" "berblick") && l->messages[k] == 2,
       "%s: non-ASCII folder decoded for display: %s", what, k >= 0 ? l->display[k] : "-");
    k = find_folder(l, "shared/bob/Shared Project");
    OK(k >= 0, "%s: bob's shared folder listed", what);
    OK(k < 0 || (l->flags[k] & OLS_FOLDER_OTHER_USERS) || plain,
       "%s: shared folder is in the other users' namespace", what);
    OK(k < 0 || (l->has_status[k] && l->messages[k] == 3), "%s: shared folder STATUS", what);
}

/* ---------------- the checks ---------------- */

static void check_tls_setup(void)
{
    ols_imap_config c;
    ols_imap *im = NULL;
    ols_err err = {0};
    ols_conn_stats s;
    uint64_t caps;
    char *t;
    static const struct {
        uint64_t bit;
        const char *name;
    } need[] = {{OLS_CAP_QRESYNC, "QRESYNC"},         {OLS_CAP_CONDSTORE, "CONDSTORE"},
                {OLS_CAP_COMPRESS, "COMPRESS"},       {OLS_CAP_METADATA, "METADATA"},
                {OLS_CAP_ACL, "ACL"},                 {OLS_CAP_QUOTA, "QUOTA"},
                {OLS_CAP_SPECIAL_USE, "SPECIAL-USE"}, {OLS_CAP_LIST_STATUS, "LIST-STATUS"},
                {OLS_CAP_BINARY, "BINARY"},           {OLS_CAP_MOVE, "MOVE"},
                {OLS_CAP_ESEARCH, "ESEARCH"},         {OLS_CAP_UIDPLUS, "UIDPLUS"},
                {OLS_CAP_LITERALPLUS, "LITERAL+"},    {OLS_CAP_ENABLE, "ENABLE"},
                {OLS_CAP_ID, "ID"},                   {OLS_CAP_IDLE, "IDLE"},
                {OLS_CAP_NAMESPACE, "NAMESPACE"},     {OLS_CAP_LIST_EXTENDED, "LIST-EXTENDED"}};
    size_t i;

    /* bad CA over STARTTLS: refused, and no credential ever on the wire */
    ols_log_clear(NULL);
    cfg_init(&c, OLS_SEC_STARTTLS);
    c.tls.ca_file = bad_ca;
    OK(ols_imap_connect(&c, &im, &err) == OLS_ETLS && !im, "STARTTLS with the wrong CA refused: %s",
       err.msg);
    t = trace_text();
    OK(client_sent(t, "STARTTLS"), "the trace saw the STARTTLS command:\n%s", t);
    OK(!client_sent(t, "LOGIN") && !client_sent(t, "AUTHENTICATE"),
       "no LOGIN/AUTHENTICATE before trust:\n%s", t);
    free(t);
    cfg_init(&c, OLS_SEC_TLS);
    c.tls.ca_file = bad_ca;
    OK(ols_imap_connect(&c, &im, &err) == OLS_ETLS && !im, "TLS with the wrong CA refused: %s",
       err.msg);

    /* STARTTLS, verified */
    im = open_conn(OLS_SEC_STARTTLS, 0, "STARTTLS");
    if (im) {
        caps = ols_imap_caps(im);
        for (i = 0; i < sizeof need / sizeof need[0]; i++)
            OK(caps & need[i].bit, "capability %s", need[i].name);
        OK(!(caps & OLS_CAP_STARTTLS), "capabilities were read again after TLS");
        OK(ols_conn_is_tls(ols_imap_conn(im)), "TLS on");
        OK(ols_conn_is_compressed(ols_imap_conn(im)), "COMPRESS=DEFLATE on");
        OK(ols_imap_noop(im, NULL, &err) == OLS_OK, "NOOP: %s", err.msg);
        ols_conn_stats_get(ols_imap_conn(im), &s);
        OK(s.wire_in > 0 && s.data_in > 0, "stats counted");
        ols_imap_close(im);
    }
    im = open_conn(OLS_SEC_TLS, 0, "implicit TLS");
    if (im) {
        OK(ols_conn_is_tls(ols_imap_conn(im)), "implicit TLS on");
        OK(ols_imap_noop(im, NULL, &err) == OLS_OK, "NOOP over TLS: %s", err.msg);
        ols_imap_close(im);
    }
    cfg_init(&c, OLS_SEC_TLS);
    c.password = "wrong-password";
    OK(ols_imap_connect(&c, &im, &err) == OLS_EAUTH && !im, "wrong password: %s %s",
       ols_status_name(err.code), err.msg);
    cfg_init(&c, OLS_SEC_TLS);
    c.no_compress = 1;
    im = NULL;
    if (ols_imap_connect(&c, &im, &err) == OLS_OK) {
        OK(!ols_conn_is_compressed(ols_imap_conn(im)), "no_compress honoured");
        ols_imap_close(im);
    } else {
        OK(0, "no_compress connect: %s", err.msg);
    }
}

/* Fetch every body of INBOX: once whole, once pipelined; both must agree with the sizes. */
static void check_fetch(ols_imap *im, int plain)
{
    ols_imap_events ev, ev2;
    rec *r = calloc(1, sizeof *r), *r2 = calloc(1, sizeof *r2);
    ols_imap_mailbox mb;
    ols_err err = {0};
    uint64_t total = 0, sizes = 0;
    int i, same = 1;
    static const char *const sets[] = {"1:4", "5:9", "10:12", "13:*", "3,7"};
    const char *items = plain ? "(UID RFC822.SIZE FLAGS BODY.PEEK[])"
                              : "(UID RFC822.SIZE FLAGS MODSEQ BODY.PEEK[])";

    ev_init(&ev, r);
    OK(ols_imap_select(im, "INBOX", 1, NULL, NULL, &mb, &err) == OLS_OK, "EXAMINE: %s", err.msg);
    OK(mb.readonly && mb.exists >= 20 && mb.uidvalidity, "EXAMINE read-only, %u messages",
       mb.exists);
    OK(ols_imap_uid_fetch(im, "1:*", items, 0, &ev, &err) == OLS_OK, "UID FETCH 1:*: %s", err.msg);
    OK(r->messages == (int)mb.exists && r->begins == r->messages && r->ends == r->messages,
       "one streamed body per message: %d messages %d bodies (%u exist)", r->messages, r->begins,
       mb.exists);
    OK(!r->bad_size, "every section as long as announced");
    for (i = 0; i < r->messages && i < MAXM; i++) {
        total += r->body_bytes[i];
        sizes += r->size[i];
        if (r->body_bytes[i] != r->size[i])
            same = 0;
        if (!plain && r->modseq[i] == 0)
            same = 0;
    }
    OK(same && total == sizes && total > 300 * 1024,
       "body bytes %llu equal RFC822.SIZE sum %llu (and each message's, modseq set)",
       (unsigned long long)total, (unsigned long long)sizes);

    ev_init(&ev2, r2);
    OK(ols_imap_uid_fetch_many(im, sets, sizeof sets / sizeof sets[0], items, &ev2, &err) ==
           OLS_OK,
       "pipelined fetch: %s", err.msg);
    OK(r2->messages == r->messages + 2, "pipelined: %d messages (%d + 2 repeated)", r2->messages,
       r->messages);
    same = 1;
    for (i = 0; i < r2->messages && i < MAXM; i++) {
        int k = find_uid(r, r2->uid[i]);
        if (k < 0 || r->body_hash[k] != r2->body_hash[i] || r->size[k] != r2->size[i])
            same = 0;
    }
    OK(same, "pipelined bodies equal the single fetch");

    /* message 3 carries a 300 KiB PDF (base64): BINARY hands it over decoded */
    if (!plain) {
        ev_init(&ev, r);
        OK(ols_imap_uid_fetch(im, "3", "(UID BODYSTRUCTURE BINARY.PEEK[2])", 0, &ev, &err) ==
                   OLS_OK && r->messages == 1,
           "BINARY fetch: %s", err.msg);
        OK(!strcmp(r->section, "BINARY[2]") && r->body_bytes[0] == 300 * 1024 && !r->bad_size,
           "BINARY[2] decoded: %s %llu bytes", r->section, (unsigned long long)r->body_bytes[0]);
        OK(strstr(r->bs, "\"application\" \"pdf\"") || strstr(r->bs, "\"APPLICATION\" \"PDF\""),
           "BODYSTRUCTURE names the PDF: %.200s", r->bs);
    }
    ev_init(&ev, r);
    OK(ols_imap_uid_fetch(im, "3", "(UID BODY.PEEK[HEADER] BODY.PEEK[2]<0.1000>)", 0, &ev, &err) ==
               OLS_OK && r->messages == 1 && r->begins == 2 && r->ends == 2,
       "header and a partial section: %d sections: %s", r->begins, err.msg);
    OK(!strcmp(r->section, "BODY[2]<0>") && r->body_bytes[0] == 1000 && !r->bad_size,
       "partial section %s: %llu bytes", r->section, (unsigned long long)r->body_bytes[0]);
    free(r);
    free(r2);
}

static int stop_now(void *ctx)
{
    (void)ctx;
    return 1;
}

typedef struct appender {
    ols_thread *th;
    ols_status st;
    ols_err err;
} appender;

static void append_later(void *arg)
{
    appender *a = arg;
    ols_imap_config c;
    ols_imap *im = NULL;
    static const char msg[] = "From: probe@example.org\r\nSubject: during IDLE\r\n\r\nhi\r\n";
    cfg_init(&c, OLS_SEC_TLS);
    c.trace = NULL;
    ols_sleep_ms(300);
    a->st = ols_imap_connect(&c, &im, &a->err);
    if (a->st == OLS_OK)
        a->st = ols_imap_append(im, "INBOX", 0, 0, msg, sizeof msg - 1, NULL, NULL, &a->err);
    ols_imap_close(im);
}

/* The sync engine's write path with every extension in use. */
static void check_changes(ols_imap *im)
{
    ols_imap_events ev, dev;
    rec *r = calloc(1, sizeof *r), *dr = calloc(1, sizeof *dr);
    ols_imap_mailbox mb, mb2;
    ols_imap_qresync q;
    ols_err err = {0};
    ols_imap_folder st;
    uint32_t v = 0, uid = 0, uid2 = 0, v2 = 0;
    char *s = NULL, *cu = NULL, *mod = NULL, set[32];
    static const char msg[] = "From: probe@example.org\r\nTo: alice@example.org\r\n"
                              "Subject: probe \xc3\xa4\r\nMessage-ID: <probe-1@olsync.test>\r\n\r\n"
                              "body line\r\n";
    appender ap;
    int k;

    ev_init(&dev, dr);
    ols_imap_set_events(im, &dev);

    /* APPEND with UIDPLUS */
    OK(ols_imap_append(im, "Projekte/Alpha", OLS_MF_SEEN | OLS_MF_FORWARDED, 1709283600, msg,
                       sizeof msg - 1, &v, &uid, &err) == OLS_OK,
       "APPEND: %s", err.msg);
    OK(ols_imap_status(im, "Projekte/Alpha", &st, &err) == OLS_OK && st.uidvalidity == v &&
           uid > 0 && st.uidnext == uid + 1 && st.messages == 2,
       "APPENDUID %u/%u matches STATUS %u/%u", v, uid, st.uidvalidity, st.uidnext);

    /* STORE, then QRESYNC from the old modseq reports the change */
    ev_init(&ev, r);
    OK(ols_imap_select(im, "INBOX", 0, NULL, &ev, &mb, &err) == OLS_OK && mb.highestmodseq > 0 &&
           !mb.readonly,
       "SELECT INBOX: %s", err.msg);
    OK(mb.permanentflags & OLS_MF_FORWARDED, "keywords allowed (\\*)");
    OK(ols_imap_uid_store(im, "3", "+FLAGS.SILENT", OLS_MF_FLAGGED | OLS_MF_FORWARDED, 0, NULL,
                          &err) == OLS_OK,
       "STORE: %s", err.msg);
    /* a conditional store against a stale modseq is refused for that UID */
    OK(ols_imap_uid_store(im, "3", "-FLAGS.SILENT", OLS_MF_FLAGGED, 1, &mod, &err) == OLS_OK &&
           mod && !strcmp(mod, "3"),
       "UNCHANGEDSINCE 1 -> MODIFIED %s: %s", mod ? mod : "(none)", err.msg);
    free(mod);
    q.uidvalidity = mb.uidvalidity;
    q.modseq = mb.highestmodseq;
    q.known_uids = NULL;
    ev_init(&ev, r);
    OK(ols_imap_select(im, "Projekte", 0, NULL, NULL, &mb2, &err) == OLS_OK, "SELECT Projekte");
    OK(ols_imap_select(im, "INBOX", 0, &q, &ev, &mb2, &err) == OLS_OK, "QRESYNC SELECT: %s",
       err.msg);
    k = find_uid(r, 3);
    OK(r->messages == 1 && k == 0 && (r->flags[0] & OLS_MF_FLAGGED) &&
           (r->flags[0] & OLS_MF_FORWARDED) && r->modseq[0] > q.modseq,
       "QRESYNC reports the flag change: %d messages", r->messages);
    OK(mb2.highestmodseq > q.modseq, "HIGHESTMODSEQ moved on");

    /* CHANGEDSINCE fetch sees the same */
    ev_init(&ev, r);
    OK(ols_imap_uid_fetch(im, "1:*", "(UID FLAGS MODSEQ)", q.modseq, &ev, &err) == OLS_OK &&
           r->messages == 1 && r->uid[0] == 3,
       "CHANGEDSINCE: %d messages: %s", r->messages, err.msg);

    /* UID EXPUNGE: VANISHED now (to the default events), VANISHED (EARLIER) on resync */
    q.modseq = mb2.highestmodseq;
    OK(ols_imap_uid_store(im, "20", "+FLAGS.SILENT", OLS_MF_DELETED, 0, NULL, &err) == OLS_OK,
       "mark 20 deleted");
    dr->vanished_n = 0;
    OK(ols_imap_uid_expunge(im, "20", &err) == OLS_OK, "UID EXPUNGE: %s", err.msg);
    OK(dr->vanished_n == 1 && !strcmp(dr->vanished, "20") && !dr->vanished_earlier,
       "VANISHED 20 reported: %s", dr->vanished);
    ev_init(&ev, r);
    OK(ols_imap_select(im, "Projekte", 0, NULL, NULL, &mb2, &err) == OLS_OK, "SELECT Projekte");
    OK(ols_imap_select(im, "INBOX", 0, &q, &ev, &mb2, &err) == OLS_OK, "QRESYNC again: %s",
       err.msg);
    OK(r->vanished_earlier >= 1 && strstr(r->vanished, "20"), "VANISHED (EARLIER) %s",
       r->vanished);

    /* MOVE with COPYUID; the source no longer has it */
    OK(ols_imap_select(im, "Projekte/Alpha", 0, NULL, NULL, &mb2, &err) == OLS_OK, "SELECT Alpha");
    snprintf(set, sizeof set, "%u", (unsigned)uid);
    OK(ols_imap_uid_move(im, set, "Archive", &cu, &err) == OLS_OK && cu, "MOVE: %s %s",
       cu ? cu : "(no COPYUID)", err.msg);
    if (cu && sscanf(cu, "%u %*s %u", &v2, &uid2) == 2) {
        OK(ols_imap_status(im, "Archive", &st, &err) == OLS_OK && st.uidvalidity == v2 &&
               st.uidnext == uid2 + 1,
           "COPYUID %s names the new message", cu);
    } else {
        OK(0, "COPYUID parses: %s", cu ? cu : "(null)");
    }
    free(cu);
    snprintf(set, sizeof set, "UID %u", (unsigned)uid);
    OK(ols_imap_uid_search(im, set, &s, &err) == OLS_OK && s && !strcmp(s, ""),
       "moved message gone from the source: \"%s\"", s ? s : err.msg);
    free(s);
    s = NULL;
    OK(ols_imap_uid_search(im, "ALL", &s, &err) == OLS_OK && s && *s, "ESEARCH ALL: %s",
       s ? s : err.msg);
    free(s);

    /* metadata, rights, quota */
    OK(ols_imap_getmetadata(im, "Calendar", "/private/vendor/kolab/folder-type", &s, &err) ==
               OLS_OK && s && !strcmp(s, "event.default"),
       "Calendar private folder-type: %s", s ? s : err.msg);
    free(s);
    OK(ols_imap_getmetadata(im, "Calendar", "/shared/vendor/kolab/folder-type", &s, &err) ==
               OLS_OK && s && !strcmp(s, "event"),
       "Calendar shared folder-type: %s", s ? s : err.msg);
    free(s);
    OK(ols_imap_setmetadata(im, "Projekte", "/private/comment", "line 1\r\nline \"2\" \xc3\xbc",
                            &err) == OLS_OK,
       "SETMETADATA (literal value): %s", err.msg);
    OK(ols_imap_getmetadata(im, "Projekte", "/private/comment", &s, &err) == OLS_OK && s &&
           !strcmp(s, "line 1\r\nline \"2\" \xc3\xbc"),
       "metadata round trip: %s", s ? s : err.msg);
    free(s);
    OK(ols_imap_setmetadata(im, "Projekte", "/private/comment", NULL, &err) == OLS_OK &&
           ols_imap_getmetadata(im, "Projekte", "/private/comment", &s, &err) == OLS_OK && !s,
       "metadata removed: %s", err.msg);
    OK(ols_imap_myrights(im, "INBOX", &s, &err) == OLS_OK && s && strchr(s, 'l') &&
           strchr(s, 'a'),
       "MYRIGHTS INBOX: %s", s ? s : err.msg);
    free(s);
    OK(ols_imap_myrights(im, "shared/bob/Shared Project", &s, &err) == OLS_OK && s &&
           strchr(s, 'l') && strchr(s, 'r') && !strchr(s, 'a'),
       "MYRIGHTS on bob's folder: %s", s ? s : err.msg);
    free(s);
    {
        uint64_t used = 0, limit = 0;
        OK(ols_imap_getquotaroot(im, "INBOX", &used, &limit, &err) == OLS_OK && used > 0 &&
               limit == 1048576,
           "quota %llu of %llu KiB: %s", (unsigned long long)used, (unsigned long long)limit,
           err.msg);
    }

    /* folder management */
    OK(ols_imap_create(im, "Probe &- Test", &err) == OLS_OK, "CREATE: %s", err.msg);
    OK(ols_imap_create(im, "Probe &- Test", &err) == OLS_EEXIST, "CREATE again: %s",
       ols_status_name(err.code));
    OK(ols_imap_rename(im, "Probe &- Test", "Probe2", &err) == OLS_OK, "RENAME: %s", err.msg);
    OK(ols_imap_subscribe(im, "Probe2", 1, &err) == OLS_OK, "SUBSCRIBE: %s", err.msg);
    OK(ols_imap_delete(im, "Probe2", &err) == OLS_OK, "DELETE: %s", err.msg);
    /* Dovecot says NO without [NONEXISTENT] here: ENOENT only when the code comes */
    k = ols_imap_select(im, "Does/Not/Exist", 0, NULL, NULL, &mb2, &err);
    OK((k == OLS_ENOENT || k == OLS_EIO) && strstr(err.msg, "Does/Not/Exist"),
       "SELECT of a missing folder: %s %s", ols_status_name(err.code), err.msg);
    OK(ols_imap_noop(im, NULL, &err) == OLS_OK, "usable after a refused SELECT: %s", err.msg);

    /* IDLE: another connection appends, IDLE returns with the news; stop() ends it */
    OK(ols_imap_select(im, "INBOX", 0, NULL, NULL, &mb, &err) == OLS_OK, "SELECT INBOX");
    ev_init(&ev, r);
    memset(&ap, 0, sizeof ap);
    if (ols_thread_start(&ap.th, append_later, &ap) == OLS_OK) {
        OK(ols_imap_idle(im, 120000, NULL, NULL, &ev, &err) == OLS_OK, "IDLE: %s", err.msg);
        ols_thread_join(ap.th);
        OK(ap.st == OLS_OK, "append from a second connection: %s", ap.err.msg);
        OK(r->exists_n >= 1, "IDLE returned with EXISTS");
    }
    OK(ols_imap_idle(im, 120000, stop_now, NULL, &ev, &err) == OLS_OK, "IDLE stopped: %s", err.msg);
    OK(ols_imap_noop(im, NULL, &err) == OLS_OK, "usable after IDLE: %s", err.msg);
    ols_imap_set_events(im, NULL);
    free(r);
    free(dr);
}

/* The same sync-relevant calls with every extension ignored. */
static void check_plain(void)
{
    ols_imap *im = open_conn(OLS_SEC_STARTTLS, ~0ull, "plain IMAP4rev1");
    flist *l = calloc(1, sizeof *l);
    ols_imap_mailbox mb;
    ols_err err = {0};
    uint32_t v = 1, uid = 1;
    char *s = NULL, *cu = NULL;
    static const char msg[] = "From: probe@example.org\r\nSubject: plain\r\n\r\nplain\r\n";

    if (!im) {
        free(l);
        return;
    }
    OK(ols_imap_caps(im) == 0, "every extension ignored: %llx",
       (unsigned long long)ols_imap_caps(im));
    OK(!ols_conn_is_compressed(ols_imap_conn(im)), "no COMPRESS");
    OK(ols_imap_list(im, 1, list_cb, l, &err) == OLS_OK, "plain LIST: %s", err.msg);
    check_folders(l, 1, "plain");
    OK(ols_imap_select(im, "INBOX", 0, NULL, NULL, &mb, &err) == OLS_OK && mb.highestmodseq == 0 &&
           mb.uidvalidity,
       "plain SELECT: %s", err.msg);
    check_fetch(im, 1);
    OK(ols_imap_select(im, "INBOX", 0, NULL, NULL, &mb, &err) == OLS_OK, "SELECT");
    OK(ols_imap_uid_search(im, "ALL", &s, &err) == OLS_OK && s && *s, "SEARCH: %s",
       s ? s : err.msg);
    free(s);
    OK(ols_imap_append(im, "Projekte", OLS_MF_DRAFT, 0, msg, sizeof msg - 1, &v, &uid, &err) ==
               OLS_OK && v == 0 && uid == 0,
       "APPEND without UIDPLUS: %s", err.msg);
    OK(ols_imap_select(im, "Projekte", 0, NULL, NULL, &mb, &err) == OLS_OK && mb.exists == 2,
       "Projekte has 2");
    OK(ols_imap_uid_search(im, "DRAFT", &s, &err) == OLS_OK && s && *s, "SEARCH DRAFT: %s",
       s ? s : err.msg);
    if (s && *s) {
        OK(ols_imap_uid_move(im, s, "Trash", &cu, &err) == OLS_OK, "MOVE by COPY: %s", err.msg);
        free(cu);
        OK(ols_imap_uid_expunge(im, s, &err) == OLS_EUNSUPPORTED, "no UID EXPUNGE: %s",
           ols_status_name(err.code));
        OK(ols_imap_expunge(im, &err) == OLS_OK, "EXPUNGE: %s", err.msg);
    }
    free(s);
    OK(ols_imap_select(im, "Projekte", 0, NULL, NULL, &mb, &err) == OLS_OK && mb.exists == 1,
       "moved away: %u left", mb.exists);
    OK(ols_imap_getmetadata(im, "Calendar", "/private/vendor/kolab/folder-type", &s, &err) ==
           OLS_EUNSUPPORTED,
       "METADATA ignored");
    OK(ols_imap_idle(im, 10000, stop_now, NULL, NULL, &err) == OLS_OK, "IDLE by polling: %s",
       err.msg);
    ols_imap_close(im);
    free(l);
}

int main(void)
{
    ols_imap *im;
    flist *l;
    ols_err err = {0};
    ols_log_config lc;
    char *logdir, *t;

    ols_net_init();
    host = env("OLS_TEST_IMAP_HOST");
    port_imap = (uint16_t)atoi(env("OLS_TEST_IMAP_PORT"));
    port_imaps = (uint16_t)atoi(env("OLS_TEST_IMAPS_PORT"));
    ca = env("OLS_TEST_CA_FILE");
    bad_ca = env("OLS_TEST_BAD_CA_FILE");
    user = env("OLS_TEST_USER");
    pass = env("OLS_TEST_PASSWORD");
    user2 = getenv("OLS_TEST_USER2");
    pass2 = getenv("OLS_TEST_PASSWORD2");
    (void)user2, (void)pass2;
    scratch = t_scratch("imap-probe");
    pins = ols_path_join(scratch, "pins.json");
    logdir = ols_path_join(scratch, "log");
    memset(&lc, 0, sizeof lc);
    lc.dir = logdir;
    lc.level = OLS_LOG_DEBUG;
    lc.data_trace = 1;
    if (ols_log_open(&lc, &err) != OLS_OK) {
        fprintf(stderr, "log: %s\n", err.msg);
        return 2;
    }

    check_tls_setup();

    im = open_conn(OLS_SEC_STARTTLS, 0, "extensions");
    if (im) {
        l = calloc(1, sizeof *l);
        OK(ols_imap_list(im, 1, list_cb, l, &err) == OLS_OK, "LIST-STATUS: %s", err.msg);
        check_folders(l, 0, "extended");
        free(l);
        check_fetch(im, 0);
        check_changes(im);
        ols_imap_close(im);
    }
    check_plain();

    t = trace_text();
    OK(strstr(t, "UID FETCH") != NULL, "the trace worked");
    OK(!strstr(t, pass), "the password never reached the log");
    free(t);
    ols_log_close();
    free(logdir);
    free(pins);
    free(scratch);
    return T_DONE();
}
