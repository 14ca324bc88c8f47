/* `olsync secret`: keep the account password in the platform secret store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plat/plat.h"

static int secret_name(cli_ctx *c, char *out, size_t n)
{
    char *user = ols_settings_get_str(c->settings, "account.user");
    char *host = ols_settings_get_str(c->settings, "account.imap.host");
    int ok = user && host && *user && *host;
    if (ok)
        snprintf(out, n, "imap.%s@%s", user, host);
    else
        cli_error("account.user and account.imap.host must be set first");
    free(user);
    free(host);
    return ok;
}

int cmd_secret(cli_ctx *c)
{
    const char *verb = c->argc > 0 ? c->argv[0] : "check";
    char name[512], line[4096];
    ols_err err = {0};
    int rc = cli_load(c);
    if (rc)
        return rc;
    if (!secret_name(c, name, sizeof name))
        return EX_CONFIG_;
    if (!strcmp(verb, "set")) {
        size_t l;
        if (!fgets(line, sizeof line, stdin)) {
            cli_error("no password on standard input");
            return EX_USAGE_;
        }
        l = strlen(line);
        while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
            line[--l] = '\0';
        rc = ols_secret_set(name, line, &err) == OLS_OK ? 0 : EX_FAIL;
        ols_memzero(line, sizeof line);
    } else if (!strcmp(verb, "delete")) {
        rc = ols_secret_delete(name, &err) == OLS_OK ? 0 : EX_FAIL;
        if (rc)
            snprintf(err.msg, sizeof err.msg, "no stored password for %s", name);
    } else if (!strcmp(verb, "check")) {
        char *v = NULL;
        rc = ols_secret_get(name, &v, &err) == OLS_OK ? 0 : EX_FAIL;
        if (!rc)
            printf("a password is stored for %s\n", name);
        ols_secret_free(v);
    } else {
        cli_error("usage: olsync secret [set|delete|check]");
        return EX_USAGE_;
    }
    if (rc)
        cli_error("%s", err.msg);
    return rc;
}
