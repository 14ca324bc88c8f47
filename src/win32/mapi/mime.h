/* A small MIME toolkit for the MAPI bridge: parse a message into a part tree, decode bodies,
 * encoded words, parameters, addresses and dates; and the encoders the MIME writer needs.
 * Strings handed out are UTF-8; charsets are converted with the Windows code pages. */
#ifndef OLS_MAPI_MIME_H
#define OLS_MAPI_MIME_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "olsync/status.h"

/* ---- a growable byte buffer ---- */
typedef struct ols_buf {
    char *p;
    size_t n, cap;
    int oom; /* an append failed: the content is incomplete */
} ols_buf;

void ols_buf_put(ols_buf *b, const void *p, size_t n);
void ols_buf_puts(ols_buf *b, const char *s);
void ols_buf_printf(ols_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void ols_buf_free(ols_buf *b);
/* NUL-terminate and hand the bytes over (the buffer is empty afterwards); NULL if oom. */
char *ols_buf_take(ols_buf *b, size_t *len);

/* ---- the part tree ---- */
enum { OLS_CTE_7BIT = 0, OLS_CTE_8BIT, OLS_CTE_BINARY, OLS_CTE_QP, OLS_CTE_BASE64 };
enum { OLS_DISP_NONE = 0, OLS_DISP_INLINE, OLS_DISP_ATTACHMENT };

typedef struct ols_eml_hdr {
    char *name;  /* as written */
    char *value; /* unfolded, leading blanks removed, not decoded */
} ols_eml_hdr;

typedef struct ols_eml_part ols_eml_part;
struct ols_eml_part {
    ols_eml_hdr *hdrs;
    size_t nhdrs;
    const char *raw_header; /* the header block as in the source, without the blank line */
    size_t raw_header_len;
    char type[48], subtype[80]; /* lower case */
    char *charset;              /* lower case, NULL if none */
    char *boundary;
    char *name;     /* Content-Type name=, decoded */
    char *filename; /* Content-Disposition filename=, decoded */
    char *content_id;       /* without the angle brackets */
    char *content_location;
    int disposition;        /* OLS_DISP_* */
    int cte;                /* OLS_CTE_* */
    const char *body;       /* the encoded body */
    size_t body_len;
    ols_eml_part *children; /* multipart/... */
    size_t nchildren;
    ols_eml_part *message;  /* message/rfc822: the enclosed message */
    char *owned;             /* a decoded copy that body/message point into */
};

typedef struct ols_eml_msg {
    char *buf;
    size_t len;
    ols_eml_part root;
} ols_eml_msg;

/* Parse a whole message (the bytes are copied). Never fails on malformed input short of
 * running out of memory: what cannot be understood stays text/plain. Depth is limited. */
ols_status ols_eml_parse(const char *buf, size_t len, ols_eml_msg **out, ols_err *err);
void ols_eml_free(ols_eml_msg *m);

/* First header of that name (case-insensitive), raw; NULL if none. */
const char *ols_eml_header(const ols_eml_part *p, const char *name);
/* Body after Content-Transfer-Encoding (malloc'd, NUL-terminated for convenience). */
ols_status ols_eml_body(const ols_eml_part *p, char **out, size_t *len);
/* Body of a text part as UTF-16 with CRLF line ends (malloc'd). */
wchar_t *ols_eml_text(const ols_eml_part *p, size_t *wlen);
int ols_eml_is(const ols_eml_part *p, const char *type, const char *subtype);

/* ---- charsets ---- */
/* Windows code page for a MIME charset name; 0 if unknown. */
unsigned ols_charset_cpid(const char *charset);
/* MIME charset name for a code page ("utf-8" for unknown). */
const char *ols_cpid_charset(unsigned cpid);
/* Bytes in a charset to UTF-16 (malloc'd). Unknown or failing charsets: UTF-8 when the
 * bytes are valid UTF-8, else Windows-1252. */
wchar_t *ols_charset_to_wide(const char *bytes, size_t n, const char *charset, size_t *wlen);
/* Bytes in a charset to UTF-8 (malloc'd). */
char *ols_charset_to_utf8(const char *bytes, size_t n, const char *charset);
int ols_utf8_valid(const char *s, size_t n);

/* ---- header values ---- */
/* RFC 2047 encoded words (and raw 8-bit text) to UTF-8; malloc'd. */
char *ols_eml_decode_words(const char *value);
/* A parameter of a structured header (RFC 2045 + RFC 2231 continuations and charsets),
 * decoded to UTF-8; malloc'd or NULL. */
char *ols_eml_param(const char *value, const char *name);
/* The leading token of a structured header ("text/html; ..." -> "text/html"), lower case. */
void ols_eml_token(const char *value, char *out, size_t n);

typedef struct ols_eml_addr {
    char *name; /* decoded, NULL if none */
    char *addr; /* addr-spec, NULL for a group or a bare name */
} ols_eml_addr;
ols_status ols_eml_parse_addrs(const char *value, ols_eml_addr **out, size_t *n);
void ols_eml_free_addrs(ols_eml_addr *a, size_t n);

/* RFC 5322 date (obsolete forms too) to Unix seconds; 0 on success, -1 if unreadable. */
int ols_eml_parse_date(const char *value, int64_t *out);
/* "Tue, 14 Nov 2023 09:30:00 +0000" */
void ols_eml_format_date(int64_t t, char *buf, size_t n);

/* ---- writing ---- */
/* A header line "Name: value\r\n" with value as UTF-8 text: encoded words where needed,
 * folded to stay under 78 columns. */
void ols_eml_put_text_header(ols_buf *b, const char *name, const char *utf8);
/* A header line with an address list. */
void ols_eml_put_addr_header(ols_buf *b, const char *name, const ols_eml_addr *a, size_t n);
/* The display-name form of one address, appended to b ("Name" <a@b> or a@b). */
void ols_eml_put_addr(ols_buf *b, const ols_eml_addr *a);
/* ;name="..." (ASCII) or ;name*=UTF-8''... (RFC 2231) */
void ols_eml_put_param(ols_buf *b, const char *name, const char *utf8);
void ols_eml_put_base64(ols_buf *b, const void *p, size_t n); /* 76-column lines */
void ols_eml_put_qp(ols_buf *b, const void *p, size_t n);     /* CRLF hard breaks */
/* Which encoding a body needs: 7bit when every line is short ASCII, else QP or base64. */
int ols_eml_pick_cte(const void *p, size_t n, int text);

#endif
