/* IMAP response parser: real-world server transcripts fed whole, byte by byte and in random
 * splits must parse identically; malformed input and hostile lengths give EPROTO, never a
 * crash; the value helpers (FETCH items, flags, dates, capabilities) check what they read. */
#include <stdarg.h>
#include <stdint.h>

#include "imap/parser.h"
#include "imap/resp.h"
#include "olsync/mailflags.h"
#include "t.h"

/* ---------------- a growable string ---------------- */

typedef struct str {
    char *p;
    size_t n, cap;
} str;

static void s_add(str *s, const void *d, size_t n)
{
    if (s->n + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->n + n + 1)
            cap *= 2;
        s->p = realloc(s->p, cap);
        if (!s->p) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        s->cap = cap;
    }
    memcpy(s->p + s->n, d, n);
    s->n += n;
    s->p[s->n] = 0;
}

static void s_str(str *s, const char *z)
{
    s_add(s, z, strlen(z));
}

static void s_fmt(str *s, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    s_str(s, b);
}

/* ---------------- canonical dump of what the parser produced ---------------- */

static void dump_arg(str *s, const ols_imap_arg *a)
{
    const ols_imap_arg *c;
    size_t i;
    switch (a->type) {
    case OLS_IMAP_ARG_ATOM:
        s_str(s, "A:");
        s_add(s, a->s, a->len);
        break;
    case OLS_IMAP_ARG_NIL:
        s_str(s, "NIL");
        break;
    case OLS_IMAP_ARG_STRING:
        s_str(s, a->literal ? (a->literal8 ? "L8\"" : "L\"") : "\"");
        for (i = 0; i < a->len; i++) {
            unsigned char ch = (unsigned char)a->s[i];
            if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
                s_fmt(s, "\\x%02x", ch);
            else
                s_add(s, &ch, 1);
        }
        s_str(s, "\"");
        if (strlen(a->s) != a->len && !a->literal)
            s_str(s, "!EMBEDDED-NUL");
        break;
    case OLS_IMAP_ARG_LIST:
        s_fmt(s, "(%zu:", a->len);
        for (c = a->list, i = 0; c; c = c->next, i++) {
            s_str(s, " ");
            dump_arg(s, c);
        }
        if (i != a->len)
            s_str(s, "!COUNT");
        s_str(s, ")");
        break;
    case OLS_IMAP_ARG_STREAMED:
        s_fmt(s, "<streamed %llu%s>", (unsigned long long)a->size, a->literal8 ? " lit8" : "");
        break;
    }
}

static void dump_line(str *s, const ols_imap_line *l)
{
    const ols_imap_arg *a;
    size_t n = 0;
    s_fmt(s, "[%s", l->kind == OLS_IMAP_UNTAGGED ? "*"
                    : l->kind == OLS_IMAP_TAGGED ? "T"
                    : l->kind == OLS_IMAP_CONTINUATION ? "+" : "?");
    if (l->tag)
        s_fmt(s, " tag=%s", l->tag);
    if (l->has_num)
        s_fmt(s, " num=%u", l->num);
    if (l->keyword)
        s_fmt(s, " kw=%s", l->keyword);
    if (l->status)
        s_fmt(s, " st=%d", (int)l->status);
    if (l->code) {
        s_fmt(s, " code=%s", l->code);
        for (a = l->code_args; a; a = a->next) {
            s_str(s, " ");
            dump_arg(s, a);
        }
    }
    for (a = l->args; a; a = a->next, n++) {
        s_str(s, " ");
        dump_arg(s, a);
    }
    if (n != l->nargs)
        s_str(s, " !NARGS");
    if (l->text)
        s_fmt(s, " text=\"%s\"", l->text);
    s_str(s, "]\n");
}

/* ---------------- streaming hooks: body sections of FETCH ---------------- */

typedef struct rec {
    str out;
    size_t stream_len;
    uint32_t fnv;
    int streams;
    int in_stream;
} rec;

static int hook_literal(void *ctx, const ols_imap_literal_info *li)
{
    rec *r = ctx;
    if (!li->line->keyword || strcmp(li->line->keyword, "FETCH") || li->depth != 1 ||
        !li->prev || li->prev->type != OLS_IMAP_ARG_ATOM || !(li->index & 1) ||
        !ols_imap_is_body_key(li->prev->s))
        return 0;
    s_fmt(&r->out, "{begin %s %llu idx=%zu}", li->prev->s, (unsigned long long)li->size, li->index);
    r->stream_len = 0;
    r->fnv = 2166136261u;
    r->streams++;
    r->in_stream = 1;
    return 1;
}

static ols_status hook_data(void *ctx, const void *p, size_t n)
{
    rec *r = ctx;
    const unsigned char *b = p;
    size_t i;
    if (!r->in_stream || n == 0)
        s_str(&r->out, "{BAD DATA CALL}");
    for (i = 0; i < n; i++)
        r->fnv = (r->fnv ^ b[i]) * 16777619u;
    r->stream_len += n;
    return OLS_OK;
}

static ols_status hook_end(void *ctx)
{
    rec *r = ctx;
    s_fmt(&r->out, "{end %zu %08x}", r->stream_len, r->fnv);
    r->in_stream = 0;
    return OLS_OK;
}

/* ---------------- drivers ---------------- */

