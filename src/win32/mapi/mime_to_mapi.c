/* MIME -> MAPI: our own mapper (after Kopano's VMIMEToMAPI in spirit), and the
 * IConverterSession path used inside Outlook. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "mapi_mime.h"
#include "mapi_rt.h"
#include "olsync/log.h"

/* ---- one-off entry ids ---- */
BYTE *ols_oneoff_entryid(const char *name, const char *addr, ULONG *cb)
{
    static const BYTE uid[16] = MAPI_ONE_OFF_UID;
    wchar_t *wn = ols_utf8_to_wide(name && *name ? name : addr, -1);
    wchar_t *wa = ols_utf8_to_wide(addr, -1);
    size_t ln, la, total;
    BYTE *e = NULL, *p;
    WORD flags = (WORD)(MAPI_ONE_OFF_UNICODE | MAPI_ONE_OFF_NO_RICH_INFO);
    if (!wn || !wa)
        goto out;
    ln = (wcslen(wn) + 1) * 2;
    la = (wcslen(wa) + 1) * 2;
    total = 4 + 16 + 2 + 2 + ln + 10 + la;
    e = calloc(1, total);
    if (!e)
        goto out;
    p = e + 4;
    memcpy(p, uid, 16);
    p += 16;
    p += 2; /* version 0 */
    p[0] = (BYTE)(flags & 0xFF);
    p[1] = (BYTE)(flags >> 8);
    p += 2;
    memcpy(p, wn, ln);
    p += ln;
    memcpy(p, L"SMTP", 10);
    p += 10;
    memcpy(p, wa, la);
    *cb = (ULONG)total;
out:
    free(wn);
    free(wa);
    return e;
}

static const wchar_t *wstr_at(const BYTE *p, const BYTE *end, const BYTE **next)
{
    const BYTE *q = p;
    while (q + 1 < end && (q[0] || q[1]))
        q += 2;
    if (q + 1 >= end)
        return NULL;
    *next = q + 2;
    return (const wchar_t *)p;
}

int ols_oneoff_parse(const BYTE *eid, ULONG cb, char **name, char **addr)
{
    static const BYTE uid[16] = MAPI_ONE_OFF_UID;
    const BYTE *p, *end = eid + cb, *n1, *n2, *n3;
    const wchar_t *wn, *wt, *wa;
    WORD flags;
    *name = *addr = NULL;
    if (cb < 24 || memcmp(eid + 4, uid, 16) != 0)
        return -1;
    flags = (WORD)(eid[22] | eid[23] << 8);
    if (!(flags & MAPI_ONE_OFF_UNICODE))
        return -1; /* the 8-bit form: rare in modern stores, not worth a second path */
    p = eid + 24;
    wn = wstr_at(p, end, &n1);
    wt = wn ? wstr_at(n1, end, &n2) : NULL;
    wa = wt ? wstr_at(n2, end, &n3) : NULL;
    if (!wa)
        return -1;
    /* the strings are not aligned in the buffer: copy through the UTF-16 converter */
    {
        size_t ln = (size_t)(n1 - p) / 2 - 1, la = (size_t)(n3 - n2) / 2 - 1;
        wchar_t *bn = malloc((ln + 1) * sizeof *bn), *ba = malloc((la + 1) * sizeof *ba);
        if (!bn || !ba) {
            free(bn);
            free(ba);
            return -1;
        }
        memcpy(bn, p, ln * 2);
        bn[ln] = 0;
        memcpy(ba, n2, la * 2);
        ba[la] = 0;
        *name = ols_wide_to_utf8(bn, -1);
        *addr = ols_wide_to_utf8(ba, -1);
        free(bn);
        free(ba);
    }
    return *name && *addr ? 0 : -1;
}

/* "SMTP:ADDR@EXAMPLE.ORG\0" */
static BYTE *search_key(const char *addr, ULONG *cb)
{
    size_t n = strlen(addr), i;
    BYTE *k = malloc(n + 6);
    if (!k)
        return NULL;
    memcpy(k, "SMTP:", 5);
    for (i = 0; i < n; i++)
        k[5 + i] = (BYTE)toupper((unsigned char)addr[i]);
    k[5 + n] = 0;
    *cb = (ULONG)(n + 6);
    return k;
}

/* ---- HTML to text ---- */
static int tag_is(const wchar_t *t, size_t n, const wchar_t *name)
{
    size_t k = wcslen(name), i;
    if (n < k)
        return 0;
    for (i = 0; i < k; i++)
        if (towlower(t[i]) != name[i])
            return 0;
    return n == k || !iswalnum(t[k]);
}

