/* `olsync sync`, `status`, `folders`, `ignored`: the engine from the command line. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "cli.h"
#include "olsync/imap.h"
#include "olsync/log.h"
#include "olsync/mutf7.h"
#include "olsync/store.h"
#include "olsync/sync.h"
#include "plat/plat.h"
#include "sync/state.h"

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}
static int stop_requested(void *ctx)
{
    (void)ctx;
    return g_stop != 0;
}

static void human(uint64_t b, char *out, size_t n)
{
    if (b >= 10u * 1024 * 1024)
        snprintf(out, n, "%.1f MB", (double)b / (1024.0 * 1024.0));
    else if (b >= 10u * 1024)
        snprintf(out, n, "%.1f kB", (double)b / 1024.0);
    else
        snprintf(out, n, "%llu B", (unsigned long long)b);
}

/* One status line, redrawn in place; only when stderr is a terminal. */
static void show_progress(void *ctx, const ols_sync_progress *p)
{
    char in[32], rate[32];
    double secs = p->elapsed_ms / 1000.0;
    (void)ctx;
    human(p->bytes_in, in, sizeof in);
    human(secs > 0.2 ? (uint64_t)(p->bytes_in / secs) : 0, rate, sizeof rate);
    fprintf(stderr,
            "\r\033[K[%u/%u] %-24.24s down %llu/%llu  up %llu/%llu  stored %llu/%llu  %s  %s/s",
            p->folders_done, p->folders_total, p->folder ? p->folder : "",
            (unsigned long long)p->down_done, (unsigned long long)p->down_total,
            (unsigned long long)p->up_done, (unsigned long long)p->up_total,
            (unsigned long long)p->internal_done, (unsigned long long)p->internal_total, in,
            rate);
    fflush(stderr);
}

static void print_report(cli_ctx *c, const ols_sync_report *r, ols_status st, const char *msg)
{
    if (c->json) {
        printf("{\"status\": \"%s\", \"folders\": %u, \"downloaded\": %llu, \"uploaded\": %llu, "
               "\"flags_local\": %llu, \"flags_remote\": %llu, \"deleted_local\": %llu, "
               "\"deleted_remote\": %llu, \"moved\": %llu, \"adopted\": %llu, \"failed\": %llu, "
               "\"ignored\": %llu, \"folders_created_local\": %u, \"folders_created_remote\": %u, "
               "\"folders_deleted_local\": %u, \"folders_deleted_remote\": %u, "
               "\"folders_renamed\": %u, \"guard_tripped\": %u, \"body_fetches\": %llu, "
               "\"queued\": %llu, \"partial\": %llu, \"bytes_in\": %llu, \"bytes_out\": %llu}\n",
               ols_status_name(st), r->folders, (unsigned long long)r->downloaded,
               (unsigned long long)r->uploaded, (unsigned long long)r->flags_local,
               (unsigned long long)r->flags_remote, (unsigned long long)r->deleted_local,
               (unsigned long long)r->deleted_remote, (unsigned long long)r->moved,
               (unsigned long long)r->adopted, (unsigned long long)r->failed,
               (unsigned long long)r->ignored, r->folders_created_local,
               r->folders_created_remote, r->folders_deleted_local, r->folders_deleted_remote,
               r->folders_renamed, r->tripped, (unsigned long long)r->body_fetches,
               (unsigned long long)r->queued, (unsigned long long)r->partial,
               (unsigned long long)r->bytes_in, (unsigned long long)r->bytes_out);
        return;
    }
    {
        char in[32], out[32];
        human(r->bytes_in, in, sizeof in);
        human(r->bytes_out, out, sizeof out);
        printf("%u folders: %llu downloaded, %llu uploaded, %llu+%llu flag changes, "
               "%llu+%llu deleted, %u folders created, %u renamed, %s in, %s out\n",
               r->folders, (unsigned long long)r->downloaded, (unsigned long long)r->uploaded,
               (unsigned long long)r->flags_local, (unsigned long long)r->flags_remote,
               (unsigned long long)r->deleted_local, (unsigned long long)r->deleted_remote,
               r->folders_created_local + r->folders_created_remote, r->folders_renamed, in, out);
        if (r->failed)
            printf("%llu items failed (see the log); %llu now ignored\n",
                   (unsigned long long)r->failed, (unsigned long long)r->ignored);
        if (st != OLS_OK)
            fprintf(stderr, "olsync: %s\n", msg);
    }
}

/* Settings and the account; 0 or an exit code (the reason printed, a left clean). */
static int load_account(cli_ctx *c, cli_account *a, int need_password)
{
    int rc = cli_load(c);
    if (rc)
        return rc;
    if ((rc = cli_account_load(c, a, need_password)) != 0)
        cli_account_free(a);
    return rc;
}

