/* Account settings -> IMAP connection settings and the local store, shared by commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "plat/plat.h"

void cli_account_free(cli_account *a)
{
    free(a->host);
    free(a->user);
    free(a->ca_file);
    free(a->store_path);
    free(a->state_path);
    ols_secret_free(a->password);
    memset(a, 0, sizeof *a);
}

static uint64_t fnv(const char *s, uint64_t h)
{
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

int cli_account_load(cli_ctx *c, cli_account *a, int need_password)
{
    char *sec, secret_name[600], *state;
    int security;
    memset(a, 0, sizeof *a);
    a->host = ols_settings_get_str(c->settings, "account.imap.host");
    a->user = ols_settings_get_str(c->settings, "account.user");
    a->ca_file = ols_settings_get_str(c->settings, "tls.ca_file");
    a->store_path = ols_settings_get_str(c->settings, "store.path");
    sec = ols_settings_get_str(c->settings, "account.imap.security");
    security = ols_security_parse(sec ? sec : "");
    free(sec);
    if (!a->host || !*a->host || !a->user || !*a->user) {
        cli_error("set account.imap.host and account.user first (olsync settings set ...)");
        return EX_CONFIG_;
    }
    if (!a->store_path || !*a->store_path) {
        char *data = ols_dir_data();
        free(a->store_path);
        a->store_path = data ? ols_path_join(data, "Mail") : NULL;
        free(data);
    }
    a->cfg.host = a->host;
    a->cfg.port = (uint16_t)ols_settings_get_int(c->settings, "account.imap.port");
    a->cfg.security = security < 0 ? OLS_SEC_STARTTLS : (ols_security)security;
    a->cfg.tls.ca_file = a->ca_file && *a->ca_file ? a->ca_file : NULL;
    a->cfg.user = a->user;
    a->cfg.timeout_ms = (uint32_t)ols_settings_get_int(c->settings, "net.timeout_s") * 1000u;
    a->cfg.trace = ols_settings_get_bool(c->settings, "log.data_trace") ? "imap" : NULL;
    a->cfg.no_compress = !ols_settings_get_bool(c->settings, "net.compress");

    a->password = ols_settings_get_str(c->settings, "account.password");
    if (a->password && !*a->password) {
        free(a->password);
        a->password = NULL;
    }
    snprintf(secret_name, sizeof secret_name, "imap.%s@%s", a->user, a->host);
    if (!a->password) {
        ols_err err = {0};
        if (ols_secret_get(secret_name, &a->password, &err) != OLS_OK) {
            a->password = NULL;
            if (need_password) {
                cli_error("no password: %s (store one with `olsync secret set`)", err.msg);
                return EX_CONFIG_;
            }
        }
    }
    a->cfg.password = a->password;

    /* the state of this account and store pair lives under the state folder */
    state = ols_dir_state();
    if (state) {
        char name[64], port[8];
        uint64_t h = 1469598103934665603ull;
        snprintf(port, sizeof port, "%u", a->cfg.port);
        h = fnv(a->user, h);
        h = fnv("@", h);
        h = fnv(a->host, h);
        h = fnv(port, h);
        h = fnv(a->store_path ? a->store_path : "", h);
        snprintf(name, sizeof name, "sync-%016llx.db", (unsigned long long)h);
        if (ols_mkdir_p(state, NULL) == OLS_OK)
            a->state_path = ols_path_join(state, name);
        free(state);
    }
    if (!a->state_path || !a->store_path) {
        cli_error("out of memory");
        return EX_FAIL;
    }
    return 0;
}
