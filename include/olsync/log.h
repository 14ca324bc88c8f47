/* Logging: levels, channels, daily files with a size cap and expiry, redaction, support zip. */
#ifndef OLSYNC_LOG_H
#define OLSYNC_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ols_log_level {
    OLS_LOG_NONE = 0,
    OLS_LOG_ERROR,
    OLS_LOG_WARNING,
    OLS_LOG_INFO,
    OLS_LOG_DEBUG
} ols_log_level;

typedef struct ols_log_config {
    const char *dir;          /* folder for daily files; NULL = no files */
    ols_log_level level;
    unsigned keep_days;       /* delete files older than this; 0 = keep */
    uint64_t max_file_bytes;  /* a day's file rolls over to a new part past this; 0 = 10 MiB */
    uint64_t max_total_bytes; /* oldest files go first past this; 0 = 100 MiB */
    int to_stderr;            /* also echo to stderr (the CLI) */
    int data_trace;           /* protocol traces (channel "data"), debug level only */
} ols_log_config;

/* (Re)open the process-wide logger. Safe to call again with a new configuration. */
ols_status ols_log_open(const ols_log_config *cfg, ols_err *err);
void ols_log_close(void);
void ols_log_set_level(ols_log_level lvl);
ols_log_level ols_log_get_level(void);
/* "none", "error", "warning", "info", "debug" -> level; -1 if unknown. */
int ols_log_level_parse(const char *s);
const char *ols_log_level_name(ols_log_level lvl);

void ols_log(const char *channel, ols_log_level lvl, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#define OLS_LOG_ERR(ch, ...) ols_log((ch), OLS_LOG_ERROR, __VA_ARGS__)
#define OLS_LOG_WARN(ch, ...) ols_log((ch), OLS_LOG_WARNING, __VA_ARGS__)
#define OLS_LOG_INFO(ch, ...) ols_log((ch), OLS_LOG_INFO, __VA_ARGS__)
#define OLS_LOG_DEBUG(ch, ...) ols_log((ch), OLS_LOG_DEBUG, __VA_ARGS__)

/* A protocol trace or message content: written only at debug level with data_trace on.
 * Credentials in IMAP LOGIN/AUTHENTICATE, POP3 PASS and ManageSieve AUTHENTICATE lines
 * are masked; dir is a short tag such as "C>" or "S<". */
void ols_log_data(const char *channel, const char *dir, const void *buf, size_t len);

/* Every later line has each occurrence of s replaced by "********" (passwords). */
void ols_log_add_secret(const char *s);
void ols_log_forget_secrets(void);

/* The log folder currently in use (NULL if none); malloc'd. */
char *ols_log_dir(void);
/* Delete files older than keep_days and trim to max_total_bytes. */
ols_status ols_log_purge(ols_err *err);
/* Zip the files of the last `days` days (today included) into out_zip for support. */
ols_status ols_log_support_zip(const char *out_zip, unsigned days, ols_err *err);
/* Delete every log file; logging goes on into a fresh file. */
ols_status ols_log_clear(ols_err *err);

#ifdef __cplusplus
}
#endif
#endif
