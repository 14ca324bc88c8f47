/* libFuzzer target for the IMAP response parser and the value helpers behind it.
 * The first input byte picks limits and a split pattern; the rest is the server's stream.
 * Oracle besides the sanitizers: the stream parsed whole and parsed in pieces must give
 * the same lines, and a re-serialised list must parse back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap/parser.h"
#include "imap/resp.h"

typedef struct sink {
    uint32_t h;      /* FNV-1a over everything the parser produced */
    int in_stream;
    uint64_t streamed, expect;
} sink;

static void mix(sink *s, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i;
    for (i = 0; i < n; i++)
        s->h = (s->h ^ b[i]) * 16777619u;
}

static void mix_u64(sink *s, uint64_t v)
{
    mix(s, &v, sizeof v);
}

static void mix_arg(sink *s, const ols_imap_arg *a)
{
    const ols_imap_arg *c;
    mix_u64(s, (uint64_t)a->type * 7 + a->literal * 2 + a->literal8);
    switch (a->type) {
    case OLS_IMAP_ARG_ATOM:
    case OLS_IMAP_ARG_NIL:
    case OLS_IMAP_ARG_STRING:
        mix_u64(s, a->len);
        mix(s, a->s, a->len);
        if (a->s[a->len] != 0)
            __builtin_trap(); /* every string is NUL-terminated */
        break;
    case OLS_IMAP_ARG_STREAMED:
        mix_u64(s, a->size);
        break;
    case OLS_IMAP_ARG_LIST: {
        size_t n = 0;
        for (c = a->list; c; c = c->next, n++)
            mix_arg(s, c);
        if (n != a->len)
            __builtin_trap();
        break;
    }
    }
}

static int h_literal(void *ctx, const ols_imap_literal_info *li)
{
    sink *s = ctx;
    if (!li->line->keyword || strcmp(li->line->keyword, "FETCH") || li->depth != 1 || !li->prev ||
        li->prev->type != OLS_IMAP_ARG_ATOM || !ols_imap_is_body_key(li->prev->s))
        return 0;
    if (s->in_stream)
        __builtin_trap();
    /* the partial tree must be walkable */
    if (li->container) {
        const ols_imap_arg *c;
        size_t n = 0;
        for (c = li->container->list; c; c = c->next)
            n++;
        if (n != li->index)
            __builtin_trap();
    }
    s->in_stream = 1;
    s->streamed = 0;
    s->expect = li->size;
    mix_u64(s, li->size);
    return 1;
}

static ols_status h_data(void *ctx, const void *p, size_t n)
{
    sink *s = ctx;
    if (!s->in_stream || n == 0)
        __builtin_trap();
    s->streamed += n;
    if (s->streamed > s->expect)
        __builtin_trap();
    mix(s, p, n);
    return OLS_OK;
}

static ols_status h_end(void *ctx)
{
    sink *s = ctx;
    if (!s->in_stream || s->streamed != s->expect)
        __builtin_trap();
    s->in_stream = 0;
    mix(s, "END", 3);
    return OLS_OK;
}

