/* MIME parsing and encoding for the MAPI bridge (RFC 5322, 2045-2047, 2231). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "mime.h"
#include "olsync/civil.h"

#define MAX_DEPTH 24
#define MAX_PARTS 4096
#define MAX_HEADERS 4096

/* ---- buffer ---- */
static int buf_reserve(ols_buf *b, size_t more)
{
    size_t need, nc;
    char *np;
    if (b->oom)
        return -1;
    need = b->n + more + 1;
    if (need <= b->cap)
        return 0;
    nc = b->cap ? b->cap : 256;
    while (nc < need)
        nc *= 2;
    np = realloc(b->p, nc);
    if (!np) {
        b->oom = 1;
        return -1;
    }
    b->p = np;
    b->cap = nc;
    return 0;
}

void ols_buf_put(ols_buf *b, const void *p, size_t n)
{
    if (!n || buf_reserve(b, n) != 0)
        return;
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
}

void ols_buf_puts(ols_buf *b, const char *s) { ols_buf_put(b, s, strlen(s)); }

void ols_buf_printf(ols_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void ols_buf_free(ols_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

char *ols_buf_take(ols_buf *b, size_t *len)
{
    char *p;
    if (b->oom || buf_reserve(b, 0) != 0) {
        ols_buf_free(b);
        return NULL;
    }
    p = b->p;
    p[b->n] = 0;
    if (len)
        *len = b->n;
    memset(b, 0, sizeof *b);
    return p;
}

/* ---- small string helpers ---- */
static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    return p;
}

/* ---- charsets ---- */
static const struct {
    const char *name;
    unsigned cp;
} charsets[] = {
    {"utf-8", 65001},        {"utf8", 65001},           {"us-ascii", 20127},
    {"ascii", 20127},        {"iso-8859-1", 28591},     {"latin1", 28591},
    {"iso-8859-2", 28592},   {"iso-8859-3", 28593},     {"iso-8859-4", 28594},
    {"iso-8859-5", 28595},   {"iso-8859-6", 28596},     {"iso-8859-7", 28597},
    {"iso-8859-8", 28598},   {"iso-8859-8-i", 38598},   {"iso-8859-9", 28599},
    {"iso-8859-13", 28603},  {"iso-8859-15", 28605},    {"windows-1250", 1250},
    {"windows-1251", 1251},  {"windows-1252", 1252},    {"windows-1253", 1253},
    {"windows-1254", 1254},  {"windows-1255", 1255},    {"windows-1256", 1256},
    {"windows-1257", 1257},  {"windows-1258", 1258},    {"cp1252", 1252},
    {"koi8-r", 20866},       {"koi8-u", 21866},         {"shift_jis", 932},
    {"shift-jis", 932},      {"sjis", 932},             {"cp932", 932},
    {"iso-2022-jp", 50220},  {"euc-jp", 51932},         {"gb2312", 936},
    {"gbk", 936},            {"gb18030", 54936},        {"big5", 950},
    {"euc-kr", 51949},       {"ks_c_5601-1987", 949},   {"utf-16", 1200},
    {"utf-16le", 1200},      {"utf-16be", 1201},        {"utf-7", 65000},
    {"ibm850", 850},         {"cp850", 850},            {"ibm437", 437},
    {"windows-874", 874},    {"tis-620", 874},          {"macintosh", 10000},
};

unsigned ols_charset_cpid(const char *charset)
{
    size_t i;
    if (!charset)
        return 0;
    for (i = 0; i < sizeof charsets / sizeof charsets[0]; i++)
        if (ieq(charset, charsets[i].name))
            return charsets[i].cp;
    return 0;
}

const char *ols_cpid_charset(unsigned cpid)
{
    size_t i;
    for (i = 0; i < sizeof charsets / sizeof charsets[0]; i++)
        if (charsets[i].cp == cpid)
            return charsets[i].name;
    return "utf-8";
}

int ols_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        unsigned c = *p++;
        int more;
        if (c < 0x80)
            continue;
        if (c >= 0xC2 && c <= 0xDF)
            more = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            more = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            more = 3;
        else
            return 0;
        if (e - p < more)
            return 0;
        while (more--)
            if ((*p++ & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static wchar_t *convert(unsigned cp, const char *bytes, size_t n, size_t *wlen)
{
    int len;
    wchar_t *w;
    if (n > 0x7fffffff)
        return NULL;
    if (cp == 1200 || cp == 1201) {
        size_t i, cnt = n / 2;
        w = malloc((cnt + 1) * sizeof *w);
        if (!w)
            return NULL;
        for (i = 0; i < cnt; i++) {
            unsigned char a = (unsigned char)bytes[2 * i], b = (unsigned char)bytes[2 * i + 1];
            w[i] = cp == 1200 ? (wchar_t)(a | b << 8) : (wchar_t)(a << 8 | b);
        }
        w[cnt] = 0;
        if (wlen)
            *wlen = cnt;
        return w;
    }
    if (n == 0) {
        w = calloc(1, sizeof *w);
        if (wlen)
            *wlen = 0;
        return w;
    }
    len = MultiByteToWideChar(cp, cp == 65001 ? 0 : 0, bytes, (int)n, NULL, 0);
    if (len <= 0)
        return NULL;
    w = malloc(((size_t)len + 1) * sizeof *w);
    if (!w)
        return NULL;
    MultiByteToWideChar(cp, 0, bytes, (int)n, w, len);
    w[len] = 0;
    if (wlen)
        *wlen = (size_t)len;
    return w;
}

wchar_t *ols_charset_to_wide(const char *bytes, size_t n, const char *charset, size_t *wlen)
{
    unsigned cp = ols_charset_cpid(charset);
    wchar_t *w = NULL;
    if (cp == 20127 || cp == 28591) {
        /* us-ascii and Latin-1 labels are routinely wrong: 8-bit text in them is usually
         * Windows-1252 (the WHATWG rule), and valid UTF-8 mislabelled as ASCII is UTF-8 */
        size_t i;
        int high = 0;
        for (i = 0; i < n && !high; i++)
            high = (unsigned char)bytes[i] >= 0x80;
        if (!high)
            cp = 1252;
        else if (cp == 20127 && ols_utf8_valid(bytes, n))
            cp = 65001;
        else
            cp = 1252;
    }
    if (cp)
        w = convert(cp, bytes, n, wlen);
    if (!w)
        w = convert(ols_utf8_valid(bytes, n) ? 65001 : 1252, bytes, n, wlen);
    return w;
}

char *ols_charset_to_utf8(const char *bytes, size_t n, const char *charset)
{
    size_t wl = 0;
    wchar_t *w;
    char *s;
    int len;
    unsigned cp = ols_charset_cpid(charset);
    if ((cp == 65001 || cp == 20127) && ols_utf8_valid(bytes, n))
        return dupn(bytes, n);
    w = ols_charset_to_wide(bytes, n, charset, &wl);
    if (!w)
        return NULL;
    len = wl ? WideCharToMultiByte(CP_UTF8, 0, w, (int)wl, NULL, 0, NULL, NULL) : 0;
    s = malloc((size_t)len + 1);
    if (s) {
        if (len)
            WideCharToMultiByte(CP_UTF8, 0, w, (int)wl, s, len, NULL, NULL);
        s[len] = 0;
    }
    free(w);
    return s;
}

/* ---- transfer encodings ---- */
static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static size_t b64_decode(const char *in, size_t n, char *out)
{
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0, i;
    for (i = 0; i < n; i++) {
        int v;
        if (in[i] == '=')
            break;
        v = b64val((unsigned char)in[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    return o;
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* quoted-printable; q = RFC 2047 "Q" ('_' is a space) */
static size_t qp_decode(const char *in, size_t n, char *out, int q)
{
    size_t i = 0, o = 0;
    while (i < n) {
        char c = in[i];
        if (c == '=') {
            if (i + 2 < n && hexv((unsigned char)in[i + 1]) >= 0 &&
                hexv((unsigned char)in[i + 2]) >= 0) {
                out[o++] = (char)(hexv((unsigned char)in[i + 1]) << 4 | hexv((unsigned char)in[i + 2]));
                i += 3;
                continue;
            }
            if (i + 2 == n && hexv((unsigned char)in[i + 1]) >= 0) {
                out[o++] = c;
                i++;
                continue;
            }
            /* soft line break: '=' then optional blanks then CRLF or LF */
            {
                size_t j = i + 1;
                while (j < n && (in[j] == ' ' || in[j] == '\t'))
                    j++;
                if (j < n && in[j] == '\r')
                    j++;
                if (j < n && in[j] == '\n') {
                    i = j + 1;
                    continue;
                }
                if (j == n) {
                    i = j;
                    continue;
                }
            }
            out[o++] = c;
            i++;
            continue;
        }
        if (q && c == '_') {
            out[o++] = ' ';
            i++;
            continue;
        }
        if (!q && (c == ' ' || c == '\t')) {
            /* trailing blanks before a line break are padding (RFC 2045 6.7 rule 3) */
            size_t j = i;
            while (j < n && (in[j] == ' ' || in[j] == '\t'))
                j++;
            if (j == n || in[j] == '\r' || in[j] == '\n') {
                i = j;
                continue;
            }
        }
        out[o++] = c;
        i++;
    }
    return o;
}

ols_status ols_eml_body(const ols_eml_part *p, char **out, size_t *len)
{
    char *d = malloc(p->body_len + 1);
    size_t n;
    if (!d)
        return OLS_ENOMEM;
    if (p->cte == OLS_CTE_BASE64)
        n = b64_decode(p->body, p->body_len, d);
    else if (p->cte == OLS_CTE_QP)
        n = qp_decode(p->body, p->body_len, d, 0);
    else {
        memcpy(d, p->body, p->body_len);
        n = p->body_len;
    }
    d[n] = 0;
    *out = d;
    *len = n;
    return OLS_OK;
}

wchar_t *ols_eml_text(const ols_eml_part *p, size_t *wlen)
{
    char *raw;
    size_t n, wl = 0, i, extra = 0, o;
    wchar_t *w, *crlf;
    if (ols_eml_body(p, &raw, &n) != OLS_OK)
        return NULL;
    w = ols_charset_to_wide(raw, n, p->charset, &wl);
    free(raw);
    if (!w)
        return NULL;
    for (i = 0; i < wl; i++)
        if (w[i] == L'\n' && (i == 0 || w[i - 1] != L'\r'))
            extra++;
    if (!extra) {
        if (wlen)
            *wlen = wl;
        return w;
    }
    crlf = malloc((wl + extra + 1) * sizeof *crlf);
    if (!crlf) {
        free(w);
        return NULL;
    }
    for (i = o = 0; i < wl; i++) {
        if (w[i] == L'\n' && (i == 0 || w[i - 1] != L'\r'))
            crlf[o++] = L'\r';
        crlf[o++] = w[i];
    }
    crlf[o] = 0;
    free(w);
    if (wlen)
        *wlen = o;
    return crlf;
}

int ols_eml_is(const ols_eml_part *p, const char *type, const char *subtype)
{
    return !strcmp(p->type, type) && (!subtype || !strcmp(p->subtype, subtype));
}

/* ---- encoded words ---- */
/* Append decoded words; runs of words in one charset are joined before conversion, so a
 * multi-byte character split across two words survives. */
char *ols_eml_decode_words(const char *value)
{
    ols_buf out = {0}, run = {0};
    char run_cs[64] = "";
    const char *p = value, *pending_ws = NULL;
    size_t pending_len = 0;
    if (!value)
        return NULL;
#define FLUSH_RUN()                                                                      \
    do {                                                                                 \
        if (run.n) {                                                                     \
            char *u = ols_charset_to_utf8(run.p, run.n, run_cs);                          \
            if (u) {                                                                     \
                ols_buf_puts(&out, u);                                                   \
                free(u);                                                                 \
            }                                                                            \
            run.n = 0;                                                                   \
        }                                                                                \
    } while (0)
    while (*p) {
        const char *q1, *q2, *end;
        if (p[0] == '=' && p[1] == '?' && (q1 = strchr(p + 2, '?')) && q1[1] && q1[2] == '?' &&
            (end = strstr(q1 + 3, "?=")) != NULL) {
            char cs[64], enc = (char)toupper((unsigned char)q1[1]);
            size_t cl = (size_t)(q1 - (p + 2));
            const char *text = q1 + 3;
            size_t tl = (size_t)(end - text);
            char *star;
            q2 = q1 + 2;
            (void)q2;
            if ((enc == 'B' || enc == 'Q') && cl < sizeof cs && !memchr(text, ' ', tl)) {
                char *dec = malloc(tl + 1);
                size_t dn;
                memcpy(cs, p + 2, cl);
                cs[cl] = 0;
                star = strchr(cs, '*'); /* RFC 2231 language suffix */
                if (star)
                    *star = 0;
                if (!dec)
                    break;
                dn = enc == 'B' ? b64_decode(text, tl, dec) : qp_decode(text, tl, dec, 1);
                if (!ieq(cs, run_cs))
                    FLUSH_RUN();
                snprintf(run_cs, sizeof run_cs, "%s", cs);
                /* blanks between two encoded words vanish (RFC 2047 6.2) */
                pending_ws = NULL;
                pending_len = 0;
                ols_buf_put(&run, dec, dn);
                free(dec);
                p = end + 2;
                continue;
            }
        }
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            const char *s = p;
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                p++;
            if (run.n) { /* maybe between two words: hold it back */
                pending_ws = s;
                pending_len = (size_t)(p - s);
                if (!(p[0] == '=' && p[1] == '?')) {
                    FLUSH_RUN();
                    ols_buf_put(&out, pending_ws, pending_len);
                    pending_ws = NULL;
                }
                continue;
            }
            ols_buf_put(&out, s, (size_t)(p - s));
            continue;
        }
        if (pending_ws) {
            FLUSH_RUN();
            ols_buf_put(&out, pending_ws, pending_len);
            pending_ws = NULL;
        }
        FLUSH_RUN();
        {
            const char *s = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' &&
                   !(p[0] == '=' && p[1] == '?'))
                p++;
            if (p == s)
                p++;
            ols_buf_put(&out, s, (size_t)(p - s));
        }
    }
    FLUSH_RUN();
#undef FLUSH_RUN
    ols_buf_free(&run);
    {
        size_t n = 0;
        char *s = ols_buf_take(&out, &n);
        if (s && !ols_utf8_valid(s, n)) { /* raw 8-bit header text: Windows-1252 */
            char *u = ols_charset_to_utf8(s, n, "windows-1252");
            free(s);
            s = u;
        }
        if (!s)
            s = calloc(1, 1);
        return s;
    }
}

/* ---- structured values ---- */
void ols_eml_token(const char *value, char *out, size_t n)
{
    const char *p = skip_ws(value ? value : "");
    size_t i = 0;
    while (*p && *p != ';' && *p != ' ' && *p != '\t' && *p != '(' && i + 1 < n)
        out[i++] = (char)tolower((unsigned char)*p++);
    out[i] = 0;
}

static void pct_decode(const char *s, size_t n, ols_buf *out)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexv((unsigned char)s[i + 1]) >= 0 &&
            hexv((unsigned char)s[i + 2]) >= 0) {
            char c = (char)(hexv((unsigned char)s[i + 1]) << 4 | hexv((unsigned char)s[i + 2]));
            ols_buf_put(out, &c, 1);
            i += 2;
        } else {
            ols_buf_put(out, &s[i], 1);
        }
    }
}

/* One parameter occurrence: name (without *N* suffix), section number, whether extended,
 * value (unquoted). Returns the position after it, or NULL at the end. */
static const char *next_param(const char *p, char *name, size_t nn, int *section, int *ext,
                              ols_buf *val)
{
    size_t i = 0;
    const char *star;
    p = strchr(p, ';');
    if (!p)
        return NULL;
    p = skip_ws(p + 1);
    while (*p && *p != '=' && *p != ';' && i + 1 < nn)
        name[i++] = *p++;
    while (i && (name[i - 1] == ' ' || name[i - 1] == '\t'))
        i--;
    name[i] = 0;
    *section = -1;
    *ext = 0;
    if (i && name[i - 1] == '*') {
        *ext = 1;
        name[--i] = 0;
    }
    star = strchr(name, '*');
    if (star) {
        *section = atoi(star + 1);
        name[star - name] = 0;
    }
    val->n = 0;
    if (*p != '=')
        return p;
    p = skip_ws(p + 1);
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                p++;
            ols_buf_put(val, p, 1);
            p++;
        }
        if (*p == '"')
            p++;
    } else {
        const char *s = p;
        while (*p && *p != ';')
            p++;
        while (p > s && (p[-1] == ' ' || p[-1] == '\t'))
            p--;
        ols_buf_put(val, s, (size_t)(p - s));
    }
    return p;
}

