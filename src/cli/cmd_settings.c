/* `olsync settings`: show, read and change the settings file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *type_name(ols_set_type t)
{
    switch (t) {
    case OLS_SET_BOOL: return "bool";
    case OLS_SET_INT: return "int";
    case OLS_SET_ENUM: return "choice";
    default: return "string";
    }
}

int cmd_settings(cli_ctx *c)
{
    const char *verb = c->argc > 0 ? c->argv[0] : "show";
    ols_err err = {0};
    int rc = cli_load(c);
    if (rc)
        return rc;
    if (!strcmp(verb, "show")) {
        char *j = ols_settings_to_json(c->settings);
        if (!j)
            return EX_FAIL;
        puts(j);
        free(j);
        return 0;
    }
    if (!strcmp(verb, "keys")) {
        size_t n, i;
        const ols_setting_def *d = ols_settings_defs(&n);
        for (i = 0; i < n; i++)
            printf("%-32s %-6s %-10s %s%s\n", d[i].key, type_name(d[i].type),
                   d[i].def[0] ? d[i].def : "\"\"", d[i].help,
                   ols_settings_is_locked(c->settings, d[i].key) ? " [locked]" : "");
        return 0;
    }
    if (!strcmp(verb, "get") && c->argc == 2) {
        const ols_setting_def *d = ols_settings_find(c->argv[1]);
        char *v;
        if (!d) {
            cli_error("unknown setting %s", c->argv[1]);
            return EX_USAGE_;
        }
        if (d->flags & OLS_SETF_SECRET) {
            cli_error("%s is secret and is not printed", d->key);
            return EX_USAGE_;
        }
        v = ols_settings_get_str(c->settings, d->key);
        printf("%s\n", v ? v : "");
        free(v);
        return 0;
    }
    if ((!strcmp(verb, "set") && c->argc == 3) || (!strcmp(verb, "reset") && c->argc == 2)) {
        const ols_setting_def *d = ols_settings_find(c->argv[1]);
        ols_status st;
        if (d && (d->flags & OLS_SETF_SECRET)) {
            cli_error("use `olsync secret set` for %s", d->key);
            return EX_USAGE_;
        }
        st = verb[0] == 's' ? ols_settings_set(c->settings, c->argv[1], c->argv[2], &err)
                            : ols_settings_reset(c->settings, c->argv[1], &err);
        if (st == OLS_OK)
            st = ols_settings_save(c->settings, c->config_path, &err);
        if (st != OLS_OK) {
            cli_error("%s", err.msg);
            return cli_status_exit(st);
        }
        return 0;
    }
    cli_error("usage: olsync settings [show|keys|get KEY|set KEY VALUE|reset KEY]");
    return EX_USAGE_;
}