wchar_t *ols_html_to_text(const wchar_t *h, size_t n)
{
    wchar_t *out = malloc((n + 3) * sizeof *out);
    size_t i = 0, o = 0;
    int skip = 0, space = 0;
    if (!out)
        return NULL;
    while (i < n) {
        if (h[i] == L'<') {
            size_t j = i + 1, k;
            int closing = 0;
            if (i + 3 < n && h[i + 1] == L'!' && h[i + 2] == L'-' && h[i + 3] == L'-') {
                const wchar_t *end = NULL;
                for (k = i + 4; k + 2 < n; k++)
                    if (h[k] == L'-' && h[k + 1] == L'-' && h[k + 2] == L'>') {
                        end = h + k + 3;
                        break;
                    }
                i = end ? (size_t)(end - h) : n;
                continue;
            }
            if (j < n && h[j] == L'/') {
                closing = 1;
                j++;
            }
            for (k = j; k < n && h[k] != L'>'; k++)
                ;
            if (tag_is(h + j, k - j, L"style") || tag_is(h + j, k - j, L"script") ||
                tag_is(h + j, k - j, L"head") || tag_is(h + j, k - j, L"title"))
                skip = !closing;
            else if (!skip && (tag_is(h + j, k - j, L"br") || tag_is(h + j, k - j, L"p") ||
                               tag_is(h + j, k - j, L"div") || tag_is(h + j, k - j, L"tr") ||
                               tag_is(h + j, k - j, L"li") || tag_is(h + j, k - j, L"h1") ||
                               tag_is(h + j, k - j, L"h2") || tag_is(h + j, k - j, L"h3") ||
                               tag_is(h + j, k - j, L"blockquote") ||
                               tag_is(h + j, k - j, L"table"))) {
                if (o && !(o >= 2 && out[o - 1] == L'\n' && out[o - 2] == L'\r') &&
                    (closing || tag_is(h + j, k - j, L"br") || tag_is(h + j, k - j, L"li"))) {
                    out[o++] = L'\r';
                    out[o++] = L'\n';
                }
                space = 0;
            }
            i = k < n ? k + 1 : n;
            continue;
        }
        if (skip) {
            i++;
            continue;
        }
        if (h[i] == L'&') {
            static const struct {
                const wchar_t *name;
                wchar_t c;
            } ents[] = {{L"amp;", L'&'},  {L"lt;", L'<'},     {L"gt;", L'>'},
                        {L"quot;", L'"'}, {L"nbsp;", 0xA0},   {L"apos;", L'\''},
                        {L"euro;", 0x20AC}, {L"copy;", 0xA9}, {L"shy;", 0xAD}};
            size_t e;
            int done = 0;
            if (i + 2 < n && h[i + 1] == L'#') {
                unsigned long v = 0;
                size_t k = i + 2;
                int hex = k < n && (h[k] == L'x' || h[k] == L'X');
                if (hex)
                    k++;
                while (k < n && (hex ? iswxdigit(h[k]) : iswdigit(h[k]))) {
                    v = v * (hex ? 16 : 10) +
                        (unsigned long)(iswdigit(h[k]) ? h[k] - L'0' : (towlower(h[k]) - L'a' + 10));
                    k++;
                }
                if (k < n && h[k] == L';' && v && v < 0x10000) {
                    out[o++] = (wchar_t)v;
                    i = k + 1;
                    space = 0;
                    continue;
                }
            }
            for (e = 0; e < sizeof ents / sizeof ents[0] && !done; e++) {
                size_t l = wcslen(ents[e].name);
                if (i + 1 + l <= n && !wcsncmp(h + i + 1, ents[e].name, l)) {
                    out[o++] = ents[e].c;
                    i += 1 + l;
                    done = 1;
                }
            }
            if (done) {
                space = 0;
                continue;
            }
        }
        if (iswspace(h[i])) {
            if (!space && o && out[o - 1] != L'\n')
                out[o++] = L' ';
            space = 1;
            i++;
            continue;
        }
        space = 0;
        out[o++] = h[i++];
    }
    while (o && (out[o - 1] == L' ' || out[o - 1] == L'\r' || out[o - 1] == L'\n'))
        o--;
    out[o] = 0;
    return out;
}

/* ---- the mapper ---- */
typedef struct att_ref {
    const ols_eml_part *part;
    int inline_;
} att_ref;

typedef struct walk {
    const ols_eml_part *text, *html;
    att_ref *atts;
    size_t natts, cap;
    const ols_eml_part *missing[32]; /* external-body stand-ins */
    size_t nmissing;
    int oom;
} walk;

static void add_att(walk *w, const ols_eml_part *p, int inline_)
{
    if (ols_eml_is(p, "message", "external-body")) {
        /* content the engine left on the server: not an attachment, a note in the body */
        if (w->nmissing < sizeof w->missing / sizeof w->missing[0])
            w->missing[w->nmissing++] = p;
        return;
    }
    if (w->natts == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 8;
        att_ref *na = realloc(w->atts, nc * sizeof *na);
        if (!na) {
            w->oom = 1;
            return;
        }
        w->atts = na;
        w->cap = nc;
    }
    w->atts[w->natts].part = p;
    w->atts[w->natts].inline_ = inline_;
    w->natts++;
}

static int body_candidate(const ols_eml_part *p, const char *subtype)
{
    return ols_eml_is(p, "text", subtype) && p->disposition != OLS_DISP_ATTACHMENT &&
           !p->filename;
}

static void walk_part(walk *w, const ols_eml_part *p, int inline_ctx);

/* Everything under p becomes attachments (the body was found already). */
static void flatten(walk *w, const ols_eml_part *p, int inline_ctx)
{
    size_t i;
    if (!strcmp(p->type, "multipart")) {
        for (i = 0; i < p->nchildren; i++)
            flatten(w, &p->children[i], inline_ctx || !strcmp(p->subtype, "related"));
        return;
    }
    add_att(w, p, inline_ctx || p->disposition == OLS_DISP_INLINE);
}

static void walk_related(walk *w, const ols_eml_part *p);

/* A rich alternative (multipart/related, or multipart/mixed as Apple Mail writes it): its
 * leading HTML is the HTML body even though the plain alternative was taken already. */
static void walk_rich(walk *w, const ols_eml_part *p)
{
    size_t i;
    if (!strcmp(p->subtype, "related")) {
        walk_related(w, p);
        return;
    }
    for (i = 0; i < p->nchildren; i++) {
        const ols_eml_part *c = &p->children[i];
        if (i == 0 && ols_eml_is(c, "multipart", "related"))
            walk_related(w, c);
        else if (i == 0 && body_candidate(c, "html") && !w->html)
            w->html = c;
        else
            flatten(w, c, 0);
    }
}

