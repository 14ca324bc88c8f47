/* Parsed IMAP arguments -> values. Every value from the network is checked here, so a
 * malformed one becomes an error naming it instead of a wrong number. */
#include "imap/resp.h"
#include "olsync/civil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "olsync/mailflags.h"

static char up(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
}

int ols_imap_strcaseeq(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    while (*a && *b && up(*a) == up(*b))
        a++, b++;
    return *a == 0 && *b == 0;
}

static int strcaseprefix(const char *s, const char *prefix)
{
    while (*prefix && up(*s) == up(*prefix))
        s++, prefix++;
    return *prefix == 0;
}

int ols_imap_str_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    if (!s || !*s)
        return 0;
    for (; *s; s++, n++) {
        if (*s < '0' || *s > '9' || n >= 19)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return 0;
    *out = v;
    return 1;
}

int ols_imap_str_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!ols_imap_str_u64(s, &v) || v > 0xffffffffu)
        return 0;
    *out = (uint32_t)v;
    return 1;
}

int ols_imap_arg_u64(const ols_imap_arg *a, uint64_t *out)
{
    return a && a->type == OLS_IMAP_ARG_ATOM && ols_imap_str_u64(a->s, out);
}

int ols_imap_arg_u32(const ols_imap_arg *a, uint32_t *out)
{
    return a && a->type == OLS_IMAP_ARG_ATOM && ols_imap_str_u32(a->s, out);
}

const char *ols_imap_arg_astring(const ols_imap_arg *a)
{
    if (!a)
        return NULL;
    if (a->type == OLS_IMAP_ARG_ATOM || a->type == OLS_IMAP_ARG_STRING ||
        a->type == OLS_IMAP_ARG_NIL)
        return a->s;
    return NULL;
}

const char *ols_imap_arg_nstring(const ols_imap_arg *a, int *ok)
{
    *ok = 0;
    if (!a)
        return NULL;
    if (a->type == OLS_IMAP_ARG_NIL) {
        *ok = 1;
        return NULL;
    }
    if (a->type == OLS_IMAP_ARG_STRING || a->type == OLS_IMAP_ARG_ATOM) {
        *ok = 1;
        return a->s;
    }
    return NULL;
}

int ols_imap_atom_is(const ols_imap_arg *a, const char *word)
{
    return a && a->type == OLS_IMAP_ARG_ATOM && ols_imap_strcaseeq(a->s, word);
}

int ols_imap_seqset_valid(const char *s)
{
    int need_num = 1; /* at the start of a number or '*' */
    if (!s || !*s)
        return 0;
    while (*s) {
        if (need_num) {
            if (*s == '*') {
                s++;
            } else {
                uint64_t v = 0;
                int digits = 0;
                while (*s >= '0' && *s <= '9') {
                    v = v * 10 + (uint64_t)(*s - '0');
                    if (v > 0xffffffffu || ++digits > 10)
                        return 0;
                    s++;
                }
                if (!digits || v == 0)
                    return 0;
            }
            need_num = 0;
        } else if (*s == ':' || *s == ',') {
            s++;
            need_num = 1;
        } else {
            return 0;
        }
    }
    return !need_num;
}

static const struct {
    const char *name;
    unsigned bit;
} flag_names[] = {{"\\Seen", OLS_MF_SEEN},       {"\\Answered", OLS_MF_ANSWERED},
                  {"\\Flagged", OLS_MF_FLAGGED}, {"\\Deleted", OLS_MF_DELETED},
                  {"\\Draft", OLS_MF_DRAFT},     {"$Forwarded", OLS_MF_FORWARDED}};

unsigned ols_imap_flag_bit(const char *flag)
{
    size_t i;
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
        if (ols_imap_strcaseeq(flag, flag_names[i].name))
            return flag_names[i].bit;
    return 0;
}

