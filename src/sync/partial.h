/* Stand-ins for messages not (wholly) downloaded: RFC 2017 message/external-body parts that
 * name the IMAP URL (RFC 5092) of what is missing, so a later fetch can fill them in. */
#ifndef OLS_SYNC_PARTIAL_H
#define OLS_SYNC_PARTIAL_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/imap_body.h"
#include "uidset.h"

typedef struct ols_partial_src {
    const char *user, *host;
    const char *mailbox; /* server name, modified UTF-7 */
    uint32_t uidvalidity, uid;
    uint64_t size;
} ols_partial_src;

/* Fetched pieces by section key: "HEADER", "1.MIME", "1", "2.1.MIME" ... */
typedef const char *(*ols_partial_lookup)(void *ctx, const char *key, size_t *len);

/* Headers mode: the header block with its body replaced by one external-body part. */
ols_status ols_partial_headers_only(const ols_partial_src *src, const char *hdr, size_t hdrlen,
                                    ols_strbuf *out);

/* Custom mode: the message rebuilt from its structure; parts `want` accepts come from
 * lookup, the others become external-body parts. missing gets the sections left out
 * ("2,3.1"), or "*" when the whole body is. */
ols_status ols_partial_assemble(const ols_partial_src *src, const ols_mime_part *root,
                                int (*want)(void *ctx, const ols_mime_part *p), void *want_ctx,
                                ols_partial_lookup lookup, void *lookup_ctx, ols_strbuf *out,
                                ols_strbuf *missing, ols_err *err);

/* The FETCH items the assembly needs ("BODY.PEEK[HEADER] BODY.PEEK[1.MIME] BODY.PEEK[1] ..."). */
void ols_partial_fetch_items(const ols_mime_part *root,
                             int (*want)(void *ctx, const ols_mime_part *p), void *want_ctx,
                             ols_strbuf *items);

/* A missing list without one section ("2,3.1" - "2" = "3.1"); malloc'd. */
char *ols_partial_without(const char *missing, const char *section);
int ols_partial_has(const char *missing, const char *section);

#endif
