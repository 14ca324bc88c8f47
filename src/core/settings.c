/* Settings layers: defaults < user file < locked (provisioned) values. */
#include "olsync/settings.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat/plat.h"

#define MAX_FILE_BYTES (4u * 1024 * 1024)

typedef struct layer {
    char **v;      /* canonical text per key, NULL = not set */
    cJSON *extra;  /* keys we do not know, kept so a save loses nothing */
} layer;

struct ols_settings {
    ols_mutex *lock;
    size_t n;
    const ols_setting_def *defs;
    layer user, locked;
};

static void layer_free(layer *l, size_t n)
{
    size_t i;
    if (l->v)
        for (i = 0; i < n; i++)
            free(l->v[i]);
    free(l->v);
    cJSON_Delete(l->extra);
    l->v = NULL;
    l->extra = NULL;
}

static int layer_init(layer *l, size_t n)
{
    l->v = calloc(n ? n : 1, sizeof *l->v);
    l->extra = NULL;
    return l->v != NULL;
}

ols_status ols_settings_new(ols_settings **out)
{
    ols_settings *s = calloc(1, sizeof *s);
    if (!s)
        return OLS_ENOMEM;
    s->defs = ols_settings_defs(&s->n);
    s->lock = ols_mutex_new();
    if (!s->lock || !layer_init(&s->user, s->n) || !layer_init(&s->locked, s->n)) {
        ols_settings_free(s);
        return OLS_ENOMEM;
    }
    *out = s;
    return OLS_OK;
}

void ols_settings_free(ols_settings *s)
{
    if (!s)
        return;
    layer_free(&s->user, s->n);
    layer_free(&s->locked, s->n);
    ols_mutex_free(s->lock);
    free(s);
}

static long index_of(ols_settings *s, const char *key)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (!strcmp(s->defs[i].key, key))
            return (long)i;
    return -1;
}

/* Check text against a definition and produce its canonical form. */
static ols_status validate(const ols_setting_def *d, const char *text, char **canon, ols_err *err)
{
    char buf[32];
    switch (d->type) {
    case OLS_SET_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "1") || !strcmp(text, "yes"))
            text = "true";
        else if (!strcmp(text, "false") || !strcmp(text, "0") || !strcmp(text, "no"))
            text = "false";
        else
            return ols_err_set(err, OLS_EINVAL, "%s: expected true or false, got \"%s\"", d->key,
                               text);
        break;
    case OLS_SET_INT: {
        char *end;
        long long v;
        errno = 0;
        v = strtoll(text, &end, 10);
        if (!*text || *end || errno)
            return ols_err_set(err, OLS_EINVAL, "%s: expected a whole number, got \"%s\"", d->key,
                               text);
        if (v < d->min || v > d->max)
            return ols_err_set(err, OLS_ERANGE, "%s: %lld is outside %lld..%lld", d->key, v,
                               d->min, d->max);
        snprintf(buf, sizeof buf, "%lld", v);
        text = buf;
        break;
    }
    case OLS_SET_ENUM: {
        const char *const *c;
        for (c = d->choices; *c; c++)
            if (!strcmp(*c, text))
                break;
        if (!*c) {
            char list[256] = "";
            for (c = d->choices; *c; c++) {
                if (list[0])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
                strncat(list, *c, sizeof list - strlen(list) - 1);
            }
            return ols_err_set(err, OLS_EINVAL, "%s: \"%s\" is not one of %s", d->key, text, list);
        }
        break;
    }
    case OLS_SET_STRING:
        if (strlen(text) > 64 * 1024)
            return ols_err_set(err, OLS_ERANGE, "%s: value longer than 64 KiB", d->key);
        break;
    }
    if (canon) {
        *canon = strdup(text);
        if (!*canon)
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    return OLS_OK;
}

