/* The `olsync` command: option parsing and dispatch to one file per command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "olsync/log.h"
#include "olsync/version.h"
#include "plat/plat.h"

static const cli_cmd commands[] = {
#ifdef OLS_HAVE_SYNC
    {"sync", cmd_sync, "two-way sync of the account with the local store",
     "olsync sync [--config F] [--folder NAME] [--mode headers|custom|full] [--threshold MB] "
     "[--full] [--force] [--json] [--quiet]"},
    {"fetch", cmd_fetch, "fetch one message or part now, ahead of the queue",
     "olsync fetch [--config F] --folder NAME --uid N [--section S] [--json]"},
    {"status", cmd_status, "what is in sync, from the local state (no network)",
     "olsync status [--config F] [--json]"},
    {"folders", cmd_folders, "the server's folders and which are synced",
     "olsync folders [--config F] [--json]"},
    {"ignored", cmd_ignored, "items skipped after failing three times; --reset retries them",
     "olsync ignored [--config F] [--reset [--folder NAME]] [--json]"},
#endif
    {"version", cmd_version, "print the version and the libraries used", "olsync version [--json]"},
    {"settings", cmd_settings, "show, read or change settings",
     "olsync settings [show|keys|get KEY|set KEY VALUE|reset KEY] [--config FILE] [--json]"},
    {"logs", cmd_logs, "log folder, support bundle, clear",
     "olsync logs [dir|zip --out FILE [--days N]|clear] [--config FILE]"},
    {"secret", cmd_secret, "store the account password in the secret store",
     "olsync secret [set|delete|check] [--config FILE]  (set reads the password from stdin)"},
    {"pop3", cmd_pop3, "loopback POP3 stub for Outlook", "olsync pop3 [--config F] [--port N] [--stop-on-eof] [--exit-after S]"},
    {"trust", cmd_trust, "show the server's certificate and pin it; list or remove pins", "olsync trust [--config F] [--yes] [--host H --port N --security tls|starttls] | --list [--json] | --remove PIN|HOST:PORT"},
};

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("olsync: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_status_exit(ols_status st)
{
    switch (st) {
    case OLS_OK: return EX_OK_;
    case OLS_EINVAL:
    case OLS_EPARSE:
    case OLS_ERANGE:
    case OLS_ELOCKED: return EX_CONFIG_;
    default: return EX_FAIL;
    }
}

static void drop_args(cli_ctx *c, int at, int n)
{
    int i;
    for (i = at; i + n < c->argc; i++)
        c->argv[i] = c->argv[i + n];
    c->argc -= n;
}

const char *cli_opt(cli_ctx *c, const char *name)
{
    int i;
    size_t nl = strlen(name);
    for (i = 0; i < c->argc; i++) {
        const char *a = c->argv[i];
        if (strncmp(a, "--", 2) || strncmp(a + 2, name, nl))
            continue;
        if (a[2 + nl] == '=') {
            drop_args(c, i, 1);
            return a + 3 + nl;
        }
        if (a[2 + nl] == '\0' && i + 1 < c->argc) {
            const char *v = c->argv[i + 1];
            drop_args(c, i, 2);
            return v;
        }
    }
    return NULL;
}

int cli_flag(cli_ctx *c, const char *name)
{
    int i;
    for (i = 0; i < c->argc; i++) {
        if (!strncmp(c->argv[i], "--", 2) && !strcmp(c->argv[i] + 2, name)) {
            drop_args(c, i, 1);
            return 1;
        }
    }
    return 0;
}

int cli_load(cli_ctx *c)
{
    ols_err err = {0};
    ols_log_config lc;
    char *state, *logdir, *lvl;
    int level;

    if (ols_settings_new(&c->settings) != OLS_OK) {
        cli_error("out of memory");
        return EX_FAIL;
    }
    if (ols_settings_load_file(c->settings, c->config_path, &err) != OLS_OK) {
        cli_error("%s", err.msg);
        return EX_CONFIG_;
    }
    lvl = ols_settings_get_str(c->settings, "log.level");
    level = ols_log_level_parse(lvl);
    free(lvl);
    state = ols_dir_state();
    logdir = state ? ols_path_join(state, "logs") : NULL;
    memset(&lc, 0, sizeof lc);
    lc.dir = logdir;
    lc.level = level < 0 ? OLS_LOG_INFO : (ols_log_level)level;
    if (c->verbose >= 2)
        lc.level = OLS_LOG_DEBUG;
    lc.keep_days = ols_settings_get_bool(c->settings, "log.auto_delete")
                       ? (unsigned)ols_settings_get_int(c->settings, "log.keep_days")
                       : 0;
    lc.max_file_bytes = (uint64_t)ols_settings_get_int(c->settings, "log.max_file_mb") << 20;
    lc.to_stderr = 1;
    lc.data_trace = ols_settings_get_bool(c->settings, "log.data_trace");
    if (ols_log_open(&lc, &err) != OLS_OK) /* not fatal: go on without a log file */
        cli_error("warning: %s", err.msg);
    {
        char *pw = ols_settings_get_str(c->settings, "account.password");
        if (pw && *pw)
            ols_log_add_secret(pw);
        free(pw);
    }
    free(logdir);
    free(state);
    return EX_OK_;
}

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: olsync COMMAND [options]\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\ncommon options: --config FILE (default: %s), --json, -v, --help\n",
            "the user's olsync/config.json");
}

int main(int argc, char **argv)
{
    cli_ctx c;
    const cli_cmd *cmd = NULL;
    char *cfgdir = NULL, *defcfg = NULL;
    const char *cfg;
    size_t i;
    int rc, j;

    ols_utf8_args(&argc, &argv);
    ols_net_init();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE_ : EX_OK_;
    }
    if (!strcmp(argv[1], "--version"))
        argv[1] = "version";
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(commands[i].name, argv[1]))
            cmd = &commands[i];
    if (!cmd) {
        cli_error("unknown command '%s' (try olsync --help)", argv[1]);
        return EX_USAGE_;
    }
    memset(&c, 0, sizeof c);
    c.argc = argc - 2;
    c.argv = argv + 2;
    if (cli_flag(&c, "help")) {
        printf("usage: %s\n%s\n", cmd->usage, cmd->summary);
        return EX_OK_;
    }
    c.json = cli_flag(&c, "json");
    for (j = 0; j < c.argc; j++) {
        if (!strcmp(c.argv[j], "-v") || !strcmp(c.argv[j], "-vv")) {
            c.verbose = c.argv[j][2] ? 2 : 1;
            drop_args(&c, j, 1);
            j--;
        }
    }
    cfg = cli_opt(&c, "config");
    if (!cfg) {
        cfgdir = ols_dir_config();
        defcfg = cfgdir ? ols_path_join(cfgdir, "config.json") : NULL;
        cfg = defcfg ? defcfg : "config.json";
    }
    c.config_path = cfg;
    rc = cmd->fn(&c);
    ols_settings_free(c.settings);
    ols_log_close();
    free(defcfg);
    free(cfgdir);
    return rc;
}