char *ols_eml_param(const char *value, const char *want)
{
    /* collect RFC 2231 sections in order; a plain name= is the fallback */
    char name[80], charset[64] = "";
    const char *p = value;
    ols_buf val = {0}, joined = {0};
    char *plain = NULL, *result = NULL;
    int section, ext, next = 0, any = 0, progressed = 1;
    if (!value)
        return NULL;
    while (progressed) {
        progressed = 0;
        p = value;
        while ((p = next_param(p, name, sizeof name, &section, &ext, &val)) != NULL) {
            if (!ieq(name, want))
                continue;
            if (section < 0 && !ext) {
                if (!plain)
                    plain = dupn(val.p ? val.p : "", val.n);
                continue;
            }
            if ((section < 0 ? 0 : section) != next)
                continue;
            if (section <= 0 && ext) {
                /* charset'language'value */
                const char *v = val.p ? val.p : "", *q1 = memchr(v, '\'', val.n), *q2;
                if (q1 && (q2 = memchr(q1 + 1, '\'', val.n - (size_t)(q1 + 1 - v))) != NULL) {
                    size_t cl = (size_t)(q1 - v);
                    if (cl < sizeof charset) {
                        memcpy(charset, v, cl);
                        charset[cl] = 0;
                    }
                    pct_decode(q2 + 1, val.n - (size_t)(q2 + 1 - v), &joined);
                } else {
                    pct_decode(v, val.n, &joined);
                }
            } else if (ext) {
                pct_decode(val.p ? val.p : "", val.n, &joined);
            } else {
                ols_buf_put(&joined, val.p ? val.p : "", val.n);
            }
            any = 1;
            next++;
            progressed = section >= 0;
            break;
        }
    }
    if (any) {
        result = ols_charset_to_utf8(joined.p ? joined.p : "", joined.n,
                                     charset[0] ? charset : "utf-8");
        free(plain);
    } else if (plain) {
        result = ols_eml_decode_words(plain); /* many mailers put encoded words here */
        free(plain);
    }
    ols_buf_free(&val);
    ols_buf_free(&joined);
    return result;
}