/* 1-based line of the first `"name"` in text, 0 if not found. */
static int line_of_key(const char *text, size_t len, const char *key)
{
    const char *last = strrchr(key, '.');
    char pat[160];
    const char *p = text, *end = text + len;
    size_t pl;
    int line = 1;
    snprintf(pat, sizeof pat, "\"%s\"", last ? last + 1 : key);
    pl = strlen(pat);
    for (; p + pl <= end; p++) {
        if (*p == '\n')
            line++;
        else if (!memcmp(p, pat, pl))
            return line;
    }
    return 0;
}

static cJSON *lookup(cJSON *root, const char *key)
{
    char part[128];
    const char *p = key;
    cJSON *node = root;
    while (node && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof part)
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        if (!cJSON_IsObject(node))
            return NULL;
        node = cJSON_GetObjectItemCaseSensitive(node, part);
        p = dot ? dot + 1 : p + n;
    }
    return node;
}

/* Removes known keys from `root` (what is left are unknown keys) while filling l. */
static ols_status parse_layer(ols_settings *s, const char *text, size_t len, const char *source,
                              layer *l, ols_err *err)
{
    const char *endp = NULL;
    cJSON *root;
    size_t i;

    if (len > MAX_FILE_BYTES)
        return ols_err_set(err, OLS_ERANGE, "%s: larger than %u bytes", source, MAX_FILE_BYTES);
    if (len == 0 || strspn(text, " \t\r\n") == len)
        return layer_init(l, s->n) ? OLS_OK : ols_err_set(err, OLS_ENOMEM, "out of memory");
    root = cJSON_ParseWithLengthOpts(text, len, &endp, 0);
    if (!root) {
        const char *at = endp ? endp : cJSON_GetErrorPtr();
        int line = 1, col = 1;
        const char *p;
        if (!at || at < text || at > text + len)
            at = text + len;
        for (p = text; p < at; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return ols_err_set(err, OLS_EPARSE, "%s:%d:%d: not valid JSON near here", source, line,
                           col);
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return ols_err_set(err, OLS_EPARSE, "%s:1: the settings must be a JSON object", source);
    }
    if (!layer_init(l, s->n)) {
        cJSON_Delete(root);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    for (i = 0; i < s->n; i++) {
        const ols_setting_def *d = &s->defs[i];
        cJSON *node = lookup(root, d->key);
        char num[32];
        const char *val = NULL;
        ols_status st;
        if (!node)
            continue;
        if (cJSON_IsBool(node))
            val = cJSON_IsTrue(node) ? "true" : "false";
        else if (cJSON_IsNumber(node)) {
            if (node->valuedouble != (double)(long long)node->valuedouble) {
                val = "(fraction)";
            } else {
                snprintf(num, sizeof num, "%lld", (long long)node->valuedouble);
                val = num;
            }
        } else if (cJSON_IsString(node))
            val = node->valuestring;
        if (!val || (d->type == OLS_SET_BOOL && !cJSON_IsBool(node)) ||
            (d->type == OLS_SET_INT && !cJSON_IsNumber(node)) ||
            ((d->type == OLS_SET_STRING || d->type == OLS_SET_ENUM) && !cJSON_IsString(node))) {
            int line = line_of_key(text, len, d->key);
            const char *want = d->type == OLS_SET_BOOL  ? "true or false"
                               : d->type == OLS_SET_INT ? "a whole number"
                                                        : "a string";
            layer_free(l, s->n);
            cJSON_Delete(root);
            if (line)
                return ols_err_set(err, OLS_EPARSE, "%s:%d: %s: expected %s", source, line, d->key,
                                   want);
            return ols_err_set(err, OLS_EPARSE, "%s: %s: expected %s", source, d->key, want);
        }
        st = validate(d, val, &l->v[i], err);
        if (st != OLS_OK) {
            int line = line_of_key(text, len, d->key);
            layer_free(l, s->n);
            cJSON_Delete(root);
            if (line)
                return ols_err_prefix(err, "%s:%d", source, line);
            return ols_err_prefix(err, "%s", source);
        }
    }
    /* keep what is left (unknown keys, e.g. written by a newer version) */
    for (i = 0; i < s->n; i++) {
        const char *key = s->defs[i].key, *dot = strrchr(key, '.');
        char parent[128];
        cJSON *obj = root;
        if (dot && (size_t)(dot - key) < sizeof parent) {
            memcpy(parent, key, (size_t)(dot - key));
            parent[dot - key] = '\0';
            obj = lookup(root, parent);
        }
        if (cJSON_IsObject(obj))
            cJSON_DeleteItemFromObjectCaseSensitive(obj, dot ? dot + 1 : key);
    }
    l->extra = root;
    return OLS_OK;
}

static void layer_swap(layer *a, layer *b)
{
    layer t = *a;
    *a = *b;
    *b = t;
}

/* Parse into a fresh layer, then swap it in; on error the old layer stays. */
static ols_status load_layer(ols_settings *s, layer *target, const char *text, size_t len,
                             const char *source, ols_err *err)
{
    layer l = {0};
    ols_status st = parse_layer(s, text, len, source, &l, err);
    if (st != OLS_OK)
        return st;
    ols_mutex_lock(s->lock);
    layer_swap(target, &l);
    ols_mutex_unlock(s->lock);
    layer_free(&l, s->n);
    return OLS_OK;
}

ols_status ols_settings_load_text(ols_settings *s, const char *text, size_t len,
                                  const char *source, ols_err *err)
{
    return load_layer(s, &s->user, text, len, source, err);
}

ols_status ols_settings_load_file(ols_settings *s, const char *path, ols_err *err)
{
    char *text = NULL;
    size_t len = 0;
    ols_status st = ols_file_read_all(path, MAX_FILE_BYTES, &text, &len, err);
    if (st == OLS_ENOENT)
        return ols_settings_load_text(s, "", 0, path, err);
    if (st != OLS_OK)
        return st;
    st = ols_settings_load_text(s, text, len, path, err);
    free(text);
    return st;
}

ols_status ols_settings_load_locked(ols_settings *s, const char *text, size_t len,
                                    const char *source, ols_err *err)
{
    return load_layer(s, &s->locked, text, len, source, err);
}

/* Build nested objects for a dotted key and put item there. */
static int put_path(cJSON *root, const char *key, cJSON *item)
{
    char part[128];
    const char *p = key;
    cJSON *node = root;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n;
        cJSON *next;
        if (!dot)
            break;
        n = (size_t)(dot - p);
        if (n >= sizeof part)
            return 0;
        memcpy(part, p, n);
        part[n] = '\0';
        next = cJSON_GetObjectItemCaseSensitive(node, part);
        if (!next) {
            next = cJSON_AddObjectToObject(node, part);
            if (!next)
                return 0;
        } else if (!cJSON_IsObject(next)) {
            return 0;
        }
        node = next;
        p = dot + 1;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(node, p);
    return cJSON_AddItemToObject(node, p, item);
}

static cJSON *typed_item(const ols_setting_def *d, const char *text)
{
    switch (d->type) {
    case OLS_SET_BOOL: return cJSON_CreateBool(!strcmp(text, "true"));
    case OLS_SET_INT: return cJSON_CreateNumber((double)strtoll(text, NULL, 10));
    default: return cJSON_CreateString(text);
    }
}

/* Caller holds the lock. */
static const char *effective(ols_settings *s, size_t i)
{
    if (s->locked.v[i])
        return s->locked.v[i];
    if (s->user.v[i])
        return s->user.v[i];
    return s->defs[i].def;
}

ols_status ols_settings_save(ols_settings *s, const char *path, ols_err *err)
{
    cJSON *root;
    char *text;
    size_t i;
    ols_status st;

    ols_mutex_lock(s->lock);
    root = s->user.extra ? cJSON_Duplicate(s->user.extra, 1) : cJSON_CreateObject();
    for (i = 0; root && i < s->n; i++) {
        cJSON *item;
        if (!s->user.v[i] || (s->defs[i].flags & OLS_SETF_SECRET))
            continue;
        item = typed_item(&s->defs[i], s->user.v[i]);
        if (!item || !put_path(root, s->defs[i].key, item)) {
            cJSON_Delete(item);
            cJSON_Delete(root);
            root = NULL;
        }
    }
    ols_mutex_unlock(s->lock);
    if (!root)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    st = ols_file_write_atomic(path, text, strlen(text), 1, err);
    free(text);
    return st;
}

ols_status ols_settings_set_many(ols_settings *s, const char *const *keys,
                                 const char *const *values, size_t n, ols_err *err)
{
    char **canon;
    long *idx;
    size_t i;
    ols_status st = OLS_OK;

    canon = calloc(n ? n : 1, sizeof *canon);
    idx = calloc(n ? n : 1, sizeof *idx);
    if (!canon || !idx) {
        free(canon);
        free(idx);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    ols_mutex_lock(s->lock);
    for (i = 0; i < n && st == OLS_OK; i++) {
        idx[i] = index_of(s, keys[i]);
        if (idx[i] < 0)
            st = ols_err_set(err, OLS_ENOENT, "unknown setting %s", keys[i]);
        else if (s->locked.v[idx[i]])
            st = ols_err_set(err, OLS_ELOCKED, "%s is set by your administrator", keys[i]);
        else
            st = validate(&s->defs[idx[i]], values[i], &canon[i], err);
    }
    if (st == OLS_OK) {
        for (i = 0; i < n; i++) {
            free(s->user.v[idx[i]]);
            s->user.v[idx[i]] = canon[i];
            canon[i] = NULL;
        }
    }
    ols_mutex_unlock(s->lock);
    for (i = 0; i < n; i++)
        free(canon[i]);
    free(canon);
    free(idx);
    return st;
}

ols_status ols_settings_set(ols_settings *s, const char *key, const char *value, ols_err *err)
{
    return ols_settings_set_many(s, &key, &value, 1, err);
}

ols_status ols_settings_reset(ols_settings *s, const char *key, ols_err *err)
{
    long i;
    ols_mutex_lock(s->lock);
    i = index_of(s, key);
    if (i >= 0) {
        free(s->user.v[i]);
        s->user.v[i] = NULL;
    }
    ols_mutex_unlock(s->lock);
    return i < 0 ? ols_err_set(err, OLS_ENOENT, "unknown setting %s", key) : OLS_OK;
}

int ols_settings_is_locked(ols_settings *s, const char *key)
{
    long i;
    int r;
    ols_mutex_lock(s->lock);
    i = index_of(s, key);
    r = i >= 0 && s->locked.v[i] != NULL;
    ols_mutex_unlock(s->lock);
    return r;
}

char *ols_settings_get_str(ols_settings *s, const char *key)
{
    long i;
    char *r = NULL;
    ols_mutex_lock(s->lock);
    i = index_of(s, key);
    if (i >= 0)
        r = strdup(effective(s, (size_t)i));
    ols_mutex_unlock(s->lock);
    return r;
}

long long ols_settings_get_int(ols_settings *s, const char *key)
{
    char *v = ols_settings_get_str(s, key);
    long long r = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return r;
}

int ols_settings_get_bool(ols_settings *s, const char *key)
{
    char *v = ols_settings_get_str(s, key);
    int r = v && !strcmp(v, "true");
    free(v);
    return r;
}

char *ols_settings_to_json(ols_settings *s)
{
    cJSON *root = cJSON_CreateObject();
    char *text;
    size_t i;
    if (!root)
        return NULL;
    ols_mutex_lock(s->lock);
    for (i = 0; i < s->n; i++) {
        cJSON *item;
        if (s->defs[i].flags & OLS_SETF_SECRET)
            continue;
        item = typed_item(&s->defs[i], effective(s, i));
        if (!item || !put_path(root, s->defs[i].key, item))
            cJSON_Delete(item);
    }
    ols_mutex_unlock(s->lock);
    text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}
