/* Status names and error-message helpers. */
#include "olsync/status.h"

#include <stdio.h>
#include <string.h>

static const char *const names[OLS_STATUS_COUNT] = {
    "OK", "EINVAL", "ENOMEM", "EIO", "ENOENT", "EEXIST", "EPARSE", "ELOCKED",
    "ECANCELED", "ETIMEDOUT", "ENET", "ETLS", "EAUTH", "EPROTO", "ENOSPC",
    "EBUSY", "ESHUTDOWN", "ERANGE", "EUNSUPPORTED",
};

const char *ols_status_name(ols_status st)
{
    if ((unsigned)st < OLS_STATUS_COUNT)
        return names[st];
    return "EUNKNOWN";
}

ols_status ols_err_setv(ols_err *err, ols_status code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

ols_status ols_err_set(ols_err *err, ols_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ols_err_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

ols_status ols_err_prefix(ols_err *err, const char *fmt, ...)
{
    char head[256], old[sizeof err->msg];
    va_list ap;

    if (!err)
        return OLS_OK;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %.*s", head, (int)(sizeof err->msg - 3 - strlen(head)),
             old);
    return err->code;
}

void ols_err_clear(ols_err *err)
{
    if (err) {
        err->code = OLS_OK;
        err->msg[0] = '\0';
    }
}