/* ---- addresses ---- */
typedef struct tok {
    int kind; /* 'a' atom/word, 'q' quoted, 'c' comment, '<' angle addr, or the char */
    char *text;
} tok;

static int tokenize(const char *s, tok **out, size_t *n)
{
    size_t cap = 16, k = 0;
    tok *t = malloc(cap * sizeof *t);
    if (!t)
        return -1;
    while (*s) {
        ols_buf b = {0};
        int kind;
        s = skip_ws(s);
        if (!*s)
            break;
        if (*s == '"') {
            kind = 'q';
            s++;
            while (*s && *s != '"') {
                if (*s == '\\' && s[1])
                    s++;
                ols_buf_put(&b, s, 1);
                s++;
            }
            if (*s)
                s++;
        } else if (*s == '(') {
            int depth = 1;
            kind = 'c';
            s++;
            while (*s && depth) {
                if (*s == '\\' && s[1]) {
                    s++;
                } else if (*s == '(') {
                    depth++;
                } else if (*s == ')') {
                    if (--depth == 0) {
                        s++;
                        break;
                    }
                }
                ols_buf_put(&b, s, 1);
                s++;
            }
        } else if (*s == '<') {
            kind = '<';
            s++;
            while (*s && *s != '>') {
                if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
                    ols_buf_put(&b, s, 1);
                s++;
            }
            if (*s)
                s++;
        } else if (*s == ',' || *s == ':' || *s == ';') {
            kind = *s++;
        } else {
            kind = 'a';
            while (*s && !strchr(" \t\r\n\"(<,:;", *s))
                ols_buf_put(&b, s++, 1);
        }
        if (k == cap) {
            tok *nt = realloc(t, (cap *= 2) * sizeof *t);
            if (!nt) {
                ols_buf_free(&b);
                break;
            }
            t = nt;
        }
        t[k].kind = kind;
        t[k].text = b.p ? ols_buf_take(&b, NULL) : calloc(1, 1);
        k++;
    }
    *out = t;
    *n = k;
    return 0;
}

