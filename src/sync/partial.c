/* Building partial messages: the header block, the structure from BODYSTRUCTURE, readable
 * text where wanted, and external-body stand-ins for the rest. */
#include "partial.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hdr_name_is(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name), i;
    if (n <= k || line[k] != ':')
        return 0;
    for (i = 0; i < k; i++)
        if (tolower((unsigned char)line[i]) != name[i])
            return 0;
    return 1;
}

/* Copy a header block, moving Content-Type and Content-Transfer-Encoding (with their
 * continuation lines) to `moved` instead. Stops at the blank line. */
static void split_header(const char *h, size_t n, ols_strbuf *keep, ols_strbuf *moved)
{
    size_t i = 0;
    int in_moved = 0;
    while (i < n) {
        size_t j = i;
        char *line;
        while (j < n && h[j] != '\n')
            j++;
        if (j == i || (j == i + 1 && h[i] == '\r'))
            break; /* end of the header */
        line = malloc(j - i + 2);
        if (!line)
            return;
        memcpy(line, h + i, j - i);
        line[j - i] = '\0';
        if (j - i && line[j - i - 1] == '\r')
            line[j - i - 1] = '\0';
        if (line[0] == ' ' || line[0] == '\t') {
            /* continuation of the previous field */
        } else {
            in_moved = hdr_name_is(line, strlen(line), "content-type") ||
                       hdr_name_is(line, strlen(line), "content-transfer-encoding") ||
                       hdr_name_is(line, strlen(line), "mime-version");
        }
        ols_sb_add(in_moved ? moved : keep, line);
        ols_sb_add(in_moved ? moved : keep, "\r\n");
        free(line);
        i = j + 1;
    }
}

static void url_of(const ols_partial_src *s, const char *section, ols_strbuf *b)
{
    const char *p;
    ols_sb_addf(b, "imap://%s@%s/", s->user, s->host);
    for (p = s->mailbox; *p; p++) { /* RFC 5092 enchars: escape what is not safe */
        if (isalnum((unsigned char)*p) || strchr("-._~!$&'()*+,=:@/", *p))
            ols_sb_addf(b, "%c", *p);
        else
            ols_sb_addf(b, "%%%02X", (unsigned char)*p);
    }
    ols_sb_addf(b, ";UIDVALIDITY=%u/;UID=%u", s->uidvalidity, s->uid);
    if (section && *section)
        ols_sb_addf(b, "/;SECTION=%s", section);
}

/* An external-body part: outer headers, then the phantom headers of the real content. */
static void stand_in(const ols_partial_src *s, const char *section, uint64_t size,
                     const char *phantom, size_t plen, ols_strbuf *out)
{
    ols_strbuf disp = {0}, rest = {0};
    ols_sb_add(out, "Content-Type: message/external-body; access-type=URL;\r\n URL=\"");
    url_of(s, section, out);
    ols_sb_addf(out, "\"; size=%llu\r\n", (unsigned long long)size);
    /* keep the file name visible to mail programs */
    if (phantom) {
        size_t i = 0;
        while (i < plen) {
            size_t j = i;
            while (j < plen && phantom[j] != '\n')
                j++;
            if (hdr_name_is(phantom + i, j - i, "content-disposition")) {
                size_t k = j + 1;
                while (k < plen && (phantom[k] == ' ' || phantom[k] == '\t')) {
                    while (k < plen && phantom[k] != '\n')
                        k++;
                    k++;
                }
                {
                    char *d = malloc(k - i + 1);
                    if (d) {
                        memcpy(d, phantom + i, k - i);
                        d[k - i] = '\0';
                        ols_sb_add(&disp, d);
                        free(d);
                    }
                }
            }
            i = j + 1;
        }
    }
    if (disp.n)
        ols_sb_add(out, disp.p);
    ols_sb_add(out, "X-Olsync-Partial: yes\r\n\r\n");
    if (phantom && plen) {
        char *ph = malloc(plen + 1);
        if (ph) {
            memcpy(ph, phantom, plen);
            ph[plen] = '\0';
            ols_sb_add(out, ph);
            free(ph);
        }
    } else {
        ols_sb_add(out, "Content-Type: text/plain\r\n\r\n");
    }
    ols_sb_free(&disp);
    ols_sb_free(&rest);
}

ols_status ols_partial_headers_only(const ols_partial_src *src, const char *hdr, size_t hdrlen,
                                    ols_strbuf *out)
{
    ols_strbuf keep = {0}, moved = {0};
    split_header(hdr, hdrlen, &keep, &moved);
    if (keep.n)
        ols_sb_add(out, keep.p);
    ols_sb_add(out, "MIME-Version: 1.0\r\n");
    ols_sb_add(&moved, "\r\n");
    stand_in(src, "", src->size, moved.p, moved.n, out);
    ols_sb_free(&keep);
    ols_sb_free(&moved);
    return out->oom ? OLS_ENOMEM : OLS_OK;
}

static void add_missing(ols_strbuf *m, const char *section)
{
    if (m->n)
        ols_sb_add(m, ",");
    ols_sb_add(m, section[0] ? section : "*");
}

static void append_piece(ols_strbuf *out, const char *p, size_t n)
{
    char *c = malloc(n + 1);
    if (!c) {
        out->oom = 1;
        return;
    }
    memcpy(c, p, n);
    c[n] = '\0';
    ols_sb_add(out, c); /* text parts hold no NULs worth keeping */
    free(c);
}