enum { SPLIT_WHOLE, SPLIT_BYTE, SPLIT_RANDOM };

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Parse data with the given split; returns the dump (malloc'd) and the error code. */
static char *parse(const char *data, size_t len, int split, const ols_imap_parser_limits *lim,
                   ols_status *code, int *lines)
{
    rec r;
    ols_imap_parser_hooks hooks;
    ols_imap_parser *p;
    size_t off = 0, chunk_end = 0;
    ols_err err;

    memset(&r, 0, sizeof r);
    s_str(&r.out, "");
    memset(&hooks, 0, sizeof hooks);
    hooks.ctx = &r;
    hooks.literal = hook_literal;
    hooks.data = hook_data;
    hooks.end = hook_end;
    p = ols_imap_parser_new(lim, &hooks);
    *code = OLS_OK;
    *lines = 0;
    while (off < len) {
        size_t n, used;
        ols_imap_parse_result res;
        if (off >= chunk_end) {
            size_t step = split == SPLIT_WHOLE ? len
                          : split == SPLIT_BYTE ? 1
                                                : 1 + rng() % (rng() % 3 ? 7 : 4096);
            chunk_end = off + step > len ? len : off + step;
        }
        n = chunk_end - off;
        memset(&err, 0, sizeof err);
        res = ols_imap_parser_feed(p, data + off, n, &used, &err);
        if (used > n)
            s_str(&r.out, "!USED>N");
        off += used;
        if (res == OLS_IMAP_PARSE_ERROR) {
            s_fmt(&r.out, "ERROR %s: %s\n", ols_status_name(err.code), err.msg);
            *code = err.code;
            /* an errored parser stays errored */
            memset(&err, 0, sizeof err);
            if (ols_imap_parser_feed(p, "x\r\n", 3, &used, &err) != OLS_IMAP_PARSE_ERROR ||
                used != 0 || err.code == OLS_OK)
                s_str(&r.out, "!NOT-STICKY");
            break;
        }
        if (res == OLS_IMAP_PARSE_LINE) {
            const ols_imap_line *l = ols_imap_parser_line(p);
            (*lines)++;
            if (!l)
                s_str(&r.out, "!NO-LINE");
            else
                dump_line(&r.out, l);
        } else if (used != n) {
            s_str(&r.out, "!MORE-BUT-NOT-ALL-USED");
        }
    }
    if (*code == OLS_OK && ols_imap_parser_mid_line(p))
        s_str(&r.out, "INCOMPLETE\n");
    ols_imap_parser_free(p);
    return r.out.p;
}

/* Parse whole, byte by byte and in several random splits: all must agree. Returns the
 * whole-input dump (malloc'd). */
static char *parse_all_ways(const char *name, const char *data, size_t len,
                            const ols_imap_parser_limits *lim, ols_status *code, int *lines)
{
    ols_status c2;
    int l2, k;
    char *whole = parse(data, len, SPLIT_WHOLE, lim, code, lines);
    char *other = parse(data, len, SPLIT_BYTE, lim, &c2, &l2);
    OK(!strcmp(whole, other) && c2 == *code && l2 == *lines,
       "%s: byte-at-a-time differs:\n--- whole\n%.2000s\n--- bytes\n%.2000s", name, whole, other);
    free(other);
    for (k = 0; k < 6; k++) {
        rng_state = 777u + (uint32_t)k * 31u;
        other = parse(data, len, SPLIT_RANDOM, lim, &c2, &l2);
        OK(!strcmp(whole, other) && c2 == *code,
           "%s: random split %d differs:\n--- whole\n%.2000s\n--- split\n%.2000s", name, k, whole,
           other);
        free(other);
    }
    return whole;
}

/* ---------------- the corpus ---------------- */

static const char dovecot[] =
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
    "AUTH=PLAIN] Dovecot ready.\r\n"
    "a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
    "THREAD=REFERENCES MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS "
    "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH "
    "LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY STATUS=SIZE SAVEDATE COMPRESS=DEFLATE "
    "INPROGRESS METADATA NOTIFY SPECIAL-USE QUOTA ACL RIGHTS=texk] Logged in\r\n"
    "* ID (\"name\" \"Dovecot\")\r\n"
    "a2 OK ID completed (0.001 + 0.000 secs).\r\n"
    "* ENABLED QRESYNC\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $Label1)\r\n"
    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded $Label1 \\*)] "
    "Flags permitted.\r\n"
    "* 20 EXISTS\r\n"
    "* 0 RECENT\r\n"
    "* OK [UNSEEN 3] First unseen.\r\n"
    "* OK [UIDVALIDITY 1709283600] UIDs valid\r\n"
    "* OK [UIDNEXT 21] Predicted next UID\r\n"
    "* OK [HIGHESTMODSEQ 42] Highest\r\n"
    "* VANISHED (EARLIER) 1:5,9\r\n"
    "* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (40))\r\n"
    "a3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"
    "* 1 FETCH (UID 1 RFC822.SIZE 1234 INTERNALDATE \"01-Mar-2024 09:00:00 +0000\" FLAGS (\\Seen "
    "$Label1) MODSEQ (12) BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" "
    "321 9 NIL NIL NIL NIL) BODY[] {24}\r\nFrom: a\r\n\r\nhello world\r\n)\r\n"
    "* 2 FETCH (UID 2 BODY[1]<0> {5}\r\nab)\r\n BODY[1.MIME] {0}\r\n)\r\n"
    "a4 OK Fetch completed.\r\n"
    "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
    "* LIST (\\HasChildren) \"/\" \"Projekte\"\r\n"
    "* LIST (\\HasNoChildren \\UnMarked) \"/\" \"Projekte/&ANw-berblick\"\r\n"
    "* LIST (\\Noselect \\HasChildren) \"/\" shared (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
    "* LIST (\\HasNoChildren) NIL INBOX\r\n"
    "* STATUS \"Sent\" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1709283601 UNSEEN 0 HIGHESTMODSEQ 4)\r\n"
    "* ESEARCH (TAG \"a5\") UID ALL 1:3,5,7:9\r\n"
    "* ESEARCH (TAG \"a6\") UID\r\n"
    "* METADATA \"Calendar\" (/private/vendor/kolab/folder-type {13}\r\nevent.default)\r\n"
    "* METADATA \"INBOX\" (/private/comment NIL /shared/comment \"x\")\r\n"
    "* MYRIGHTS \"INBOX\" lrwstipekxacd\r\n"
    "* QUOTAROOT \"INBOX\" \"User quota\"\r\n"
    "* QUOTA \"User quota\" (STORAGE 1234 1048576)\r\n"
    "* NAMESPACE ((\"\" \"/\")) ((\"shared/\" \"/\")) NIL\r\n"
    "+ idling\r\n"
    "+ \r\n"
    "+\r\n"
    "a6 NO [NONEXISTENT] Mailbox doesn't exist: Foo\r\n"
    "a7 BAD Error in IMAP command UID: Invalid arguments.\r\n"
    "a8 OK [APPENDUID 1709283600 21] Append completed.\r\n"
    "a9 OK [COPYUID 1709283600 304,319:320 3956:3958] Moved\r\n"
    "a10 OK [MODIFIED 7,9] Conditional STORE failed\r\n"
    "* OK [CLOSED] Previous mailbox closed.\r\n"
    "* OK [NOMODSEQ] No permanent modsequences\r\n"
    "* 4 EXPUNGE\r\n"
    "* SEARCH 2 3 6\r\n"
    "* SEARCH\r\n"
    "* OK Still here\r\n"
    "* BYE Logging out\r\n";