static int add_addr(ols_eml_addr **v, size_t *n, size_t *cap, char *name, char *addr)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        ols_eml_addr *nv = realloc(*v, nc * sizeof *nv);
        if (!nv) {
            free(name);
            free(addr);
            return -1;
        }
        *v = nv;
        *cap = nc;
    }
    (*v)[*n].name = name;
    (*v)[*n].addr = addr;
    (*n)++;
    return 0;
}

ols_status ols_eml_parse_addrs(const char *value, ols_eml_addr **out, size_t *count)
{
    tok *t = NULL;
    size_t nt = 0, i = 0, n = 0, cap = 0;
    ols_eml_addr *v = NULL;
    *out = NULL;
    *count = 0;
    if (!value)
        return OLS_OK;
    if (tokenize(value, &t, &nt) != 0)
        return OLS_ENOMEM;
    while (i < nt) {
        /* one mailbox: tokens up to ',' (or ';' / ':' for groups) */
        size_t start = i, j;
        ols_buf phrase = {0}, spec = {0};
        char *angle = NULL, *comment = NULL;
        for (j = start; j < nt && t[j].kind != ','; j++) {
            if (t[j].kind == ':') { /* group display name: drop what came before */
                ols_buf_free(&phrase);
                ols_buf_free(&spec);
                free(comment);
                comment = NULL;
                continue;
            }
            if (t[j].kind == ';')
                continue;
            if (t[j].kind == '<') {
                free(angle);
                angle = strdup(t[j].text);
            } else if (t[j].kind == 'c') {
                if (!comment)
                    comment = strdup(t[j].text);
            } else {
                if (phrase.n)
                    ols_buf_put(&phrase, " ", 1);
                ols_buf_puts(&phrase, t[j].text);
                ols_buf_puts(&spec, t[j].text);
            }
        }
        i = j + 1;
        if (angle && *angle) {
            char *name = phrase.n ? ols_eml_decode_words(phrase.p) : NULL;
            /* a route prefix "@a,@b:x@y" is obsolete; keep what follows the colon */
            char *colon = strrchr(angle, ':');
            char *addr = strdup(colon ? colon + 1 : angle);
            add_addr(&v, &n, &cap, name, addr);
        } else if (spec.n && memchr(spec.p, '@', spec.n)) {
            char *name = comment ? ols_eml_decode_words(comment) : NULL;
            add_addr(&v, &n, &cap, name, ols_buf_take(&spec, NULL));
        } else if (phrase.n && !angle) {
            /* a bare word: local part without domain, kept as the address */
            add_addr(&v, &n, &cap, NULL, ols_buf_take(&spec, NULL));
        }
        free(angle);
        free(comment);
        ols_buf_free(&phrase);
        ols_buf_free(&spec);
    }
    for (i = 0; i < nt; i++)
        free(t[i].text);
    free(t);
    *out = v;
    *count = n;
    return OLS_OK;
}

