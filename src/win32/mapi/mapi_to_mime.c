/* MAPI -> MIME: our own writer, so items made in Outlook can be uploaded (APPEND). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "mapi_mime.h"
#include "mapi_rt.h"
#include "plat/plat.h"

/* Headers we write from properties; the copies in PR_TRANSPORT_MESSAGE_HEADERS are
 * skipped, as are the structural ones that describe a body we rebuild. */
static const char *const generated[] = {
    "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID",
    "In-Reply-To", "References", "Importance", "X-Priority", "Priority", "MIME-Version",
    "Disposition-Notification-To", NULL};

static int is_generated(const char *name)
{
    size_t i;
    if (!_strnicmp(name, "Content-", 8))
        return 1;
    for (i = 0; generated[i]; i++)
        if (!_stricmp(name, generated[i]))
            return 1;
    return 0;
}

static char *wdup8(const SPropValue *v)
{
    return v && PROP_TYPE(v->ulPropTag) == PT_UNICODE ? ols_wide_to_utf8(v->Value.lpszW, -1)
                                                       : NULL;
}

static void boundary(char *b, size_t n)
{
    static volatile LONG counter;
    uint32_t r = 0;
    ols_random(&r, sizeof r);
    snprintf(b, n, "=_olsync_%08x_%ld", r, (long)InterlockedIncrement(&counter));
}

typedef struct party {
    char *name, *addr;
} party;

static void party_free(party *p)
{
    free(p->name);
    free(p->addr);
}

/* name + SMTP address of one of the two From parties */
static void read_party(const SPropValue *v, ULONG n, ULONG name_t, ULONG smtp_t, ULONG email_t,
                       ULONG type_t, party *out)
{
    const SPropValue *smtp = ols_mapi_find(v, n, smtp_t);
    const SPropValue *email = ols_mapi_find(v, n, email_t);
    const SPropValue *type = ols_mapi_find(v, n, type_t);
    out->name = wdup8(ols_mapi_find(v, n, name_t));
    out->addr = wdup8(smtp);
    if (!out->addr && email && (!type || !_wcsicmp(type->Value.lpszW, L"SMTP")))
        out->addr = wdup8(email);
}

struct recips {
    ols_eml_addr *a[3]; /* To, Cc, Bcc */
    size_t n[3], cap[3];
};

static int recip_cb(void *ctx, const SRow *row)
{
    struct recips *r = ctx;
    const SPropValue *type = ols_mapi_find(row->lpProps, row->cValues, PR_RECIPIENT_TYPE);
    const SPropValue *name = ols_mapi_find(row->lpProps, row->cValues, PR_DISPLAY_NAME_W);
    const SPropValue *smtp = ols_mapi_find(row->lpProps, row->cValues, PR_SMTP_ADDRESS_W);
    const SPropValue *email = ols_mapi_find(row->lpProps, row->cValues, PR_EMAIL_ADDRESS_W);
    const SPropValue *at = ols_mapi_find(row->lpProps, row->cValues, PR_ADDRTYPE_W);
    int k;
    ols_eml_addr *slot;
    if (!type)
        return 0;
    k = type->Value.l == MAPI_CC ? 1 : type->Value.l == MAPI_BCC ? 2 : 0;
    if ((type->Value.l & 0xF) == MAPI_ORIG)
        return 0;
    if (r->n[k] == r->cap[k]) {
        size_t nc = r->cap[k] ? r->cap[k] * 2 : 4;
        ols_eml_addr *na = realloc(r->a[k], nc * sizeof *na);
        if (!na)
            return 1;
        r->a[k] = na;
        r->cap[k] = nc;
    }
    slot = &r->a[k][r->n[k]];
    slot->name = wdup8(name);
    slot->addr = wdup8(smtp);
    if (!slot->addr && email && (!at || !_wcsicmp(at->Value.lpszW, L"SMTP")))
        slot->addr = wdup8(email);
    if (!slot->addr) { /* an Exchange address without SMTP: nothing an IMAP server can use */
        free(slot->name);
        return 0;
    }
    r->n[k]++;
    return 0;
}