/* Settings, the account and its Maildir; 0 or an exit code (the reason printed). */
static int open_account_store(cli_ctx *c, cli_account *a, ols_store **store)
{
    ols_err err = {0};
    int rc = load_account(c, a, 1);
    if (rc)
        return rc;
    if (ols_maildir_open(a->store_path, store, &err) != OLS_OK) {
        cli_error("%s", err.msg);
        cli_account_free(a);
        return EX_FAIL;
    }
    return 0;
}

/* Settings (download.mode, download.threshold_mb) unless --mode / --threshold say otherwise. */
static int download_opts(cli_ctx *c, const char *mode_s, const char *thr_s, ols_sync_opts *o)
{
    char *m = ols_settings_get_str(c->settings, "download.mode");
    int mode = ols_download_mode_parse(mode_s ? mode_s : m);
    long long mb = ols_settings_get_int(c->settings, "download.threshold_mb");
    free(m);
    if (mode < 0) {
        cli_error("--mode must be headers, custom or full");
        return EX_USAGE_;
    }
    if (thr_s) {
        char *end;
        mb = strtoll(thr_s, &end, 10);
        if (*end || mb < 0 || mb > 2048) {
            cli_error("--threshold is a number of MB from 0 to 2048");
            return EX_USAGE_;
        }
    }
    o->mode = (ols_download_mode)mode;
    o->threshold = (uint64_t)mb * 1024 * 1024;
    return 0;
}

int cmd_sync(cli_ctx *c)
{
    const char *folder = cli_opt(c, "folder");
    const char *mode_s = cli_opt(c, "mode"), *thr_s = cli_opt(c, "threshold");
    int full = cli_flag(c, "full"), force = cli_flag(c, "force");
    int quiet = cli_flag(c, "quiet");
    cli_account a;
    ols_store *store = NULL;
    ols_sync_opts o;
    ols_sync_report rep;
    ols_err err = {0};
    ols_status st;
    char *conflict;
    int rc = open_account_store(c, &a, &store);
    if (rc)
        return rc;
    memset(&o, 0, sizeof o);
    o.imap = &a.cfg;
    o.store = store;
    o.state_path = a.state_path;
    conflict = ols_settings_get_str(c->settings, "sync.conflict");
    o.conflict = conflict && !strcmp(conflict, "client") ? OLS_CONFLICT_CLIENT : OLS_CONFLICT_SERVER;
    free(conflict);
    o.force = force;
    o.full = full;
    o.full_every = (unsigned)ols_settings_get_int(c->settings, "sync.full_sync_every");
    o.guard_percent = (unsigned)ols_settings_get_int(c->settings, "sync.delete_guard_percent");
    o.guard_min = (unsigned)ols_settings_get_int(c->settings, "sync.delete_guard_min");
    o.only_folder = folder;
    /* net.connections counts the one kept free for on-demand fetches (olsync fetch) */
    {
        long long n = ols_settings_get_int(c->settings, "net.connections");
        o.connections = n > 1 ? (unsigned)(n - 1) : 1;
    }
    if ((rc = download_opts(c, mode_s, thr_s, &o)) != 0) {
        ols_store_close(store);
        cli_account_free(&a);
        return rc;
    }
    if (!quiet && !c->json && ols_is_tty(stderr))
        o.progress = show_progress;
    o.cancelled = stop_requested;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    OLS_LOG_INFO("sync", "sync of %s@%s into %s", a.user, a.host, a.store_path);
    st = ols_sync_run(&o, &rep, &err);
    if (o.progress)
        fputs("\n", stderr);
    print_report(c, &rep, st, err.msg);
    if (st != OLS_OK)
        OLS_LOG_ERR("sync", "%s", err.msg);
    ols_store_close(store);
    cli_account_free(&a);
    if (st == OLS_EBUSY)
        return 3; /* the mass-deletion guard stopped a folder */
    return st == OLS_OK ? 0 : (st == OLS_EAUTH || st == OLS_ETLS) ? 4 : EX_FAIL;
}

/* ---- status: from the state, no network ---- */
struct status_ctx {
    cli_ctx *c;
    ols_state *st;
    int first;
    uint64_t items;
};

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

