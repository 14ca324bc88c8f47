/* `olsync trust`: show the IMAP server's certificate and pin it (trust on first use); list and remove pins. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "olsync/net.h"
#include "plat/plat.h"

#define LINE_MAX_ 8192
#define STARTTLS_MAX_LINES 64

static int list_cb(void *ctx, const char *hostport, const char *pin)
{
    cJSON *arr = ctx;
    if (arr) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "server", hostport);
        cJSON_AddStringToObject(o, "pin", pin);
        cJSON_AddItemToArray(arr, o);
    } else {
        printf("%-40s %s\n", hostport, pin);
    }
    return 0;
}

static int do_list(cli_ctx *c)
{
    ols_err err = {0};
    cJSON *arr = c->json ? cJSON_CreateArray() : NULL;
    char *text;
    if (ols_trust_list(NULL, list_cb, arr, &err) != OLS_OK) {
        cJSON_Delete(arr);
        cli_error("%s", err.msg);
        return cli_status_exit(err.code);
    }
    if (arr) {
        text = cJSON_Print(arr);
        if (text)
            printf("%s\n", text);
        free(text);
        cJSON_Delete(arr);
    }
    return EX_OK_;
}

static int do_remove(const char *what)
{
    ols_err err = {0};
    ols_status st;
    if (!strncmp(what, "sha256/", 7))
        st = ols_trust_remove(NULL, NULL, what, &err);
    else
        st = ols_trust_remove(NULL, what, NULL, &err);
    if (st != OLS_OK) {
        cli_error("%s", err.msg);
        return st == OLS_ENOENT ? EX_FAIL : cli_status_exit(st);
    }
    printf("removed %s\n", what);
    return EX_OK_;
}

/* One CRLF-terminated line, without the CRLF. Byte by byte: nothing past the line is
 * taken from the connection, so ols_conn_pending() still tells what followed it. */
static ols_status read_line(ols_conn *conn, char *buf, size_t n, ols_err *err)
{
    size_t got = 0;
    for (;;) {
        char ch;
        long r = ols_conn_read(conn, &ch, 1, err);
        if (r < 0)
            return err->code ? err->code : OLS_ENET;
        if (r == 0)
            return ols_err_set(err, OLS_ENET, "the server closed the connection");
        if (ch == '\n') {
            if (got && buf[got - 1] == '\r')
                got--;
            buf[got] = '\0';
            return OLS_OK;
        }
        if (got + 1 >= n)
            return ols_err_set(err, OLS_EPROTO, "the server sent a line longer than %u bytes",
                               (unsigned)n);
        buf[got++] = ch;
    }
}

/* The least IMAP needed to reach the TLS handshake: greeting, STARTTLS, tagged OK. */
static ols_status imap_starttls(ols_conn *conn, ols_err *err)
{
    char line[LINE_MAX_];
    ols_status st;
    int i;

    if ((st = read_line(conn, line, sizeof line, err)) != OLS_OK)
        return ols_err_prefix(err, "reading the greeting");
    if (strncmp(line, "* OK", 4))
        return ols_err_set(err, OLS_EPROTO, "unexpected greeting (STARTTLS needs \"* OK\"): "
                           "%.200s", line);
    if ((st = ols_conn_write(conn, "a STARTTLS\r\n", 12, err)) != OLS_OK ||
        (st = ols_conn_flush(conn, err)) != OLS_OK)
        return st;
    for (i = 0; i < STARTTLS_MAX_LINES; i++) {
        if ((st = read_line(conn, line, sizeof line, err)) != OLS_OK)
            return ols_err_prefix(err, "waiting for the STARTTLS answer");
        if (!strncmp(line, "* ", 2))
            continue;
        if (strncmp(line, "a ", 2))
            return ols_err_set(err, OLS_EPROTO, "unexpected answer to STARTTLS: %.200s", line);
        if (strncmp(line + 2, "OK", 2))
            return ols_err_set(err, OLS_EPROTO, "the server refused STARTTLS: %.200s", line);
        /* anything already sent after the OK came in the clear: refuse, never use it */
        if (ols_conn_pending(conn))
            return ols_err_set(err, OLS_EPROTO, "the server sent %u bytes after its STARTTLS "
                               "answer, before TLS (response injection?)",
                               (unsigned)ols_conn_pending(conn));
        return OLS_OK;
    }
    return ols_err_set(err, OLS_EPROTO, "no answer to STARTTLS after %d lines",
                       STARTTLS_MAX_LINES);
}

