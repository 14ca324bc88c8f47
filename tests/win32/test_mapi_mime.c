/* MIME <-> MAPI with olsync's own mapper and writer, on real-looking messages, into
 * fake_msgstore: every mapped property checked, then MIME -> MAPI -> MIME keeps headers,
 * bodies and attachments, and a second round changes nothing more. Also the MIME toolkit
 * on its own (encoded words, RFC 2231, addresses, dates, malformed input). */
#include <windows.h>

#include "fake_msgstore.h"
#include "mapi_mime.h"
#include "mapi_rt.h"
#include "mime.h"
#include "t.h"

/* ---- the corpus ---- */
static const char msg_alt[] =
    "Received: from mx.example.org by imap.example.org; Tue, 14 Nov 2023 08:31:05 +0000\r\n"
    "Received: from client by mx.example.org; Tue, 14 Nov 2023 08:30:59 +0000\r\n"
    "From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.org>\r\n"
    "Sender: list-bounces@example.org\r\n"
    "To: Alice <alice@example.org>, bob@example.org\r\n"
    "Cc: \"Carol, C.\" <carol@example.org>\r\n"
    "Reply-To: Discussion <list@example.org>\r\n"
    "Subject: =?UTF-8?B?w5xuw69jw7Zkw6kg4oCTIHN1YmplY3Qgd2l0aCDigJhxdW90ZXPigJk=?=\r\n"
    "Date: Tue, 14 Nov 2023 09:30:00 +0100\r\n"
    "Message-ID: <alt-1@example.org>\r\n"
    "In-Reply-To: <parent@example.org>\r\n"
    "References: <root@example.org>\r\n"
    " <parent@example.org>\r\n"
    "Importance: high\r\n"
    "X-Mailer: olsync-test 1.0\r\n"
    "List-Id: <list.example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Gr=FC=DFe, J=F6rg & friends\r\n"
    "second line with a soft=\r\n"
    " break\r\n"
    "--b1\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "PGh0bWw+PGJvZHk+PHA+R3LDvMOfZSwgPGI+SsO2cmc8L2I+ICZhbXA7IGZyaWVuZHM8L3A+PC9ib2R5PjwvaHRt\r\n"
    "bD4=\r\n"
    "--b1--\r\n"
    "epilogue\r\n";

static const char msg_related[] =
    "From: pics@example.org\r\n"
    "To: alice@example.org\r\n"
    "Subject: =?UTF-8?Q?Gr=C3?= =?UTF-8?Q?=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
    "Date: Wed, 15 Nov 2023 10:00:00 +0000\r\n"
    "Message-ID: <related-1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
    "\r\n"
    "--outer\r\n"
    "Content-Type: multipart/related; type=\"text/html\"; boundary=\"rel\"\r\n"
    "\r\n"
    "--rel\r\n"
    "Content-Type: text/html; charset=us-ascii\r\n"
    "\r\n"
    "<html><body><img src=\"cid:logo@x\"> hello</body></html>\r\n"
    "--rel\r\n"
    "Content-Type: image/png; name=\"logo.png\"\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-ID: <logo@x>\r\n"
    "Content-Disposition: inline; filename=\"logo.png\"\r\n"
    "\r\n"
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7\r\n"
    "PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3\r\n"
    "eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKz\r\n"
    "tLW2t7i5uru8vb6/wMHCw8TFxsc=\r\n"
    "--rel--\r\n"
    "--outer\r\n"
    "Content-Type: application/pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment;\r\n"
    " filename*=UTF-8''R%C3%A9sum%C3%A9.pdf\r\n"
    "\r\n"
    "JVBERi0xLjQKJeLjz9MKMSAwIG9iajw8Pj5lbmRvYmoKdHJhaWxlcjw8Pj4KJSVFT0YK\r\n"
    "--outer--\r\n";

static const char msg_rfc822[] =
    "From: fwd@example.org\r\n"
    "To: alice@example.org\r\n"
    "Subject: Fwd: the original\r\n"
    "Date: Thu, 16 Nov 2023 11:00:00 -0500\r\n"
    "Message-ID: <fwd-1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"m\"\r\n"
    "\r\n"
    "--m\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "See below.\r\n"
    "--m\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: attachment\r\n"
    "\r\n"
    "From: Orig Inal <orig@example.net>\r\n"
    "To: fwd@example.org\r\n"
    "Subject: the original\r\n"
    "Date: Mon, 13 Nov 2023 07:00:00 +0000\r\n"
    "Message-ID: <orig@example.net>\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "original text\r\n"
    "--m--\r\n";

static const char msg_latin1[] =
    "From: cafe@example.org\r\n"
    "To: alice@example.org\r\n"
    "Subject: =?iso-8859-1?q?Caf=E9?=\r\n"
    "Date: 17 Nov 23 12:00 GMT\r\n"
    "Message-ID: <latin1@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=\"ISO-8859-1\"\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Caf=E9 au lait, na=EFve =E0 la carte\r\n";