static const char cyrus[] =
    "* OK [CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE STARTTLS AUTH=PLAIN SASL-IR] "
    "imap.example.org Cyrus IMAP 3.6.1 server ready\r\n"
    "* 1 FETCH (UID 7 BODY[HEADER.FIELDS (FROM SUBJECT)] {38}\r\nFrom: x@y\r\n"
    "Subject: =?utf-8?q?hi?=\r\n\r\n)\r\n"
    "* LIST (\\Noselect \\HasChildren) \".\" \"user\"\r\n"
    "* LIST (\\HasNoChildren) \".\" {11}\r\nweird\"name)\r\n"
    "* OK [URLMECH INTERNAL] Ok\r\n"
    "* ACL INBOX fred lrswipkxtecda\r\n"
    "* 2 FETCH (UID 8 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg "
    "summary and minutes\" ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" "
    "NIL \"gray\" \"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
    "((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
    "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL "
    "\"<B27397-0100000@cac.washington.edu>\"))\r\n"
    "* 3 FETCH (UID 9 BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
    "1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
    "\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) "
    "\"MIXED\"))\r\n"
    "* 4 FETCH (UID 10 BINARY[1] ~{6}\r\n\0\1\2abc BINARY.SIZE[1] 6)\r\n"
    "* 5 FETCH (UID 11 BODYSTRUCTURE (\"text\" \"plain\" (\"name\" {9}\r\nr\xc3\xa9sum\xc3\xa9\r) NIL "
    "NIL \"8bit\" 10 1 NIL NIL NIL NIL))\r\n"
    "A0001 OK Completed\r\n";

static const char gmail[] =
    "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 XYZZY "
    "SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER AUTH=XOAUTH\r\n"
    "* 1 FETCH (X-GM-THRID 1278455344230334865 X-GM-MSGID 1278455344230334865 X-GM-LABELS "
    "(\\Inbox \\Sent Important \"Muy Importante\") UID 4 FLAGS (\\Seen))\r\n"
    "* LIST (\\HasNoChildren \\Junk) \"/\" \"[Gmail]/Spam\"\r\n"
    "* LIST (\\All \\HasNoChildren) \"/\" \"[Gmail]/All Mail\"\r\n"
    "* LIST () \"/\" \"a \\\"quoted\\\" \\\\ name\"\r\n"
    "* OK [HIGHESTMODSEQ 9119]\r\n"
    "* OK The Microsoft Exchange IMAP4 service is ready. [UwBOADIAUABSADAAMgA=]\r\n"
    "* 6 fetch (uid 12 flags ())\n"
    "* 7 EXISTS\n"
    "+ VXNlcm5hbWU6\r\n"
    "* OK [ALERT] Your \"account (is [nearly full\r\n"
    "* NO [TRYCREATE] No such mailbox\r\n"
    "* PREAUTH [CAPABILITY IMAP4rev1] Logged in as bob\r\n"
    "* OK [BADCHARSET (UTF-8 \"ISO-8859-1\")] charsets\r\n"
    "x OK\r\n";

