/* Incremental IMAP response parser: a byte-driven state machine that never backtracks, so a
 * line split anywhere (one byte at a time included) parses exactly as if it came whole. */
#include "imap/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory: nodes and text live in blocks that never move while a line is built, so
 * the literal hook can look at the partial tree; all but the first block go per line ---- */

typedef struct nodeblk {
    struct nodeblk *next;
    size_t used, cap;
    ols_imap_arg a[];
} nodeblk;

typedef struct textblk {
    struct textblk *next;
    size_t used, cap;
    char d[];
} textblk;

#define NODES_FIRST 128u
#define NODES_MAX_BLOCK 8192u
#define TEXT_FIRST 8192u
#define TEXT_MAX_BLOCK ((size_t)1 << 20)

enum state {
    S_WORD,       /* tag, untagged name, status word */
    S_SEP,        /* between arguments */
    S_ATOM,
    S_ATOM_BRACKET,
    S_QUOTED,
    S_QUOTED_ESC,
    S_TILDE,
    S_LITSIZE,
    S_LIT_EOL,
    S_LIT_LF,
    S_LITDATA,
    S_TEXT_START, /* after "OK " */
    S_CODE_NAME,
    S_AFTER_CODE,
    S_TEXT,
    S_EOL_LF,     /* saw CR */
    S_ERROR
};

enum word_kind { W_TAG, W_UNTAGGED_FIRST, W_KEYWORD, W_STATUS };

struct ols_imap_parser {
    ols_imap_parser_limits lim;
    ols_imap_parser_hooks hooks;

    enum state st;
    enum word_kind wk;
    int code_mode;   /* arguments of a [response code] */
    int in_line;     /* some byte of the current line was consumed */
    int line_ready;  /* the last feed completed a line */
    uint64_t offset; /* bytes consumed since creation */
    size_t line_bytes, nargs, buffered;

    char *tok;       /* the word, atom, quoted string or text being read */
    size_t tok_len, tok_cap;
    unsigned bracket;

    uint64_t lit_size;
    int lit_digits, lit8, lit_stream;
    uint64_t lit_left;
    ols_imap_arg *lit_node;
    char *lit_buf;

    ols_imap_arg root, coderoot;
    ols_imap_arg **stack; /* open lists; stack[0] is root or coderoot */
    unsigned depth;

    ols_imap_line line;

    nodeblk *nodes, *nodes_cur;
    textblk *text, *text_cur;
    ols_err errv;
};

static const char *const nil_text = "";

static int fail(ols_imap_parser *p, ols_err *err, uint64_t at, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    p->st = S_ERROR;
    ols_err_set(&p->errv, OLS_EPROTO, "malformed IMAP response at byte %llu: %s",
                (unsigned long long)at, why);
    if (err)
        *err = p->errv;
    return -1;
}

static int fail_status(ols_imap_parser *p, ols_err *err, ols_status st, const char *what)
{
    p->st = S_ERROR;
    ols_err_set(&p->errv, st, "%s", what);
    if (err)
        *err = p->errv;
    return -1;
}

static ols_imap_arg *node_alloc(ols_imap_parser *p)
{
    nodeblk *b = p->nodes_cur;
    ols_imap_arg *a;
    if (!b || b->used == b->cap) {
        if (b && b->next) {
            b = b->next; /* cannot happen: blocks after the current one are freed per line */
        } else {
            size_t cap = b ? b->cap * 2 : NODES_FIRST;
            if (cap > NODES_MAX_BLOCK)
                cap = NODES_MAX_BLOCK;
            b = malloc(sizeof *b + cap * sizeof(ols_imap_arg));
            if (!b)
                return NULL;
            b->next = NULL;
            b->used = 0;
            b->cap = cap;
            if (p->nodes_cur)
                p->nodes_cur->next = b;
            else
                p->nodes = b;
        }
        p->nodes_cur = b;
    }
    a = &b->a[b->used++];
    memset(a, 0, sizeof *a);
    return a;
}