static const char msg_html_only[] =
    "From: news@example.org\r\n"
    "To: alice@example.org\r\n"
    "Subject: html only\r\n"
    "Date: Fri, 17 Nov 2023 13:00:00 +0000\r\n"
    "Message-ID: <html-only@example.org>\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "\r\n"
    "<html><head><style>p{color:red}</style></head><body><p>First&nbsp;para</p>"
    "<p>Second &lt;para&gt;</p></body></html>\r\n";

/* bare LF, no MIME-Version, a header line without a colon, no closing boundary */
static const char msg_broken[] =
    "From: broken@example.org\n"
    "To: alice@example.org\n"
    "Subject: broken\n"
    " but continued\n"
    "this line has no colon\n"
    "Content-Type: multipart/mixed; boundary=zz\n"
    "\n"
    "--zz\n"
    "Content-Type: text/plain\n"
    "\n"
    "text part\n"
    "--zz\n"
    "Content-Type: application/octet-stream; name=data.bin\n"
    "\n"
    "raw bytes\n";

/* ---- helpers ---- */
static fake_msgstore *g_fs;
static IMsgStore *g_st;
static IMAPIFolder *g_inbox;

static IMessage *to_mapi(const char *mime, ULONG flags)
{
    IMessage *m = NULL;
    ols_mime_in_opts o = {0, flags, 0};
    ols_err err = {0};
    ols_status st;
    HRESULT hr;
    if (FAILED(g_inbox->lpVtbl->CreateMessage(g_inbox, NULL, 0, &m)))
        return NULL;
    st = ols_mime_to_mapi(mime, strlen(mime), m, &o, &err);
    OK(st == OLS_OK, "mapping: %s", err.msg);
    hr = m->lpVtbl->SaveChanges(m, KEEP_OPEN_READWRITE);
    OK(SUCCEEDED(hr), "save: %#lx", (unsigned long)hr);
    return m;
}

static char *to_mime(IMessage *m)
{
    ols_buf b = {0};
    ols_err err = {0};
    OK(ols_mapi_to_mime(m, &b, &err) == OLS_OK, "writing: %s", err.msg);
    return ols_buf_take(&b, NULL);
}

static char *sprop(IMAPIProp *o, ULONG tag)
{
    char *s = NULL;
    ols_mapi_read_string(o, tag, &s);
    return s;
}

static LONG lprop(IMAPIProp *o, ULONG tag, LONG d)
{
    SPropValue *v = NULL;
    LONG r = d;
    if (SUCCEEDED(ols_mapi_get_one(o, tag, &v)))
        r = v->Value.l;
    ols_mapi_free(v);
    return r;
}

static int64_t tprop(IMAPIProp *o, ULONG tag)
{
    SPropValue *v = NULL;
    int64_t r = 0;
    if (SUCCEEDED(ols_mapi_get_one(o, tag, &v)))
        r = ols_filetime_to_unix(v->Value.ft);
    ols_mapi_free(v);
    return r;
}

#define SEQ(got, want, what)                                                                  \
    do {                                                                                      \
        char *g_ = (got);                                                                     \
        OK(g_ && !strcmp(g_, (want)), "%s: got \"%s\", want \"%s\"", (what), g_ ? g_ : "(none)", \
           (want));                                                                           \
        free(g_);                                                                             \
    } while (0)

typedef struct row_dump {
    char text[4096];
    int n;
} row_dump;

/* Recipients as "type:name<addr>;" in table order. */
static int recip_row(void *ctx, const SRow *r)
{
    row_dump *d = ctx;
    const SPropValue *t = ols_mapi_find(r->lpProps, r->cValues, PR_RECIPIENT_TYPE);
    const SPropValue *n = ols_mapi_find(r->lpProps, r->cValues, PR_DISPLAY_NAME_W);
    const SPropValue *a = ols_mapi_find(r->lpProps, r->cValues, PR_SMTP_ADDRESS_W);
    const SPropValue *e = ols_mapi_find(r->lpProps, r->cValues, PR_ENTRYID);
    char *name = n ? ols_wide_to_utf8(n->Value.lpszW, -1) : NULL;
    char *addr = a ? ols_wide_to_utf8(a->Value.lpszW, -1) : NULL;
    char *on = NULL, *oa = NULL;
    int oneoff = e && ols_oneoff_parse(e->Value.bin.lpb, e->Value.bin.cb, &on, &oa) == 0 &&
                 addr && !strcmp(oa, addr);
    size_t l = strlen(d->text);
    snprintf(d->text + l, sizeof d->text - l, "%ld:%s<%s>%s;", t ? (long)t->Value.l : -1L,
             name ? name : "", addr ? addr : "", oneoff ? "" : "!");
    free(name);
    free(addr);
    free(on);
    free(oa);
    d->n++;
    return 0;
}

static void recipients(IMessage *m, row_dump *d)
{
    static const ULONG cols[] = {PR_RECIPIENT_TYPE, PR_DISPLAY_NAME_W, PR_SMTP_ADDRESS_W,
                                 PR_ENTRYID};
    IMAPITable *t = NULL;
    memset(d, 0, sizeof *d);
    if (SUCCEEDED(m->lpVtbl->GetRecipientTable(m, 0, &t))) {
        ols_mapi_table_each(t, cols, 4, 50, recip_row, d);
        t->lpVtbl->Release(t);
    }
}

