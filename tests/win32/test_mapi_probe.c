/* mapi_probe: the real engine with the real MAPI backend over fake_msgstore, a PST
 * stand-in kept in a folder between runs (two runs behave like two Outlook starts on the
 * same PST), for tests driven from outside:
 *
 *   mapi_probe --config CFG --state DIR [--local ACTIONS.json] [--dump OUT.json]
 *              [--sent PATH] [--trash PATH] [--junk PATH] [--no-sync]
 *
 * CFG is the JSON `olsync sync` reads (account.user, account.password, account.imap.host,
 * .port, .security, tls.ca_file, net.timeout_s); `--config env` builds it from the
 * fixture's OLS_TEST_* variables instead. ACTIONS.json is applied through MAPI calls before
 * syncing, the way Outlook would make them:
 *   [{"op": "read"|"unread"|"flag"|"unflag"|"delete", "folder": PATH, "message_id": ID},
 *    {"op": "move", "folder": PATH, "message_id": ID, "to": PATH},
 *    {"op": "create", "folder": PATH, "eml": FILE}]
 * --dump writes what the store holds after syncing, read back through MAPI:
 *   {"folders": [{"path": "...", "class": "IPF.Note", "items": [{"message_id": "<..>",
 *     "subject": "...", "from": "a@b", "read": true, "flagged": false, "answered": false,
 *     "attachments": ["f.bin"], "size": 1234}]}]}
 * Exit status: 0 only when the sync (and every action) succeeded. */
#include <cjson/cJSON.h>
#include <windows.h>

#include "fake_msgstore.h"
#include "mapi_mime.h"
#include "mapi_rt.h"
#include "mapi_store.h"
#include "olsync/log.h"
#include "olsync/settings.h"
#include "olsync/sync.h"
#include "plat/plat.h"

static int fail(const char *fmt, const char *a)
{
    fprintf(stderr, "mapi_probe: ");
    fprintf(stderr, fmt, a ? a : "");
    fputc('\n', stderr);
    return 1;
}

static int load_config(const char *path, ols_imap_config *c, char **owned, size_t nowned)
{
    ols_settings *set = NULL;
    ols_err err = {0};
    size_t k = 0;
    char *sec, *port, *timeout;
    memset(c, 0, sizeof *c);
    if (!strcmp(path, "env")) {
        c->host = getenv("OLS_TEST_IMAP_HOST");
        c->port = (uint16_t)atoi(getenv("OLS_TEST_IMAPS_PORT") ? getenv("OLS_TEST_IMAPS_PORT") : "0");
        c->security = OLS_SEC_TLS;
        c->tls.ca_file = getenv("OLS_TEST_CA_FILE");
        c->user = getenv("OLS_TEST_USER");
        c->password = getenv("OLS_TEST_PASSWORD");
        c->timeout_ms = 60000;
        return c->host && c->port && c->user && c->password ? 0 : -1;
    }
    if (ols_settings_new(&set) != OLS_OK || ols_settings_load_file(set, path, &err) != OLS_OK) {
        fprintf(stderr, "mapi_probe: %s\n", err.msg);
        ols_settings_free(set);
        return -1;
    }
    c->host = owned[k++] = ols_settings_get_str(set, "account.imap.host");
    c->user = owned[k++] = ols_settings_get_str(set, "account.user");
    c->password = owned[k++] = ols_settings_get_str(set, "account.password");
    c->tls.ca_file = owned[k++] = ols_settings_get_str(set, "tls.ca_file");
    sec = ols_settings_get_str(set, "account.imap.security");
    port = ols_settings_get_str(set, "account.imap.port");
    timeout = ols_settings_get_str(set, "net.timeout_s");
    c->security = ols_security_parse(sec ? sec : "") < 0 ? OLS_SEC_STARTTLS
                                                          : (ols_security)ols_security_parse(sec);
    c->port = (uint16_t)atoi(port ? port : "0");
    c->timeout_ms = (uint32_t)atoi(timeout ? timeout : "60") * 1000u;
    if (c->tls.ca_file && !*c->tls.ca_file)
        c->tls.ca_file = NULL;
    free(sec);
    free(port);
    free(timeout);
    ols_settings_free(set);
    (void)nowned;
    return c->host && *c->host && c->user && *c->user ? 0 : -1;
}