void ols_eml_free_addrs(ols_eml_addr *a, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        free(a[i].name);
        free(a[i].addr);
    }
    free(a);
}

/* ---- dates ---- */
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const wdays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

int ols_eml_parse_date(const char *value, int64_t *out)
{
    const char *p = value;
    int day, year, hh, mm, ss = 0, mon = -1, i, zone = 0;
    char mbuf[4];
    if (!p)
        return -1;
    p = skip_ws(p);
    /* optional day name and comma */
    if (isalpha((unsigned char)*p)) {
        while (isalpha((unsigned char)*p))
            p++;
        p = skip_ws(p);
        if (*p == ',')
            p++;
        p = skip_ws(p);
    }
    if (!isdigit((unsigned char)*p))
        return -1;
    day = (int)strtol(p, (char **)&p, 10);
    p = skip_ws(p);
    if (*p == '-')
        p++;
    for (i = 0; i < 3 && isalpha((unsigned char)p[i]); i++)
        mbuf[i] = p[i];
    mbuf[i] = 0;
    for (i = 0; i < 12; i++)
        if (ieq(mbuf, months[i]))
            mon = i;
    if (mon < 0)
        return -1;
    while (isalpha((unsigned char)*p))
        p++;
    p = skip_ws(p);
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    {
        const char *ys = p;
        year = (int)strtol(p, (char **)&p, 10);
        if (p - ys <= 2)
            year += year < 50 ? 2000 : 1900;
        else if (p - ys == 3)
            year += 1900;
    }
    p = skip_ws(p);
    if (!isdigit((unsigned char)*p))
        return -1;
    hh = (int)strtol(p, (char **)&p, 10);
    if (*p != ':')
        return -1;
    mm = (int)strtol(p + 1, (char **)&p, 10);
    if (*p == ':')
        ss = (int)strtol(p + 1, (char **)&p, 10);
    p = skip_ws(p);
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, v = 0, k;
        p++;
        for (k = 0; k < 4 && isdigit((unsigned char)p[k]); k++)
            v = v * 10 + (p[k] - '0');
        if (k == 4)
            zone = sign * ((v / 100) * 60 + v % 100);
    } else if (isalpha((unsigned char)*p)) {
        static const struct {
            const char *n;
            int min;
        } zones[] = {{"UT", 0},        {"UTC", 0},       {"GMT", 0},       {"Z", 0},
                     {"EST", -5 * 60}, {"EDT", -4 * 60}, {"CST", -6 * 60}, {"CDT", -5 * 60},
                     {"MST", -7 * 60}, {"MDT", -6 * 60}, {"PST", -8 * 60}, {"PDT", -7 * 60}};
        char zb[8];
        size_t k;
        for (k = 0; k < sizeof zb - 1 && isalpha((unsigned char)p[k]); k++)
            zb[k] = p[k];
        zb[k] = 0;
        for (k = 0; k < sizeof zones / sizeof zones[0]; k++)
            if (ieq(zb, zones[k].n))
                zone = zones[k].min;
    }
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1601 || year > 9999)
        return -1;
    *out = ols_days_from_civil(year, (unsigned)mon + 1, (unsigned)day) * 86400 + hh * 3600 + mm * 60 +
           ss - (int64_t)zone * 60;
    return 0;
}

void ols_eml_format_date(int64_t t, char *buf, size_t n)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400, y;
    unsigned m, d;
    ols_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%s, %u %s %04d %02d:%02d:%02d +0000", wdays[((days % 7) + 7) % 7], d,
             months[m - 1], (int)y, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* ---- parsing the tree ---- */
static void part_free(ols_eml_part *p)
{
    size_t i;
    for (i = 0; i < p->nhdrs; i++) {
        free(p->hdrs[i].name);
        free(p->hdrs[i].value);
    }
    free(p->hdrs);
    free(p->charset);
    free(p->boundary);
    free(p->name);
    free(p->filename);
    free(p->content_id);
    free(p->content_location);
    for (i = 0; i < p->nchildren; i++)
        part_free(&p->children[i]);
    free(p->children);
    if (p->message) {
        part_free(p->message);
        free(p->message);
    }
    free(p->owned);
}

void ols_eml_free(ols_eml_msg *m)
{
    if (!m)
        return;
    part_free(&m->root);
    free(m->buf);
    free(m);
}

const char *ols_eml_header(const ols_eml_part *p, const char *name)
{
    size_t i;
    for (i = 0; i < p->nhdrs; i++)
        if (ieq(p->hdrs[i].name, name))
            return p->hdrs[i].value;
    return NULL;
}