typedef struct att_row {
    ULONG num[8];
    LONG method[8];
    int hidden[8];
    int n;
} att_row;

static int att_cb(void *ctx, const SRow *r)
{
    att_row *a = ctx;
    const SPropValue *n = ols_mapi_find(r->lpProps, r->cValues, PR_ATTACH_NUM);
    const SPropValue *m = ols_mapi_find(r->lpProps, r->cValues, PR_ATTACH_METHOD);
    const SPropValue *h = ols_mapi_find(r->lpProps, r->cValues, PR_ATTACHMENT_HIDDEN);
    if (a->n < 8 && n) {
        a->num[a->n] = n->Value.ul;
        a->method[a->n] = m ? m->Value.l : -1;
        a->hidden[a->n] = h && h->Value.b;
        a->n++;
    }
    return 0;
}

static void attachments(IMessage *m, att_row *a)
{
    static const ULONG cols[] = {PR_ATTACH_NUM, PR_ATTACH_METHOD, PR_ATTACHMENT_HIDDEN};
    IMAPITable *t = NULL;
    memset(a, 0, sizeof *a);
    if (SUCCEEDED(m->lpVtbl->GetAttachmentTable(m, 0, &t))) {
        ols_mapi_table_each(t, cols, 3, 50, att_cb, a);
        t->lpVtbl->Release(t);
    }
}

static int64_t date_of(const char *s)
{
    int64_t t = 0;
    ols_eml_parse_date(s, &t);
    return t;
}

/* ---- the toolkit ---- */
static void test_toolkit(void)
{
    char *s;
    ols_eml_addr *a = NULL;
    size_t n = 0;
    int64_t t;
    SEQ(ols_eml_decode_words("=?UTF-8?Q?Gr=C3?= =?UTF-8?Q?=BC=C3=9Fe?="), "Gr\xc3\xbc\xc3\x9f" "e",
        "a character split across two encoded words");
    SEQ(ols_eml_decode_words("a =?ISO-8859-1?Q?b?=  =?ISO-8859-1?Q?c?= d"), "a bc d",
        "blanks between encoded words vanish, others stay");
    SEQ(ols_eml_decode_words("=?utf-8*de?B?w5w=?="), "\xc3\x9c", "RFC 2231 language suffix");
    SEQ(ols_eml_decode_words("caf\xe9"), "caf\xc3\xa9", "raw 8-bit header text as Windows-1252");
    SEQ(ols_eml_decode_words("=?bogus?X?abc?="), "=?bogus?X?abc?=", "a malformed word stays");
    SEQ(ols_eml_param("attachment; filename*0*=UTF-8''R%C3%A9; filename*1=sum.pdf", "filename"),
        "R\xc3\xa9sum.pdf", "RFC 2231 continuations");
    SEQ(ols_eml_param("text/plain; name=\"=?UTF-8?B?w5w=?=.txt\"", "name"), "\xc3\x9c.txt",
        "encoded words in a plain parameter");
    SEQ(ols_eml_param("text/plain; charset=\"us-ascii\" ; format=flowed", "format"), "flowed",
        "simple parameter");
    OK(ols_eml_param("text/plain", "charset") == NULL, "no parameter");

    ols_eml_parse_addrs("\"Doe, John\" <john@example.org>, jane@example.org (Jane D), "
                         "undisclosed-recipients:;, Group: a@x.org, b@x.org;, "
                         "=?UTF-8?B?w5xsaQ==?= <uli@example.org>, <@route:bare@example.org>",
                         &a, &n);
    OK(n == 6, "six addresses (%u)", (unsigned)n);
    if (n == 6) {
        OK(!strcmp(a[0].name, "Doe, John") && !strcmp(a[0].addr, "john@example.org"), "quoted");
        OK(!strcmp(a[1].addr, "jane@example.org") && a[1].name && !strcmp(a[1].name, "Jane D"),
           "comment as name");
        OK(!strcmp(a[2].addr, "a@x.org") && !strcmp(a[3].addr, "b@x.org"), "group members");
        OK(!strcmp(a[4].name, "\xc3\x9cli"), "encoded name");
        OK(!strcmp(a[5].addr, "bare@example.org"), "route dropped");
    }
    ols_eml_free_addrs(a, n);

    OK(ols_eml_parse_date("Tue, 14 Nov 2023 09:30:00 +0100", &t) == 0 && t == 1699950600,
       "date with zone (%lld)", (long long)t);
    OK(ols_eml_parse_date("14 Nov 23 08:30 GMT", &t) == 0 && t == 1699950600,
       "obsolete two-digit year, no seconds, GMT");
    OK(ols_eml_parse_date("Tue, 14 Nov 2023 03:30:00 EST", &t) == 0 && t == 1699950600,
       "named zone");
    OK(ols_eml_parse_date("yesterday", &t) == -1, "nonsense is refused");
    {
        char buf[64];
        ols_eml_format_date(1699950600, buf, sizeof buf);
        OK(!strcmp(buf, "Tue, 14 Nov 2023 08:30:00 +0000"), "formatted: %s", buf);
    }
    {
        ols_buf b = {0};
        char *out;
        ols_eml_put_text_header(&b, "Subject", "\xc3\x9cnicode and a rather long subject line that "
                                                "needs to be folded somewhere along the way");
        out = ols_buf_take(&b, NULL);
        OK(out && !strncmp(out, "Subject: =?UTF-8?B?", 19), "encoded words written: %s", out);
        s = out ? ols_eml_decode_words(strchr(out, ':') + 2) : NULL;
        OK(s && strstr(s, "somewhere along the way") && !strncmp(s, "\xc3\x9cnicode", 8),
           "and read back whole: %s", s ? s : "(none)");
        free(s);
        free(out);
    }
    {
        static const char text[] = "a=b \xc3\xa4 trailing \r\nFrom me\r\n.\r\n";
        ols_buf b = {0};
        ols_eml_part p;
        char *back = NULL;
        size_t bl = 0;
        ols_eml_put_qp(&b, text, sizeof text - 1);
        memset(&p, 0, sizeof p);
        p.cte = OLS_CTE_QP;
        p.body = b.p;
        p.body_len = b.n;
        ols_eml_body(&p, &back, &bl);
        OK(bl == sizeof text - 1 && !memcmp(back, text, bl), "quoted-printable round trip");
        OK(strstr(b.p, "=3D") && strstr(b.p, "=C3=A4") && strstr(b.p, "=46rom"),
           "QP escapes =, 8-bit and a leading From: %s", b.p);
        free(back);
        ols_buf_free(&b);
    }
}