static void walk_alternative(walk *w, const ols_eml_part *p)
{
    size_t i;
    const ols_eml_part *text = NULL, *html = NULL, *rich = NULL;
    for (i = 0; i < p->nchildren; i++) {
        const ols_eml_part *c = &p->children[i];
        if (!text && ols_eml_is(c, "text", "plain"))
            text = c;
        else if (ols_eml_is(c, "text", "html")) {
            html = c; /* the richer alternative comes last */
            rich = NULL;
        } else if (ols_eml_is(c, "multipart", "related") || ols_eml_is(c, "multipart", "mixed")) {
            rich = c;
            html = NULL;
        }
    }
    if (text && !w->text)
        w->text = text;
    if (html && !w->html)
        w->html = html;
    if (rich)
        walk_rich(w, rich);
    /* alternatives we do not render (text/calendar, text/enriched) are kept as files */
    for (i = 0; i < p->nchildren; i++) {
        const ols_eml_part *c = &p->children[i];
        if (c != text && c != html && c != rich && !ols_eml_is(c, "text", "plain") &&
            !ols_eml_is(c, "text", "html") && strcmp(c->type, "multipart") != 0)
            add_att(w, c, 0);
    }
}

static void walk_related(walk *w, const ols_eml_part *p)
{
    char *start = ols_eml_param(ols_eml_header(p, "Content-Type"), "start");
    const ols_eml_part *root = NULL;
    size_t i;
    if (start) {
        char *s = start;
        size_t l;
        if (*s == '<')
            s++;
        l = strcspn(s, ">");
        for (i = 0; i < p->nchildren && !root; i++)
            if (p->children[i].content_id && strlen(p->children[i].content_id) == l &&
                !strncmp(p->children[i].content_id, s, l))
                root = &p->children[i];
        free(start);
    }
    if (!root && p->nchildren)
        root = &p->children[0];
    if (root && body_candidate(root, "html") && !w->html)
        w->html = root;
    else if (root && body_candidate(root, "plain") && !w->text && !w->html)
        w->text = root;
    else if (root)
        walk_part(w, root, 0);
    for (i = 0; i < p->nchildren; i++)
        if (&p->children[i] != root)
            flatten(w, &p->children[i], 1);
}

static void walk_part(walk *w, const ols_eml_part *p, int inline_ctx)
{
    size_t i;
    int found = w->text || w->html;
    if (!strcmp(p->type, "multipart")) {
        if (found) {
            flatten(w, p, inline_ctx);
            return;
        }
        if (!strcmp(p->subtype, "alternative")) {
            walk_alternative(w, p);
        } else if (!strcmp(p->subtype, "related")) {
            walk_related(w, p);
        } else { /* mixed, signed, report, unknown: the first part is the body */
            for (i = 0; i < p->nchildren; i++) {
                const ols_eml_part *c = &p->children[i];
                if (!(w->text || w->html) && (body_candidate(c, "plain") ||
                                              body_candidate(c, "html") ||
                                              (!strcmp(c->type, "multipart") && i == 0)))
                    walk_part(w, c, 0);
                else
                    flatten(w, c, 0);
            }
        }
        return;
    }
    if (!found && body_candidate(p, "plain")) {
        w->text = p;
        return;
    }
    if (!found && body_candidate(p, "html")) {
        w->html = p;
        return;
    }
    add_att(w, p, inline_ctx || p->disposition == OLS_DISP_INLINE);
}

/* ---- property building ---- */
typedef struct props {
    SPropValue v[64];
    ULONG n;
    void *mem[64]; /* what the values point to */
    size_t nmem;
} props;

static void *keep(props *ps, void *p)
{
    if (p && ps->nmem < sizeof ps->mem / sizeof ps->mem[0])
        ps->mem[ps->nmem++] = p;
    else if (p) {
        free(p);
        return NULL;
    }
    return p;
}

static void put_w(props *ps, ULONG tag, const char *utf8)
{
    wchar_t *w;
    if (!utf8 || ps->n >= 64)
        return;
    w = keep(ps, ols_utf8_to_wide(utf8, -1));
    if (!w)
        return;
    ps->v[ps->n].ulPropTag = tag;
    ps->v[ps->n].Value.lpszW = w;
    ps->n++;
}

static void put_l(props *ps, ULONG tag, LONG l)
{
    if (ps->n >= 64)
        return;
    ps->v[ps->n].ulPropTag = tag;
    ps->v[ps->n].Value.l = l;
    ps->n++;
}

static void put_b(props *ps, ULONG tag, int b)
{
    if (ps->n >= 64)
        return;
    ps->v[ps->n].ulPropTag = tag;
    ps->v[ps->n].Value.b = (unsigned short)(b ? 1 : 0);
    ps->n++;
}

static void put_t(props *ps, ULONG tag, int64_t t)
{
    if (ps->n >= 64)
        return;
    ps->v[ps->n].ulPropTag = tag;
    ps->v[ps->n].Value.ft = ols_unix_to_filetime(t);
    ps->n++;
}

static void put_bin(props *ps, ULONG tag, BYTE *owned, ULONG cb)
{
    if (!owned || ps->n >= 64 || !keep(ps, owned))
        return;
    ps->v[ps->n].ulPropTag = tag;
    ps->v[ps->n].Value.bin.cb = cb;
    ps->v[ps->n].Value.bin.lpb = owned;
    ps->n++;
}

static void props_free(props *ps)
{
    size_t i;
    for (i = 0; i < ps->nmem; i++)
        free(ps->mem[i]);
    ps->nmem = ps->n = 0;
}

static HRESULT props_set(IMAPIProp *obj, props *ps)
{
    SPropProblemArray *probs = NULL;
    HRESULT hr = ps->n ? obj->lpVtbl->SetProps(obj, ps->n, ps->v, &probs) : S_OK;
    if (SUCCEEDED(hr) && probs && probs->cProblem) {
        /* a store may refuse a single property (computed ones); the item is still whole */
        ULONG i;
        for (i = 0; i < probs->cProblem; i++)
            OLS_LOG_DEBUG("mapi", "SetProps: property %#lx refused (%#lx)",
                          (unsigned long)probs->aProblem[i].ulPropTag,
                          (unsigned long)probs->aProblem[i].scode);
    }
    ols_mapi_free(probs);
    return hr;
}

