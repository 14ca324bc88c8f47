/* Minimal ZIP writer (deflate via zlib) for the support bundle. */
#ifndef OLS_ZIPW_H
#define OLS_ZIPW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "olsync/status.h"

typedef struct ols_zipw ols_zipw;

ols_status ols_zipw_open(const char *path, ols_zipw **out, ols_err *err);
/* Add one member; name uses '/' separators. */
ols_status ols_zipw_add(ols_zipw *z, const char *name, const void *data, size_t len, time_t mtime,
                        ols_err *err);
/* Writes the central directory; on failure the partial file is removed. */
ols_status ols_zipw_close(ols_zipw *z, ols_err *err);
void ols_zipw_abort(ols_zipw *z);

#endif