/* ---- mapping checks ---- */
static void test_alt(void)
{
    IMessage *m = to_mapi(msg_alt, 0);
    row_dump d;
    BYTE *html = NULL;
    size_t hl = 0;
    char *body, *hdrs;
    if (!m)
        return;
    SEQ(sprop((IMAPIProp *)m, PR_SUBJECT_W),
        "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe2\x80\x93 subject with \xe2\x80\x98quotes\xe2\x80\x99",
        "RFC 2047 subject");
    SEQ(sprop((IMAPIProp *)m, PR_INTERNET_MESSAGE_ID_W), "<alt-1@example.org>", "Message-ID");
    SEQ(sprop((IMAPIProp *)m, PR_IN_REPLY_TO_ID_W), "<parent@example.org>", "In-Reply-To");
    SEQ(sprop((IMAPIProp *)m, PR_INTERNET_REFERENCES_W), "<root@example.org> <parent@example.org>",
        "References unfolded");
    SEQ(sprop((IMAPIProp *)m, PR_SENT_REPRESENTING_NAME_W), "J\xc3\xb6rg M\xc3\xbcller",
        "From name");
    SEQ(sprop((IMAPIProp *)m, PR_SENT_REPRESENTING_SMTP_ADDRESS_W), "joerg@example.org",
        "From SMTP");
    SEQ(sprop((IMAPIProp *)m, PR_SENT_REPRESENTING_ADDRTYPE_W), "SMTP", "From address type");
    SEQ(sprop((IMAPIProp *)m, PR_SENDER_SMTP_ADDRESS_W), "list-bounces@example.org",
        "Sender is the sender");
    SEQ(sprop((IMAPIProp *)m, PR_REPLY_RECIPIENT_NAMES_W), "Discussion", "Reply-To name");
    SEQ(sprop((IMAPIProp *)m, PR_MESSAGE_CLASS_W), "IPM.Note", "message class");
    SEQ(sprop((IMAPIProp *)m, PR_DISPLAY_TO_W), "Alice; bob@example.org",
        "the store computed the To line");
    OK(tprop((IMAPIProp *)m, PR_CLIENT_SUBMIT_TIME) == 1699950600, "Date -> client submit time");
    OK(tprop((IMAPIProp *)m, PR_MESSAGE_DELIVERY_TIME) == date_of("Tue, 14 Nov 2023 08:31:05 +0000"),
       "newest Received -> delivery time");
    OK(lprop((IMAPIProp *)m, PR_IMPORTANCE, -1) == IMPORTANCE_HIGH, "Importance");
    OK(lprop((IMAPIProp *)m, PR_INTERNET_CPID, 0) == 65001, "code page of the HTML part");
    {
        LONG mf = lprop((IMAPIProp *)m, PR_MESSAGE_FLAGS, -1);
        OK(mf != -1 && !(mf & MSGFLAG_UNSENT) && !(mf & MSGFLAG_READ),
           "received and unread (%#lx)", (unsigned long)mf);
    }
    body = sprop((IMAPIProp *)m, PR_BODY_W);
    OK(body && strstr(body, "Gr\xc3\xbc\xc3\x9f" "e, J\xc3\xb6rg & friends\r\n") &&
           strstr(body, "soft break"),
       "plain body from Latin-1 QP: %s", body ? body : "(none)");
    free(body);
    OK(SUCCEEDED(ols_mapi_read_prop((IMAPIProp *)m, PR_HTML, &html, &hl)) && html &&
           strstr((char *)html, "Gr\xc3\xbc\xc3\x9f" "e") && strstr((char *)html, "<b>"),
       "HTML body in its charset");
    free(html);
    hdrs = sprop((IMAPIProp *)m, PR_TRANSPORT_MESSAGE_HEADERS_W);
    OK(hdrs && strstr(hdrs, "Received: from mx.example.org") && strstr(hdrs, "X-Mailer:") &&
           !strstr(hdrs, "preamble"),
       "transport headers");
    free(hdrs);
    recipients(m, &d);
    OK(!strcmp(d.text, "1:Alice<alice@example.org>;1:bob@example.org<bob@example.org>;"
                       "2:Carol, C.<carol@example.org>;"),
       "recipients with one-off entry ids: %s", d.text);
    {
        SPropValue *e = NULL;
        char *n = NULL, *a = NULL;
        OK(SUCCEEDED(ols_mapi_get_one((IMAPIProp *)m, PR_SENT_REPRESENTING_ENTRYID, &e)) &&
               ols_oneoff_parse(e->Value.bin.lpb, e->Value.bin.cb, &n, &a) == 0 &&
               !strcmp(a, "joerg@example.org"),
           "From as a one-off entry id");
        free(n);
        free(a);
        ols_mapi_free(e);
        OK(SUCCEEDED(ols_mapi_get_one((IMAPIProp *)m, PR_SENT_REPRESENTING_SEARCH_KEY, &e)) &&
               e->Value.bin.cb == 23 && !memcmp(e->Value.bin.lpb, "SMTP:JOERG@EXAMPLE.ORG", 23),
           "search key");
        ols_mapi_free(e);
    }
    m->lpVtbl->Release(m);
}