/* Find the end of the header block: returns the offset of the body. */
static size_t header_end(const char *s, size_t n, size_t *hdr_len)
{
    size_t i = 0;
    if (n >= 2 && s[0] == '\r' && s[1] == '\n') {
        *hdr_len = 0;
        return 2;
    }
    if (n >= 1 && s[0] == '\n') {
        *hdr_len = 0;
        return 1;
    }
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t next;
        if (!nl) {
            *hdr_len = n;
            return n;
        }
        next = (size_t)(nl - s) + 1;
        if (next < n && s[next] == '\n') {
            *hdr_len = next;
            return next + 1;
        }
        if (next + 1 < n && s[next] == '\r' && s[next + 1] == '\n') {
            *hdr_len = next;
            return next + 2;
        }
        i = next;
    }
    *hdr_len = n;
    return n;
}

static ols_status parse_headers(ols_eml_part *p, const char *s, size_t n)
{
    size_t i = 0, cap = 0;
    while (i < n && p->nhdrs < MAX_HEADERS) {
        const char *line = s + i, *colon;
        size_t end = i, vstart;
        ols_buf val = {0};
        /* the logical line runs until a line that does not start with a blank */
        for (;;) {
            const char *nl = memchr(s + end, '\n', n - end);
            end = nl ? (size_t)(nl - s) + 1 : n;
            if (end >= n || (s[end] != ' ' && s[end] != '\t'))
                break;
        }
        colon = memchr(line, ':', end - i);
        if (colon && colon > line) {
            size_t nl_ = (size_t)(colon - line);
            char *name;
            while (nl_ && (line[nl_ - 1] == ' ' || line[nl_ - 1] == '\t'))
                nl_--;
            name = dupn(line, nl_);
            vstart = (size_t)(colon - s) + 1;
            while (vstart < end && (s[vstart] == ' ' || s[vstart] == '\t'))
                vstart++;
            {
                size_t k;
                for (k = vstart; k < end; k++)
                    if (s[k] != '\r' && s[k] != '\n')
                        ols_buf_put(&val, &s[k], 1);
            }
            if (p->nhdrs == cap) {
                size_t nc = cap ? cap * 2 : 16;
                ols_eml_hdr *nh = realloc(p->hdrs, nc * sizeof *nh);
                if (!nh) {
                    free(name);
                    ols_buf_free(&val);
                    return OLS_ENOMEM;
                }
                p->hdrs = nh;
                cap = nc;
            }
            p->hdrs[p->nhdrs].name = name;
            p->hdrs[p->nhdrs].value = val.p ? ols_buf_take(&val, NULL) : calloc(1, 1);
            /* trailing blanks of the value are not part of it */
            if (p->hdrs[p->nhdrs].value) {
                char *v = p->hdrs[p->nhdrs].value;
                size_t l = strlen(v);
                while (l && (v[l - 1] == ' ' || v[l - 1] == '\t'))
                    v[--l] = 0;
            }
            if (!name || !p->hdrs[p->nhdrs].value) {
                free(name);
                free(p->hdrs[p->nhdrs].value);
                return OLS_ENOMEM;
            }
            p->nhdrs++;
        }
        i = end;
    }
    return OLS_OK;
}

static ols_status parse_part(ols_eml_part *p, const char *s, size_t n, int depth, int digest,
                             size_t *parts);

static void read_content_headers(ols_eml_part *p, int digest)
{
    const char *ct = ols_eml_header(p, "Content-Type");
    const char *cte = ols_eml_header(p, "Content-Transfer-Encoding");
    const char *cd = ols_eml_header(p, "Content-Disposition");
    const char *cid = ols_eml_header(p, "Content-ID");
    const char *cl = ols_eml_header(p, "Content-Location");
    char tok_[160];
    strcpy(p->type, digest ? "message" : "text");
    strcpy(p->subtype, digest ? "rfc822" : "plain");
    if (ct) {
        char *slash;
        ols_eml_token(ct, tok_, sizeof tok_);
        slash = strchr(tok_, '/');
        if (slash && slash > tok_ && slash[1]) {
            *slash = 0;
            snprintf(p->type, sizeof p->type, "%s", tok_);
            snprintf(p->subtype, sizeof p->subtype, "%s", slash + 1);
        }
        p->charset = ols_eml_param(ct, "charset");
        if (p->charset)
            lower(p->charset);
        p->boundary = ols_eml_param(ct, "boundary");
        p->name = ols_eml_param(ct, "name");
    }
    if (cte) {
        ols_eml_token(cte, tok_, sizeof tok_);
        if (!strcmp(tok_, "base64"))
            p->cte = OLS_CTE_BASE64;
        else if (!strcmp(tok_, "quoted-printable"))
            p->cte = OLS_CTE_QP;
        else if (!strcmp(tok_, "8bit"))
            p->cte = OLS_CTE_8BIT;
        else if (!strcmp(tok_, "binary"))
            p->cte = OLS_CTE_BINARY;
    }
    if (cd) {
        ols_eml_token(cd, tok_, sizeof tok_);
        p->disposition = !strcmp(tok_, "inline")       ? OLS_DISP_INLINE
                         : !strcmp(tok_, "attachment") ? OLS_DISP_ATTACHMENT
                                                       : OLS_DISP_NONE;
        p->filename = ols_eml_param(cd, "filename");
    }
    if (cid) {
        const char *a = skip_ws(cid);
        size_t l;
        if (*a == '<')
            a++;
        l = strcspn(a, ">");
        while (l && (a[l - 1] == ' ' || a[l - 1] == '\t'))
            l--;
        p->content_id = dupn(a, l);
    }
    if (cl)
        p->content_location = strdup(cl);
}