/* Set one party (From or Sender) as the six properties MAPI uses for it. */
static void put_party(props *ps, const ols_eml_addr *a, ULONG name_t, ULONG email_t,
                      ULONG type_t, ULONG smtp_t, ULONG eid_t, ULONG key_t)
{
    ULONG cb = 0;
    BYTE *b;
    const char *name = a->name && *a->name ? a->name : a->addr;
    put_w(ps, name_t, name);
    if (!a->addr)
        return;
    put_w(ps, email_t, a->addr);
    put_w(ps, type_t, "SMTP");
    put_w(ps, smtp_t, a->addr);
    b = ols_oneoff_entryid(name, a->addr, &cb); /* cb is set by the call: not in one line */
    put_bin(ps, eid_t, b, cb);
    b = search_key(a->addr, &cb);
    put_bin(ps, key_t, b, cb);
}

static char *decoded_header(const ols_eml_part *p, const char *name)
{
    const char *v = ols_eml_header(p, name);
    return v ? ols_eml_decode_words(v) : NULL;
}

/* Outlook's subject prefix: one to three characters, a colon and a space ("RE: ", "AW: "). */
static size_t subject_prefix_len(const char *s)
{
    size_t i;
    for (i = 0; i < 4 && s[i]; i++) {
        if (s[i] == ':')
            return i >= 1 && s[i + 1] == ' ' ? i + 2 : 0;
        if (s[i] == ' ' || isdigit((unsigned char)s[i]))
            return 0;
    }
    return 0;
}

static int64_t newest_received(const ols_eml_part *p)
{
    size_t i;
    int64_t t;
    for (i = 0; i < p->nhdrs; i++) {
        const char *semi;
        if (strcmp(p->hdrs[i].name, "Received") != 0 && _stricmp(p->hdrs[i].name, "Received"))
            continue;
        semi = strrchr(p->hdrs[i].value, ';');
        if (semi && ols_eml_parse_date(semi + 1, &t) == 0)
            return t; /* the first Received header is the newest hop */
        return 0;
    }
    return 0;
}

static wchar_t *to_wide_crlf_header(const char *s, size_t n)
{
    size_t wl = 0;
    return ols_charset_to_wide(s, n, ols_utf8_valid(s, n) ? "utf-8" : "windows-1252", &wl);
}

static ols_status map_recipients(IMessage *msg, const ols_eml_part *p, ols_err *err)
{
    static const struct {
        const char *hdr;
        LONG type;
    } kinds[] = {{"To", MAPI_TO}, {"Cc", MAPI_CC}, {"Bcc", MAPI_BCC}};
    ols_eml_addr *all[3] = {NULL, NULL, NULL};
    size_t counts[3] = {0, 0, 0}, total = 0, k, i, e = 0;
    ADRLIST *list = NULL;
    ols_status st = OLS_OK;
    HRESULT hr;
    for (k = 0; k < 3; k++) {
        size_t h;
        /* several To: lines happen; take them all */
        for (h = 0; h < p->nhdrs; h++) {
            ols_eml_addr *a = NULL;
            size_t n = 0;
            if (_stricmp(p->hdrs[h].name, kinds[k].hdr) != 0)
                continue;
            if (ols_eml_parse_addrs(p->hdrs[h].value, &a, &n) != OLS_OK)
                continue;
            if (n) {
                ols_eml_addr *m = realloc(all[k], (counts[k] + n) * sizeof *m);
                if (m) {
                    memcpy(m + counts[k], a, n * sizeof *a);
                    all[k] = m;
                    counts[k] += n;
                    free(a);
                } else {
                    ols_eml_free_addrs(a, n);
                }
            } else {
                free(a);
            }
        }
        for (i = 0; i < counts[k]; i++)
            if (all[k][i].addr)
                total++;
    }
    if (!total)
        goto out;
    if (FAILED(ols_mapi_alloc((ULONG)CbNewADRLIST(total), (void **)&list))) {
        st = ols_err_set(err, OLS_ENOMEM, "out of memory");
        goto out;
    }
    memset(list, 0, CbNewADRLIST(total));
    for (k = 0; k < 3; k++)
        for (i = 0; i < counts[k]; i++) {
            const ols_eml_addr *a = &all[k][i];
            SPropValue *v;
            wchar_t *wn, *wa;
            ULONG cb = 0, kcb = 0;
            BYTE *eid, *key;
            void *m;
            if (!a->addr)
                continue;
            if (FAILED(ols_mapi_alloc(8 * sizeof *v, (void **)&v)))
                continue;
            memset(v, 0, 8 * sizeof *v);
            wn = ols_utf8_to_wide(a->name && *a->name ? a->name : a->addr, -1);
            wa = ols_utf8_to_wide(a->addr, -1);
            eid = ols_oneoff_entryid(a->name, a->addr, &cb);
            key = search_key(a->addr, &kcb);
            if (!wn || !wa || !eid || !key) {
                free(wn);
                free(wa);
                free(eid);
                free(key);
                ols_mapi_free(v);
                continue;
            }
            v[0].ulPropTag = PR_RECIPIENT_TYPE;
            v[0].Value.l = kinds[k].type;
            v[1].ulPropTag = PR_DISPLAY_NAME_W;
            ols_mapi_alloc_more((ULONG)((wcslen(wn) + 1) * 2), v, &m);
            v[1].Value.lpszW = m ? wcscpy(m, wn) : (wchar_t *)L"";
            v[2].ulPropTag = PR_ADDRTYPE_W;
            v[2].Value.lpszW = (wchar_t *)L"SMTP";
            ols_mapi_alloc_more(10, v, &m);
            if (m)
                v[2].Value.lpszW = wcscpy(m, L"SMTP");
            v[3].ulPropTag = PR_EMAIL_ADDRESS_W;
            ols_mapi_alloc_more((ULONG)((wcslen(wa) + 1) * 2), v, &m);
            v[3].Value.lpszW = m ? wcscpy(m, wa) : (wchar_t *)L"";
            v[4].ulPropTag = PR_SMTP_ADDRESS_W;
            v[4].Value.lpszW = v[3].Value.lpszW;
            v[5].ulPropTag = PR_ENTRYID;
            ols_mapi_alloc_more(cb, v, &m);
            v[5].Value.bin.cb = m ? cb : 0;
            v[5].Value.bin.lpb = m ? memcpy(m, eid, cb) : NULL;
            v[6].ulPropTag = PR_SEARCH_KEY;
            ols_mapi_alloc_more(kcb, v, &m);
            v[6].Value.bin.cb = m ? kcb : 0;
            v[6].Value.bin.lpb = m ? memcpy(m, key, kcb) : NULL;
            v[7].ulPropTag = PR_DISPLAY_TYPE;
            v[7].Value.l = DT_MAILUSER;
            free(wn);
            free(wa);
            free(eid);
            free(key);
            list->aEntries[e].cValues = 8;
            list->aEntries[e].rgPropVals = v;
            e++;
        }
    list->cEntries = (ULONG)e;
    hr = msg->lpVtbl->ModifyRecipients(msg, MODRECIP_ADD, list);
    if (FAILED(hr))
        st = ols_mapi_err(err, hr, "ModifyRecipients");
    ols_mapi_free_adrlist(list);
out:
    for (k = 0; k < 3; k++)
        ols_eml_free_addrs(all[k], counts[k]);
    return st;
}