static void reply_to(const SPropValue *v, ULONG n, ols_buf *b)
{
    const SPropValue *e = ols_mapi_find(v, n, PR_REPLY_RECIPIENT_ENTRIES);
    ols_eml_addr addrs[16];
    size_t cnt = 0, i;
    ULONG off, total, k;
    if (!e || e->Value.bin.cb < 8)
        return;
    memcpy(&total, e->Value.bin.lpb, 4);
    off = 8;
    for (k = 0; k < total && cnt < 16 && off + 4 <= e->Value.bin.cb; k++) {
        ULONG cb;
        memcpy(&cb, e->Value.bin.lpb + off, 4);
        off += 4;
        if (off + cb > e->Value.bin.cb)
            break;
        if (ols_oneoff_parse(e->Value.bin.lpb + off, cb, &addrs[cnt].name, &addrs[cnt].addr) == 0)
            cnt++;
        off += cb;
        off = (off + 3) & ~3u;
    }
    if (cnt)
        ols_eml_put_addr_header(b, "Reply-To", addrs, cnt);
    for (i = 0; i < cnt; i++) {
        free(addrs[i].name);
        free(addrs[i].addr);
    }
}

/* The transport headers that survive: trace, list and vendor headers, in their order. */
static void copy_transport_headers(IMessage *msg, ols_buf *b)
{
    char *hdrs = NULL;
    ols_eml_msg *m = NULL;
    ols_buf block = {0};
    size_t i;
    if (FAILED(ols_mapi_read_string((IMAPIProp *)msg, PR_TRANSPORT_MESSAGE_HEADERS_W, &hdrs)) ||
        !hdrs)
        return;
    ols_buf_puts(&block, hdrs);
    ols_buf_puts(&block, "\r\n\r\n");
    free(hdrs);
    if (!block.oom && ols_eml_parse(block.p, block.n, &m, NULL) == OLS_OK) {
        for (i = 0; i < m->root.nhdrs; i++) {
            const ols_eml_hdr *h = &m->root.hdrs[i];
            if (is_generated(h->name))
                continue;
            ols_buf_puts(b, h->name);
            ols_buf_puts(b, ": ");
            ols_buf_puts(b, h->value);
            ols_buf_puts(b, "\r\n");
        }
        ols_eml_free(m);
    }
    ols_buf_free(&block);
}

typedef struct att_info {
    ULONG num;
    LONG method;
    int hidden;
    char *cid;
} att_info;

struct atts {
    att_info *v;
    size_t n, cap;
};

static int att_cb(void *ctx, const SRow *row)
{
    struct atts *a = ctx;
    const SPropValue *num = ols_mapi_find(row->lpProps, row->cValues, PR_ATTACH_NUM);
    const SPropValue *m = ols_mapi_find(row->lpProps, row->cValues, PR_ATTACH_METHOD);
    const SPropValue *h = ols_mapi_find(row->lpProps, row->cValues, PR_ATTACHMENT_HIDDEN);
    const SPropValue *c = ols_mapi_find(row->lpProps, row->cValues, PR_ATTACH_CONTENT_ID_W);
    if (!num)
        return 0;
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 8;
        att_info *nv = realloc(a->v, nc * sizeof *nv);
        if (!nv)
            return 1;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n].num = num->Value.ul;
    a->v[a->n].method = m ? m->Value.l : (LONG)ATTACH_BY_VALUE;
    a->v[a->n].hidden = h && h->Value.b;
    a->v[a->n].cid = wdup8(c);
    a->n++;
    return 0;
}