static char *text_alloc(ols_imap_parser *p, size_t n)
{
    textblk *b = p->text_cur;
    char *r;
    if (!b || b->cap - b->used < n) {
        size_t cap = b ? b->cap * 2 : TEXT_FIRST;
        if (cap > TEXT_MAX_BLOCK)
            cap = TEXT_MAX_BLOCK;
        if (cap < n)
            cap = n;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = NULL;
        b->used = 0;
        b->cap = cap;
        if (p->text_cur)
            p->text_cur->next = b;
        else
            p->text = b;
        p->text_cur = b;
    }
    r = b->d + b->used;
    b->used += n;
    return r;
}

static char *text_dup(ols_imap_parser *p, const char *s, size_t n)
{
    char *r = text_alloc(p, n + 1);
    if (!r)
        return NULL;
    if (n)
        memcpy(r, s, n);
    r[n] = 0;
    return r;
}

/* Response and code names are case-insensitive: hand them out in upper case. */
static char *upper_dup(ols_imap_parser *p, const char *s, size_t n)
{
    char *r = text_dup(p, s, n);
    size_t i;
    for (i = 0; r && i < n; i++)
        if (r[i] >= 'a' && r[i] <= 'z')
            r[i] = (char)(r[i] - 32);
    return r;
}

static void reset_line(ols_imap_parser *p)
{
    nodeblk *nb;
    textblk *tb;
    if (p->nodes) {
        nb = p->nodes->next;
        while (nb) {
            nodeblk *n = nb->next;
            free(nb);
            nb = n;
        }
        p->nodes->next = NULL;
        p->nodes->used = 0;
        p->nodes_cur = p->nodes;
    }
    if (p->text) {
        tb = p->text->next;
        while (tb) {
            textblk *n = tb->next;
            free(tb);
            tb = n;
        }
        p->text->next = NULL;
        p->text->used = 0;
        p->text_cur = p->text;
    }
    if (p->tok_cap > 65536) { /* give back what one huge line took */
        free(p->tok);
        p->tok = NULL;
        p->tok_cap = 0;
    }
    memset(&p->line, 0, sizeof p->line);
    memset(&p->root, 0, sizeof p->root);
    memset(&p->coderoot, 0, sizeof p->coderoot);
    p->root.type = p->coderoot.type = OLS_IMAP_ARG_LIST;
    p->stack[0] = &p->root;
    p->depth = 0;
    p->st = S_WORD;
    p->wk = W_TAG;
    p->code_mode = 0;
    p->in_line = 0;
    p->line_ready = 0;
    p->line_bytes = p->nargs = p->buffered = 0;
    p->tok_len = 0;
    p->bracket = 0;
    p->lit_node = NULL;
    p->lit_buf = NULL;
}

ols_imap_parser *ols_imap_parser_new(const ols_imap_parser_limits *limits,
                                     const ols_imap_parser_hooks *hooks)
{
    ols_imap_parser *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (limits)
        p->lim = *limits;
    if (!p->lim.max_line)
        p->lim.max_line = OLS_IMAP_DEF_MAX_LINE;
    if (!p->lim.max_literal)
        p->lim.max_literal = OLS_IMAP_DEF_MAX_LITERAL;
    if (!p->lim.max_buffered)
        p->lim.max_buffered = OLS_IMAP_DEF_MAX_BUFFERED;
    if (!p->lim.max_stream)
        p->lim.max_stream = OLS_IMAP_DEF_MAX_STREAM;
    if (!p->lim.max_depth)
        p->lim.max_depth = OLS_IMAP_DEF_MAX_DEPTH;
    if (!p->lim.max_args)
        p->lim.max_args = OLS_IMAP_DEF_MAX_ARGS;
    if (hooks)
        p->hooks = *hooks;
    p->stack = calloc((size_t)p->lim.max_depth + 1, sizeof *p->stack);
    if (!p->stack) {
        free(p);
        return NULL;
    }
    reset_line(p);
    return p;
}

void ols_imap_parser_free(ols_imap_parser *p)
{
    if (!p)
        return;
    reset_line(p);
    free(p->nodes);
    free(p->text);
    free(p->tok);
    free(p->stack);
    free(p);
}