static char *attachment_name(const ols_eml_part *p, const char *fallback_subject)
{
    const char *n = p->filename ? p->filename : p->name;
    char buf[300];
    if (n && *n) {
        /* never a path: keep what follows the last separator */
        const char *s = strrchr(n, '/'), *b = strrchr(n, '\\');
        if (b > s)
            s = b;
        return strdup(s ? s + 1 : n);
    }
    if (fallback_subject && *fallback_subject) {
        snprintf(buf, sizeof buf, "%.250s.eml", fallback_subject);
        return strdup(buf);
    }
    if (ols_eml_is(p, "text", "calendar"))
        return strdup("invite.ics");
    if (ols_eml_is(p, "text", "plain"))
        return strdup("attachment.txt");
    if (ols_eml_is(p, "text", "html"))
        return strdup("attachment.html");
    snprintf(buf, sizeof buf, "attachment.%s", !strcmp(p->type, "image") ? p->subtype : "bin");
    return strdup(buf);
}

static int html_refers(const char *html, size_t n, const char *cid)
{
    size_t cl = strlen(cid), i;
    if (!html || !cl)
        return 0;
    for (i = 0; i + 4 + cl <= n; i++)
        if ((html[i] == 'c' || html[i] == 'C') && !_strnicmp(html + i, "cid:", 4) &&
            !strncmp(html + i + 4, cid, cl))
            return 1;
    return 0;
}

/* The body of a partial item: what there is, then what is still on the server. */
static wchar_t *missing_note(const walk *w, const wchar_t *body, size_t bl)
{
    ols_buf b = {0};
    size_t i;
    wchar_t *out;
    if (!body || !bl)
        ols_buf_puts(&b, "[olsync] This message has not been downloaded completely. "
                         "Opening it fetches the rest from the server.\r\n");
    else
        ols_buf_puts(&b, "\r\n\r\n[olsync] Not downloaded yet (opening the message fetches it):"
                         "\r\n");
    for (i = 0; i < w->nmissing; i++) {
        const ols_eml_part *p = w->missing[i];
        char *size = ols_eml_param(ols_eml_header(p, "Content-Type"), "size");
        ols_buf_printf(&b, "  - %s%s%s%s\r\n", p->filename ? p->filename : "message body",
                       size ? " (" : "", size ? size : "", size ? " bytes)" : "");
        free(size);
    }
    if (b.oom) {
        ols_buf_free(&b);
        return NULL;
    }
    {
        wchar_t *note = ols_utf8_to_wide(b.p, (int)b.n);
        size_t nl = note ? wcslen(note) : 0;
        ols_buf_free(&b);
        if (!note)
            return NULL;
        out = malloc((bl + nl + 1) * sizeof *out);
        if (!out) {
            free(note);
            return NULL;
        }
        if (bl)
            memcpy(out, body, bl * sizeof *out);
        memcpy(out + bl, note, (nl + 1) * sizeof *out);
        free(note);
    }
    return out;
}

static ols_status map_message(const ols_eml_part *root, IMessage *msg, ols_mime_in_opts *o,
                              int depth, ols_err *err);