size_t ols_imap_flags_format(unsigned bits, char *out, size_t cap)
{
    size_t i, n = 0;
    if (cap)
        out[0] = 0;
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++) {
        if (bits & flag_names[i].bit) {
            size_t l = strlen(flag_names[i].name);
            if (n + l + 2 > cap)
                break;
            if (n)
                out[n++] = ' ';
            memcpy(out + n, flag_names[i].name, l + 1);
            n += l;
        }
    }
    return n;
}

ols_status ols_imap_flags_parse(const ols_imap_arg *list, unsigned *bits, char **keywords,
                                int *any_keyword, ols_err *err)
{
    const ols_imap_arg *a;
    size_t kwlen = 0;
    char *kw = NULL;
    *bits = 0;
    if (keywords)
        *keywords = NULL;
    if (any_keyword)
        *any_keyword = 0;
    if (!list || list->type != OLS_IMAP_ARG_LIST)
        return ols_err_set(err, OLS_EPROTO, "flag list expected");
    for (a = list->list; a; a = a->next) {
        unsigned b;
        if (a->type != OLS_IMAP_ARG_ATOM) {
            free(kw);
            return ols_err_set(err, OLS_EPROTO, "flag is not an atom");
        }
        if ((b = ols_imap_flag_bit(a->s)) != 0) {
            *bits |= b;
        } else if (!strcmp(a->s, "\\*")) {
            if (any_keyword)
                *any_keyword = 1;
        } else if (a->s[0] != '\\' && keywords) {
            char *n = realloc(kw, kwlen + a->len + 2);
            if (!n) {
                free(kw);
                return ols_err_set(err, OLS_ENOMEM, "out of memory");
            }
            kw = n;
            if (kwlen)
                kw[kwlen++] = ' ';
            memcpy(kw + kwlen, a->s, a->len + 1);
            kwlen += a->len;
        }
    }
    if (keywords)
        *keywords = kw;
    return OLS_OK;
}

/* ---- dates ---- */

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int digits(const char *s, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int ols_imap_parse_datetime(const char *s, int64_t *out)
{
    int day, year, hh, mm, ss, zh, zm, mon = -1, i;
    int64_t t;
    if (!s)
        return 0;
    /* day: "07", " 7" or "7" */
    if (s[0] == ' ')
        s++;
    if (s[0] >= '0' && s[0] <= '9' && s[1] == '-') {
        day = s[0] - '0';
        s += 1;
    } else if (digits(s, 2, &day)) {
        s += 2;
    } else {
        return 0;
    }
    if (*s++ != '-')
        return 0;
    for (i = 0; i < 12; i++)
        if (up(s[0]) == up(months[i][0]) && up(s[1]) == up(months[i][1]) &&
            up(s[2]) == up(months[i][2]) && s[0] && s[1] && s[2])
            mon = i;
    if (mon < 0)
        return 0;
    s += 3;
    if (*s++ != '-' || !digits(s, 4, &year))
        return 0;
    s += 4;
    if (*s++ != ' ' || !digits(s, 2, &hh) || s[2] != ':' || !digits(s + 3, 2, &mm) ||
        s[5] != ':' || !digits(s + 6, 2, &ss))
        return 0;
    s += 8;
    if (*s++ != ' ' || (s[0] != '+' && s[0] != '-') || !digits(s + 1, 2, &zh) ||
        !digits(s + 3, 2, &zm) || s[5] != 0)
        return 0;
    if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || zm > 59)
        return 0;
    t = ols_days_from_civil(year, (unsigned)mon + 1, (unsigned)day) * 86400 + hh * 3600 + mm * 60 +
        ss;
    t -= (s[0] == '-' ? -1 : 1) * (int64_t)(zh * 3600 + zm * 60);
    *out = t;
    return 1;
}