static void test_related(void)
{
    IMessage *m = to_mapi(msg_related, MSGFLAG_READ);
    att_row a;
    int i;
    if (!m)
        return;
    SEQ(sprop((IMAPIProp *)m, PR_SUBJECT_W), "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln",
        "split Q words");
    OK(lprop((IMAPIProp *)m, PR_MESSAGE_FLAGS, 0) & MSGFLAG_READ, "read as asked");
    OK(lprop((IMAPIProp *)m, PR_MESSAGE_FLAGS, 0) & MSGFLAG_HASATTACH, "has attachments");
    attachments(m, &a);
    OK(a.n == 2, "two attachments (%d)", a.n);
    for (i = 0; i < a.n; i++) {
        IAttach *at = NULL;
        char *name, *mt, *cid;
        BYTE *data = NULL;
        size_t dl = 0;
        if (FAILED(m->lpVtbl->OpenAttach(m, a.num[i], NULL, 0, &at)))
            continue;
        name = sprop((IMAPIProp *)at, PR_ATTACH_LONG_FILENAME_W);
        mt = sprop((IMAPIProp *)at, PR_ATTACH_MIME_TAG_W);
        cid = sprop((IMAPIProp *)at, PR_ATTACH_CONTENT_ID_W);
        ols_mapi_read_prop((IMAPIProp *)at, PR_ATTACH_DATA_BIN, &data, &dl);
        OK(a.method[i] == ATTACH_BY_VALUE, "by value");
        if (name && !strcmp(name, "logo.png")) {
            int k, same = dl == 200;
            for (k = 0; same && k < 200; k++)
                same = data[k] == k;
            OK(same, "inline picture bytes (%u)", (unsigned)dl);
            OK(cid && !strcmp(cid, "logo@x"), "content id");
            OK(a.hidden[i], "referenced from the HTML: hidden");
            OK(lprop((IMAPIProp *)at, PR_ATTACH_FLAGS, 0) & ATT_MHTML_REF, "MHTML reference");
            OK(mt && !strcmp(mt, "image/png"), "MIME type");
        } else {
            OK(name && !strcmp(name, "R\xc3\xa9sum\xc3\xa9.pdf"), "RFC 2231 file name: %s",
               name ? name : "(none)");
            OK(!a.hidden[i] && !cid, "a plain attachment is visible");
            OK(dl == 51 && !memcmp(data, "%PDF-1.4", 8), "PDF bytes");
            OK(mt && !strcmp(mt, "application/pdf"), "MIME type");
            SEQ(sprop((IMAPIProp *)at, PR_ATTACH_EXTENSION_W), ".pdf", "extension");
        }
        free(name);
        free(mt);
        free(cid);
        free(data);
        at->lpVtbl->Release(at);
    }
    OK(lprop((IMAPIProp *)m, PR_INTERNET_CPID, 0) == 65001 ||
           lprop((IMAPIProp *)m, PR_INTERNET_CPID, 0) == 1252,
       "ASCII HTML gets a sensible code page");
    m->lpVtbl->Release(m);
}