static ols_status add_attachment(IMessage *msg, const att_ref *a, const char *html, size_t hlen,
                                 int depth, ols_err *err)
{
    const ols_eml_part *p = a->part;
    IAttach *att = NULL;
    ULONG num = 0;
    HRESULT hr;
    props ps;
    ols_status st = OLS_OK;
    char mime_tag[140], *fname, *subject = NULL, *ext;
    int embedded = p->message != NULL;
    memset(&ps, 0, sizeof ps);
    hr = msg->lpVtbl->CreateAttach(msg, NULL, 0, &num, &att);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "CreateAttach");
    snprintf(mime_tag, sizeof mime_tag, "%s/%s", p->type, p->subtype);
    if (embedded)
        subject = decoded_header(p->message, "Subject");
    fname = attachment_name(p, embedded ? (subject && *subject ? subject : "message") : NULL);
    put_l(&ps, PR_ATTACH_METHOD, embedded ? (LONG)ATTACH_EMBEDDED_MSG : (LONG)ATTACH_BY_VALUE);
    put_w(&ps, PR_ATTACH_MIME_TAG_W, mime_tag);
    put_l(&ps, PR_RENDERING_POSITION, -1);
    if (embedded) {
        put_w(&ps, PR_DISPLAY_NAME_W, subject && *subject ? subject : fname);
    } else if (fname) {
        put_w(&ps, PR_ATTACH_LONG_FILENAME_W, fname);
        put_w(&ps, PR_ATTACH_FILENAME_W, fname);
        put_w(&ps, PR_DISPLAY_NAME_W, fname);
        ext = strrchr(fname, '.');
        if (ext)
            put_w(&ps, PR_ATTACH_EXTENSION_W, ext);
    }
    if (p->content_id) {
        put_w(&ps, PR_ATTACH_CONTENT_ID_W, p->content_id);
        if (a->inline_ && html_refers(html, hlen, p->content_id)) {
            /* shown in the HTML, so not in the attachment list */
            put_b(&ps, PR_ATTACHMENT_HIDDEN, 1);
            put_l(&ps, PR_ATTACH_FLAGS, ATT_MHTML_REF);
        }
    }
    if (p->content_location)
        put_w(&ps, PR_ATTACH_CONTENT_LOCATION_W, p->content_location);
    hr = props_set((IMAPIProp *)att, &ps);
    props_free(&ps);
    if (FAILED(hr)) {
        st = ols_mapi_err(err, hr, "attachment properties");
        goto out;
    }
    if (embedded) {
        IUnknown *unk = NULL;
        IMessage *emb;
        ols_mime_in_opts eo = {0, MSGFLAG_READ, 0};
        hr = att->lpVtbl->OpenProperty(att, PR_ATTACH_DATA_OBJ, &IID_IMessage, 0,
                                       MAPI_CREATE | MAPI_MODIFY, &unk);
        if (FAILED(hr)) {
            st = ols_mapi_err(err, hr, "embedded message");
            goto out;
        }
        emb = (IMessage *)unk;
        st = map_message(p->message, emb, &eo, depth + 1, err);
        if (st == OLS_OK) {
            hr = emb->lpVtbl->SaveChanges(emb, 0);
            if (FAILED(hr))
                st = ols_mapi_err(err, hr, "saving an embedded message");
        }
        emb->lpVtbl->Release(emb);
    } else {
        char *data = NULL;
        size_t n = 0;
        if (ols_eml_body(p, &data, &n) != OLS_OK) {
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
            goto out;
        }
        hr = ols_mapi_write_prop((IMAPIProp *)att, PR_ATTACH_DATA_BIN, data, n);
        free(data);
        if (FAILED(hr))
            st = ols_mapi_err(err, hr, "attachment data");
    }
    if (st == OLS_OK) {
        hr = att->lpVtbl->SaveChanges(att, 0);
        if (FAILED(hr))
            st = ols_mapi_err(err, hr, "saving an attachment");
    }
out:
    free(fname);
    free(subject);
    att->lpVtbl->Release(att);
    return st;
}