/* ---- actions ---- */
static IMessage *open_id(IMsgStore *st, const char *hex, int modify)
{
    BYTE *b = NULL;
    ULONG cb = 0, type = 0;
    IUnknown *unk = NULL;
    if (ols_hex_decode(hex, &b, &cb) != 0)
        return NULL;
    if (FAILED(st->lpVtbl->OpenEntry(st, cb, (LPENTRYID)b, &IID_IMessage,
                                     modify ? MAPI_MODIFY : 0, &type, &unk)))
        unk = NULL;
    free(b);
    return (IMessage *)unk;
}

struct find_ctx {
    IMsgStore *st;
    const char *mid;
    char id[256];
};

static int find_cb(void *ctx, const ols_store_item *it)
{
    struct find_ctx *c = ctx;
    IMessage *m = open_id(c->st, it->id, 0);
    char *mid = NULL;
    if (m) {
        ols_mapi_read_string((IMAPIProp *)m, PR_INTERNET_MESSAGE_ID_W, &mid);
        m->lpVtbl->Release(m);
    }
    if (mid && !strcmp(mid, c->mid))
        snprintf(c->id, sizeof c->id, "%s", it->id);
    free(mid);
    return c->id[0] != 0;
}

/* the id of the item with this Message-ID in a folder, "" if none */
static void find_item(ols_store *s, const char *folder, const char *mid, char *id)
{
    struct find_ctx c;
    ols_store_folder *f = NULL;
    memset(&c, 0, sizeof c);
    c.st = ols_mapi_store_msgstore(s);
    c.mid = mid;
    id[0] = 0;
    if (s->ops->open_folder(s, folder, &f, NULL) != OLS_OK)
        return;
    s->ops->list_items(f, find_cb, &c, NULL);
    s->ops->close_folder(f);
    strcpy(id, c.id);
}

static int apply(ols_store *s, const cJSON *a)
{
    IMsgStore *st = ols_mapi_store_msgstore(s);
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(a, "op"));
    const char *folder = cJSON_GetStringValue(cJSON_GetObjectItem(a, "folder"));
    const char *mid = cJSON_GetStringValue(cJSON_GetObjectItem(a, "message_id"));
    char id[256];
    IMessage *m;
    IMAPIFolder *f = NULL;
    HRESULT hr = E_FAIL;
    ols_err err = {0};
    if (!op || !folder)
        return fail("an action needs op and folder", NULL);
    if (ols_mapi_store_folder(s, folder, &f, &err) != OLS_OK)
        return fail("no folder %s", folder);
    if (!strcmp(op, "create")) {
        const char *eml = cJSON_GetStringValue(cJSON_GetObjectItem(a, "eml"));
        char *text = NULL;
        size_t len = 0;
        ols_mime_in_opts o = {0, MSGFLAG_READ, 0};
        m = NULL;
        if (!eml || ols_file_read_all(eml, 64u << 20, &text, &len, NULL) != OLS_OK) {
            f->lpVtbl->Release(f);
            return fail("cannot read %s", eml);
        }
        if (SUCCEEDED(f->lpVtbl->CreateMessage(f, NULL, 0, &m)) &&
            ols_mime_to_mapi(text, len, m, &o, &err) == OLS_OK)
            hr = m->lpVtbl->SaveChanges(m, 0);
        if (m)
            m->lpVtbl->Release(m);
        free(text);
        f->lpVtbl->Release(f);
        return FAILED(hr) ? fail("create failed in %s", folder) : 0;
    }
    if (!mid) {
        f->lpVtbl->Release(f);
        return fail("%s needs message_id", op);
    }
    find_item(s, folder, mid, id);
    if (!id[0]) {
        f->lpVtbl->Release(f);
        return fail("no message %s", mid);
    }
    if (!strcmp(op, "read") || !strcmp(op, "unread")) {
        m = open_id(st, id, 1);
        hr = m ? m->lpVtbl->SetReadFlag(m, op[0] == 'r' ? SUPPRESS_RECEIPT : CLEAR_READ_FLAG)
               : E_FAIL;
        if (m)
            m->lpVtbl->Release(m);
    } else if (!strcmp(op, "flag") || !strcmp(op, "unflag")) {
        m = open_id(st, id, 1);
        if (m) {
            if (op[0] == 'f') {
                SPropValue v[2];
                SPropProblemArray *p = NULL;
                memset(v, 0, sizeof v);
                v[0].ulPropTag = PR_FLAG_STATUS;
                v[0].Value.l = FOLLOWUP_FLAGGED;
                v[1].ulPropTag = PR_FOLLOWUP_ICON;
                v[1].Value.l = FOLLOWUP_ICON_RED;
                hr = m->lpVtbl->SetProps(m, 2, v, &p);
                ols_mapi_free(p);
            } else {
                hr = ols_mapi_delete_one((IMAPIProp *)m, PR_FLAG_STATUS);
            }
            if (SUCCEEDED(hr))
                hr = m->lpVtbl->SaveChanges(m, 0);
            m->lpVtbl->Release(m);
        }
    } else if (!strcmp(op, "delete") || !strcmp(op, "move")) {
        BYTE *b = NULL;
        ULONG cb = 0;
        SBinary bin;
        ENTRYLIST l;
        ols_hex_decode(id, &b, &cb);
        bin.cb = cb;
        bin.lpb = b;
        l.cValues = 1;
        l.lpbin = &bin;
        if (op[0] == 'd') {
            hr = f->lpVtbl->DeleteMessages(f, &l, 0, NULL, 0);
        } else {
            const char *to = cJSON_GetStringValue(cJSON_GetObjectItem(a, "to"));
            IMAPIFolder *dst = NULL;
            if (to && ols_mapi_store_folder(s, to, &dst, &err) == OLS_OK) {
                hr = f->lpVtbl->CopyMessages(f, &l, NULL, dst, 0, NULL, MESSAGE_MOVE);
                dst->lpVtbl->Release(dst);
            }
        }
        free(b);
    } else {
        f->lpVtbl->Release(f);
        return fail("unknown op %s", op);
    }
    f->lpVtbl->Release(f);
    return FAILED(hr) ? fail("%s failed", op) : 0;
}