static void test_rfc822(void)
{
    IMessage *m = to_mapi(msg_rfc822, 0);
    att_row a;
    if (!m)
        return;
    attachments(m, &a);
    OK(a.n == 1 && a.method[0] == ATTACH_EMBEDDED_MSG, "one embedded message");
    if (a.n == 1) {
        IAttach *at = NULL;
        IUnknown *unk = NULL;
        OK(SUCCEEDED(m->lpVtbl->OpenAttach(m, a.num[0], NULL, 0, &at)), "open it");
        SEQ(sprop((IMAPIProp *)at, PR_DISPLAY_NAME_W), "the original", "named after its subject");
        if (at && SUCCEEDED(at->lpVtbl->OpenProperty(at, PR_ATTACH_DATA_OBJ, &IID_IMessage, 0, 0,
                                                     &unk))) {
            IMessage *e = (IMessage *)unk;
            char *body = sprop((IMAPIProp *)e, PR_BODY_W);
            SEQ(sprop((IMAPIProp *)e, PR_SUBJECT_W), "the original", "embedded subject");
            SEQ(sprop((IMAPIProp *)e, PR_SENT_REPRESENTING_SMTP_ADDRESS_W), "orig@example.net",
                "embedded sender");
            OK(tprop((IMAPIProp *)e, PR_CLIENT_SUBMIT_TIME) ==
                   date_of("Mon, 13 Nov 2023 07:00:00 +0000"),
               "embedded date");
            OK(body && strstr(body, "original text"), "embedded body");
            OK(!(lprop((IMAPIProp *)e, PR_MESSAGE_FLAGS, 0) & MSGFLAG_UNSENT),
               "embedded message is not a draft");
            free(body);
            e->lpVtbl->Release(e);
        } else {
            OK(0, "embedded message opens");
        }
        if (at)
            at->lpVtbl->Release(at);
    }
    m->lpVtbl->Release(m);
}

static void test_latin1(void)
{
    IMessage *m = to_mapi(msg_latin1, 0);
    char *body;
    if (!m)
        return;
    SEQ(sprop((IMAPIProp *)m, PR_SUBJECT_W), "Caf\xc3\xa9", "Latin-1 Q subject");
    body = sprop((IMAPIProp *)m, PR_BODY_W);
    OK(body && !strcmp(body, "Caf\xc3\xa9 au lait, na\xc3\xafve \xc3\xa0 la carte\r\n"),
       "Latin-1 body: %s", body ? body : "(none)");
    free(body);
    OK(lprop((IMAPIProp *)m, PR_INTERNET_CPID, 0) == 28591, "code page 28591");
    OK(tprop((IMAPIProp *)m, PR_CLIENT_SUBMIT_TIME) == date_of("Fri, 17 Nov 2023 12:00:00 +0000"),
       "obsolete date form");
    m->lpVtbl->Release(m);
}

static void test_html_only(void)
{
    IMessage *m = to_mapi(msg_html_only, 0);
    char *body;
    if (!m)
        return;
    body = sprop((IMAPIProp *)m, PR_BODY_W);
    OK(body && strstr(body, "First\xc2\xa0para") && strstr(body, "Second <para>") &&
           !strstr(body, "color:red") && !strstr(body, "<p>"),
       "text made from the HTML: %s", body ? body : "(none)");
    free(body);
    m->lpVtbl->Release(m);
}

static void test_broken(void)
{
    IMessage *m = to_mapi(msg_broken, 0);
    att_row a;
    char *body;
    if (!m)
        return;
    SEQ(sprop((IMAPIProp *)m, PR_SUBJECT_W), "broken but continued", "folded with bare LF");
    body = sprop((IMAPIProp *)m, PR_BODY_W);
    OK(body && !strcmp(body, "text part"), "first part is the body: %s", body ? body : "(none)");
    free(body);
    attachments(m, &a);
    OK(a.n == 1, "the unterminated part is still an attachment");
    m->lpVtbl->Release(m);
}

/* ---- round trip ---- */
typedef struct summary {
    char *subject, *from, *to, *cc, *mid, *irt, *refs, *text, *html;
    int64_t date;
    char atts[2048]; /* name|type|cid|size|hash; ... */
    char embedded[512];
} summary;

static uint32_t fnv(const char *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--)
        h = (h ^ (unsigned char)*p++) * 16777619u;
    return h;
}

static char *addr_list(const ols_eml_part *p, const char *hdr)
{
    ols_eml_addr *a = NULL;
    size_t n = 0, i;
    ols_buf b = {0};
    ols_eml_parse_addrs(ols_eml_header(p, hdr), &a, &n);
    for (i = 0; i < n; i++)
        ols_buf_printf(&b, "%s<%s>;", a[i].name ? a[i].name : "", a[i].addr ? a[i].addr : "");
    ols_eml_free_addrs(a, n);
    return b.p ? ols_buf_take(&b, NULL) : _strdup("");
}

/* text normalised: CRLF, no trailing blanks on lines, no trailing empty lines */
static char *norm_text(const wchar_t *w)
{
    char *u = w ? ols_wide_to_utf8(w, -1) : _strdup("");
    char *o = u, *p;
    size_t n;
    if (!u)
        return NULL;
    for (p = u; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n')
            while (o > u && (o[-1] == ' ' || o[-1] == '\t'))
                o--;
        *o++ = *p;
    }
    *o = 0;
    n = strlen(u);
    while (n && (u[n - 1] == '\n' || u[n - 1] == ' '))
        u[--n] = 0;
    return u;
}