static ols_status map_message(const ols_eml_part *root, IMessage *msg, ols_mime_in_opts *o,
                              int depth, ols_err *err)
{
    props ps;
    walk w;
    char *subject, *html = NULL, *mid, *irt, *refs;
    size_t hlen = 0, i;
    ols_status st = OLS_OK;
    HRESULT hr;
    int64_t sent = 0, delivered = o->delivery_time;
    const char *date = ols_eml_header(root, "Date");
    unsigned cpid = 0;
    ols_eml_addr *from = NULL, *sender = NULL, *reply = NULL;
    size_t nfrom = 0, nsender = 0, nreply = 0;

    if (depth > 8)
        return ols_err_set(err, OLS_ERANGE, "embedded messages nested too deeply");
    memset(&ps, 0, sizeof ps);
    memset(&w, 0, sizeof w);
    walk_part(&w, root, 0);
    if (w.oom)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");

    /* envelope */
    put_w(&ps, PR_MESSAGE_CLASS_W, "IPM.Note");
    subject = decoded_header(root, "Subject");
    if (subject) {
        size_t pl = subject_prefix_len(subject);
        char save;
        put_w(&ps, PR_SUBJECT_W, subject);
        put_w(&ps, PR_NORMALIZED_SUBJECT_W, subject + pl);
        put_w(&ps, PR_CONVERSATION_TOPIC_W, subject + pl);
        save = subject[pl];
        subject[pl] = 0;
        put_w(&ps, PR_SUBJECT_PREFIX_W, subject);
        subject[pl] = save;
    }
    mid = decoded_header(root, "Message-ID");
    irt = decoded_header(root, "In-Reply-To");
    refs = decoded_header(root, "References");
    if (mid && *mid)
        put_w(&ps, PR_INTERNET_MESSAGE_ID_W, mid);
    if (irt && *irt)
        put_w(&ps, PR_IN_REPLY_TO_ID_W, irt);
    if (refs && *refs)
        put_w(&ps, PR_INTERNET_REFERENCES_W, refs);
    if (date && ols_eml_parse_date(date, &sent) == 0)
        put_t(&ps, PR_CLIENT_SUBMIT_TIME, sent);
    if (!delivered)
        delivered = newest_received(root);
    if (!delivered)
        delivered = sent;
    if (!delivered)
        delivered = (int64_t)time(NULL);
    put_t(&ps, PR_MESSAGE_DELIVERY_TIME, delivered);
    if (o->msg_flags != OLS_KEEP_MSG_FLAGS) /* read-only once the item was saved */
        put_l(&ps, PR_MESSAGE_FLAGS, (LONG)o->msg_flags);

    ols_eml_parse_addrs(ols_eml_header(root, "From"), &from, &nfrom);
    ols_eml_parse_addrs(ols_eml_header(root, "Sender"), &sender, &nsender);
    ols_eml_parse_addrs(ols_eml_header(root, "Reply-To"), &reply, &nreply);
    if (nfrom)
        put_party(&ps, &from[0], PR_SENT_REPRESENTING_NAME_W, PR_SENT_REPRESENTING_EMAIL_ADDRESS_W,
                  PR_SENT_REPRESENTING_ADDRTYPE_W, PR_SENT_REPRESENTING_SMTP_ADDRESS_W,
                  PR_SENT_REPRESENTING_ENTRYID, PR_SENT_REPRESENTING_SEARCH_KEY);
    if (nsender || nfrom)
        put_party(&ps, nsender ? &sender[0] : &from[0], PR_SENDER_NAME_W,
                  PR_SENDER_EMAIL_ADDRESS_W, PR_SENDER_ADDRTYPE_W, PR_SENDER_SMTP_ADDRESS_W,
                  PR_SENDER_ENTRYID, PR_SENDER_SEARCH_KEY);
    if (nreply) {
        /* FLATENTRYLIST of one-off ids, 4-byte aligned entries; names joined by "; " */
        ols_buf names = {0}, flat = {0};
        ULONG cnt = 0, zero = 0;
        ols_buf_put(&flat, &zero, 4);
        ols_buf_put(&flat, &zero, 4);
        for (i = 0; i < nreply; i++) {
            ULONG cb = 0;
            BYTE *eid;
            if (!reply[i].addr)
                continue;
            eid = ols_oneoff_entryid(reply[i].name, reply[i].addr, &cb);
            if (!eid)
                continue;
            ols_buf_put(&flat, &cb, 4);
            ols_buf_put(&flat, eid, cb);
            while (flat.n % 4)
                ols_buf_put(&flat, "", 1);
            free(eid);
            if (names.n)
                ols_buf_puts(&names, "; ");
            ols_buf_puts(&names, reply[i].name && *reply[i].name ? reply[i].name : reply[i].addr);
            cnt++;
        }
        if (cnt && !flat.oom) {
            ULONG total = (ULONG)(flat.n - 8);
            size_t n = 0;
            BYTE *bytes;
            memcpy(flat.p, &cnt, 4);
            memcpy(flat.p + 4, &total, 4);
            bytes = (BYTE *)ols_buf_take(&flat, &n);
            put_bin(&ps, PR_REPLY_RECIPIENT_ENTRIES, bytes, (ULONG)n);
            put_w(&ps, PR_REPLY_RECIPIENT_NAMES_W, names.p);
        }
        ols_buf_free(&flat);
        ols_buf_free(&names);
    }
    {
        const char *imp = ols_eml_header(root, "Importance");
        const char *prio = ols_eml_header(root, "X-Priority");
        LONG level = IMPORTANCE_NORMAL;
        if (imp && !_strnicmp(imp, "high", 4))
            level = IMPORTANCE_HIGH;
        else if (imp && !_strnicmp(imp, "low", 3))
            level = IMPORTANCE_LOW;
        else if (prio && (prio[0] == '1' || prio[0] == '2'))
            level = IMPORTANCE_HIGH;
        else if (prio && (prio[0] == '4' || prio[0] == '5'))
            level = IMPORTANCE_LOW;
        put_l(&ps, PR_IMPORTANCE, level);
        if (ols_eml_header(root, "Disposition-Notification-To"))
            put_b(&ps, PR_READ_RECEIPT_REQUESTED, 1);
    }

    /* body code page: the HTML part's charset, else the text part's */
    if (w.html) {
        if (ols_eml_body(w.html, &html, &hlen) != OLS_OK) {
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
            goto out;
        }
        cpid = ols_charset_cpid(w.html->charset);
        if (!w.html->charset || cpid == 20127) /* none, or ASCII with 8-bit bytes in it */
            cpid = ols_utf8_valid(html, hlen) ? 65001 : 1252;
        if (!cpid) { /* a charset Windows does not know: store the HTML as UTF-8 */
            char *u = ols_charset_to_utf8(html, hlen, w.html->charset);
            if (u) {
                free(html);
                html = u;
                hlen = strlen(u);
            }
            cpid = 65001;
        }
    } else if (w.text) {
        cpid = ols_charset_cpid(w.text->charset);
        if (!cpid || cpid == 20127)
            cpid = 65001;
    }
    if (cpid) {
        put_l(&ps, PR_INTERNET_CPID, (LONG)cpid);
        put_l(&ps, PR_MESSAGE_CODEPAGE, (LONG)cpid);
    }
    hr = props_set((IMAPIProp *)msg, &ps);
    props_free(&ps);
    if (FAILED(hr)) {
        st = ols_mapi_err(err, hr, "message properties");
        goto out;
    }

    /* large properties through streams when needed */
    if (root->raw_header_len) {
        wchar_t *h = to_wide_crlf_header(root->raw_header, root->raw_header_len);
        if (h) {
            hr = ols_mapi_write_prop((IMAPIProp *)msg, PR_TRANSPORT_MESSAGE_HEADERS_W, h,
                                     wcslen(h) * sizeof(wchar_t));
            free(h);
            if (FAILED(hr)) {
                st = ols_mapi_err(err, hr, "transport headers");
                goto out;
            }
        }
    }
    {
        wchar_t *body = NULL;
        size_t bl = 0;
        if (w.text) {
            body = ols_eml_text(w.text, &bl);
        } else if (w.html) {
            size_t wl = 0;
            wchar_t *wh = ols_charset_to_wide(html, hlen, ols_cpid_charset(cpid), &wl);
            body = wh ? ols_html_to_text(wh, wl) : NULL;
            bl = body ? wcslen(body) : 0;
            free(wh);
        }
        if (w.nmissing) {
            wchar_t *note = missing_note(&w, body, bl);
            if (note) {
                free(body);
                body = note;
                bl = wcslen(note);
            }
            o->missing += (unsigned)w.nmissing;
        }
        if (body) {
            hr = ols_mapi_write_prop((IMAPIProp *)msg, PR_BODY_W, body, bl * sizeof(wchar_t));
            free(body);
            if (FAILED(hr)) {
                st = ols_mapi_err(err, hr, "body");
                goto out;
            }
        }
    }
    if (html) {
        hr = ols_mapi_write_prop((IMAPIProp *)msg, PR_HTML, html, hlen);
        if (FAILED(hr)) {
            st = ols_mapi_err(err, hr, "HTML body");
            goto out;
        }
    }
    st = map_recipients(msg, root, err);
    for (i = 0; i < w.natts && st == OLS_OK; i++)
        st = add_attachment(msg, &w.atts[i], html, hlen, depth, err);
out:
    free(subject);
    free(mid);
    free(irt);
    free(refs);
    free(html);
    free(w.atts);
    ols_eml_free_addrs(from, nfrom);
    ols_eml_free_addrs(sender, nsender);
    ols_eml_free_addrs(reply, nreply);
    return st;
}