static ols_status parse_multipart(ols_eml_part *p, int depth, size_t *parts)
{
    const char *s = p->body, *e = p->body + p->body_len, *cur;
    size_t bl = strlen(p->boundary), cap = 0;
    const char *part_start = NULL;
    int digest = !strcmp(p->subtype, "digest");
    cur = s;
    while (cur < e) {
        const char *line = cur, *nl = memchr(cur, '\n', (size_t)(e - cur));
        const char *next = nl ? nl + 1 : e;
        int is_b = (size_t)(e - line) >= bl + 2 && line[0] == '-' && line[1] == '-' &&
                   !memcmp(line + 2, p->boundary, bl);
        int closing = is_b && (size_t)(e - line) >= bl + 4 && line[bl + 2] == '-' &&
                      line[bl + 3] == '-';
        if (is_b) {
            if (part_start) {
                /* the CRLF before the boundary belongs to the boundary */
                const char *pe = line;
                if (pe > part_start && pe[-1] == '\n')
                    pe--;
                if (pe > part_start && pe[-1] == '\r')
                    pe--;
                if (p->nchildren == cap) {
                    size_t nc = cap ? cap * 2 : 4;
                    ols_eml_part *ncld = realloc(p->children, nc * sizeof *ncld);
                    if (!ncld)
                        return OLS_ENOMEM;
                    p->children = ncld;
                    cap = nc;
                }
                memset(&p->children[p->nchildren], 0, sizeof *p->children);
                p->nchildren++;
                if (++*parts > MAX_PARTS)
                    return OLS_ERANGE;
                {
                    ols_status st = parse_part(&p->children[p->nchildren - 1], part_start,
                                               (size_t)(pe - part_start), depth + 1, digest, parts);
                    if (st != OLS_OK)
                        return st;
                }
            }
            if (closing)
                return OLS_OK;
            part_start = next;
        }
        cur = next;
    }
    if (part_start && part_start < e) { /* no closing boundary: the rest is the last part */
        if (p->nchildren == cap) {
            ols_eml_part *ncld = realloc(p->children, (cap + 1) * sizeof *ncld);
            if (!ncld)
                return OLS_ENOMEM;
            p->children = ncld;
        }
        memset(&p->children[p->nchildren], 0, sizeof *p->children);
        p->nchildren++;
        return parse_part(&p->children[p->nchildren - 1], part_start, (size_t)(e - part_start),
                          depth + 1, digest, parts);
    }
    return OLS_OK;
}

static ols_status parse_part(ols_eml_part *p, const char *s, size_t n, int depth, int digest,
                             size_t *parts)
{
    size_t hl = 0, body = header_end(s, n, &hl);
    ols_status st = parse_headers(p, s, hl);
    if (st != OLS_OK)
        return st;
    p->raw_header = s;
    p->raw_header_len = hl;
    p->body = s + body;
    p->body_len = n - body;
    read_content_headers(p, digest);
    if (depth >= MAX_DEPTH)
        return OLS_OK; /* deeper structure stays opaque */
    if (!strcmp(p->type, "multipart")) {
        if (!p->boundary || !*p->boundary) {
            strcpy(p->type, "text");
            strcpy(p->subtype, "plain");
            return OLS_OK;
        }
        return parse_multipart(p, depth, parts);
    }
    if (ols_eml_is(p, "message", "rfc822") || ols_eml_is(p, "message", "global")) {
        const char *ms = p->body;
        size_t mn = p->body_len;
        if (p->cte == OLS_CTE_BASE64 || p->cte == OLS_CTE_QP) {
            if (ols_eml_body(p, &p->owned, &mn) != OLS_OK)
                return OLS_ENOMEM;
            ms = p->owned;
        }
        p->message = calloc(1, sizeof *p->message);
        if (!p->message)
            return OLS_ENOMEM;
        return parse_part(p->message, ms, mn, depth + 1, 0, parts);
    }
    return OLS_OK;
}

ols_status ols_eml_parse(const char *buf, size_t len, ols_eml_msg **out, ols_err *err)
{
    ols_eml_msg *m = calloc(1, sizeof *m);
    size_t parts = 0;
    ols_status st;
    if (!m)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    m->buf = malloc(len + 1);
    if (!m->buf) {
        free(m);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    memcpy(m->buf, buf, len);
    m->buf[len] = 0;
    m->len = len;
    st = parse_part(&m->root, m->buf, len, 0, 0, &parts);
    if (st != OLS_OK) {
        ols_eml_free(m);
        return ols_err_set(err, st, st == OLS_ERANGE ? "message has too many parts"
                                                     : "out of memory parsing a message");
    }
    *out = m;
    return OLS_OK;
}

/* ---- writing ---- */
static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void b64_run(ols_buf *b, const unsigned char *s, size_t n)
{
    size_t i;
    char q[4];
    for (i = 0; i + 2 < n; i += 3) {
        q[0] = b64chars[s[i] >> 2];
        q[1] = b64chars[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        q[2] = b64chars[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
        q[3] = b64chars[s[i + 2] & 63];
        ols_buf_put(b, q, 4);
    }
    if (n - i == 1) {
        q[0] = b64chars[s[i] >> 2];
        q[1] = b64chars[(s[i] & 3) << 4];
        q[2] = q[3] = '=';
        ols_buf_put(b, q, 4);
    } else if (n - i == 2) {
        q[0] = b64chars[s[i] >> 2];
        q[1] = b64chars[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
        q[2] = b64chars[(s[i + 1] & 15) << 2];
        q[3] = '=';
        ols_buf_put(b, q, 4);
    }
}

void ols_eml_put_base64(ols_buf *b, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i;
    for (i = 0; i < n; i += 57) {
        b64_run(b, s + i, n - i < 57 ? n - i : 57);
        ols_buf_put(b, "\r\n", 2);
    }
}

void ols_eml_put_qp(ols_buf *b, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i, col = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = s[i];
        char enc[4];
        int need;
        if (c == '\r' && i + 1 < n && s[i + 1] == '\n') {
            ols_buf_put(b, "\r\n", 2);
            col = 0;
            i++;
            continue;
        }
        if (c == '\n') {
            ols_buf_put(b, "\r\n", 2);
            col = 0;
            continue;
        }
        need = c == '=' || c > 126 || (c < 32 && c != '\t') ||
               ((c == ' ' || c == '\t') &&
                (i + 1 == n || s[i + 1] == '\r' || s[i + 1] == '\n')) ||
               (c == '.' && col == 0) ||
               (c == 'F' && col == 0 && n - i >= 5 && !memcmp(s + i, "From ", 5));
        if (col + (need ? 3 : 1) > 75) {
            ols_buf_put(b, "=\r\n", 3);
            col = 0;
        }
        if (need) {
            snprintf(enc, sizeof enc, "=%02X", c);
            ols_buf_put(b, enc, 3);
            col += 3;
        } else {
            ols_buf_put(b, &c, 1);
            col++;
        }
    }
}

int ols_eml_pick_cte(const void *p, size_t n, int text)
{
    const unsigned char *s = p;
    size_t i, col = 0, high = 0;
    int ctl = 0, longline = 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '\n') {
            col = 0;
            continue;
        }
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
            continue;
        if (s[i] >= 128)
            high++;
        else if ((s[i] < 32 && s[i] != '\t') || s[i] == 127)
            ctl = 1;
        if (++col > 76)
            longline = 1;
    }
    if (!text || ctl)
        return OLS_CTE_BASE64;
    if (!high && !longline)
        return OLS_CTE_7BIT;
    return high * 3 > n ? OLS_CTE_BASE64 : OLS_CTE_QP;
}

static int needs_encoding(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 128 || (unsigned char)*s < 32 || (s[0] == '=' && s[1] == '?'))
            return 1;
    return 0;
}