/* Exact results for a few lines, so "all splits agree" is not agreement on nonsense. */
static void expect_lines(void)
{
    struct {
        const char *in, *want;
    } t[] = {
        {"* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (40))\r\n",
         "[* num=3 kw=FETCH (6: A:UID A:3 A:FLAGS (1: A:\\Seen) A:MODSEQ (1: A:40))]\n"},
        {"* VANISHED (EARLIER) 1:5,9\r\n", "[* kw=VANISHED (1: A:EARLIER) A:1:5,9]\n"},
        {"a9 OK [COPYUID 17 304,319:320 3956:3958] Moved\r\n",
         "[T tag=a9 kw=OK st=1 code=COPYUID A:17 A:304,319:320 A:3956:3958 text=\"Moved\"]\n"},
        {"* OK [PERMANENTFLAGS (\\Seen \\*)] Flags permitted.\r\n",
         "[* kw=OK st=1 code=PERMANENTFLAGS (2: A:\\Seen A:\\*) text=\"Flags permitted.\"]\n"},
        {"* METADATA \"Calendar\" (/private/x {5}\r\nev\"nt)\r\n",
         "[* kw=METADATA \"Calendar\" (2: A:/private/x L\"ev\\x22nt\")]\n"},
        {"* 1 FETCH (UID 1 BODY[HEADER.FIELDS (FROM)] {3}\r\nabc)\r\n",
         "{begin BODY[HEADER.FIELDS (FROM)] 3 idx=3}{end 3 1a47e90b}"
         "[* num=1 kw=FETCH (4: A:UID A:1 A:BODY[HEADER.FIELDS (FROM)] <streamed 3>)]\n"},
        {"* LIST () \"/\" \"a \\\"q\\\" \\\\ b\"\r\n",
         "[* kw=LIST (0:) \"/\" \"a \\x22q\\x22 \\x5c b\"]\n"},
        {"+ \r\n", "[+ text=\"\"]\n"},
        {"+ [x] (\"\r\n", "[+ text=\"[x] (\"\"]\n"},
        {"* OK [ALERT] \"unbalanced (text\r\n",
         "[* kw=OK st=1 code=ALERT text=\"\"unbalanced (text\"]\n"},
        {"* LIST (\\Noselect) \"/\" NIL\r\n", "[* kw=LIST (1: A:\\Noselect) \"/\" NIL]\n"},
        {"* 4 FETCH (BINARY[1] ~{2}\r\n\x01" "a)\r\n",
         "{begin BINARY[1] 2 idx=1}{end 2 4c74b617}[* num=4 kw=FETCH (2: A:BINARY[1] <streamed 2 lit8>)]\n"},
        {"* LIST () \"/\" ~user/mail\r\n", "[* kw=LIST (0:) \"/\" A:~user/mail]\n"},
        {"a1 ok done\r\n", "[T tag=a1 kw=OK st=1 text=\"done\"]\n"},
    };
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++) {
        ols_status code;
        int lines;
        char *d = parse_all_ways(t[i].in, t[i].in, strlen(t[i].in), NULL, &code, &lines);
        OK(code == OLS_OK && !strcmp(d, t[i].want), "line %s\n got  %s\n want %s", t[i].in, d,
           t[i].want);
        free(d);
    }
}

/* The BINARY line above holds a NUL, so strlen() would cut it: feed it with its length. */
static void nul_literal(void)
{
    static const char in[] = "* 4 FETCH (UID 2 BINARY[1] ~{4}\r\n\0\0ab)\r\n"
                             "* 5 FETCH (UID 3 BODY[1] {3}\r\na\0b)\r\n"
                             "* METADATA INBOX (/x ~{3}\r\n\0z\0)\r\n";
    ols_status code;
    int lines;
    char *d = parse_all_ways("nul", in, sizeof in - 1, NULL, &code, &lines);
    OK(code == OLS_OK && lines == 3, "NUL in literals: %s", d);
    OK(strstr(d, "L8\"\\x00z\\x00\"") != NULL, "literal8 with NULs kept whole: %s", d);
    free(d);
}

static void corpus(void)
{
    const struct {
        const char *name, *data;
        size_t len;
        int lines;
    } c[] = {{"dovecot", dovecot, sizeof dovecot - 1, 0},
             {"cyrus", cyrus, sizeof cyrus - 1, 0},
             {"gmail", gmail, sizeof gmail - 1, 0}};
    size_t i;
    for (i = 0; i < sizeof c / sizeof c[0]; i++) {
        ols_status code;
        int lines;
        char *d = parse_all_ways(c[i].name, c[i].data, c[i].len, NULL, &code, &lines);
        size_t crlf = 0, k;
        for (k = 0; k + 1 < c[i].len; k++)
            crlf += c[i].data[k] == '\n';
        OK(code == OLS_OK, "%s parses: %.3000s", c[i].name, d);
        OK(lines > 10, "%s: %d lines", c[i].name, lines);
        if (getenv("OLS_TEST_VERBOSE"))
            printf("%s", d);
        free(d);
        (void)crlf;
    }
}