int ols_mime_is_partial(const char *mime, size_t len)
{
    static const char mark[] = "X-Olsync-Partial: yes";
    size_t i, k = sizeof mark - 1;
    for (i = 0; i + k <= len; i++)
        if (mime[i] == 'X' && !memcmp(mime + i, mark, k))
            return 1;
    return 0;
}

ols_status ols_mime_to_mapi(const char *mime, size_t len, IMessage *msg, ols_mime_in_opts *o,
                            ols_err *err)
{
    ols_eml_msg *m = NULL;
    ols_status st = ols_eml_parse(mime, len, &m, err);
    if (st != OLS_OK)
        return st;
    st = map_message(&m->root, msg, o, 0, err);
    ols_eml_free(m);
    return st;
}

/* ---- IConverterSession ---- */
HRESULT ols_converter_create(IConverterSession **out)
{
    *out = NULL;
    return CoCreateInstance(&CLSID_IConverterSession, NULL, CLSCTX_INPROC_SERVER,
                            &IID_IConverterSession, (void **)out);
}

ols_status ols_converter_mime_to_mapi(IConverterSession *cs, const char *mime, size_t len,
                                      IMessage *msg, const ols_mime_in_opts *o, ols_err *err)
{
    IStream *s = NULL;
    HRESULT hr = ols_stream_from_bytes(mime, len, &s);
    SPropValue v[2];
    SPropProblemArray *probs = NULL;
    ULONG n = 0;
    int64_t delivered = o->delivery_time;
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "stream");
    hr = cs->lpVtbl->MIMEToMAPI(cs, s, msg, NULL, CCSF_SMTP | CCSF_INCLUDE_BCC);
    s->lpVtbl->Release(s);
    if (FAILED(hr)) /* MAPI_W_PARTIAL_COMPLETION and friends are successes */
        return ols_mapi_err(err, hr, "IConverterSession::MIMEToMAPI");
    /* the converter leaves MSGFLAG_UNSENT: the item would show as a draft. Flags can only
     * change before the first save, which is the caller's. */
    memset(v, 0, sizeof v);
    if (o->msg_flags != OLS_KEEP_MSG_FLAGS) {
        v[n].ulPropTag = PR_MESSAGE_FLAGS;
        v[n++].Value.l = (LONG)o->msg_flags;
    }
    if (!delivered) {
        ols_eml_msg *m = NULL;
        if (ols_eml_parse(mime, len > 65536 ? 65536 : len, &m, NULL) == OLS_OK) {
            delivered = newest_received(&m->root);
            ols_eml_free(m);
        }
    }
    if (delivered) {
        v[n].ulPropTag = PR_MESSAGE_DELIVERY_TIME;
        v[n++].Value.ft = ols_unix_to_filetime(delivered);
    }
    hr = msg->lpVtbl->SetProps(msg, n, v, &probs);
    ols_mapi_free(probs);
    return FAILED(hr) ? ols_mapi_err(err, hr, "message flags") : OLS_OK;
}

ols_status ols_converter_mapi_to_mime(IConverterSession *cs, IMessage *msg, ols_buf *out,
                                      ols_err *err)
{
    IStream *s = NULL;
    HRESULT hr = CreateStreamOnHGlobal(NULL, TRUE, &s);
    LARGE_INTEGER zero;
    BYTE *data = NULL;
    size_t n = 0;
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "stream");
    cs->lpVtbl->SetSaveFormat(cs, SAVE_RFC1521);
    cs->lpVtbl->SetEncoding(cs, IET_QP);
    hr = cs->lpVtbl->MAPIToMIMEStm(cs, msg, s, CCSF_SMTP | CCSF_INCLUDE_BCC);
    zero.QuadPart = 0;
    if (SUCCEEDED(hr))
        hr = s->lpVtbl->Seek(s, zero, STREAM_SEEK_SET, NULL);
    if (SUCCEEDED(hr))
        hr = ols_stream_read_all(s, (size_t)1 << 30, &data, &n);
    s->lpVtbl->Release(s);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "IConverterSession::MAPIToMIMEStm");
    ols_buf_put(out, data, n);
    free(data);
    return out->oom ? ols_err_set(err, OLS_ENOMEM, "out of memory") : OLS_OK;
}