const ols_imap_line *ols_imap_parser_line(const ols_imap_parser *p)
{
    return p->line_ready ? &p->line : NULL;
}

int ols_imap_parser_mid_line(const ols_imap_parser *p)
{
    return p->in_line && !p->line_ready;
}

uint64_t ols_imap_parser_offset(const ols_imap_parser *p)
{
    return p->offset;
}

/* ---- helpers ---- */

static int is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

static int upper_eq(const char *a, size_t alen, const char *b)
{
    size_t i;
    if (strlen(b) != alen)
        return 0;
    for (i = 0; i < alen; i++) {
        char c = a[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c != b[i])
            return 0;
    }
    return 1;
}

static int tok_push(ols_imap_parser *p, char c)
{
    if (p->tok_len + 1 >= p->tok_cap) {
        size_t cap = p->tok_cap ? p->tok_cap * 2 : 256;
        char *n;
        if (cap > p->lim.max_line + 2)
            cap = p->lim.max_line + 2;
        if (cap <= p->tok_len + 1)
            return -1;
        n = realloc(p->tok, cap);
        if (!n)
            return -1;
        p->tok = n;
        p->tok_cap = cap;
    }
    p->tok[p->tok_len++] = c;
    return 0;
}

static ols_imap_arg *add_arg(ols_imap_parser *p, ols_imap_arg_type type)
{
    ols_imap_arg *a, *c = p->stack[p->depth];
    if (p->nargs >= p->lim.max_args)
        return NULL;
    a = node_alloc(p);
    if (!a)
        return NULL;
    p->nargs++;
    a->type = type;
    if (c->last_)
        c->last_->next = a;
    else
        c->list = a;
    c->last_ = a;
    c->len++;
    return a;
}

static const char *status_word(const char *w, size_t n, ols_imap_resp *st)
{
    static const struct {
        const char *w;
        ols_imap_resp st;
    } t[] = {{"OK", OLS_IMAP_RESP_OK},
             {"NO", OLS_IMAP_RESP_NO},
             {"BAD", OLS_IMAP_RESP_BAD},
             {"PREAUTH", OLS_IMAP_RESP_PREAUTH},
             {"BYE", OLS_IMAP_RESP_BYE}};
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (upper_eq(w, n, t[i].w)) {
            *st = t[i].st;
            return t[i].w;
        }
    }
    return NULL;
}

/* Fetch item names whose "[...]" may hold spaces and parentheses. */
static int section_key(const char *w, size_t n)
{
    return upper_eq(w, n, "BODY") || upper_eq(w, n, "BODY.PEEK") || upper_eq(w, n, "BINARY") ||
           upper_eq(w, n, "BINARY.PEEK") || upper_eq(w, n, "BINARY.SIZE");
}

static void finish_line(ols_imap_parser *p)
{
    p->line.args = p->root.list;
    p->line.nargs = p->root.len;
    if (p->line.code)
        p->line.code_args = p->coderoot.list;
    if (!p->line.text && (p->line.status || p->line.kind == OLS_IMAP_CONTINUATION))
        p->line.text = nil_text;
    p->line_ready = 1;
}

/* ---- the state machine ---- */

#define FAIL(...) return fail(p, err, at, __VA_ARGS__)

/* End of line reached in state-independent fashion: c is CR or LF. 1 = line done. */
static int eol(ols_imap_parser *p, unsigned char c)
{
    if (c == '\r') {
        p->st = S_EOL_LF;
        return 0;
    }
    finish_line(p);
    return 1;
}

