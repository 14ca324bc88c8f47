/* Errors as values: a status code plus a human-readable message. */
#ifndef OLSYNC_STATUS_H
#define OLSYNC_STATUS_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ols_status {
    OLS_OK = 0,
    OLS_EINVAL,       /* bad argument or value */
    OLS_ENOMEM,       /* allocation failed */
    OLS_EIO,          /* file or device error */
    OLS_ENOENT,       /* not found */
    OLS_EEXIST,       /* already exists */
    OLS_EPARSE,       /* malformed input */
    OLS_ELOCKED,      /* setting locked by the administrator */
    OLS_ECANCELED,    /* job or operation cancelled */
    OLS_ETIMEDOUT,    /* timed out */
    OLS_ENET,         /* network error */
    OLS_ETLS,         /* TLS handshake or verification failed */
    OLS_EAUTH,        /* authentication refused */
    OLS_EPROTO,       /* peer broke the protocol */
    OLS_ENOSPC,       /* disk full */
    OLS_EBUSY,        /* resource busy */
    OLS_ESHUTDOWN,    /* component is shutting down */
    OLS_ERANGE,       /* value or length out of bounds */
    OLS_EUNSUPPORTED, /* feature not available on this platform or peer */
    OLS_STATUS_COUNT
} ols_status;

/* An error report: the code and a message meant for a person. */
typedef struct ols_err {
    ols_status code;
    char msg[1024];
} ols_err;

/* Short stable name of a status ("EIO"). */
const char *ols_status_name(ols_status st);

/* Fill *err (may be NULL) and return code, so callers can `return ols_err_set(...)`. */
ols_status ols_err_set(ols_err *err, ols_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
ols_status ols_err_setv(ols_err *err, ols_status code, const char *fmt, va_list ap);

/* Prefix an existing message: "context: old message". */
ols_status ols_err_prefix(ols_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

void ols_err_clear(ols_err *err);

#ifdef __cplusplus
}
#endif
#endif