static int apply_file(ols_store *s, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    cJSON *arr, *a;
    int rc = 0;
    if (ols_file_read_all(path, 16u << 20, &text, &len, NULL) != OLS_OK)
        return fail("cannot read %s", path);
    arr = cJSON_Parse(text);
    free(text);
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(arr);
        return fail("%s is not a JSON list", path);
    }
    cJSON_ArrayForEach(a, arr) rc |= apply(s, a);
    cJSON_Delete(arr);
    return rc;
}

/* ---- the dump ---- */
struct dump_ctx {
    ols_store *s;
    cJSON *folders;
};

static cJSON *jstr(IMAPIProp *o, ULONG tag)
{
    char *s = NULL;
    cJSON *j;
    ols_mapi_read_string(o, tag, &s);
    j = cJSON_CreateString(s ? s : "");
    free(s);
    return j;
}

static LONG jlong(IMAPIProp *o, ULONG tag)
{
    SPropValue *v = NULL;
    LONG r = 0;
    if (SUCCEEDED(ols_mapi_get_one(o, tag, &v)))
        r = v->Value.l;
    ols_mapi_free(v);
    return r;
}

static int att_cb(void *ctx, const SRow *row)
{
    cJSON *arr = ctx;
    const SPropValue *n = ols_mapi_find(row->lpProps, row->cValues, PR_ATTACH_LONG_FILENAME_W);
    const SPropValue *d = ols_mapi_find(row->lpProps, row->cValues, PR_DISPLAY_NAME_W);
    const SPropValue *h = ols_mapi_find(row->lpProps, row->cValues, PR_ATTACHMENT_HIDDEN);
    char *s = NULL;
    if (h && h->Value.b)
        return 0; /* inline pictures are not attachments for people */
    s = ols_wide_to_utf8(n ? n->Value.lpszW : d ? d->Value.lpszW : L"", -1);
    cJSON_AddItemToArray(arr, cJSON_CreateString(s ? s : ""));
    free(s);
    return 0;
}

static void dump_items(ols_store *s, const char *path, cJSON *items);