void ols_imap_format_datetime(int64_t t, char out[32])
{
    char tmp[96];
    int64_t days, secs, y;
    unsigned m, d;
    if (t < -62135596800LL || t > 253402300799LL) /* IMAP wants years 0001..9999 */
        t = 0;
    days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    secs = t - days * 86400;
    ols_civil_from_days(days, &y, &m, &d);
    snprintf(tmp, sizeof tmp, "%02u-%s-%04d %02d:%02d:%02d +0000", d, months[m - 1], (int)y,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    memcpy(out, tmp, 27); /* "dd-Mon-yyyy hh:mm:ss +0000" and its NUL */
}

/* ---- capabilities ---- */

static const struct {
    const char *word;
    uint64_t bit;
} cap_names[] = {{"IDLE", OLS_CAP_IDLE},
                 {"CONDSTORE", OLS_CAP_CONDSTORE},
                 {"QRESYNC", OLS_CAP_QRESYNC | OLS_CAP_CONDSTORE},
                 {"UIDPLUS", OLS_CAP_UIDPLUS},
                 {"MOVE", OLS_CAP_MOVE},
                 {"ESEARCH", OLS_CAP_ESEARCH},
                 {"LITERAL+", OLS_CAP_LITERALPLUS},
                 {"LITERAL-", OLS_CAP_LITERALMINUS},
                 {"ENABLE", OLS_CAP_ENABLE},
                 {"ID", OLS_CAP_ID},
                 {"SPECIAL-USE", OLS_CAP_SPECIAL_USE},
                 {"LIST-STATUS", OLS_CAP_LIST_STATUS},
                 {"METADATA", OLS_CAP_METADATA},
                 {"ACL", OLS_CAP_ACL},
                 {"QUOTA", OLS_CAP_QUOTA},
                 {"BINARY", OLS_CAP_BINARY},
                 {"COMPRESS=DEFLATE", OLS_CAP_COMPRESS},
                 {"NAMESPACE", OLS_CAP_NAMESPACE},
                 {"UNSELECT", OLS_CAP_UNSELECT},
                 {"LIST-EXTENDED", OLS_CAP_LIST_EXTENDED},
                 {"MULTIAPPEND", OLS_CAP_MULTIAPPEND},
                 {"NOTIFY", OLS_CAP_NOTIFY},
                 {"SASL-IR", OLS_CAP_SASL_IR},
                 {"AUTH=PLAIN", OLS_CAP_AUTH_PLAIN},
                 {"STARTTLS", OLS_CAP_STARTTLS},
                 {"LOGINDISABLED", OLS_CAP_LOGINDISABLED}};

uint64_t ols_imap_cap_bit(const char *word)
{
    size_t i;
    for (i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
        if (ols_imap_strcaseeq(word, cap_names[i].word))
            return cap_names[i].bit;
    return 0;
}

uint64_t ols_imap_caps_parse(const ols_imap_arg *words)
{
    uint64_t caps = 0;
    for (; words; words = words->next)
        if (words->type == OLS_IMAP_ARG_ATOM)
            caps |= ols_imap_cap_bit(words->s);
    return caps;
}

int ols_imap_is_body_key(const char *key)
{
    return strcaseprefix(key, "BODY[") || strcaseprefix(key, "BINARY[") ||
           ols_imap_strcaseeq(key, "RFC822") || ols_imap_strcaseeq(key, "RFC822.HEADER") ||
           ols_imap_strcaseeq(key, "RFC822.TEXT");
}

/* ---- serialisation ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *x;
        while (cap < b->n + n + 1)
            cap *= 2;
        if (!(x = realloc(b->p, cap))) {
            b->oom = 1;
            return;
        }
        b->p = x;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static void ser(sbuf *b, const ols_imap_arg *a)
{
    const ols_imap_arg *c;
    size_t i;
    int lit = 0;
    char hdr[32];
    switch (a->type) {
    case OLS_IMAP_ARG_ATOM:
    case OLS_IMAP_ARG_NIL:
        sb_add(b, a->s, a->len);
        break;
    case OLS_IMAP_ARG_STREAMED:
        sb_add(b, "NIL", 3);
        break;
    case OLS_IMAP_ARG_STRING:
        for (i = 0; i < a->len; i++)
            if (a->s[i] == '\r' || a->s[i] == '\n')
                lit = 1;
        /* the result is a C string: a NUL (never valid in these fields) becomes '?' */
        if (lit) {
            snprintf(hdr, sizeof hdr, "{%zu}\r\n", a->len);
            sb_add(b, hdr, strlen(hdr));
            for (i = 0; i < a->len; i++)
                sb_add(b, a->s[i] ? a->s + i : "?", 1);
            break;
        }
        sb_add(b, "\"", 1);
        for (i = 0; i < a->len; i++) {
            if (a->s[i] == '"' || a->s[i] == '\\')
                sb_add(b, "\\", 1);
            sb_add(b, a->s[i] ? a->s + i : "?", 1);
        }
        sb_add(b, "\"", 1);
        break;
    case OLS_IMAP_ARG_LIST:
        sb_add(b, "(", 1);
        for (c = a->list; c; c = c->next) {
            ser(b, c); /* depth is bounded by the parser's list limit */
            if (c->next)
                sb_add(b, " ", 1);
        }
        sb_add(b, ")", 1);
        break;
    }
}

