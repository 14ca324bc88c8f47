/* BODYSTRUCTURE -> part tree: sections, boundaries, dispositions, bounds. */
#include "olsync/imap_body.h"
#include "t.h"

int main(void)
{
    ols_mime_part *p = NULL;
    ols_err err = {0};
    /* multipart/mixed with an alternative and an attachment (as Dovecot sends it) */
    static const char bs[] =
        "(((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 120 4 NIL NIL "
        "NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 300 10 NIL NIL NIL "
        "NIL) \"alternative\" (\"boundary\" \"alt-b\") NIL NIL NIL)(\"application\" \"pdf\" "
        "(\"name\" \"report.pdf\") NIL NIL \"base64\" 409600 NIL (\"attachment\" (\"filename\" "
        "\"report.pdf\")) NIL NIL) \"mixed\" (\"boundary\" \"mix-b\") NIL NIL NIL)";
    OK(ols_mime_parse_bodystructure(bs, &p, &err) == OLS_OK, "parse: %s", err.msg);
    if (p) {
        ols_mime_part *alt = p->child, *pdf = alt ? alt->next : NULL;
        OK(!strcmp(p->type, "multipart") && !strcmp(p->subtype, "mixed"), "top multipart");
        OK(!strcmp(p->boundary, "mix-b"), "boundary %s", p->boundary);
        OK(alt && !strcmp(alt->subtype, "alternative") && !strcmp(alt->section, "1"), "1 alt");
        OK(alt && alt->child && !strcmp(alt->child->section, "1.1") &&
               !strcmp(alt->child->charset, "utf-8") &&
               !strcmp(alt->child->encoding, "quoted-printable"),
           "1.1 text/plain");
        OK(alt && alt->child && alt->child->next && !strcmp(alt->child->next->section, "1.2") &&
               ols_mime_is_readable_text(alt->child->next),
           "1.2 html readable");
        OK(pdf && !strcmp(pdf->section, "2") && pdf->size == 409600 &&
               !strcmp(pdf->disposition, "attachment") && !strcmp(pdf->filename, "report.pdf") &&
               !ols_mime_is_readable_text(pdf),
           "2 attachment");
    }
    ols_mime_free(p);
    /* single part */
    OK(ols_mime_parse_bodystructure("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL "
                                    "\"7BIT\" 12 1 NIL NIL NIL NIL)",
                                    &p, &err) == OLS_OK &&
           !strcmp(p->type, "text") && !strcmp(p->section, "") && p->size == 12,
       "single part, case folded");
    ols_mime_free(p);
    OK(ols_mime_parse_bodystructure("((\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1) \"mixed\")",
                                    &p, &err) == OLS_EPARSE,
       "multipart without boundary refused");
    OK(ols_mime_parse_bodystructure("(\"text\"", &p, &err) == OLS_EPARSE, "truncated refused");
    OK(ols_mime_parse_bodystructure("NIL", &p, &err) == OLS_EPARSE, "not a list refused");
    {
        /* 40 levels of nesting is refused, not recursed into */
        char deep[4096] = "";
        int i;
        for (i = 0; i < 40; i++)
            strcat(deep, "(");
        strcat(deep, "\"text\" \"plain\" NIL NIL NIL \"7bit\" 1 1)");
        for (i = 0; i < 39; i++)
            strcat(deep, " \"mixed\" (\"boundary\" \"b\"))");
        OK(ols_mime_parse_bodystructure(deep, &p, &err) == OLS_EPARSE, "too deep refused");
    }
    return T_DONE();
}