static int folder_cb(void *ctx, const ols_store_folder_info *fi)
{
    struct dump_ctx *c = ctx;
    cJSON *j = cJSON_CreateObject(), *items = cJSON_CreateArray();
    IMAPIFolder *f = NULL;
    char *cls = NULL;
    if (ols_mapi_store_folder(c->s, fi->path, &f, NULL) == OLS_OK) {
        ols_mapi_read_string((IMAPIProp *)f, PR_CONTAINER_CLASS_W, &cls);
        f->lpVtbl->Release(f);
    }
    cJSON_AddStringToObject(j, "path", fi->path);
    cJSON_AddStringToObject(j, "class", cls ? cls : "IPF.Note");
    free(cls);
    dump_items(c->s, fi->path, items);
    cJSON_AddItemToObject(j, "items", items);
    cJSON_AddItemToArray(c->folders, j);
    return 0;
}

struct item_list {
    char (*ids)[256];
    size_t n, cap;
};

static int collect_cb(void *ctx, const ols_store_item *it)
{
    struct item_list *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        char(*nv)[256] = realloc(l->ids, nc * sizeof *nv);
        if (!nv)
            return 1;
        l->ids = nv;
        l->cap = nc;
    }
    snprintf(l->ids[l->n++], 256, "%s", it->id);
    return 0;
}

static cJSON *item_json(IMsgStore *st, const char *id)
{
    static const ULONG acols[] = {PR_ATTACH_LONG_FILENAME_W, PR_DISPLAY_NAME_W,
                                  PR_ATTACHMENT_HIDDEN};
    IMessage *m = open_id(st, id, 0);
    cJSON *j, *atts;
    IMAPITable *t = NULL;
    LONG mf, verb;
    if (!m)
        return NULL;
    j = cJSON_CreateObject();
    atts = cJSON_CreateArray();
    mf = jlong((IMAPIProp *)m, PR_MESSAGE_FLAGS);
    verb = jlong((IMAPIProp *)m, PR_LAST_VERB_EXECUTED);
    cJSON_AddItemToObject(j, "message_id", jstr((IMAPIProp *)m, PR_INTERNET_MESSAGE_ID_W));
    cJSON_AddItemToObject(j, "subject", jstr((IMAPIProp *)m, PR_SUBJECT_W));
    cJSON_AddItemToObject(j, "from", jstr((IMAPIProp *)m, PR_SENT_REPRESENTING_SMTP_ADDRESS_W));
    cJSON_AddBoolToObject(j, "read", (mf & MSGFLAG_READ) != 0);
    cJSON_AddBoolToObject(j, "unsent", (mf & MSGFLAG_UNSENT) != 0);
    cJSON_AddBoolToObject(j, "flagged", jlong((IMAPIProp *)m, PR_FLAG_STATUS) == FOLLOWUP_FLAGGED);
    cJSON_AddBoolToObject(j, "answered",
                          verb == EXCHIVERB_REPLYTOSENDER || verb == EXCHIVERB_REPLYTOALL);
    if (SUCCEEDED(m->lpVtbl->GetAttachmentTable(m, 0, &t))) {
        ols_mapi_table_each(t, acols, 3, 100, att_cb, atts);
        t->lpVtbl->Release(t);
    }
    cJSON_AddItemToObject(j, "attachments", atts);
    cJSON_AddNumberToObject(j, "size", (double)jlong((IMAPIProp *)m, PR_MESSAGE_SIZE));
    cJSON_AddStringToObject(j, "id", id);
    m->lpVtbl->Release(m);
    return j;
}

static void dump_items(ols_store *s, const char *path, cJSON *items)
{
    struct item_list l = {NULL, 0, 0};
    ols_store_folder *f = NULL;
    size_t i;
    if (s->ops->open_folder(s, path, &f, NULL) != OLS_OK)
        return;
    s->ops->list_items(f, collect_cb, &l, NULL);
    s->ops->close_folder(f);
    for (i = 0; i < l.n; i++) {
        cJSON *j = item_json(ols_mapi_store_msgstore(s), l.ids[i]);
        if (j)
            cJSON_AddItemToArray(items, j);
    }
    free(l.ids);
}

