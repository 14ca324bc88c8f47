/* Modified UTF-7 folder names: round trips, RFC examples, malformed input. */
#include "olsync/mutf7.h"
#include "t.h"

static void pair(const char *utf8, const char *m)
{
    ols_err err = {0};
    char *e = ols_mutf7_encode(utf8, &err), *d = ols_mutf7_decode(m, &err);
    OK(e && !strcmp(e, m), "encode %s -> %s (want %s)", utf8, e ? e : "(null)", m);
    OK(d && !strcmp(d, utf8), "decode %s -> %s", m, d ? d : "(null)");
    free(e);
    free(d);
}

static void bad(const char *m)
{
    ols_err err = {0};
    char *d = ols_mutf7_decode(m, &err);
    OK(d == NULL && err.code == OLS_EPARSE, "malformed %s refused", m);
    free(d);
}

int main(void)
{
    ols_err err = {0};
    char *x;
    pair("INBOX", "INBOX");
    pair("Tom & Jerry", "Tom &- Jerry");
    pair("Projekte/\xc3\x9c" "berblick", "Projekte/&ANw-berblick");
    pair("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
         "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    pair("\xf0\x9f\x93\xa7 mail", "&2D3c5w- mail"); /* a surrogate pair */
    pair("", "");
    bad("&Jjo!");      /* unterminated */
    bad("&U,BTFw");    /* no closing '-' */
    bad("&AGE-");      /* encodes printable ASCII 'a' */
    bad("&2D3-");      /* lone high surrogate */
    bad("caf\xc3\xa9"); /* 8-bit in a mUTF-7 name */
    bad("&-&");        /* '&' run at end */
    x = ols_mutf7_encode("bad \xff utf8", &err);
    OK(x == NULL && err.code == OLS_EPARSE, "invalid UTF-8 refused");
    return T_DONE();
}
