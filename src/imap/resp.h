/* Parsed IMAP arguments -> values: numbers, flags, dates, capabilities, FETCH items (no I/O). */
#ifndef OLS_IMAP_RESP_H
#define OLS_IMAP_RESP_H

#include <stddef.h>
#include <stdint.h>

#include "imap/parser.h"
#include "olsync/imap.h"
#include "olsync/status.h"

/* 1 when a is an atom holding a decimal number that fits (u64: at most 2^63-1). */
int ols_imap_arg_u32(const ols_imap_arg *a, uint32_t *out);
int ols_imap_arg_u64(const ols_imap_arg *a, uint64_t *out);
int ols_imap_str_u32(const char *s, uint32_t *out);
int ols_imap_str_u64(const char *s, uint64_t *out);
/* astring (atom, string, or NIL read as the word "NIL") -> text, else NULL. */
const char *ols_imap_arg_astring(const ols_imap_arg *a);
/* nstring: NIL -> NULL with *ok = 1; string or atom -> text; anything else *ok = 0. */
const char *ols_imap_arg_nstring(const ols_imap_arg *a, int *ok);
/* a is an atom equal to word, ignoring ASCII case. */
int ols_imap_atom_is(const ols_imap_arg *a, const char *word);
int ols_imap_strcaseeq(const char *a, const char *b);

/* sequence-set / uid-set syntax: "1", "1:5", "3,7:*", no empty elements, no 0. */
int ols_imap_seqset_valid(const char *s);

/* "\\Seen" -> OLS_MF_SEEN ...; 0 if the flag has no bit. */
unsigned ols_imap_flag_bit(const char *flag);
/* A flag list -> OLS_MF_* bits; keywords (may be NULL) gets the other non-system flags,
 * space-separated, malloc'd, NULL if none. *any_keyword is set when "\\*" is listed. */
ols_status ols_imap_flags_parse(const ols_imap_arg *list, unsigned *bits, char **keywords,
                                int *any_keyword, ols_err *err);
/* bits -> "\\Seen \\Flagged $Forwarded" (no parentheses) into out; returns its length. */
size_t ols_imap_flags_format(unsigned bits, char *out, size_t cap);

/* "17-Jul-1996 02:44:25 -0700" (day may be space padded) -> Unix seconds. 1 on success. */
int ols_imap_parse_datetime(const char *s, int64_t *out);
/* Unix seconds -> "17-Jul-1996 09:44:25 +0000". */
void ols_imap_format_datetime(int64_t t, char out[32]);

/* CAPABILITY words -> OLS_CAP_* bits (QRESYNC implies CONDSTORE). */
uint64_t ols_imap_caps_parse(const ols_imap_arg *words);
uint64_t ols_imap_cap_bit(const char *word);

/* FETCH item names whose value is message content: BODY[...], BINARY[...], RFC822... */
int ols_imap_is_body_key(const char *key);

/* One argument back to IMAP syntax (strings quoted, or as literals when they must be);
 * malloc'd, NULL on out of memory. */
char *ols_imap_serialize(const ols_imap_arg *a);

/* The items of "* n FETCH (...)" except message content. Fills m (seq, uid, flags, modseq,
 * size, internaldate); *bodystructure and *keywords are malloc'd or NULL and are also
 * pointed to by m. Malformed values -> OLS_EPROTO naming the item. */
ols_status ols_imap_fetch_decode(const ols_imap_line *l, ols_imap_msg *m, char **bodystructure,
                                 char **keywords, ols_err *err);

#endif
