/* Incremental parser of IMAP server responses: bytes in any split -> whole response lines. */
#ifndef OLS_IMAP_PARSER_H
#define OLS_IMAP_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ols_imap_arg_type {
    OLS_IMAP_ARG_ATOM,
    OLS_IMAP_ARG_NIL,     /* unquoted NIL; s is the text as sent ("NIL", "nil") */
    OLS_IMAP_ARG_STRING,  /* quoted string or buffered literal */
    OLS_IMAP_ARG_LIST,
    OLS_IMAP_ARG_STREAMED /* literal handed to the stream hooks; only its size is kept */
} ols_imap_arg_type;

typedef struct ols_imap_arg ols_imap_arg;
struct ols_imap_arg {
    ols_imap_arg_type type;
    unsigned char literal;  /* STRING / STREAMED: came as a literal */
    unsigned char literal8; /* ... as a literal8 (~{n}) */
    size_t len;             /* ATOM/NIL/STRING: bytes in s; LIST: number of children */
    const char *s;          /* ATOM/NIL/STRING: NUL-terminated (a literal may hold NULs) */
    uint64_t size;          /* STREAMED: the literal's size */
    const ols_imap_arg *list; /* LIST: first child, NULL when empty */
    const ols_imap_arg *next; /* next sibling, NULL at the end */
    ols_imap_arg *last_;      /* internal: last child while the list is built */
};

typedef enum ols_imap_line_kind {
    OLS_IMAP_UNTAGGED = 1, /* "* ..." */
    OLS_IMAP_TAGGED,       /* "tag OK|NO|BAD ..." */
    OLS_IMAP_CONTINUATION  /* "+ ..." */
} ols_imap_line_kind;

typedef enum ols_imap_resp {
    OLS_IMAP_RESP_NONE = 0, /* not a status response */
    OLS_IMAP_RESP_OK,
    OLS_IMAP_RESP_NO,
    OLS_IMAP_RESP_BAD,
    OLS_IMAP_RESP_PREAUTH,
    OLS_IMAP_RESP_BYE
} ols_imap_resp;

/* One response line. Pointers stay valid until the next feed or free. */
typedef struct ols_imap_line {
    ols_imap_line_kind kind;
    const char *tag;     /* TAGGED */
    int has_num;         /* UNTAGGED "* n NAME ..." */
    uint32_t num;
    const char *keyword; /* UNTAGGED: the response name in upper case ("FETCH", "OK");
                          * TAGGED: "OK"/"NO"/"BAD" */
    ols_imap_resp status; /* status responses (tagged, or untagged OK/NO/BAD/PREAUTH/BYE) */
    const ols_imap_arg *args; /* arguments after the name; none for status responses */
    size_t nargs;
    const char *code;    /* status responses: resp-text-code name, upper case, or NULL */
    const ols_imap_arg *code_args; /* the code's arguments, NULL if none */
    const char *text;    /* status and continuation responses: the free text, "" if none */
} ols_imap_line;

/* Where a literal sits, for the hook that decides whether to stream it. The line fields
 * known so far (kind, tag, num, keyword) are set; container's children so far are linked. */
typedef struct ols_imap_literal_info {
    uint64_t size;
    int literal8;
    unsigned depth;                 /* lists open around it; 0 = top level */
    const ols_imap_line *line;
    const ols_imap_arg *container;  /* the enclosing list, NULL at top level */
    const ols_imap_arg *prev;       /* the sibling just before it, NULL if first */
    size_t index;                   /* its position among its siblings */
} ols_imap_literal_info;

typedef struct ols_imap_parser_hooks {
    void *ctx;
    /* Non-zero: stream this literal through data/end instead of keeping it in the line. */
    int (*literal)(void *ctx, const ols_imap_literal_info *li);
    /* A status other than OLS_OK makes the parser fail (the connection is then unusable). */
    ols_status (*data)(void *ctx, const void *p, size_t n);
    ols_status (*end)(void *ctx);
} ols_imap_parser_hooks;

/* Every length that comes from the network is bounded by one of these; 0 = default. */
typedef struct ols_imap_parser_limits {
    size_t max_line;      /* non-literal bytes of one line (default 1 MiB) */
    size_t max_literal;   /* one literal kept in memory (default 1 MiB) */
    size_t max_buffered;  /* all literals kept in memory for one line (default 8 MiB) */
    uint64_t max_stream;  /* one streamed literal (default 2 GiB) */
    unsigned max_depth;   /* nested lists (default 64) */
    size_t max_args;      /* arguments of one line, all levels (default 262144) */
} ols_imap_parser_limits;

#define OLS_IMAP_DEF_MAX_LINE ((size_t)1 << 20)
#define OLS_IMAP_DEF_MAX_LITERAL ((size_t)1 << 20)
#define OLS_IMAP_DEF_MAX_BUFFERED ((size_t)8 << 20)
#define OLS_IMAP_DEF_MAX_STREAM ((uint64_t)2 << 30)
#define OLS_IMAP_DEF_MAX_DEPTH 64u
#define OLS_IMAP_DEF_MAX_ARGS ((size_t)1 << 18)

typedef struct ols_imap_parser ols_imap_parser;

typedef enum ols_imap_parse_result {
    OLS_IMAP_PARSE_ERROR = -1, /* malformed input or a limit hit; err says what and where */
    OLS_IMAP_PARSE_MORE = 0,   /* all input consumed, the line is not complete yet */
    OLS_IMAP_PARSE_LINE = 1    /* a line is complete (ols_imap_parser_line) */
} ols_imap_parse_result;

/* limits and hooks may be NULL. NULL on out of memory. */
ols_imap_parser *ols_imap_parser_new(const ols_imap_parser_limits *limits,
                                     const ols_imap_parser_hooks *hooks);
void ols_imap_parser_free(ols_imap_parser *p);
/* Consume bytes up to the end of one line. *used says how many were taken; the rest must
 * be fed again (after the line has been looked at). Resumes exactly where it stopped, so
 * any split of the stream gives the same lines. After an error every call fails. */
ols_imap_parse_result ols_imap_parser_feed(ols_imap_parser *p, const void *buf, size_t len,
                                           size_t *used, ols_err *err);
/* The line completed by the last feed, NULL otherwise. */
const ols_imap_line *ols_imap_parser_line(const ols_imap_parser *p);
/* Non-zero while a line is partly read (bytes consumed that belong to no complete line). */
int ols_imap_parser_mid_line(const ols_imap_parser *p);
/* Bytes consumed since creation. */
uint64_t ols_imap_parser_offset(const ols_imap_parser *p);

#ifdef __cplusplus
}
#endif
#endif