static void summarise_part(summary *s, const ols_eml_part *p, int depth)
{
    size_t i;
    if (!strcmp(p->type, "multipart")) {
        for (i = 0; i < p->nchildren; i++)
            summarise_part(s, &p->children[i], depth);
        return;
    }
    if (p->message) {
        char *subj = ols_eml_decode_words(ols_eml_header(p->message, "Subject"));
        size_t l = strlen(s->embedded);
        char *body = NULL;
        wchar_t *w = NULL;
        const ols_eml_part *t = p->message;
        while (!strcmp(t->type, "multipart") && t->nchildren)
            t = &t->children[0];
        w = ols_eml_text(t, NULL);
        body = norm_text(w);
        snprintf(s->embedded + l, sizeof s->embedded - l, "%s|%s;", subj ? subj : "",
                 body ? body : "");
        free(subj);
        free(body);
        free(w);
        return;
    }
    if (!s->text && ols_eml_is(p, "text", "plain") && !p->filename && !p->name) {
        wchar_t *w = ols_eml_text(p, NULL);
        s->text = norm_text(w);
        free(w);
        return;
    }
    if (!s->html && ols_eml_is(p, "text", "html") && !p->filename && !p->name) {
        size_t wl = 0;
        char *raw = NULL;
        size_t rl = 0;
        wchar_t *w;
        ols_eml_body(p, &raw, &rl);
        w = ols_charset_to_wide(raw, rl, p->charset, &wl);
        s->html = norm_text(w);
        free(w);
        free(raw);
        return;
    }
    {
        char *data = NULL;
        size_t dl = 0, l = strlen(s->atts);
        ols_eml_body(p, &data, &dl);
        snprintf(s->atts + l, sizeof s->atts - l, "%s|%s/%s|%s|%u|%08x;",
                 p->filename ? p->filename : p->name ? p->name : "", p->type, p->subtype,
                 p->content_id ? p->content_id : "", (unsigned)dl, fnv(data, dl));
        free(data);
    }
    (void)depth;
}

static void summarise(const char *mime, summary *s)
{
    ols_eml_msg *m = NULL;
    const ols_eml_part *r;
    memset(s, 0, sizeof *s);
    if (ols_eml_parse(mime, strlen(mime), &m, NULL) != OLS_OK)
        return;
    r = &m->root;
    s->subject = ols_eml_decode_words(ols_eml_header(r, "Subject"));
    s->from = addr_list(r, "From");
    s->to = addr_list(r, "To");
    s->cc = addr_list(r, "Cc");
    s->mid = ols_eml_decode_words(ols_eml_header(r, "Message-ID"));
    s->irt = ols_eml_decode_words(ols_eml_header(r, "In-Reply-To"));
    s->refs = ols_eml_decode_words(ols_eml_header(r, "References"));
    s->date = date_of(ols_eml_header(r, "Date"));
    summarise_part(s, r, 0);
    ols_eml_free(m);
}