/* A 300 KiB body with every byte value, split anywhere: streamed, never held in the line. */
static void large_literal(void)
{
    const size_t n = 300 * 1024;
    str in = {0};
    char *body = malloc(n), hdr[128], *d;
    size_t i;
    uint32_t fnv = 2166136261u;
    ols_status code;
    int lines;
    char want[64];
    ols_imap_parser_limits lim;

    for (i = 0; i < n; i++) {
        body[i] = (char)(i * 7 + (i >> 9));
        fnv = (fnv ^ (unsigned char)body[i]) * 16777619u;
    }
    snprintf(hdr, sizeof hdr, "* 9 FETCH (UID 99 RFC822.SIZE %zu BODY[] {%zu}\r\n", n, n);
    s_str(&in, hdr);
    s_add(&in, body, n);
    s_str(&in, " FLAGS (\\Seen))\r\na1 OK done\r\n");
    /* a small line limit proves the literal does not count against it */
    memset(&lim, 0, sizeof lim);
    lim.max_line = 256;
    lim.max_literal = 16;
    d = parse_all_ways("large", in.p, in.n, &lim, &code, &lines);
    snprintf(want, sizeof want, "{end %zu %08x}", n, fnv);
    OK(code == OLS_OK && lines == 2, "large literal parses: %.500s", d);
    OK(strstr(d, want) != NULL, "streamed bytes arrive intact (%s): %.300s", want, d);
    OK(strstr(d, "<streamed 307200>") != NULL, "placeholder keeps the size: %.300s", d);
    free(d);

    /* the same size where nobody streams it is refused by the non-body bound */
    free(in.p);
    memset(&in, 0, sizeof in);
    snprintf(hdr, sizeof hdr, "* METADATA INBOX (/x {%zu}\r\n", n);
    s_str(&in, hdr);
    s_add(&in, body, n);
    s_str(&in, ")\r\n");
    d = parse_all_ways("large-nonbody", in.p, in.n, NULL, &code, &lines);
    OK(code == OLS_OK, "300 KiB metadata value fits the default 1 MiB bound: %.200s", d);
    free(d);
    lim.max_line = 0;
    lim.max_literal = 65536;
    d = parse_all_ways("large-nonbody-64k", in.p, in.n, &lim, &code, &lines);
    OK(code == OLS_EPROTO && strstr(d, "exceeds the limit of 65536"), "64 KiB bound: %.200s", d);
    free(d);
    free(in.p);
    free(body);
}

static void expect_error(const char *name, const char *data, size_t len, const char *what,
                         const ols_imap_parser_limits *lim)
{
    ols_status code;
    int lines;
    char *d = parse_all_ways(name, data, len, lim, &code, &lines);
    OK(code == OLS_EPROTO, "%s: EPROTO expected, got %s: %.300s", name, ols_status_name(code), d);
    OK(!what || strstr(d, what), "%s: error says \"%s\": %.300s", name, what, d);
    free(d);
}

#define BAD(name, s, what) expect_error(name, s, sizeof s - 1, what, NULL)

static void malformed(void)
{
    char *big;
    size_t n, i;
    ols_imap_parser_limits lim;

    BAD("unterminated quote", "* 1 FETCH (BODY[] \"unterminated\r\n", "unterminated quoted");
    BAD("literal overflow", "* 1 FETCH (UID 1 BODY[] {99999999999999999999}\r\n", "overflows");
    BAD("literal over stream limit", "* 1 FETCH (UID 1 BODY[] {3000000000}\r\n",
        "exceeds the limit");
    BAD("non-body literal too big", "* METADATA INBOX (/x {2000000}\r\n", "non-body");
    BAD("literal in non-fetch at limit", "* LIST () \"/\" {1048577}\r\n", "non-body");
    BAD("negative number", "* -5 EXISTS\r\n", "letter");
    BAD("garbage number", "* 12a EXISTS\r\n", "bad message number");
    BAD("huge number", "* 99999999999 EXISTS\r\n", "too large");
    BAD("number only", "* 12\r\n", "without a response name");
    BAD("tagged unknown", "a1 MAYBE text\r\n", "neither OK");
    BAD("tagged bye", "a1 BYE text\r\n", "neither OK");
    BAD("empty line", "\r\n", "empty response line");
    BAD("leading space", " * OK x\r\n", "leading space");
    BAD("star alone", "*\r\n", "without content");
    BAD("double space", "*  OK\r\n", "two spaces");
    BAD("unterminated code", "* OK [ALERT\r\n", "response code");
    BAD("unterminated code args", "* OK [PERMANENTFLAGS (\\Seen\r\n", "list");
    BAD("unbalanced paren", "* 1 FETCH (UID 1))\r\n", "unbalanced");
    BAD("unclosed list", "* 1 FETCH (UID 1\r\n", "inside a parenthesised list");
    BAD("bad literal size", "* 1 FETCH (BODY[] {5x}\r\n", "literal size");
    BAD("empty literal size", "* 1 FETCH (BODY[] {}\r\n", "empty literal size");
    BAD("literal without CRLF", "* 1 FETCH (BODY[] {5}x", "CRLF");
    BAD("client literal+", "* 1 FETCH (BODY[] {5+}\r\nabcde)\r\n", "literal size");
    BAD("ctl in atom", "* LIST () \"/\" ab\x01" "cd\r\n", "control character");
    BAD("NUL in quoted", "* LIST () \"/\" \"a\0b\"\r\n", "NUL");
    BAD("bare CR", "* OK x\ry\r\n", NULL);
    BAD("bare CR 2", "* 3 EXISTS\rX", "CR not followed by LF");
    BAD("quote in atom", "* LIST () \"/\" a\"b\r\n", "inside an atom");
    BAD("bad tag", "a(1 OK x\r\n", "tag");
    BAD("unterminated section", "* 1 FETCH (BODY[HEADER.FIELDS (FROM)\r\n", "unterminated '['");
    BAD("bracket in code list", "* OK [X (a]b)] t\r\n", "']' inside a list");
    BAD("empty code", "* OK [] t\r\n", "empty response code");

    /* depth 1000 parentheses */
    big = malloc(4000);
    n = 0;
    n += (size_t)sprintf(big, "* 1 FETCH ");
    for (i = 0; i < 1000; i++)
        big[n++] = '(';
    big[n++] = '\r';
    big[n++] = '\n';
    expect_error("depth 1000", big, n, "nested deeper than 64", NULL);
    free(big);

    /* 10 MB without CRLF: refused once past the line limit, not after buffering it all */
    n = 10u << 20;
    big = malloc(n);
    memcpy(big, "* SEARCH ", 9);
    for (i = 9; i < n; i++)
        big[i] = (char)(i % 10 ? '1' + i % 9 : ' ');
    {
        ols_imap_parser *p = ols_imap_parser_new(NULL, NULL);
        size_t used = 0;
        ols_err err = {0};
        int r = ols_imap_parser_feed(p, big, n, &used, &err);
        OK(r == OLS_IMAP_PARSE_ERROR && err.code == OLS_EPROTO && used <= (1u << 20) + 1,
           "10 MB line stops at the limit: r=%d used=%zu %s", r, used, err.msg);
        OK(strstr(err.msg, "longer than") != NULL, "says why: %s", err.msg);
        ols_imap_parser_free(p);
    }
    /* ...and the same one byte at a time (just the first 1.1 MB) */
    {
        ols_imap_parser *p = ols_imap_parser_new(NULL, NULL);
        size_t used = 0, off = 0;
        ols_err err = {0};
        int r = 0;
        while (off < (1u << 20) + 100000 && r == 0) {
            r = ols_imap_parser_feed(p, big + off, 1, &used, &err);
            off += used;
        }
        OK(r == OLS_IMAP_PARSE_ERROR && off == (1u << 20), "byte-wise: error at %zu", off);
        ols_imap_parser_free(p);
    }
    free(big);

    /* too many arguments */
    memset(&lim, 0, sizeof lim);
    lim.max_args = 100;
    {
        str s = {0};
        s_str(&s, "* SEARCH");
        for (i = 0; i < 200; i++)
            s_fmt(&s, " %zu", i + 1);
        s_str(&s, "\r\n");
        expect_error("max args", s.p, s.n, "arguments", &lim);
        free(s.p);
    }
    /* buffered literals of one line are bounded together */
    memset(&lim, 0, sizeof lim);
    lim.max_literal = 100;
    lim.max_buffered = 250;
    {
        str s = {0};
        s_str(&s, "* METADATA INBOX (");
        for (i = 0; i < 3; i++) {
            s_str(&s, "/x {100}\r\n");
            for (n = 0; n < 100; n++)
                s_str(&s, "z");
            s_str(&s, " ");
        }
        s_str(&s, ")\r\n");
        expect_error("max buffered", s.p, s.n, "literals of one line", &lim);
        free(s.p);
    }
}

