/* BODYSTRUCTURE as a tree of MIME parts, for partial downloads. */
#ifndef OLSYNC_IMAP_BODY_H
#define OLSYNC_IMAP_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/status.h"

typedef struct ols_mime_part ols_mime_part;
struct ols_mime_part {
    char type[64], subtype[64];  /* lower case: "text", "plain"; "multipart", "mixed" */
    char section[64];            /* IMAP section: "1", "2.1"; "" for the whole message */
    char boundary[200];          /* multipart */
    char charset[64];
    char encoding[32];           /* Content-Transfer-Encoding, lower case */
    char disposition[32];        /* "attachment", "inline", "" */
    char filename[256];
    uint64_t size;               /* encoded size of a leaf */
    ols_mime_part *child;        /* multipart: first child; message/rfc822: the message */
    ols_mime_part *next;
};

/* Parse the raw BODYSTRUCTURE text the client hands out (ols_imap_msg.bodystructure).
 * Depth and count are bounded; malformed text is OLS_EPARSE. Free with ols_mime_free. */
ols_status ols_mime_parse_bodystructure(const char *text, ols_mime_part **out, ols_err *err);
void ols_mime_free(ols_mime_part *p);
/* A leaf that is text meant for reading (text/plain or text/html, not an attachment). */
int ols_mime_is_readable_text(const ols_mime_part *p);

#endif