static int dump(ols_store *s, const char *out)
{
    struct dump_ctx c;
    cJSON *root = cJSON_CreateObject();
    char *text;
    int rc;
    c.s = s;
    c.folders = cJSON_CreateArray();
    cJSON_AddItemToObject(root, "folders", c.folders);
    s->ops->list_folders(s, folder_cb, &c, NULL);
    text = cJSON_Print(root);
    rc = text && ols_file_write_atomic(out, text, strlen(text), 0, NULL) == OLS_OK ? 0 : 1;
    free(text);
    cJSON_Delete(root);
    return rc ? fail("cannot write %s", out) : 0;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *dir = NULL, *local = NULL, *out = NULL;
    ols_mapi_store_opts mo;
    ols_imap_config imap;
    char *owned[8] = {0}, *pst, *state, *pins;
    fake_msgstore *fs;
    IMsgStore *st;
    ols_store *s = NULL;
    ols_err err = {0};
    int i, rc = 0, no_sync = 0;
    ols_log_config lc;

    memset(&mo, 0, sizeof mo);
    mo.converter = OLS_MAPI_CONV_AUTO;
    for (i = 1; i < argc; i++) {
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--config") && next)
            config = argv[++i];
        else if (!strcmp(argv[i], "--state") && next)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--local") && next)
            local = argv[++i];
        else if (!strcmp(argv[i], "--dump") && next)
            out = argv[++i];
        else if (!strcmp(argv[i], "--sent") && next)
            mo.sent_path = argv[++i];
        else if (!strcmp(argv[i], "--trash") && next)
            mo.trash_path = argv[++i];
        else if (!strcmp(argv[i], "--junk") && next)
            mo.junk_path = argv[++i];
        else if (!strcmp(argv[i], "--no-sync"))
            no_sync = 1;
        else
            return fail("usage: mapi_probe --config CFG|env --state DIR [--local ACTIONS.json] "
                        "[--dump OUT.json] [--sent P] [--trash P] [--junk P] [--no-sync]%s",
                        NULL);
    }
    if (!config || !dir)
        return fail("--config and --state are required%s", NULL);
    memset(&lc, 0, sizeof lc);
    lc.level = OLS_LOG_WARNING;
    lc.to_stderr = 1;
    ols_log_open(&lc, NULL);
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (load_config(config, &imap, owned, 8) != 0)
        return fail("incomplete configuration in %s", config);
    ols_mkdir_p(dir, NULL);
    pst = ols_path_join(dir, "pst.bin");
    state = ols_path_join(dir, "state.db");
    pins = ols_path_join(dir, "pins.json");
    imap.tls.pin_file = pins;
    fs = fake_msgstore_load(pst, NULL);
    if (!fs)
        fs = fake_msgstore_new(NULL); /* the first start: a fresh PST */
    fake_msgstore_write_through(fs, pst);
    st = fake_msgstore_iface(fs);
    if (ols_mapi_store_open((IUnknown *)st, &mo, &s, &err) != OLS_OK)
        return fail("%s", err.msg);
    if (local)
        rc |= apply_file(s, local);
    if (!no_sync) {
        ols_sync_opts o;
        ols_sync_report rep;
        memset(&o, 0, sizeof o);
        o.imap = &imap;
        o.store = s;
        o.state_path = state;
        if (ols_sync_run(&o, &rep, &err) != OLS_OK) {
            fprintf(stderr, "mapi_probe: sync: %s\n", err.msg);
            rc = 1;
        } else {
            printf("{\"downloaded\": %llu, \"uploaded\": %llu, \"flags_local\": %llu, "
                   "\"flags_remote\": %llu, \"deleted_local\": %llu, \"deleted_remote\": %llu, "
                   "\"moved\": %llu, \"adopted\": %llu, \"failed\": %llu}\n",
                   (unsigned long long)rep.downloaded, (unsigned long long)rep.uploaded,
                   (unsigned long long)rep.flags_local, (unsigned long long)rep.flags_remote,
                   (unsigned long long)rep.deleted_local, (unsigned long long)rep.deleted_remote,
                   (unsigned long long)rep.moved, (unsigned long long)rep.adopted,
                   (unsigned long long)rep.failed);
        }
    }
    if (out)
        rc |= dump(s, out);
    ols_store_close(s);
    st->lpVtbl->Release(st);
    fake_msgstore_release(fs);
    for (i = 0; i < 8; i++)
        free(owned[i]);
    free(pst);
    free(state);
    free(pins);
    CoUninitialize();
    return rc;
}
