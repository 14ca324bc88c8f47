/* Shared pieces of the `olsync` command: options, config loading, exit codes. */
#ifndef OLS_CLI_H
#define OLS_CLI_H

#include "olsync/settings.h"
#include "olsync/status.h"

/* Conventional exit codes (sysexits-like). */
enum {
    EX_OK_ = 0,
    EX_FAIL = 1,      /* the operation failed */
    EX_USAGE_ = 2,    /* bad command line */
    EX_CONFIG_ = 78,  /* bad configuration */
};

typedef struct cli_ctx {
    int argc;          /* arguments after the command name */
    char **argv;
    const char *config_path; /* --config or the default */
    int json;          /* --json */
    int verbose;       /* -v: info to stderr; -vv debug */
    ols_settings *settings;
} cli_ctx;

typedef int (*cli_cmd_fn)(cli_ctx *c);

typedef struct cli_cmd {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
    const char *usage;
} cli_cmd;

/* Loads c->config_path into c->settings and opens the log; prints errors itself. */
int cli_load(cli_ctx *c);
/* Returns the value after `--name` in c->argv (removing both), or NULL. */
const char *cli_opt(cli_ctx *c, const char *name);
/* Returns 1 and removes `--name` if present. */
int cli_flag(cli_ctx *c, const char *name);
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
int cli_status_exit(ols_status st);

/* Commands, one file each. */
int cmd_version(cli_ctx *c);
int cmd_settings(cli_ctx *c);
int cmd_logs(cli_ctx *c);
int cmd_secret(cli_ctx *c);
int cmd_pop3(cli_ctx *c);
int cmd_trust(cli_ctx *c);
int cmd_sync(cli_ctx *c);
int cmd_status(cli_ctx *c);
int cmd_folders(cli_ctx *c);
int cmd_ignored(cli_ctx *c);
int cmd_fetch(cli_ctx *c);

#endif