static int word_done(ols_imap_parser *p, unsigned char term, uint64_t at, ols_err *err)
{
    const char *w = p->tok;
    size_t n = p->tok_len, i;
    ols_imap_resp st = OLS_IMAP_RESP_NONE;
    const char *sw;
    int is_sp = term == ' ';

    if (n == 0)
        FAIL(p->wk == W_TAG ? "empty response line or leading space"
                            : "two spaces where one word was expected");
    switch (p->wk) {
    case W_TAG:
        if (n == 1 && w[0] == '*') {
            if (!is_sp)
                FAIL("untagged response without content");
            p->line.kind = OLS_IMAP_UNTAGGED;
            p->wk = W_UNTAGGED_FIRST;
            p->tok_len = 0;
            return 0;
        }
        if (n == 1 && w[0] == '+') {
            p->line.kind = OLS_IMAP_CONTINUATION;
            p->tok_len = 0;
            if (!is_sp)
                return eol(p, term);
            p->st = S_TEXT;
            return 0;
        }
        for (i = 0; i < n; i++)
            if (strchr("(){\"\\%*]", w[i]) || (unsigned char)w[i] >= 0x80)
                FAIL("invalid character 0x%02x in tag", (unsigned char)w[i]);
        p->line.kind = OLS_IMAP_TAGGED;
        if (!(p->line.tag = text_dup(p, w, n)))
            return fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
        if (!is_sp)
            FAIL("tagged response without a status");
        p->wk = W_STATUS;
        p->tok_len = 0;
        return 0;
    case W_STATUS:
        sw = status_word(w, n, &st);
        if (!sw || st == OLS_IMAP_RESP_PREAUTH || st == OLS_IMAP_RESP_BYE)
            FAIL("tagged response is neither OK, NO nor BAD");
        p->line.status = st;
        p->line.keyword = sw;
        p->tok_len = 0;
        if (!is_sp)
            return eol(p, term);
        p->st = S_TEXT_START;
        return 0;
    case W_UNTAGGED_FIRST:
        if (w[0] >= '0' && w[0] <= '9') {
            uint64_t v = 0;
            for (i = 0; i < n; i++) {
                if (w[i] < '0' || w[i] > '9')
                    FAIL("bad message number in untagged response");
                v = v * 10 + (uint64_t)(w[i] - '0');
                if (v > 0xffffffffu)
                    FAIL("message number in untagged response is too large");
            }
            p->line.has_num = 1;
            p->line.num = (uint32_t)v;
            if (!is_sp)
                FAIL("message number without a response name");
            p->wk = W_KEYWORD;
            p->tok_len = 0;
            return 0;
        }
        /* fall through - a response name */
    case W_KEYWORD:
        if (!((w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z')))
            FAIL("untagged response name must start with a letter");
        for (i = 1; i < n; i++) {
            char c = w[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_'))
                FAIL("invalid character 0x%02x in response name", (unsigned char)c);
        }
        sw = p->line.has_num ? NULL : status_word(w, n, &st);
        if (sw) {
            p->line.status = st;
            p->line.keyword = sw;
        } else if (!(p->line.keyword = upper_dup(p, w, n))) {
            return fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
        }
        p->tok_len = 0;
        if (!is_sp)
            return eol(p, term);
        p->st = sw ? S_TEXT_START : S_SEP;
        return 0;
    }
    return 0;
}

static int finish_atom(ols_imap_parser *p, uint64_t at, ols_err *err)
{
    int nil = upper_eq(p->tok, p->tok_len, "NIL");
    ols_imap_arg *a = add_arg(p, nil ? OLS_IMAP_ARG_NIL : OLS_IMAP_ARG_ATOM);
    if (!a)
        goto nomem;
    a->len = p->tok_len;
    if (!(a->s = text_dup(p, p->tok, p->tok_len)))
        goto nomem;
    p->tok_len = 0;
    p->st = S_SEP;
    return 0;
nomem:
    if (p->nargs >= p->lim.max_args)
        FAIL("more than %zu arguments in one line", p->lim.max_args);
    return fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
}

static int finish_literal(ols_imap_parser *p, uint64_t at, ols_err *err)
{
    if (p->lit_stream) {
        if (p->hooks.end) {
            ols_status st = p->hooks.end(p->hooks.ctx);
            if (st != OLS_OK)
                return fail_status(p, err, st, "literal consumer failed");
        }
    } else {
        p->lit_buf[p->lit_node->len] = 0;
    }
    p->lit_node = NULL;
    p->lit_buf = NULL;
    p->st = S_SEP;
    (void)at;
    return 0;
}

static int start_literal(ols_imap_parser *p, uint64_t at, ols_err *err)
{
    ols_imap_arg *c = p->stack[p->depth], *a;
    ols_imap_literal_info li;
    uint64_t size = p->lit_size;

    memset(&li, 0, sizeof li);
    li.size = size;
    li.literal8 = p->lit8;
    li.depth = p->depth;
    li.line = &p->line;
    li.container = p->depth ? c : NULL;
    li.prev = c->last_;
    li.index = c->len;
    p->lit_stream = p->hooks.literal && !p->code_mode ? p->hooks.literal(p->hooks.ctx, &li) : 0;
    if (p->lit_stream) {
        if (size > p->lim.max_stream)
            FAIL("literal of %llu bytes exceeds the limit of %llu", (unsigned long long)size,
                 (unsigned long long)p->lim.max_stream);
    } else {
        if (size > p->lim.max_literal)
            FAIL("literal of %llu bytes exceeds the limit of %zu for non-body data",
                 (unsigned long long)size, p->lim.max_literal);
        if (size > p->lim.max_buffered - p->buffered)
            FAIL("literals of one line exceed %zu bytes", p->lim.max_buffered);
    }
    a = add_arg(p, p->lit_stream ? OLS_IMAP_ARG_STREAMED : OLS_IMAP_ARG_STRING);
    if (!a) {
        if (p->nargs >= p->lim.max_args)
            FAIL("more than %zu arguments in one line", p->lim.max_args);
        return fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
    }
    a->literal = 1;
    a->literal8 = (unsigned char)p->lit8;
    p->lit_node = a;
    p->lit_left = size;
    if (p->lit_stream) {
        a->size = size;
    } else {
        p->buffered += (size_t)size;
        if (!(p->lit_buf = text_alloc(p, (size_t)size + 1)))
            return fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
        a->s = p->lit_buf;
        a->len = 0;
    }
    if (size == 0)
        return finish_literal(p, at, err);
    p->st = S_LITDATA;
    return 0;
}

ols_imap_parse_result ols_imap_parser_feed(ols_imap_parser *p, const void *buf, size_t len,
                                           size_t *used, ols_err *err)
{
    const unsigned char *b = buf;
    size_t i = 0;
    int r = 0;
    uint64_t at = 0;

    *used = 0;
    if (p->st == S_ERROR) {
        if (err)
            *err = p->errv;
        return OLS_IMAP_PARSE_ERROR;
    }
    if (p->line_ready)
        reset_line(p);

    while (i < len) {
        unsigned char c = b[i];
        at = p->offset + i;
        p->in_line = 1;

        if (p->st == S_LITDATA) {
            size_t m = len - i;
            if ((uint64_t)m > p->lit_left)
                m = (size_t)p->lit_left;
            if (p->lit_stream) {
                if (p->hooks.data) {
                    ols_status st = p->hooks.data(p->hooks.ctx, b + i, m);
                    if (st != OLS_OK) {
                        r = fail_status(p, err, st, "literal consumer failed");
                        break;
                    }
                }
            } else {
                memcpy(p->lit_buf + p->lit_node->len, b + i, m);
                p->lit_node->len += m;
            }
            i += m;
            p->lit_left -= m;
            if (p->lit_left == 0 && (r = finish_literal(p, at, err)) != 0)
                break;
            continue;
        }

        /* every other byte counts against the line limit */
        if (++p->line_bytes > p->lim.max_line) {
            r = fail(p, err, at, "response line longer than %zu bytes", p->lim.max_line);
            break;
        }

        switch (p->st) {
        case S_WORD:
            if (c == ' ' || c == '\r' || c == '\n') {
                r = word_done(p, c, at, err);
            } else if (is_ctl(c)) {
                r = fail(p, err, at, "control character 0x%02x", c);
            } else if (tok_push(p, (char)c)) {
                r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
            }
            i++;
            break;

        case S_SEP:
            if (c == ' ') {
                i++;
            } else if (c == '\r' || c == '\n') {
                if (p->depth)
                    r = fail(p, err, at, "line ended inside a parenthesised list");
                else if (p->code_mode)
                    r = fail(p, err, at, "line ended inside a [response code]");
                else
                    r = eol(p, c);
                i++;
            } else if (c == '(') {
                ols_imap_arg *a;
                if (p->depth >= p->lim.max_depth) {
                    r = fail(p, err, at, "lists nested deeper than %u", p->lim.max_depth);
                } else if (!(a = add_arg(p, OLS_IMAP_ARG_LIST))) {
                    if (p->nargs >= p->lim.max_args)
                        r = fail(p, err, at, "more than %zu arguments in one line",
                                 p->lim.max_args);
                    else
                        r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
                } else {
                    p->stack[++p->depth] = a;
                }
                i++;
            } else if (c == ')') {
                if (!p->depth)
                    r = fail(p, err, at, "unbalanced ')'");
                else
                    p->depth--;
                i++;
            } else if (c == ']' && p->code_mode) {
                if (p->depth)
                    r = fail(p, err, at, "']' inside a list in a response code");
                p->code_mode = 0;
                p->st = S_AFTER_CODE;
                i++;
            } else if (c == '"') {
                p->tok_len = 0;
                p->st = S_QUOTED;
                i++;
            } else if (c == '{' && !p->code_mode) {
                p->lit_size = 0;
                p->lit_digits = 0;
                p->lit8 = 0;
                p->st = S_LITSIZE;
                i++;
            } else if (c == '~' && !p->code_mode) {
                p->st = S_TILDE;
                i++;
            } else if (is_ctl(c)) {
                r = fail(p, err, at, "control character 0x%02x", c);
                i++;
            } else {
                p->tok_len = 0;
                p->st = S_ATOM;
                p->line_bytes--; /* S_ATOM counts it */
            }
            break;

        case S_TILDE:
            if (c == '{') {
                p->lit_size = 0;
                p->lit_digits = 0;
                p->lit8 = 1;
                p->st = S_LITSIZE;
                i++;
            } else {
                p->tok_len = 0;
                if (tok_push(p, '~'))
                    r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
                p->st = S_ATOM;
                p->line_bytes--;
            }
            break;

        case S_ATOM:
            if (c == ' ' || c == '\r' || c == '\n' || c == '(' || c == ')' ||
                (c == ']' && p->code_mode)) {
                p->line_bytes--; /* S_SEP counts it */
                r = finish_atom(p, at, err);
            } else if (c == '"') {
                r = fail(p, err, at, "'\"' inside an atom");
            } else if (is_ctl(c)) {
                r = fail(p, err, at, "control character 0x%02x in atom", c);
            } else {
                if (c == '[' && !p->code_mode && section_key(p->tok, p->tok_len)) {
                    p->bracket = 1;
                    p->st = S_ATOM_BRACKET;
                }
                if (tok_push(p, (char)c))
                    r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
                i++;
            }
            break;

        case S_ATOM_BRACKET:
            if (c == '\r' || c == '\n' || c == 0) {
                r = fail(p, err, at, "unterminated '[' in a fetch item name");
                break;
            }
            if (c == '[' && ++p->bracket > 8) {
                r = fail(p, err, at, "'[' nested too deeply in a fetch item name");
                break;
            }
            if (c == ']' && --p->bracket == 0)
                p->st = S_ATOM;
            if (tok_push(p, (char)c))
                r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
            i++;
            break;

        case S_QUOTED:
            if (c == '"') {
                ols_imap_arg *a = add_arg(p, OLS_IMAP_ARG_STRING);
                if (!a) {
                    if (p->nargs >= p->lim.max_args)
                        r = fail(p, err, at, "more than %zu arguments in one line",
                                 p->lim.max_args);
                    else
                        r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
                } else {
                    a->len = p->tok_len;
                    if (!(a->s = text_dup(p, p->tok, p->tok_len)))
                        r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
                    p->tok_len = 0;
                    p->st = S_SEP;
                }
            } else if (c == '\\') {
                p->st = S_QUOTED_ESC;
            } else if (c == '\r' || c == '\n') {
                r = fail(p, err, at, "unterminated quoted string");
            } else if (c == 0) {
                r = fail(p, err, at, "NUL byte in a quoted string");
            } else if (tok_push(p, (char)c)) {
                r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
            }
            i++;
            break;

        case S_QUOTED_ESC:
            if (c == '\r' || c == '\n')
                r = fail(p, err, at, "unterminated quoted string");
            else if (c == 0)
                r = fail(p, err, at, "NUL byte in a quoted string");
            else if (tok_push(p, (char)c))
                r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
            p->st = S_QUOTED;
            i++;
            break;

        case S_LITSIZE:
            if (c >= '0' && c <= '9') {
                uint64_t d = (uint64_t)(c - '0');
                if (p->lit_size > (UINT64_MAX - d) / 10)
                    r = fail(p, err, at, "literal size overflows");
                p->lit_size = p->lit_size * 10 + d;
                p->lit_digits++;
            } else if (c == '}') {
                if (!p->lit_digits)
                    r = fail(p, err, at, "empty literal size");
                else
                    p->st = S_LIT_EOL;
            } else {
                r = fail(p, err, at, "bad character 0x%02x in literal size", c);
            }
            i++;
            break;

        case S_LIT_EOL:
            if (c == '\r')
                p->st = S_LIT_LF;
            else if (c == '\n')
                r = start_literal(p, at, err);
            else
                r = fail(p, err, at, "literal size not followed by CRLF");
            i++;
            break;

        case S_LIT_LF:
            if (c == '\n')
                r = start_literal(p, at, err);
            else
                r = fail(p, err, at, "literal size not followed by CRLF");
            i++;
            break;

        case S_TEXT_START:
            if (c == '[') {
                p->tok_len = 0;
                p->st = S_CODE_NAME;
                i++;
            } else {
                p->st = S_TEXT;
                p->line_bytes--;
            }
            break;

        case S_CODE_NAME:
            if (c == ' ' || c == ']') {
                if (!p->tok_len) {
                    r = fail(p, err, at, "empty response code");
                } else if (!(p->line.code = upper_dup(p, p->tok, p->tok_len))) {
                    r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
                } else {
                    p->tok_len = 0;
                    if (c == ']') {
                        p->st = S_AFTER_CODE;
                    } else {
                        p->code_mode = 1;
                        p->stack[0] = &p->coderoot;
                        p->st = S_SEP;
                    }
                }
            } else if (c == '\r' || c == '\n') {
                r = fail(p, err, at, "line ended inside a [response code]");
            } else if (is_ctl(c) || c == '(' || c == ')' || c == '"' || c == '{') {
                r = fail(p, err, at, "bad character 0x%02x in a response code", c);
            } else if (tok_push(p, (char)c)) {
                r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
            }
            i++;
            break;

        case S_AFTER_CODE:
            p->stack[0] = &p->root;
            if (c == ' ') {
                p->st = S_TEXT;
                i++;
            } else if (c == '\r' || c == '\n') {
                r = eol(p, c);
                i++;
            } else {
                p->st = S_TEXT;
                p->line_bytes--;
            }
            break;

        case S_TEXT:
            if (c == '\r' || c == '\n') {
                if (!(p->line.text = text_dup(p, p->tok ? p->tok : "", p->tok_len)))
                    r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
                else
                    r = eol(p, c);
            } else if (c == 0) {
                r = fail(p, err, at, "NUL byte in response text");
            } else if (tok_push(p, (char)c)) {
                r = fail_status(p, err, OLS_ENOMEM, "out of memory parsing IMAP response");
            }
            i++;
            break;

        case S_EOL_LF:
            if (c != '\n')
                r = fail(p, err, at, "CR not followed by LF");
            else
                finish_line(p), r = 1;
            i++;
            break;

        case S_LITDATA:
        case S_ERROR:
            r = -1;
            break;
        }
        if (r)
            break;
    }
    *used = i;
    p->offset += i;
    if (r < 0) {
        if (err && p->st != S_ERROR)
            *err = p->errv;
        p->st = S_ERROR;
        return OLS_IMAP_PARSE_ERROR;
    }
    if (p->line_ready) {
        p->in_line = 0;
        return OLS_IMAP_PARSE_LINE;
    }
    return OLS_IMAP_PARSE_MORE;
}
