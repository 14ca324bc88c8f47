/* BODYSTRUCTURE (RFC 3501 7.4.2) -> a part tree, reusing the response parser for syntax. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/parser.h"
#include "imap/resp.h"
#include "olsync/imap_body.h"

#define MAX_PARTS 2000
#define MAX_DEPTH 30

static void lower_copy(char *dst, size_t n, const char *src)
{
    size_t i;
    for (i = 0; src && src[i] && i + 1 < n; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

static const char *str_of(const ols_imap_arg *a)
{
    if (!a || (a->type != OLS_IMAP_ARG_STRING && a->type != OLS_IMAP_ARG_ATOM))
        return NULL;
    return a->s;
}

static const ols_imap_arg *nth(const ols_imap_arg *a, int n)
{
    while (a && n-- > 0)
        a = a->next;
    return a;
}

/* ("name" "value" ...) -> value of name (case-insensitive), or NULL */
static const char *param(const ols_imap_arg *list, const char *name)
{
    const ols_imap_arg *a;
    if (!list || list->type != OLS_IMAP_ARG_LIST)
        return NULL;
    for (a = list->list; a && a->next; a = a->next->next) {
        const char *k = str_of(a);
        if (k && ols_imap_strcaseeq(k, name))
            return str_of(a->next);
    }
    return NULL;
}

struct ctx {
    unsigned parts;
    ols_err *err;
};

static ols_mime_part *parse_part(struct ctx *c, const ols_imap_arg *a, const char *section,
                                 unsigned depth);

static void set_section(char *dst, size_t n, const char *parent, unsigned idx)
{
    if (parent[0])
        snprintf(dst, n, "%s.%u", parent, idx);
    else
        snprintf(dst, n, "%u", idx);
}

static void disposition_of(ols_mime_part *p, const ols_imap_arg *d)
{
    const char *fn;
    if (!d || d->type != OLS_IMAP_ARG_LIST || !d->list)
        return;
    lower_copy(p->disposition, sizeof p->disposition, str_of(d->list));
    fn = param(d->list->next, "filename");
    if (fn)
        snprintf(p->filename, sizeof p->filename, "%s", fn);
}

static ols_mime_part *parse_part(struct ctx *c, const ols_imap_arg *a, const char *section,
                                 unsigned depth)
{
    ols_mime_part *p;
    if (!a || a->type != OLS_IMAP_ARG_LIST || !a->list || depth > MAX_DEPTH ||
        ++c->parts > MAX_PARTS) {
        ols_err_set(c->err, OLS_EPARSE, "BODYSTRUCTURE malformed or too deep at part %s",
                    section[0] ? section : "(top)");
        return NULL;
    }
    p = calloc(1, sizeof *p);
    if (!p) {
        ols_err_set(c->err, OLS_ENOMEM, "out of memory");
        return NULL;
    }
    snprintf(p->section, sizeof p->section, "%s", section);
    if (a->list->type == OLS_IMAP_ARG_LIST) {
        /* multipart: (part)(part)... "subtype" (params) ... */
        const ols_imap_arg *x = a->list;
        ols_mime_part **tail = &p->child;
        unsigned idx = 1;
        snprintf(p->type, sizeof p->type, "multipart");
        for (; x && x->type == OLS_IMAP_ARG_LIST; x = x->next, idx++) {
            char sub[64];
            ols_mime_part *ch;
            set_section(sub, sizeof sub, section, idx);
            ch = parse_part(c, x, sub, depth + 1);
            if (!ch) {
                ols_mime_free(p);
                return NULL;
            }
            *tail = ch;
            tail = &ch->next;
        }
        lower_copy(p->subtype, sizeof p->subtype, str_of(x));
        if (x) {
            const char *b = param(x->next, "boundary");
            if (b)
                snprintf(p->boundary, sizeof p->boundary, "%s", b);
            if (x->next)
                disposition_of(p, x->next->next);
        }
        if (!p->boundary[0]) {
            ols_err_set(c->err, OLS_EPARSE, "multipart without a boundary at part %s",
                        section[0] ? section : "(top)");
            ols_mime_free(p);
            return NULL;
        }
        return p;
    }
    /* leaf: type subtype (params) id description encoding size ... */
    lower_copy(p->type, sizeof p->type, str_of(nth(a->list, 0)));
    lower_copy(p->subtype, sizeof p->subtype, str_of(nth(a->list, 1)));
    {
        const char *cs = param(nth(a->list, 2), "charset");
        const char *nm = param(nth(a->list, 2), "name");
        uint32_t sz = 0;
        if (cs)
            lower_copy(p->charset, sizeof p->charset, cs);
        if (nm)
            snprintf(p->filename, sizeof p->filename, "%s", nm);
        lower_copy(p->encoding, sizeof p->encoding, str_of(nth(a->list, 5)));
        if (ols_imap_arg_u32(nth(a->list, 6), &sz))
            p->size = sz;
    }
    if (!p->type[0] || !p->subtype[0]) {
        ols_err_set(c->err, OLS_EPARSE, "part %s has no type", section[0] ? section : "1");
        ols_mime_free(p);
        return NULL;
    }
    if (!strcmp(p->type, "message") && !strcmp(p->subtype, "rfc822")) {
        /* ... envelope body lines [md5 disposition ...] */
        const ols_imap_arg *body = nth(a->list, 8);
        char sub[64];
        /* the embedded message's parts are numbered under this section */
        snprintf(sub, sizeof sub, "%s", section[0] ? section : "1");
        if (body && body->type == OLS_IMAP_ARG_LIST) {
            p->child = parse_part(c, body, sub, depth + 1);
            if (!p->child) {
                ols_mime_free(p);
                return NULL;
            }
        }
        disposition_of(p, nth(a->list, 11));
    } else if (!strcmp(p->type, "text")) {
        disposition_of(p, nth(a->list, 9)); /* text has a lines field before md5 */
    } else {
        disposition_of(p, nth(a->list, 8));
    }
    return p;
}

ols_status ols_mime_parse_bodystructure(const char *text, ols_mime_part **out, ols_err *err)
{
    ols_imap_parser *ps = ols_imap_parser_new(NULL, NULL);
    const ols_imap_line *line;
    struct ctx c = {0, err};
    size_t n = strlen(text), used = 0, total = n + 32;
    char *buf = malloc(total);
    ols_imap_parse_result r;
    *out = NULL;
    if (!ps || !buf) {
        ols_imap_parser_free(ps);
        free(buf);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    snprintf(buf, total, "* X %s\r\n", text);
    r = ols_imap_parser_feed(ps, buf, strlen(buf), &used, err);
    line = r == OLS_IMAP_PARSE_ERROR ? NULL : ols_imap_parser_line(ps);
    if (!line || !line->args || line->args->type != OLS_IMAP_ARG_LIST) {
        ols_imap_parser_free(ps);
        free(buf);
        return ols_err_set(err, OLS_EPARSE, "BODYSTRUCTURE is not a list");
    }
    *out = parse_part(&c, line->args, "", 0);
    ols_imap_parser_free(ps);
    free(buf);
    return *out ? OLS_OK : (err ? err->code : OLS_EPARSE);
}

void ols_mime_free(ols_mime_part *p)
{
    while (p) {
        ols_mime_part *next = p->next;
        ols_mime_free(p->child);
        free(p);
        p = next;
    }
}

int ols_mime_is_readable_text(const ols_mime_part *p)
{
    return !strcmp(p->type, "text") &&
           (!strcmp(p->subtype, "plain") || !strcmp(p->subtype, "html")) &&
           strcmp(p->disposition, "attachment") != 0;
}