/* A line followed by the start of the next one: feed stops after the first line. */
static void resume(void)
{
    static const char in[] = "* 1 EXISTS\r\n* 2 EXISTS\r\n* 3 EXI";
    ols_imap_parser *p = ols_imap_parser_new(NULL, NULL);
    size_t used, off = 0;
    ols_err err;
    int r = ols_imap_parser_feed(p, in, sizeof in - 1, &used, &err);
    OK(r == OLS_IMAP_PARSE_LINE && used == 12 && ols_imap_parser_line(p)->num == 1,
       "first line: r=%d used=%zu", r, used);
    off += used;
    r = ols_imap_parser_feed(p, in + off, sizeof in - 1 - off, &used, &err);
    OK(r == OLS_IMAP_PARSE_LINE && used == 12 && ols_imap_parser_line(p)->num == 2,
       "second line");
    off += used;
    OK(!ols_imap_parser_mid_line(p), "between lines");
    r = ols_imap_parser_feed(p, in + off, sizeof in - 1 - off, &used, &err);
    OK(r == OLS_IMAP_PARSE_MORE && used == 7 && ols_imap_parser_mid_line(p) &&
           ols_imap_parser_line(p) == NULL,
       "partial third line: r=%d used=%zu", r, used);
    r = ols_imap_parser_feed(p, "STS\r\n", 5, &used, &err);
    OK(r == OLS_IMAP_PARSE_LINE && ols_imap_parser_line(p)->num == 3 &&
           !strcmp(ols_imap_parser_line(p)->keyword, "EXISTS"),
       "third line completes");
    OK(ols_imap_parser_offset(p) == sizeof in - 1 + 5, "offset %llu",
       (unsigned long long)ols_imap_parser_offset(p));
    ols_imap_parser_free(p);
}

/* A consumer that refuses data makes the parse fail with its status. */
static ols_status refuse_data(void *ctx, const void *p, size_t n)
{
    (void)ctx, (void)p, (void)n;
    return OLS_ENOSPC;
}
static int always_stream(void *ctx, const ols_imap_literal_info *li)
{
    (void)ctx, (void)li;
    return 1;
}

static void consumer_error(void)
{
    ols_imap_parser_hooks h = {0};
    ols_imap_parser *p;
    size_t used;
    ols_err err = {0};
    static const char in[] = "* 1 FETCH (BODY[] {3}\r\nabc)\r\n";
    h.literal = always_stream;
    h.data = refuse_data;
    p = ols_imap_parser_new(NULL, &h);
    OK(ols_imap_parser_feed(p, in, sizeof in - 1, &used, &err) == OLS_IMAP_PARSE_ERROR &&
           err.code == OLS_ENOSPC,
       "consumer status passed on: %s", ols_status_name(err.code));
    ols_imap_parser_free(p);
}

/* ---------------- value helpers ---------------- */