char *ols_imap_serialize(const ols_imap_arg *a)
{
    sbuf b = {0};
    sb_add(&b, "", 0);
    ser(&b, a);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- FETCH ---- */

ols_status ols_imap_fetch_decode(const ols_imap_line *l, ols_imap_msg *m, char **bodystructure,
                                 char **keywords, ols_err *err)
{
    const ols_imap_arg *k, *v;
    ols_status st;
    memset(m, 0, sizeof *m);
    *bodystructure = *keywords = NULL;
    if (!l->has_num || l->nargs != 1 || l->args->type != OLS_IMAP_ARG_LIST)
        return ols_err_set(err, OLS_EPROTO, "FETCH response without one item list");
    m->seq = l->num;
    for (k = l->args->list; k; k = v->next) {
        const char *name = k->s;
        v = k->next;
        if (k->type != OLS_IMAP_ARG_ATOM)
            goto bad_name;
        if (!v) {
            st = ols_err_set(err, OLS_EPROTO, "FETCH item %.64s without a value", name);
            goto fail;
        }
        if (ols_imap_strcaseeq(name, "UID")) {
            if (!ols_imap_arg_u32(v, &m->uid) || m->uid == 0)
                goto bad_value;
        } else if (ols_imap_strcaseeq(name, "FLAGS")) {
            free(*keywords);
            if ((st = ols_imap_flags_parse(v, &m->flags, keywords, NULL, err)) != OLS_OK) {
                ols_err_prefix(err, "FETCH FLAGS");
                goto fail;
            }
            m->has_flags = 1;
        } else if (ols_imap_strcaseeq(name, "MODSEQ")) {
            if (v->type != OLS_IMAP_ARG_LIST || v->len != 1 ||
                !ols_imap_arg_u64(v->list, &m->modseq))
                goto bad_value;
        } else if (ols_imap_strcaseeq(name, "RFC822.SIZE")) {
            if (!ols_imap_arg_u32(v, &m->size))
                goto bad_value;
        } else if (ols_imap_strcaseeq(name, "INTERNALDATE")) {
            if (v->type != OLS_IMAP_ARG_STRING || !ols_imap_parse_datetime(v->s, &m->internaldate))
                goto bad_value;
        } else if (ols_imap_strcaseeq(name, "BODYSTRUCTURE")) {
            if (v->type != OLS_IMAP_ARG_LIST)
                goto bad_value;
            free(*bodystructure);
            if (!(*bodystructure = ols_imap_serialize(v))) {
                st = ols_err_set(err, OLS_ENOMEM, "out of memory");
                goto fail;
            }
        }
        /* message content and items we do not use are skipped */
    }
    m->bodystructure = *bodystructure;
    m->keywords = *keywords;
    return OLS_OK;
bad_name:
    st = ols_err_set(err, OLS_EPROTO, "FETCH item name is not an atom");
    goto fail;
bad_value:
    st = ols_err_set(err, OLS_EPROTO, "malformed FETCH %.64s value", k->s);
fail:
    free(*bodystructure);
    free(*keywords);
    *bodystructure = *keywords = NULL;
    m->bodystructure = m->keywords = NULL;
    return st;
}