/* =?UTF-8?B?...?= words of at most 75 characters, split on character boundaries. */
static void put_encoded_words(ols_buf *b, const char *s, size_t *col)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t take = 0, j = i;
        /* 45 bytes of UTF-8 -> 60 base64 characters + 12 of framing */
        while (j < n) {
            size_t clen = 1;
            unsigned char c = (unsigned char)s[j];
            if (c >= 0xF0)
                clen = 4;
            else if (c >= 0xE0)
                clen = 3;
            else if (c >= 0xC0)
                clen = 2;
            if (take + clen > 45)
                break;
            take += clen;
            j += clen;
        }
        if (!take)
            take = n - i < 45 ? n - i : 45;
        if (i) {
            ols_buf_put(b, "\r\n ", 3);
            *col = 1;
        }
        ols_buf_puts(b, "=?UTF-8?B?");
        b64_run(b, (const unsigned char *)s + i, take);
        ols_buf_puts(b, "?=");
        *col += 12 + ((take + 2) / 3) * 4;
        i += take;
    }
}

/* Plain text folded at blanks once a line would pass 78 columns. */
static void put_folded(ols_buf *b, const char *s, size_t *col)
{
    while (*s) {
        const char *w = s;
        size_t wl;
        while (*w == ' ')
            w++;
        wl = strcspn(w, " ");
        if (*col + (size_t)(w - s) + wl > 78 && *col > 1 && w > s) {
            ols_buf_put(b, "\r\n ", 3);
            *col = 1;
            ols_buf_put(b, w, wl);
            *col += wl;
        } else {
            ols_buf_put(b, s, (size_t)(w - s) + wl);
            *col += (size_t)(w - s) + wl;
        }
        s = w + wl;
    }
}

void ols_eml_put_text_header(ols_buf *b, const char *name, const char *utf8)
{
    size_t col = strlen(name) + 2;
    ols_buf_puts(b, name);
    ols_buf_puts(b, ": ");
    if (needs_encoding(utf8))
        put_encoded_words(b, utf8, &col);
    else
        put_folded(b, utf8, &col);
    ols_buf_puts(b, "\r\n");
}

static int is_atext_phrase(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || strchr("!#$%&'*+-/=?^_`{|}~ ", *s)))
            return 0;
    return 1;
}

void ols_eml_put_addr(ols_buf *b, const ols_eml_addr *a)
{
    size_t col = 0;
    int named = a->name && *a->name && (!a->addr || strcmp(a->name, a->addr) != 0);
    if (named) {
        if (needs_encoding(a->name)) {
            put_encoded_words(b, a->name, &col);
        } else if (is_atext_phrase(a->name)) {
            ols_buf_puts(b, a->name);
        } else {
            const char *p;
            ols_buf_put(b, "\"", 1);
            for (p = a->name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    ols_buf_put(b, "\\", 1);
                ols_buf_put(b, p, 1);
            }
            ols_buf_put(b, "\"", 1);
        }
        if (a->addr)
            ols_buf_printf(b, " <%s>", a->addr);
    } else if (a->addr) {
        ols_buf_puts(b, a->addr);
    }
}

void ols_eml_put_addr_header(ols_buf *b, const char *name, const ols_eml_addr *a, size_t n)
{
    size_t i;
    ols_buf_puts(b, name);
    ols_buf_puts(b, ": ");
    for (i = 0; i < n; i++) {
        if (i)
            ols_buf_puts(b, ",\r\n ");
        ols_eml_put_addr(b, &a[i]);
    }
    ols_buf_puts(b, "\r\n");
}

void ols_eml_put_param(ols_buf *b, const char *name, const char *utf8)
{
    const unsigned char *p;
    int plain = 1;
    for (p = (const unsigned char *)utf8; *p; p++)
        if (*p >= 128 || *p < 32 || *p == '"' || *p == '\\')
            plain = 0;
    if (plain) {
        ols_buf_printf(b, ";\r\n\t%s=\"%s\"", name, utf8);
        return;
    }
    ols_buf_printf(b, ";\r\n\t%s*=UTF-8''", name);
    for (p = (const unsigned char *)utf8; *p; p++) {
        if (isalnum(*p) || strchr("!#$&+-.^_`|~", *p))
            ols_buf_put(b, p, 1);
        else
            ols_buf_printf(b, "%%%02X", *p);
    }
}