static const ols_imap_line *one_line(ols_imap_parser **pp, const char *s)
{
    size_t used;
    ols_err err = {0};
    if (*pp)
        ols_imap_parser_free(*pp);
    *pp = ols_imap_parser_new(NULL, NULL);
    if (ols_imap_parser_feed(*pp, s, strlen(s), &used, &err) != OLS_IMAP_PARSE_LINE) {
        fprintf(stderr, "cannot parse %s: %s\n", s, err.msg);
        return NULL;
    }
    return ols_imap_parser_line(*pp);
}

static void fetch_decode(void)
{
    ols_imap_parser *p = NULL;
    const ols_imap_line *l;
    ols_imap_msg m;
    char *bs, *kw;
    ols_err err = {0};
    ols_status st;
    size_t i;
    static const char *const bad[] = {
        "* 1 FETCH (UID -1)\r\n",          "* 1 FETCH (UID 0)\r\n",
        "* 1 FETCH (UID 4294967296)\r\n",  "* 1 FETCH (UID 12abc)\r\n",
        "* 1 FETCH (RFC822.SIZE abc)\r\n", "* 1 FETCH (MODSEQ (x))\r\n",
        "* 1 FETCH (MODSEQ 5)\r\n",        "* 1 FETCH (MODSEQ (99999999999999999999))\r\n",
        "* 1 FETCH (INTERNALDATE \"garbage\")\r\n",
        "* 1 FETCH (INTERNALDATE \"31-Foo-2024 10:00:00 +0000\")\r\n",
        "* 1 FETCH (FLAGS \"notalist\")\r\n", "* 1 FETCH (FLAGS (\"\\\\Seen\"))\r\n",
        "* 1 FETCH (UID)\r\n",             "* 1 FETCH ((UID) 1)\r\n",
        "* 1 FETCH UID 1\r\n",             "* 1 FETCH (BODYSTRUCTURE \"x\")\r\n",
        "* FETCH (UID 1)\r\n",
    };

    l = one_line(&p, "* 12 FETCH (UID 4000000000 FLAGS (\\Seen \\Answered \\Recent $Forwarded "
                     "$Label1 NonJunk \\Draft) MODSEQ (9223372036854775807) RFC822.SIZE 4096 "
                     "INTERNALDATE \" 7-Jul-1996 02:44:25 -0700\" BODYSTRUCTURE (\"text\" \"plain\" "
                     "(\"name\" {4}\r\na\"\\\r) NIL NIL \"7bit\" 3 1) X-GM-LABELS (\\Inbox))\r\n");
    st = l ? ols_imap_fetch_decode(l, &m, &bs, &kw, &err) : OLS_EPARSE;
    OK(st == OLS_OK, "decode: %s", err.msg);
    if (st == OLS_OK) {
        OK(m.seq == 12 && m.uid == 4000000000u, "seq %u uid %u", m.seq, m.uid);
        OK(m.has_flags && m.flags == (OLS_MF_SEEN | OLS_MF_ANSWERED | OLS_MF_FORWARDED |
                                       OLS_MF_DRAFT),
           "flags %x", m.flags);
        OK(m.keywords && !strcmp(m.keywords, "$Label1 NonJunk"), "keywords %s",
           m.keywords ? m.keywords : "(null)");
        OK(m.modseq == 9223372036854775807ull, "modseq");
        OK(m.size == 4096, "size");
        OK(m.internaldate == 836732665, "internaldate %lld", (long long)m.internaldate);
        OK(m.bodystructure &&
               !strcmp(m.bodystructure,
                       "(\"text\" \"plain\" (\"name\" {4}\r\na\"\\\r) NIL NIL \"7bit\" 3 1)"),
           "bodystructure %s", m.bodystructure ? m.bodystructure : "(null)");
        free(bs);
        free(kw);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        l = one_line(&p, bad[i]);
        memset(&err, 0, sizeof err);
        st = l ? ols_imap_fetch_decode(l, &m, &bs, &kw, &err) : OLS_EPROTO;
        OK(st == OLS_EPROTO && bs == NULL && kw == NULL, "%s refused (%s)", bad[i],
           ols_status_name(st));
    }
    ols_imap_parser_free(p);
}

static void serialize_roundtrip(void)
{
    ols_imap_parser *p = NULL, *q = NULL;
    const ols_imap_line *l = one_line(
        &p, "* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" "
            "1152 23)(\"TEXT\" \"PLAIN\" (\"NAME\" {6}\r\nc\r\nd\"f) \"<x@y>\" \"Compiler \\\"diff\\\"\" "
            "\"BASE64\" 4554 73) \"MIXED\"))\r\n");
    char *s1, *s2, *line;
    const ols_imap_line *l2;
    if (!l) {
        OK(0, "parse");
        return;
    }
    s1 = ols_imap_serialize(l->args->list->next);
    line = malloc(strlen(s1) + 32);
    sprintf(line, "* 3 FETCH (BODYSTRUCTURE %s)\r\n", s1);
    l2 = one_line(&q, line);
    s2 = l2 ? ols_imap_serialize(l2->args->list->next) : NULL;
    OK(s2 && !strcmp(s1, s2), "serialised BODYSTRUCTURE parses back the same:\n%s\n%s", s1,
       s2 ? s2 : "(null)");
    OK(strstr(s1, "{6}\r\nc\r\nd\"f") != NULL, "CR/LF strings become literals: %s", s1);
    OK(strstr(s1, "\"Compiler \\\"diff\\\"\"") != NULL, "quotes escaped: %s", s1);
    free(s1);
    free(s2);
    free(line);
    ols_imap_parser_free(p);
    ols_imap_parser_free(q);
}