/* Exercise the helpers the client runs on each line kind. */
static void use_line(sink *s, const ols_imap_line *l)
{
    const ols_imap_arg *a;
    ols_err err;
    mix_u64(s, (uint64_t)l->kind * 1000 + (uint64_t)l->status * 10 + (uint64_t)l->has_num);
    mix_u64(s, l->num);
    if (l->tag)
        mix(s, l->tag, strlen(l->tag));
    if (l->keyword)
        mix(s, l->keyword, strlen(l->keyword));
    if (l->code)
        mix(s, l->code, strlen(l->code));
    if (l->text)
        mix(s, l->text, strlen(l->text));
    for (a = l->code_args; a; a = a->next)
        mix_arg(s, a);
    for (a = l->args; a; a = a->next)
        mix_arg(s, a);

    if (l->keyword && !strcmp(l->keyword, "FETCH")) {
        ols_imap_msg m;
        char *bs, *kw;
        if (ols_imap_fetch_decode(l, &m, &bs, &kw, &err) == OLS_OK) {
            if (bs) {
                /* serialise -> parse -> serialise is a fixed point */
                size_t n = strlen(bs), used;
                char *line = malloc(n + 32);
                ols_imap_parser *q = ols_imap_parser_new(NULL, NULL);
                const ols_imap_line *l2;
                memcpy(line, "* 1 X ", 6);
                memcpy(line + 6, bs, n);
                memcpy(line + 6 + n, "\r\n", 2);
                if (ols_imap_parser_feed(q, line, n + 8, &used, &err) != OLS_IMAP_PARSE_LINE ||
                    used != n + 8)
                    __builtin_trap();
                l2 = ols_imap_parser_line(q);
                if (!l2->args || l2->args->next) /* exactly one list */
                    __builtin_trap();
                {
                    char *again = ols_imap_serialize(l2->args);
                    if (!again || strcmp(again, bs))
                        __builtin_trap();
                    free(again);
                }
                ols_imap_parser_free(q);
                free(line);
            }
            free(bs);
            free(kw);
        }
    }
    for (a = l->args; a; a = a->next) {
        uint32_t u;
        uint64_t v;
        int64_t t;
        if (a->type == OLS_IMAP_ARG_LIST) {
            unsigned bits;
            char *kw = NULL;
            int any;
            if (ols_imap_flags_parse(a, &bits, &kw, &any, &err) == OLS_OK)
                free(kw);
            mix_u64(s, ols_imap_caps_parse(a->list));
        } else if (a->type == OLS_IMAP_ARG_ATOM) {
            mix_u64(s, (uint64_t)ols_imap_seqset_valid(a->s));
            mix_u64(s, (uint64_t)ols_imap_arg_u32(a, &u));
            mix_u64(s, (uint64_t)ols_imap_arg_u64(a, &v));
        } else if (a->type == OLS_IMAP_ARG_STRING) {
            if (ols_imap_parse_datetime(a->s, &t)) {
                char buf[32];
                ols_imap_format_datetime(t, buf);
                mix(s, buf, strlen(buf));
            }
        }
    }
}

/* Parse the stream with a split pattern; returns the hash and the error offset. */
static uint32_t run(const uint8_t *d, size_t n, const ols_imap_parser_limits *lim,
                    uint32_t split_seed, int *errored, uint64_t *err_off)
{
    sink s;
    ols_imap_parser_hooks h;
    ols_imap_parser *p;
    size_t off = 0, end = 0;
    uint32_t r = split_seed;
    ols_err err;

    memset(&s, 0, sizeof s);
    s.h = 2166136261u;
    memset(&h, 0, sizeof h);
    h.ctx = &s;
    h.literal = h_literal;
    h.data = h_data;
    h.end = h_end;
    p = ols_imap_parser_new(lim, &h);
    if (!p)
        abort();
    *errored = 0;
    *err_off = 0;
    while (off < n) {
        size_t used, k;
        ols_imap_parse_result res;
        if (off >= end) {
            size_t step = n;
            if (split_seed) {
                r = r * 1103515245u + 12345u;
                step = 1 + (r >> 16) % 5;
            }
            end = off + step > n ? n : off + step;
        }
        k = end - off;
        res = ols_imap_parser_feed(p, d + off, k, &used, &err);
        if (used > k)
            __builtin_trap();
        off += used;
        if (res == OLS_IMAP_PARSE_ERROR) {
            *errored = 1;
            *err_off = ols_imap_parser_offset(p);
            mix(&s, err.msg, strlen(err.msg));
            break;
        }
        if (res == OLS_IMAP_PARSE_LINE)
            use_line(&s, ols_imap_parser_line(p));
        else if (used != k)
            __builtin_trap();
    }
    ols_imap_parser_free(p);
    return s.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ols_imap_parser_limits lim;
    uint32_t h1, h2;
    int e1, e2;
    uint64_t o1, o2;
    uint8_t mode;

    if (size < 1)
        return 0;
    mode = data[0];
    data++, size--;
    memset(&lim, 0, sizeof lim);
    if (mode & 1) { /* small limits, so the fuzzer reaches every bound */
        lim.max_line = 64 + (mode >> 1) * 4;
        lim.max_literal = 16 + (mode >> 3);
        lim.max_buffered = 40;
        lim.max_stream = 1000;
        lim.max_depth = 1 + (mode >> 5);
        lim.max_args = 8 + (mode >> 2);
    }
    h1 = run(data, size, &lim, 0, &e1, &o1);
    h2 = run(data, size, &lim, 1u + mode, &e2, &o2);
    if (h1 != h2 || e1 != e2 || o1 != o2)
        __builtin_trap(); /* the split changed the result */
    return 0;
}
