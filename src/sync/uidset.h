/* UID sets: building "1:5,9" strings from sorted UIDs, and walking them back. */
#ifndef OLS_SYNC_UIDSET_H
#define OLS_SYNC_UIDSET_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/status.h"

typedef struct ols_strbuf {
    char *p;
    size_t n, cap;
    int oom;
} ols_strbuf;

void ols_sb_add(ols_strbuf *b, const char *s);
void ols_sb_addf(ols_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void ols_sb_free(ols_strbuf *b);

/* Compress sorted ascending UIDs into a set; empty string if n == 0. malloc'd. */
char *ols_uidset_make(const uint32_t *uids, size_t n);
/* Split into sets of at most `per` UIDs each; returns count, *out malloc'd array. */
size_t ols_uidset_chunks(const uint32_t *uids, size_t n, size_t per, char ***out);
void ols_uidset_chunks_free(char **sets, size_t n);
/* Calls cb for every UID in "1:5,9" (ranges of at most 10 million); EPARSE if malformed. */
ols_status ols_uidset_walk(const char *set, void (*cb)(void *ctx, uint32_t uid), void *ctx);

#endif