static void helpers(void)
{
    int64_t t;
    char buf[64];
    unsigned bits;
    char *kw;
    int any;
    ols_err err;
    ols_imap_parser *p = NULL;
    const ols_imap_line *l;
    uint32_t u;
    uint64_t v;

    OK(ols_imap_seqset_valid("1"), "seqset 1");
    OK(ols_imap_seqset_valid("1:5,7,9:*"), "seqset ranges");
    OK(ols_imap_seqset_valid("*"), "seqset *");
    OK(ols_imap_seqset_valid("4294967295"), "seqset max");
    OK(!ols_imap_seqset_valid(""), "empty");
    OK(!ols_imap_seqset_valid("0"), "zero");
    OK(!ols_imap_seqset_valid("1,"), "trailing comma");
    OK(!ols_imap_seqset_valid("1::2"), "double colon");
    OK(!ols_imap_seqset_valid("4294967296"), "too big");
    OK(!ols_imap_seqset_valid("1 2"), "space");
    OK(!ols_imap_seqset_valid("1:2\r\nA LOGOUT"), "injection");
    OK(!ols_imap_seqset_valid("-1"), "negative");

    OK(ols_imap_parse_datetime("01-Mar-2024 09:00:00 +0000", &t) && t == 1709283600,
       "date %lld", (long long)t);
    OK(ols_imap_parse_datetime("17-Jul-1996 02:44:25 -0700", &t) && t == 837596665,
       "date tz %lld", (long long)t);
    OK(ols_imap_parse_datetime("29-Feb-2024 23:59:59 +0130", &t) && t == 1709251199 - 5400,
       "leap day %lld", (long long)t);
    OK(!ols_imap_parse_datetime("32-Jan-2024 00:00:00 +0000", &t), "day 32");
    OK(!ols_imap_parse_datetime("01-Mar-2024 09:00:00", &t), "no zone");
    OK(!ols_imap_parse_datetime("01-Mar-2024 09:00:00 +0000x", &t), "trailing");
    OK(!ols_imap_parse_datetime("01-Mar-24 09:00:00 +0000", &t), "2-digit year");
    OK(!ols_imap_parse_datetime("", &t), "empty date");
    ols_imap_format_datetime(1709283600, buf);
    OK(!strcmp(buf, "01-Mar-2024 09:00:00 +0000"), "format %s", buf);
    ols_imap_format_datetime(-1, buf);
    OK(!strcmp(buf, "31-Dec-1969 23:59:59 +0000"), "format before 1970: %s", buf);
    OK(ols_imap_parse_datetime(buf, &t) && t == -1, "round trip -1");

    l = one_line(&p, "* FLAGS (\\Seen \\Flagged Junk \\* $Forwarded \\Recent)\r\n");
    OK(l && ols_imap_flags_parse(l->args, &bits, &kw, &any, &err) == OLS_OK &&
           bits == (OLS_MF_SEEN | OLS_MF_FLAGGED | OLS_MF_FORWARDED) && any && kw &&
           !strcmp(kw, "Junk"),
       "flags %x", bits);
    free(kw);
    OK(ols_imap_flags_format(OLS_MF_ALL, buf, sizeof buf) > 0 &&
           !strcmp(buf, "\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded"),
       "format flags %s", buf);
    ols_imap_flags_format(0, buf, sizeof buf);
    OK(buf[0] == 0, "no flags");

    l = one_line(&p, "* CAPABILITY IMAP4rev1 qresync LITERAL+ COMPRESS=DEFLATE AUTH=PLAIN "
                     "X-FOO STARTTLS\r\n");
    OK(l && ols_imap_caps_parse(l->args) == (OLS_CAP_QRESYNC | OLS_CAP_CONDSTORE |
                                             OLS_CAP_LITERALPLUS | OLS_CAP_COMPRESS |
                                             OLS_CAP_AUTH_PLAIN | OLS_CAP_STARTTLS),
       "caps");
    OK(ols_imap_str_u32("4294967295", &u) && u == 4294967295u, "u32 max");
    OK(!ols_imap_str_u32("4294967296", &u), "u32 overflow");
    OK(!ols_imap_str_u32("+1", &u) && !ols_imap_str_u32("", &u) && !ols_imap_str_u32(" 1", &u),
       "u32 garbage");
    OK(ols_imap_str_u64("9223372036854775807", &v), "u64 max");
    OK(!ols_imap_str_u64("9223372036854775808", &v), "u64 over 2^63-1");
    OK(!ols_imap_str_u64("99999999999999999999999", &v), "u64 overflow");
    OK(ols_imap_is_body_key("BODY[]") && ols_imap_is_body_key("body[1.2]<0>") &&
           ols_imap_is_body_key("BINARY[1]") && ols_imap_is_body_key("RFC822") &&
           !ols_imap_is_body_key("BODYSTRUCTURE") && !ols_imap_is_body_key("BODY") &&
           !ols_imap_is_body_key("BINARY.SIZE[1]"),
       "body keys");
    ols_imap_parser_free(p);
}

int main(void)
{
    expect_lines();
    nul_literal();
    corpus();
    large_literal();
    malformed();
    resume();
    consumer_error();
    fetch_decode();
    serialize_roundtrip();
    helpers();
    return T_DONE();
}
