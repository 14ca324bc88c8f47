/* IMAP modified UTF-7 (RFC 3501 5.1.3) <-> UTF-8, for folder names. */
#ifndef OLSYNC_MUTF7_H
#define OLSYNC_MUTF7_H

#include "olsync/status.h"

/* Both return a malloc'd string, or NULL with *err set on malformed input. */
char *ols_mutf7_decode(const char *mutf7, ols_err *err);
char *ols_mutf7_encode(const char *utf8, ols_err *err);

#endif
