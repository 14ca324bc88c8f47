/* UID set strings and a tiny growable string buffer. */
#include "uidset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(ols_strbuf *b, size_t need)
{
    size_t nc;
    char *np;
    if (b->oom || b->n + need + 1 <= b->cap)
        return;
    nc = b->cap ? b->cap : 64;
    while (nc < b->n + need + 1)
        nc *= 2;
    np = realloc(b->p, nc);
    if (!np) {
        b->oom = 1;
        return;
    }
    b->p = np;
    b->cap = nc;
}

void ols_sb_add(ols_strbuf *b, const char *s)
{
    size_t l = strlen(s);
    grow(b, l);
    if (b->oom)
        return;
    memcpy(b->p + b->n, s, l + 1);
    b->n += l;
}

void ols_sb_addf(ols_strbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ols_sb_add(b, tmp);
}

void ols_sb_free(ols_strbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

char *ols_uidset_make(const uint32_t *uids, size_t n)
{
    ols_strbuf b = {0};
    size_t i = 0;
    ols_sb_add(&b, "");
    while (i < n) {
        size_t j = i;
        while (j + 1 < n && uids[j + 1] == uids[j] + 1)
            j++;
        if (b.n)
            ols_sb_add(&b, ",");
        if (j > i)
            ols_sb_addf(&b, "%u:%u", uids[i], uids[j]);
        else
            ols_sb_addf(&b, "%u", uids[i]);
        i = j + 1;
    }
    if (b.oom) {
        ols_sb_free(&b);
        return NULL;
    }
    return b.p;
}

size_t ols_uidset_chunks(const uint32_t *uids, size_t n, size_t per, char ***out)
{
    size_t k = per ? (n + per - 1) / per : 0, i;
    char **sets = calloc(k ? k : 1, sizeof *sets);
    *out = sets;
    if (!sets)
        return 0;
    for (i = 0; i < k; i++) {
        size_t len = n - i * per < per ? n - i * per : per;
        sets[i] = ols_uidset_make(uids + i * per, len);
        if (!sets[i]) {
            ols_uidset_chunks_free(sets, i);
            *out = NULL;
            return 0;
        }
    }
    return k;
}

void ols_uidset_chunks_free(char **sets, size_t n)
{
    size_t i;
    if (!sets)
        return;
    for (i = 0; i < n; i++)
        free(sets[i]);
    free(sets);
}

static int num(const char **p, uint32_t *v)
{
    unsigned long long x = 0;
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9') {
        x = x * 10 + (unsigned)(*s++ - '0');
        if (x > 0xffffffffull)
            return -1;
    }
    *v = (uint32_t)x;
    *p = s;
    return 0;
}

ols_status ols_uidset_walk(const char *set, void (*cb)(void *ctx, uint32_t uid), void *ctx)
{
    const char *p = set;
    while (*p) {
        uint32_t a, b, t;
        if (num(&p, &a) != 0)
            return OLS_EPARSE;
        b = a;
        if (*p == ':') {
            p++;
            if (num(&p, &b) != 0)
                return OLS_EPARSE;
        }
        if (a > b) {
            t = a;
            a = b;
            b = t;
        }
        if (b - a > 10000000u)
            return OLS_ERANGE;
        for (t = a;; t++) {
            cb(ctx, t);
            if (t == b)
                break;
        }
        if (*p == ',')
            p++;
        else if (*p)
            return OLS_EPARSE;
    }
    return OLS_OK;
}