static const struct {
    const char *ext, *type;
} mime_types[] = {
    {".txt", "text/plain"},       {".htm", "text/html"},         {".html", "text/html"},
    {".pdf", "application/pdf"},  {".png", "image/png"},         {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},      {".gif", "image/gif"},         {".zip", "application/zip"},
    {".ics", "text/calendar"},    {".vcf", "text/vcard"},        {".eml", "message/rfc822"},
    {".csv", "text/csv"},         {".xml", "application/xml"},   {".json", "application/json"},
    {".doc", "application/msword"},
    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

static const char *guess_type(const char *fname)
{
    const char *dot = fname ? strrchr(fname, '.') : NULL;
    size_t i;
    if (dot)
        for (i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
            if (!_stricmp(dot, mime_types[i].ext))
                return mime_types[i].type;
    return "application/octet-stream";
}

static ols_status write_message(IMessage *msg, ols_buf *out, int depth, ols_err *err);

/* One attachment as a MIME part (headers + body), appended to b. */
static ols_status write_attachment(IMessage *msg, const att_info *ai, int inline_, ols_buf *b,
                                   int depth, ols_err *err)
{
    static const ULONG tags[] = {PR_ATTACH_LONG_FILENAME_W, PR_ATTACH_FILENAME_W,
                                 PR_DISPLAY_NAME_W,         PR_ATTACH_MIME_TAG_W,
                                 PR_ATTACH_CONTENT_LOCATION_W};
    IAttach *att = NULL;
    SPropValue *v = NULL;
    ULONG n = 0;
    char *fname = NULL, *mtag = NULL, *loc = NULL;
    ols_status st = OLS_OK;
    HRESULT hr = msg->lpVtbl->OpenAttach(msg, ai->num, NULL, 0, &att);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "OpenAttach");
    ols_mapi_get_props((IMAPIProp *)att, tags, 5, &n, &v);
    fname = wdup8(ols_mapi_find(v, n, PR_ATTACH_LONG_FILENAME_W));
    if (!fname)
        fname = wdup8(ols_mapi_find(v, n, PR_ATTACH_FILENAME_W));
    if (!fname)
        fname = wdup8(ols_mapi_find(v, n, PR_DISPLAY_NAME_W));
    mtag = wdup8(ols_mapi_find(v, n, PR_ATTACH_MIME_TAG_W));
    loc = wdup8(ols_mapi_find(v, n, PR_ATTACH_CONTENT_LOCATION_W));
    ols_mapi_free(v);
    if (ai->method == ATTACH_EMBEDDED_MSG) {
        IUnknown *unk = NULL;
        ols_buf inner = {0};
        size_t i;
        int eight = 0;
        hr = att->lpVtbl->OpenProperty(att, PR_ATTACH_DATA_OBJ, &IID_IMessage, 0, 0, &unk);
        if (FAILED(hr)) {
            st = ols_mapi_err(err, hr, "embedded message");
            goto out;
        }
        st = write_message((IMessage *)unk, &inner, depth + 1, err);
        ((IMessage *)unk)->lpVtbl->Release((IMessage *)unk);
        if (st != OLS_OK) {
            ols_buf_free(&inner);
            goto out;
        }
        for (i = 0; i < inner.n && !eight; i++)
            eight = (unsigned char)inner.p[i] >= 128;
        ols_buf_puts(b, "Content-Type: message/rfc822");
        if (fname)
            ols_eml_put_param(b, "name", fname);
        ols_buf_printf(b, "\r\nContent-Transfer-Encoding: %s\r\n", eight ? "8bit" : "7bit");
        ols_buf_puts(b, "Content-Disposition: attachment");
        if (fname) {
            char eml[300];
            snprintf(eml, sizeof eml, "%.250s%s", fname,
                     strlen(fname) > 4 && !_stricmp(fname + strlen(fname) - 4, ".eml") ? "" : ".eml");
            ols_eml_put_param(b, "filename", eml);
        }
        ols_buf_puts(b, "\r\n\r\n");
        ols_buf_put(b, inner.p, inner.n);
        ols_buf_free(&inner);
    } else {
        BYTE *data = NULL;
        size_t len = 0;
        const char *type = mtag && strchr(mtag, '/') ? mtag : guess_type(fname);
        int text = !_strnicmp(type, "text/", 5), cte;
        hr = ols_mapi_read_prop((IMAPIProp *)att, PR_ATTACH_DATA_BIN, &data, &len);
        if (hr == MAPI_E_NOT_FOUND) {
            hr = S_OK; /* an empty file */
            data = NULL;
            len = 0;
        }
        if (FAILED(hr)) {
            st = ols_mapi_err(err, hr, "attachment data");
            goto out;
        }
        cte = ols_eml_pick_cte(data, len, text);
        ols_buf_printf(b, "Content-Type: %s", type);
        if (fname)
            ols_eml_put_param(b, "name", fname);
        ols_buf_printf(b, "\r\nContent-Transfer-Encoding: %s\r\n",
                       cte == OLS_CTE_BASE64 ? "base64" : cte == OLS_CTE_QP ? "quoted-printable"
                                                                            : "7bit");
        ols_buf_puts(b, inline_ ? "Content-Disposition: inline" : "Content-Disposition: attachment");
        if (fname)
            ols_eml_put_param(b, "filename", fname);
        ols_buf_puts(b, "\r\n");
        if (ai->cid)
            ols_buf_printf(b, "Content-ID: <%s>\r\n", ai->cid);
        if (loc)
            ols_buf_printf(b, "Content-Location: %s\r\n", loc);
        ols_buf_puts(b, "\r\n");
        if (cte == OLS_CTE_BASE64)
            ols_eml_put_base64(b, data, len);
        else if (cte == OLS_CTE_QP)
            ols_eml_put_qp(b, data, len);
        else
            ols_buf_put(b, data, len);
        free(data);
    }
out:
    free(fname);
    free(mtag);
    free(loc);
    att->lpVtbl->Release(att);
    return st;
}

static void text_part(ols_buf *b, const char *type, const char *charset, const char *p, size_t n)
{
    int cte = ols_eml_pick_cte(p, n, 1);
    ols_buf_printf(b, "Content-Type: %s; charset=\"%s\"\r\nContent-Transfer-Encoding: %s\r\n\r\n",
                   type, charset,
                   cte == OLS_CTE_BASE64 ? "base64" : cte == OLS_CTE_QP ? "quoted-printable"
                                                                        : "7bit");
    if (cte == OLS_CTE_BASE64)
        ols_eml_put_base64(b, p, n);
    else if (cte == OLS_CTE_QP)
        ols_eml_put_qp(b, p, n);
    else
        ols_buf_put(b, p, n);
}

static int refers_cid(const char *html, size_t n, const char *cid)
{
    size_t cl = strlen(cid), i;
    for (i = 0; html && i + 4 + cl <= n; i++)
        if (!_strnicmp(html + i, "cid:", 4) && !strncmp(html + i + 4, cid, cl))
            return 1;
    return 0;
}

static ols_status write_message(IMessage *msg, ols_buf *out, int depth, ols_err *err)
{
    static const ULONG tags[] = {
        PR_SUBJECT_W, PR_INTERNET_MESSAGE_ID_W, PR_IN_REPLY_TO_ID_W, PR_INTERNET_REFERENCES_W,
        PR_CLIENT_SUBMIT_TIME, PR_MESSAGE_DELIVERY_TIME, PR_CREATION_TIME,
        PR_SENT_REPRESENTING_NAME_W, PR_SENT_REPRESENTING_SMTP_ADDRESS_W,
        PR_SENT_REPRESENTING_EMAIL_ADDRESS_W, PR_SENT_REPRESENTING_ADDRTYPE_W, PR_SENDER_NAME_W,
        PR_SENDER_SMTP_ADDRESS_W, PR_SENDER_EMAIL_ADDRESS_W, PR_SENDER_ADDRTYPE_W,
        PR_REPLY_RECIPIENT_ENTRIES, PR_IMPORTANCE, PR_INTERNET_CPID, PR_SEARCH_KEY,
        PR_READ_RECEIPT_REQUESTED};
    static const ULONG rcols[] = {PR_RECIPIENT_TYPE, PR_DISPLAY_NAME_W, PR_SMTP_ADDRESS_W,
                                  PR_EMAIL_ADDRESS_W, PR_ADDRTYPE_W};
    static const ULONG acols[] = {PR_ATTACH_NUM, PR_ATTACH_METHOD, PR_ATTACHMENT_HIDDEN,
                                  PR_ATTACH_CONTENT_ID_W};
    SPropValue *v = NULL;
    ULONG n = 0;
    HRESULT hr;
    party from = {0}, sender = {0};
    struct recips r;
    struct atts atts = {0};
    char *subject, *mid, *irt, *refs, *text = NULL, datebuf[64];
    BYTE *html = NULL;
    size_t html_len = 0, text_len = 0, i, nrel = 0, nmix = 0;
    const SPropValue *pv;
    const char *html_cs = "utf-8";
    char b_mixed[64], b_alt[64], b_rel[64];
    ols_status st = OLS_OK;
    int64_t when;

    if (depth > 8)
        return ols_err_set(err, OLS_ERANGE, "embedded messages nested too deeply");
    memset(&r, 0, sizeof r);
    hr = ols_mapi_get_props((IMAPIProp *)msg, tags, sizeof tags / sizeof tags[0], &n, &v);
    if (FAILED(hr))
        return ols_mapi_err(err, hr, "message properties");

    /* headers */
    copy_transport_headers(msg, out);
    pv = ols_mapi_find(v, n, PR_CLIENT_SUBMIT_TIME);
    if (!pv)
        pv = ols_mapi_find(v, n, PR_MESSAGE_DELIVERY_TIME);
    if (!pv)
        pv = ols_mapi_find(v, n, PR_CREATION_TIME);
    when = pv ? ols_filetime_to_unix(pv->Value.ft) : (int64_t)time(NULL);
    ols_eml_format_date(when, datebuf, sizeof datebuf);
    ols_buf_printf(out, "Date: %s\r\n", datebuf);
    read_party(v, n, PR_SENT_REPRESENTING_NAME_W, PR_SENT_REPRESENTING_SMTP_ADDRESS_W,
               PR_SENT_REPRESENTING_EMAIL_ADDRESS_W, PR_SENT_REPRESENTING_ADDRTYPE_W, &from);
    read_party(v, n, PR_SENDER_NAME_W, PR_SENDER_SMTP_ADDRESS_W, PR_SENDER_EMAIL_ADDRESS_W,
               PR_SENDER_ADDRTYPE_W, &sender);
    if (!from.addr && sender.addr) {
        party_free(&from);
        from = sender;
        memset(&sender, 0, sizeof sender);
    }
    if (from.addr) {
        ols_eml_addr a = {from.name, from.addr};
        ols_eml_put_addr_header(out, "From", &a, 1);
    }
    if (sender.addr && from.addr && _stricmp(sender.addr, from.addr) != 0) {
        ols_eml_addr a = {sender.name, sender.addr};
        ols_eml_put_addr_header(out, "Sender", &a, 1);
    }
    reply_to(v, n, out);
    {
        IMAPITable *t = NULL;
        if (SUCCEEDED(msg->lpVtbl->GetRecipientTable(msg, MAPI_UNICODE, &t))) {
            ols_mapi_table_each(t, rcols, 5, 100, recip_cb, &r);
            t->lpVtbl->Release(t);
        }
        if (r.n[0])
            ols_eml_put_addr_header(out, "To", r.a[0], r.n[0]);
        if (r.n[1])
            ols_eml_put_addr_header(out, "Cc", r.a[1], r.n[1]);
        if (r.n[2])
            ols_eml_put_addr_header(out, "Bcc", r.a[2], r.n[2]);
    }
    subject = wdup8(ols_mapi_find(v, n, PR_SUBJECT_W));
    if (subject)
        ols_eml_put_text_header(out, "Subject", subject);
    mid = wdup8(ols_mapi_find(v, n, PR_INTERNET_MESSAGE_ID_W));
    if (mid && *mid) {
        ols_buf_printf(out, "Message-ID: %s\r\n", mid);
    } else if (depth == 0 && (pv = ols_mapi_find(v, n, PR_SEARCH_KEY)) != NULL &&
               pv->Value.bin.cb) {
        /* made in Outlook without one: derive it from the search key, so every reading
         * of this item gives the same id (the engine pairs uploads by Message-ID) */
        char *hex = ols_hex_encode(pv->Value.bin.lpb, pv->Value.bin.cb > 32 ? 32 : pv->Value.bin.cb);
        if (hex)
            ols_buf_printf(out, "Message-ID: <olsync.%s@localhost>\r\n", hex);
        free(hex);
    }
    irt = wdup8(ols_mapi_find(v, n, PR_IN_REPLY_TO_ID_W));
    if (irt && *irt)
        ols_buf_printf(out, "In-Reply-To: %s\r\n", irt);
    refs = wdup8(ols_mapi_find(v, n, PR_INTERNET_REFERENCES_W));
    if (refs && *refs)
        ols_eml_put_text_header(out, "References", refs);
    pv = ols_mapi_find(v, n, PR_IMPORTANCE);
    if (pv && pv->Value.l == IMPORTANCE_HIGH)
        ols_buf_puts(out, "Importance: high\r\nX-Priority: 1\r\n");
    else if (pv && pv->Value.l == IMPORTANCE_LOW)
        ols_buf_puts(out, "Importance: low\r\nX-Priority: 5\r\n");
    pv = ols_mapi_find(v, n, PR_READ_RECEIPT_REQUESTED);
    if (pv && pv->Value.b && from.addr)
        ols_buf_printf(out, "Disposition-Notification-To: <%s>\r\n", from.addr);
    ols_buf_puts(out, "MIME-Version: 1.0\r\n");

    /* bodies */
    {
        char *t8 = NULL;
        if (SUCCEEDED(ols_mapi_read_string((IMAPIProp *)msg, PR_BODY_W, &t8)) && t8) {
            text = t8;
            text_len = strlen(t8);
        }
    }
    if (FAILED(ols_mapi_read_prop((IMAPIProp *)msg, PR_HTML, &html, &html_len)))
        html = NULL;
    if (html) {
        pv = ols_mapi_find(v, n, PR_INTERNET_CPID);
        html_cs = pv ? ols_cpid_charset((unsigned)pv->Value.l)
                     : ols_utf8_valid((char *)html, html_len) ? "utf-8" : "windows-1252";
    }
    {
        IMAPITable *t = NULL;
        if (SUCCEEDED(msg->lpVtbl->GetAttachmentTable(msg, MAPI_UNICODE, &t))) {
            ols_mapi_table_each(t, acols, 4, 100, att_cb, &atts);
            t->lpVtbl->Release(t);
        }
    }
    /* inline pictures of the HTML go into multipart/related, the rest is mixed */
    for (i = 0; i < atts.n; i++) {
        int rel = html && atts.v[i].cid && atts.v[i].method != ATTACH_EMBEDDED_MSG &&
                  (atts.v[i].hidden || refers_cid((char *)html, html_len, atts.v[i].cid));
        atts.v[i].hidden = rel; /* reused: 1 = goes into related */
        if (rel)
            nrel++;
        else
            nmix++;
    }
    boundary(b_mixed, sizeof b_mixed);
    boundary(b_alt, sizeof b_alt);
    boundary(b_rel, sizeof b_rel);
    if (nmix)
        ols_buf_printf(out, "Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"\r\n\r\n"
                            "This is a multi-part message in MIME format.\r\n\r\n--%s\r\n",
                       b_mixed, b_mixed);
    if (html && text)
        ols_buf_printf(out, "Content-Type: multipart/alternative;\r\n\tboundary=\"%s\"\r\n\r\n"
                            "--%s\r\n",
                       b_alt, b_alt);
    if (text || !html)
        text_part(out, "text/plain", "utf-8", text ? text : "", text ? text_len : 0);
    if (html) {
        if (text)
            ols_buf_printf(out, "\r\n--%s\r\n", b_alt);
        if (nrel)
            ols_buf_printf(out, "Content-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n"
                                "\tboundary=\"%s\"\r\n\r\n--%s\r\n",
                           b_rel, b_rel);
        text_part(out, "text/html", html_cs, (char *)html, html_len);
        for (i = 0; i < atts.n && st == OLS_OK; i++)
            if (atts.v[i].hidden) {
                ols_buf_printf(out, "\r\n--%s\r\n", b_rel);
                st = write_attachment(msg, &atts.v[i], 1, out, depth, err);
            }
        if (nrel)
            ols_buf_printf(out, "\r\n--%s--\r\n", b_rel);
        if (text)
            ols_buf_printf(out, "\r\n--%s--\r\n", b_alt);
    }
    for (i = 0; i < atts.n && st == OLS_OK; i++)
        if (!atts.v[i].hidden) {
            ols_buf_printf(out, "\r\n--%s\r\n", b_mixed);
            st = write_attachment(msg, &atts.v[i], 0, out, depth, err);
        }
    if (nmix)
        ols_buf_printf(out, "\r\n--%s--\r\n", b_mixed);
    if (st == OLS_OK && out->oom)
        st = ols_err_set(err, OLS_ENOMEM, "out of memory");

    for (i = 0; i < atts.n; i++)
        free(atts.v[i].cid);
    free(atts.v);
    for (i = 0; i < 3; i++)
        ols_eml_free_addrs(r.a[i], r.n[i]);
    party_free(&from);
    party_free(&sender);
    free(subject);
    free(mid);
    free(irt);
    free(refs);
    free(text);
    free(html);
    ols_mapi_free(v);
    return st;
}

ols_status ols_mapi_to_mime(IMessage *msg, ols_buf *out, ols_err *err)
{
    return write_message(msg, out, 0, err);
}
