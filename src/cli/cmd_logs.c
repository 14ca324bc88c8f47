/* `olsync logs`: where logs are, a zip for support, clearing them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "olsync/log.h"

int cmd_logs(cli_ctx *c)
{
    const char *out = cli_opt(c, "out"), *days_s = cli_opt(c, "days");
    const char *verb = c->argc > 0 ? c->argv[0] : "dir";
    ols_err err = {0};
    int rc = cli_load(c);
    char *dir;
    if (rc)
        return rc;
    dir = ols_log_dir();
    if (!dir) {
        cli_error("no log folder");
        return EX_FAIL;
    }
    if (!strcmp(verb, "dir")) {
        puts(dir);
    } else if (!strcmp(verb, "zip")) {
        long days = days_s ? strtol(days_s, NULL, 10) : 2;
        if (!out || days < 1 || days > 3650) {
            cli_error("usage: olsync logs zip --out FILE [--days N]");
            rc = EX_USAGE_;
        } else if (ols_log_support_zip(out, (unsigned)days, &err) != OLS_OK) {
            cli_error("%s", err.msg);
            rc = EX_FAIL;
        } else {
            printf("%s\n", out);
        }
    } else if (!strcmp(verb, "clear")) {
        if (ols_log_clear(&err) != OLS_OK) {
            cli_error("%s", err.msg);
            rc = EX_FAIL;
        }
    } else {
        cli_error("usage: olsync logs [dir|zip --out FILE [--days N]|clear]");
        rc = EX_USAGE_;
    }
    free(dir);
    return rc;
}