static void assemble(const ols_partial_src *src, const ols_mime_part *p,
                     int (*want)(void *, const ols_mime_part *), void *wctx,
                     ols_partial_lookup lookup, void *lctx, ols_strbuf *out, ols_strbuf *missing)
{
    const ols_mime_part *c;
    char key[80];
    const char *piece;
    size_t len = 0;
    if (!strcmp(p->type, "multipart")) {
        for (c = p->child; c; c = c->next) {
            ols_sb_addf(out, "--%s\r\n", p->boundary);
            snprintf(key, sizeof key, "%s.MIME", c->section);
            piece = lookup(lctx, key, &len);
            if (!strcmp(c->type, "multipart")) {
                if (piece)
                    append_piece(out, piece, len);
                else
                    ols_sb_addf(out, "Content-Type: multipart/%s; boundary=\"%s\"\r\n\r\n",
                                c->subtype, c->boundary);
                assemble(src, c, want, wctx, lookup, lctx, out, missing);
                continue;
            }
            if (want(wctx, c) && (piece = lookup(lctx, c->section, &len)) != NULL) {
                const char *mh;
                size_t mlen = 0;
                snprintf(key, sizeof key, "%s.MIME", c->section);
                mh = lookup(lctx, key, &mlen);
                if (mh)
                    append_piece(out, mh, mlen);
                else
                    ols_sb_add(out, "\r\n");
                append_piece(out, piece, len);
                ols_sb_add(out, "\r\n");
            } else {
                const char *mh;
                size_t mlen = 0;
                snprintf(key, sizeof key, "%s.MIME", c->section);
                mh = lookup(lctx, key, &mlen);
                stand_in(src, c->section, c->size, mh, mlen, out);
                ols_sb_add(out, "\r\n");
                add_missing(missing, c->section);
            }
        }
        ols_sb_addf(out, "--%s--\r\n", p->boundary);
        return;
    }
}

ols_status ols_partial_assemble(const ols_partial_src *src, const ols_mime_part *root,
                                int (*want)(void *ctx, const ols_mime_part *p), void *want_ctx,
                                ols_partial_lookup lookup, void *lookup_ctx, ols_strbuf *out,
                                ols_strbuf *missing, ols_err *err)
{
    size_t hlen = 0;
    const char *hdr = lookup(lookup_ctx, "HEADER", &hlen);
    if (!hdr)
        return ols_err_set(err, OLS_EPROTO, "UID %u: the server sent no header", src->uid);
    if (strcmp(root->type, "multipart") != 0) {
        const char *body;
        size_t blen = 0;
        if (want(want_ctx, root) && (body = lookup(lookup_ctx, "TEXT", &blen)) != NULL) {
            append_piece(out, hdr, hlen);
            append_piece(out, body, blen);
        } else {
            ols_partial_headers_only(src, hdr, hlen, out);
            add_missing(missing, "");
        }
        return out->oom ? ols_err_set(err, OLS_ENOMEM, "out of memory") : OLS_OK;
    }
    append_piece(out, hdr, hlen); /* keeps the top-level boundary */
    assemble(src, root, want, want_ctx, lookup, lookup_ctx, out, missing);
    return out->oom ? ols_err_set(err, OLS_ENOMEM, "out of memory") : OLS_OK;
}

static void items_of(const ols_mime_part *p, int (*want)(void *, const ols_mime_part *),
                     void *wctx, ols_strbuf *items)
{
    const ols_mime_part *c;
    for (c = p->child; c; c = c->next) {
        ols_sb_addf(items, " BODY.PEEK[%s.MIME]", c->section);
        if (!strcmp(c->type, "multipart"))
            items_of(c, want, wctx, items);
        else if (want(wctx, c))
            ols_sb_addf(items, " BODY.PEEK[%s]", c->section);
    }
}

void ols_partial_fetch_items(const ols_mime_part *root,
                             int (*want)(void *ctx, const ols_mime_part *p), void *want_ctx,
                             ols_strbuf *items)
{
    ols_sb_add(items, "(UID BODY.PEEK[HEADER]");
    if (strcmp(root->type, "multipart") != 0) {
        if (want(want_ctx, root))
            ols_sb_add(items, " BODY.PEEK[TEXT]");
    } else {
        items_of(root, want, want_ctx, items);
    }
    ols_sb_add(items, ")");
}

int ols_partial_has(const char *missing, const char *section)
{
    const char *p = missing;
    size_t n = strlen(section);
    if (!missing || !*missing)
        return 0;
    if (!strcmp(missing, "*"))
        return 1;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && !strncmp(p, section, n))
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

char *ols_partial_without(const char *missing, const char *section)
{
    ols_strbuf b = {0};
    const char *p = missing;
    size_t n = strlen(section);
    ols_sb_add(&b, "");
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (!(l == n && !strncmp(p, section, n))) {
            char tmp[80];
            snprintf(tmp, sizeof tmp, "%.*s", (int)(l < 79 ? l : 79), p);
            if (b.n)
                ols_sb_add(&b, ",");
            ols_sb_add(&b, tmp);
        }
        if (!e)
            break;
        p = e + 1;
    }
    return b.oom ? NULL : b.p;
}