static int status_folder(void *ctx, const ols_state_folder *f)
{
    struct status_ctx *s = ctx;
    uint64_t n = 0;
    char when[32] = "never";
    ols_state_item_count(s->st, f->id, &n);
    s->items += n;
    if (f->last_sync) {
        struct tm tm;
        ols_localtime((time_t)f->last_sync, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    }
    if (s->c->json) {
        printf("%s{\"path\": ", s->first ? "" : ", ");
        json_str(f->path);
        printf(", \"items\": %llu, \"uidvalidity\": %u, \"highestmodseq\": %llu, "
               "\"kind\": ",
               (unsigned long long)n, f->uidvalidity, (unsigned long long)f->highestmodseq);
        json_str(f->kind[0] ? f->kind : "mail");
        printf(", \"last_sync\": %lld}", (long long)f->last_sync);
    } else {
        printf("  %-40s %8llu items  %-8s last sync %s\n", f->path, (unsigned long long)n,
               f->kind[0] ? f->kind : "mail", when);
    }
    s->first = 0;
    return 0;
}

static int count_ignored(void *ctx, const char *folder, const char *key, const char *reason,
                         unsigned failures)
{
    (void)folder;
    (void)key;
    (void)reason;
    (void)failures;
    (*(unsigned *)ctx)++;
    return 0;
}

int cmd_status(cli_ctx *c)
{
    cli_account a;
    ols_state *st;
    ols_err err = {0};
    struct status_ctx s;
    unsigned ignored = 0;
    uint64_t queue[5];
    char *last = NULL;
    int rc = load_account(c, &a, 0);
    if (rc)
        return rc;
    if (ols_file_stat(a.state_path, NULL, NULL) != OLS_OK) {
        if (c->json)
            printf("{\"synced\": false, \"store\": \"%s\", \"folders\": []}\n", a.store_path);
        else
            printf("not synced yet (store %s)\n", a.store_path);
        cli_account_free(&a);
        return 0;
    }
    if (ols_state_open_ro(a.state_path, &st, &err) != OLS_OK) {
        cli_error("%s", err.msg);
        cli_account_free(&a);
        return EX_FAIL;
    }
    memset(&s, 0, sizeof s);
    s.c = c;
    s.st = st;
    s.first = 1;
    ols_state_ignored_list(st, count_ignored, &ignored, NULL);
    ols_fetchq_counts(st, queue);
    last = ols_state_meta_get(st, "last_pass");
    if (c->json) {
        printf("{\"synced\": true, \"account\": ");
        json_str(a.user);
        printf(", \"server\": ");
        json_str(a.host);
        printf(", \"store\": ");
        json_str(a.store_path);
        printf(", \"folders\": [");
        ols_state_folders(st, status_folder, &s, NULL);
        printf("], \"items\": %llu, \"ignored\": %u, \"queue\": {\"waiting\": %llu, "
               "\"now\": %llu, \"priority\": %llu, \"recent_small\": %llu, \"rest\": %llu}, "
               "\"last_pass\": %s}\n",
               (unsigned long long)s.items, ignored, (unsigned long long)queue[0],
               (unsigned long long)queue[1], (unsigned long long)queue[2],
               (unsigned long long)queue[3], (unsigned long long)queue[4], last ? last : "null");
    } else {
        printf("%s@%s -> %s\n", a.user, a.host, a.store_path);
        ols_state_folders(st, status_folder, &s, NULL);
        printf("%llu items in sync, %u ignored, %llu downloads queued\n",
               (unsigned long long)s.items, ignored, (unsigned long long)queue[0]);
    }
    free(last);
    ols_state_close(st);
    cli_account_free(&a);
    return 0;
}

/* ---- folders: what the server has ---- */
struct folders_ctx {
    cli_ctx *c;
    int first;
};

static int print_folder(void *ctx, const ols_imap_folder *f)
{
    struct folders_ctx *x = ctx;
    char *name = ols_mutf7_decode(f->name, NULL);
    const char *use = (f->flags & OLS_FOLDER_SENT)      ? "sent"
                      : (f->flags & OLS_FOLDER_TRASH)   ? "trash"
                      : (f->flags & OLS_FOLDER_JUNK)    ? "junk"
                      : (f->flags & OLS_FOLDER_DRAFTS)  ? "drafts"
                      : (f->flags & OLS_FOLDER_ARCHIVE) ? "archive"
                                                        : "";
    int synced = !ols_sync_folder_excluded(name ? name : f->name, f->flags) &&
                 !(f->flags & OLS_FOLDER_NOSELECT);
    if (x->c->json) {
        printf("%s{\"name\": ", x->first ? "" : ", ");
        json_str(name ? name : f->name);
        printf(", \"wire\": ");
        json_str(f->name);
        printf(", \"special_use\": ");
        json_str(use);
        printf(", \"synced\": %s}", synced ? "true" : "false");
    } else {
        printf("  %-40s %-8s %s\n", name ? name : f->name, use, synced ? "" : "(not synced)");
    }
    x->first = 0;
    free(name);
    return 0;
}

int cmd_folders(cli_ctx *c)
{
    cli_account a;
    ols_imap *im;
    ols_err err = {0};
    struct folders_ctx x = {c, 1};
    int rc = load_account(c, &a, 1);
    if (rc)
        return rc;
    if (ols_imap_connect(&a.cfg, &im, &err) != OLS_OK) {
        cli_error("%s", err.msg);
        cli_account_free(&a);
        return err.code == OLS_EAUTH || err.code == OLS_ETLS ? 4 : EX_FAIL;
    }
    if (c->json)
        printf("[");
    rc = ols_imap_list(im, 0, print_folder, &x, &err) == OLS_OK ? 0 : EX_FAIL;
    if (c->json)
        printf("]\n");
    if (rc)
        cli_error("%s", err.msg);
    ols_imap_close(im);
    cli_account_free(&a);
    return rc;
}

/* ---- ignored ---- */
struct ign_ctx {
    cli_ctx *c;
    int first;
};

static int print_ignored(void *ctx, const char *folder, const char *key, const char *reason,
                         unsigned failures)
{
    struct ign_ctx *x = ctx;
    if (x->c->json) {
        printf("%s{\"folder\": ", x->first ? "" : ", ");
        json_str(folder);
        printf(", \"item\": ");
        json_str(key);
        printf(", \"reason\": ");
        json_str(reason);
        printf(", \"failures\": %u}", failures);
    } else {
        printf("  %-30s %-24s %u failures: %s\n", folder, key, failures, reason);
    }
    x->first = 0;
    return 0;
}

int cmd_ignored(cli_ctx *c)
{
    int reset = cli_flag(c, "reset");
    const char *folder = cli_opt(c, "folder");
    cli_account a;
    ols_state *st;
    ols_err err = {0};
    struct ign_ctx x = {c, 1};
    int rc = load_account(c, &a, 0);
    if (rc)
        return rc;
    if (ols_state_open(a.state_path, &st, &err) != OLS_OK) {
        cli_error("%s", err.msg);
        cli_account_free(&a);
        return EX_FAIL;
    }
    if (reset) {
        int n = ols_state_ignored_reset(st, folder);
        printf("%d entries cleared; they are tried again on the next sync\n", n < 0 ? 0 : n);
    } else {
        if (c->json)
            printf("[");
        ols_state_ignored_list(st, print_ignored, &x, NULL);
        if (c->json)
            printf("]\n");
        else if (x.first)
            printf("no ignored items\n");
    }
    ols_state_close(st);
    cli_account_free(&a);
    return 0;
}

/* ---- fetch: one message or part now ---- */
int cmd_fetch(cli_ctx *c)
{
    const char *folder = cli_opt(c, "folder"), *uid_s = cli_opt(c, "uid");
    const char *section = cli_opt(c, "section");
    cli_account a;
    ols_store *store = NULL;
    ols_sync_opts o;
    ols_err err = {0};
    char *where = NULL, *end = NULL;
    unsigned long uid = uid_s ? strtoul(uid_s, &end, 10) : 0;
    ols_status st;
    int rc;
    if (!folder || !uid_s || *end || uid == 0 || uid > 0xffffffffUL) {
        cli_error("usage: olsync fetch --folder NAME --uid N [--section S]");
        return EX_USAGE_;
    }
    if (section) {
        const char *p;
        for (p = section; *p; p++)
            if (!((*p >= '0' && *p <= '9') || *p == '.'))
                break;
        if (*p || !*section || section[0] == '.' || strstr(section, "..")) {
            cli_error("--section is a part number such as 2 or 1.2");
            return EX_USAGE_;
        }
    }
    if ((rc = open_account_store(c, &a, &store)) != 0)
        return rc;
    memset(&o, 0, sizeof o);
    o.imap = &a.cfg;
    o.store = store;
    o.state_path = a.state_path;
    st = ols_sync_fetch(&o, folder, (uint32_t)uid, section, &where, &err);
    if (st == OLS_OK) {
        if (c->json) {
            printf("{\"status\": \"OK\", \"where\": ");
            json_str(where ? where : "");
            printf("}\n");
        } else {
            printf("%s\n", where ? where : "");
        }
    } else {
        cli_error("%s", err.msg);
    }
    free(where);
    ols_store_close(store);
    cli_account_free(&a);
    return st == OLS_OK ? 0 : st == OLS_ENOENT ? 2 : EX_FAIL;
}
