/* Settings: typed keys with defaults, a user JSON file, and an administrator-locked layer. */
#ifndef OLSYNC_SETTINGS_H
#define OLSYNC_SETTINGS_H

#include <stddef.h>

#include "olsync/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ols_set_type { OLS_SET_BOOL, OLS_SET_INT, OLS_SET_STRING, OLS_SET_ENUM } ols_set_type;

enum {
    OLS_SETF_SECRET = 1, /* never written to the settings file or logs */
};

typedef struct ols_setting_def {
    const char *key;   /* dotted path into the JSON file: "account.imap.port" */
    ols_set_type type;
    const char *def;   /* default, as text: "true", "143", "starttls" */
    long long min, max;        /* OLS_SET_INT bounds */
    const char *const *choices; /* OLS_SET_ENUM values, NULL-terminated */
    unsigned flags;
    const char *help;  /* one line for people */
} ols_setting_def;

typedef struct ols_settings ols_settings;

/* The table of every known key. */
const ols_setting_def *ols_settings_defs(size_t *count);
const ols_setting_def *ols_settings_find(const char *key);

ols_status ols_settings_new(ols_settings **out);
void ols_settings_free(ols_settings *s);

/* Replace the user layer with a file's content. A missing file is an empty layer.
 * On any error (syntax with file and line, wrong type, out of range) the previous layer
 * stays in force and *err names the file, line or key. */
ols_status ols_settings_load_file(ols_settings *s, const char *path, ols_err *err);
/* Same for text already in memory; `source` names it in messages. */
ols_status ols_settings_load_text(ols_settings *s, const char *text, size_t len,
                                  const char *source, ols_err *err);
/* Replace the locked (provisioned) layer; values there override the user's. */
ols_status ols_settings_load_locked(ols_settings *s, const char *text, size_t len,
                                    const char *source, ols_err *err);
/* Write the user layer (no secret keys) atomically to path. */
ols_status ols_settings_save(ols_settings *s, const char *path, ols_err *err);

/* Set keys all-or-nothing: if any is unknown, locked or invalid, none changes. */
ols_status ols_settings_set_many(ols_settings *s, const char *const *keys,
                                 const char *const *values, size_t n, ols_err *err);
ols_status ols_settings_set(ols_settings *s, const char *key, const char *value, ols_err *err);
/* Forget the user's value, back to default (or the locked value). */
ols_status ols_settings_reset(ols_settings *s, const char *key, ols_err *err);

int ols_settings_is_locked(ols_settings *s, const char *key);
long long ols_settings_get_int(ols_settings *s, const char *key);
int ols_settings_get_bool(ols_settings *s, const char *key);
/* malloc'd copy of the effective value as text (strings, enums, numbers, booleans). */
char *ols_settings_get_str(ols_settings *s, const char *key);
/* Effective settings as pretty JSON (secrets left out), malloc'd. */
char *ols_settings_to_json(ols_settings *s);

#ifdef __cplusplus
}
#endif
#endif