static void summary_free(summary *s)
{
    free(s->subject);
    free(s->from);
    free(s->to);
    free(s->cc);
    free(s->mid);
    free(s->irt);
    free(s->refs);
    free(s->text);
    free(s->html);
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

static void same(const char *what, const summary *a, const summary *b)
{
#define FIELD(f)                                                                                \
    OK(str_eq(a->f, b->f), "%s: %s differs: \"%s\" vs \"%s\"", what, #f, a->f ? a->f : "(none)", \
       b->f ? b->f : "(none)")
    FIELD(subject);
    FIELD(from);
    FIELD(to);
    FIELD(cc);
    FIELD(mid);
    FIELD(irt);
    FIELD(refs);
    FIELD(html);
    FIELD(atts);
    FIELD(embedded);
#undef FIELD
    OK(a->date == b->date, "%s: date %lld vs %lld", what, (long long)a->date, (long long)b->date);
}

static void round_trip(const char *name, const char *mime)
{
    IMessage *m1 = to_mapi(mime, MSGFLAG_READ), *m2 = NULL;
    char *out1 = NULL, *out2 = NULL;
    summary s0, s1, s2;
    if (!m1)
        return;
    out1 = to_mime(m1);
    OK(out1 != NULL, "%s: written", name);
    if (!out1)
        goto out;
    summarise(mime, &s0);
    summarise(out1, &s1);
    same(name, &s0, &s1);
    /* a plain body survives as text (HTML-only mail gets the text we made from it) */
    if (s0.text)
        OK(str_eq(s0.text, s1.text), "%s: text body differs:\n[%s]\n[%s]", name, s0.text,
           s1.text ? s1.text : "(none)");
    {
        /* headers we do not map travel in PR_TRANSPORT_MESSAGE_HEADERS */
        const char *xm = strstr(mime, "X-Mailer:");
        if (xm)
            OK(strstr(out1, "X-Mailer: olsync-test 1.0") && strstr(out1, "List-Id:"),
               "%s: other headers kept", name);
    }
    /* and once more: the second generation equals the first */
    m2 = to_mapi(out1, MSGFLAG_READ);
    out2 = m2 ? to_mime(m2) : NULL;
    if (out2) {
        summarise(out2, &s2);
        same(name, &s1, &s2);
        OK(str_eq(s1.text, s2.text), "%s: text stable", name);
        summary_free(&s2);
    }
    summary_free(&s0);
    summary_free(&s1);
out:
    free(out1);
    free(out2);
    m1->lpVtbl->Release(m1);
    if (m2)
        m2->lpVtbl->Release(m2);
}

static void test_writer_details(void)
{
    IMessage *m = to_mapi(msg_related, 0);
    char *out = m ? to_mime(m) : NULL;
    if (!out) {
        OK(0, "written");
        return;
    }
    OK(strstr(out, "Content-Type: multipart/mixed") && strstr(out, "Content-Type: multipart/related"),
       "structure rebuilt: mixed around related");
    OK(strstr(out, "Content-ID: <logo@x>"), "content id written");
    OK(strstr(out, "filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"), "RFC 2231 file name written");
    OK(strstr(out, "MIME-Version: 1.0\r\n"), "MIME-Version");
    OK(!strstr(out, "\n\n") || strstr(out, "\r\n\r\n"), "CRLF line ends");
    free(out);
    m->lpVtbl->Release(m);
    {
        /* an item made in Outlook: no Message-ID, no transport headers; a stable id */
        IMessage *n = NULL;
        SPropValue v[3];
        SPropProblemArray *p = NULL;
        char *a, *b;
        g_inbox->lpVtbl->CreateMessage(g_inbox, NULL, 0, &n);
        memset(v, 0, sizeof v);
        v[0].ulPropTag = PR_SUBJECT_W;
        v[0].Value.lpszW = (LPWSTR)L"made in Outlook";
        v[1].ulPropTag = PR_BODY_W;
        v[1].Value.lpszW = (LPWSTR)L"hello";
        v[2].ulPropTag = PR_SENT_REPRESENTING_SMTP_ADDRESS_W;
        v[2].Value.lpszW = (LPWSTR)L"me@example.org";
        n->lpVtbl->SetProps(n, 3, v, &p);
        ols_mapi_free(p);
        n->lpVtbl->SaveChanges(n, KEEP_OPEN_READWRITE);
        a = to_mime(n);
        b = to_mime(n);
        OK(a && strstr(a, "Message-ID: <olsync.") && strstr(a, "From: me@example.org"),
           "a Message-ID derived from the search key");
        OK(a && b && !strncmp(strstr(a, "Message-ID:"), strstr(b, "Message-ID:"), 40),
           "the same every time");
        free(a);
        free(b);
        n->lpVtbl->Release(n);
    }
}

static void test_large(void)
{
    /* a body and an attachment far above what GetProps hands out: streams both ways */
    size_t n = 300000, i;
    char *mime = malloc(n * 2 + 1024), *p;
    IMessage *m;
    if (!mime)
        return;
    p = mime + sprintf(mime, "From: big@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                             "Date: Sat, 18 Nov 2023 10:00:00 +0000\r\nMessage-ID: <big@x>\r\n"
                             "Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\n"
                             "Content-Type: text/plain; charset=utf-8\r\n\r\n");
    for (i = 0; i < n / 64; i++)
        p += sprintf(p, "line %06u of a long body, long enough to need a stream....\r\n",
                     (unsigned)i);
    p += sprintf(p, "--q\r\nContent-Type: application/octet-stream; name=big.bin\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n");
    for (i = 0; i < n / 76; i++)
        p += sprintf(p, "%s\r\n",
                     "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx");
    p += sprintf(p, "--q--\r\n");
    SET_EXPECT(StreamCommit);
    m = to_mapi(mime, 0);
    OK(CALLED(StreamCommit) >= 2, "large values went through committed streams");
    if (m) {
        char *out = to_mime(m);
        summary a, b;
        summarise(mime, &a);
        summarise(out ? out : "", &b);
        same("large", &a, &b);
        OK(str_eq(a.text, b.text), "large body intact");
        summary_free(&a);
        summary_free(&b);
        free(out);
        m->lpVtbl->Release(m);
    }
    free(mime);
}

int main(void)
{
    long objects;
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    objects = fake_live_objects();
    g_fs = fake_msgstore_new(NULL);
    g_st = fake_msgstore_iface(g_fs);
    if (FAILED(fake_open_path(g_st, L"Inbox", &g_inbox))) {
        fprintf(stderr, "no Inbox in the fake\n");
        return 1;
    }
    test_toolkit();
    test_alt();
    test_related();
    test_rfc822();
    test_latin1();
    test_html_only();
    test_broken();
    test_writer_details();
    test_large();
    round_trip("alternative", msg_alt);
    round_trip("related", msg_related);
    round_trip("rfc822", msg_rfc822);
    round_trip("latin1", msg_latin1);
    round_trip("html-only", msg_html_only);
    g_inbox->lpVtbl->Release(g_inbox);
    g_st->lpVtbl->Release(g_st);
    fake_msgstore_release(g_fs);
    OK(fake_live_objects() == objects, "every COM object released (%ld left)",
       fake_live_objects() - objects);
    OK(ols_mapi_rt_builtin_live() == 0, "every MAPI buffer freed (%ld)", ols_mapi_rt_builtin_live());
    CoUninitialize();
    return T_DONE();
}