static void show_cert(const char *hostport, const char *security, const ols_cert_info *ci)
{
    printf("Server:       %s (%s)\n", hostport, security);
    printf("Subject:      %s\n", ci->subject);
    printf("Issuer:       %s\n", ci->issuer);
    printf("Valid:        %s to %s\n", ci->not_before, ci->not_after);
    printf("SHA-256:      %s\n", ci->sha256);
    printf("Public key:   %s\n", ci->pin);
    if (ci->verified)
        printf("Status:       trusted (verified chain and host name)\n");
    else if (ci->pinned)
        printf("Status:       trusted because it is pinned (%s)\n", ci->problem);
    else
        printf("Status:       NOT TRUSTED: %s\n", ci->problem);
}

static int ask_yes(const char *hostport)
{
    char answer[16];
    if (!ols_is_tty(stdin))
        return 0;
    printf("Trust this certificate for %s from now on? [y/N] ", hostport);
    fflush(stdout);
    if (!fgets(answer, sizeof answer, stdin))
        return 0;
    return answer[0] == 'y' || answer[0] == 'Y';
}

static int do_probe(cli_ctx *c, int yes, const char *o_host, const char *o_port,
                    const char *o_sec)
{
    char *host = o_host ? NULL : ols_settings_get_str(c->settings, "account.imap.host");
    char *sec = o_sec ? NULL : ols_settings_get_str(c->settings, "account.imap.security");
    char *ca = ols_settings_get_str(c->settings, "tls.ca_file");
    const char *h = o_host ? o_host : host, *s = o_sec ? o_sec : sec;
    long port = o_port ? strtol(o_port, NULL, 10)
                       : (long)ols_settings_get_int(c->settings, "account.imap.port");
    uint32_t timeout = (uint32_t)ols_settings_get_int(c->settings, "net.timeout_s") * 1000u;
    int security = ols_security_parse(s);
    ols_tls_config tls;
    ols_conn *conn = NULL;
    ols_cert_info ci;
    ols_err err = {0};
    ols_status st;
    char hostport[320];
    int rc = EX_FAIL;

    if (!h || !*h) {
        cli_error("account.imap.host is not set (or pass --host)");
        rc = EX_CONFIG_;
        goto out;
    }
    if (port < 1 || port > 65535 || security < 0) {
        cli_error("bad port %ld or security '%s'", port, s ? s : "");
        rc = EX_CONFIG_;
        goto out;
    }
    if (security == OLS_SEC_PLAIN) {
        cli_error("security is plain for %s: there is no certificate to trust", h);
        rc = EX_CONFIG_;
        goto out;
    }
    ols_trust_hostport(hostport, sizeof hostport, h, (uint16_t)port);
    tls.ca_file = ca;
    tls.pin_file = NULL;
    st = ols_conn_open(h, (uint16_t)port, timeout, &conn, &err);
    if (st == OLS_OK && security == OLS_SEC_STARTTLS)
        st = imap_starttls(conn, &err);
    if (st == OLS_OK)
        st = ols_conn_start_tls(conn, &tls, h, &err);
    if (!conn || ols_conn_peer_cert(conn, &ci) != OLS_OK) {
        cli_error("%s", err.msg);
        goto out;
    }
    show_cert(hostport, s, &ci);
    if (st == OLS_OK) {
        printf("%s\n", ci.verified ? "Nothing to do: the certificate is trusted without a pin."
                                   : "Nothing to do: the certificate is already pinned.");
        rc = EX_OK_;
        goto out;
    }
    if (st != OLS_ETLS || !ci.pin[0]) {
        cli_error("%s", err.msg);
        goto out;
    }
    if (!yes && !ask_yes(hostport)) {
        cli_error("not trusted; to pin it, check the fingerprint above with the server's "
                  "administrator and run: olsync trust --yes");
        goto out;
    }
    if (ols_trust_add(NULL, hostport, ci.pin, &err) != OLS_OK) {
        cli_error("%s", err.msg);
        goto out;
    }
    printf("Pinned %s for %s.\n", ci.pin, hostport);
    rc = EX_OK_;
out:
    ols_conn_close(conn);
    free(host);
    free(sec);
    free(ca);
    return rc;
}

int cmd_trust(cli_ctx *c)
{
    int list = cli_flag(c, "list");
    int yes = cli_flag(c, "yes");
    const char *rm = cli_opt(c, "remove");
    const char *o_host = cli_opt(c, "host");
    const char *o_port = cli_opt(c, "port");
    const char *o_sec = cli_opt(c, "security");
    int rc;

    if (c->argc > 0) {
        cli_error("unexpected argument '%s' (see olsync trust --help)", c->argv[0]);
        return EX_USAGE_;
    }
    if ((rc = cli_load(c)) != 0)
        return rc;
    if (list)
        return do_list(c);
    if (rm)
        return do_remove(rm);
    return do_probe(c, yes, o_host, o_port, o_sec);
}
