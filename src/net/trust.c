/* Trust-on-first-use pins: "host:port" -> SPKI fingerprints in a private JSON file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "filter.h"
#include "olsync/log.h"

/* {"version": 1, "pins": {"host:port": ["sha256/...", ...], ...}} */
#define TRUST_MAX_FILE (1u << 20)
#define TRUST_MAX_HOSTPORT 300
#define TRUST_PIN_B64 44 /* base64 of 32 bytes */

char *ols_trust_default_file(void)
{
    char *state = ols_dir_state(), *path;
    if (!state)
        return NULL;
    path = ols_path_join(state, "trust.json");
    free(state);
    return path;
}

static void key_of(char *out, size_t n, const char *hostport);

void ols_trust_hostport(char *out, size_t n, const char *host, uint16_t port)
{
    char lower[NET_HOST_MAX + 1];
    key_of(lower, sizeof lower, host);
    if (strchr(lower, ':'))
        snprintf(out, n, "[%s]:%u", lower, (unsigned)port);
    else
        snprintf(out, n, "%s:%u", lower, (unsigned)port);
}

/* Host names are case-insensitive: keys are kept in lower case. */
static void key_of(char *out, size_t n, const char *hostport)
{
    size_t i;
    for (i = 0; hostport[i] && i + 1 < n; i++)
        out[i] = (hostport[i] >= 'A' && hostport[i] <= 'Z') ? (char)(hostport[i] + 32)
                                                            : hostport[i];
    out[i] = '\0';
}

static int pin_ok(const char *pin)
{
    size_t i;
    if (!pin || strncmp(pin, "sha256/", 7) || strlen(pin) != 7 + TRUST_PIN_B64)
        return 0;
    for (i = 7; i < 7 + TRUST_PIN_B64; i++) {
        char ch = pin[i];
        int ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                 (ch >= '0' && ch <= '9') || ch == '+' || ch == '/' ||
                 (ch == '=' && i == 7 + TRUST_PIN_B64 - 1);
        if (!ok)
            return 0;
    }
    return 1;
}

static int hostport_ok(const char *hp)
{
    const char *colon;
    size_t i, n;
    if (!hp || !(n = strlen(hp)) || n > TRUST_MAX_HOSTPORT)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)hp[i] <= ' ' || hp[i] == 0x7f)
            return 0;
    colon = strrchr(hp, ':');
    if (!colon || colon == hp || !colon[1])
        return 0;
    for (i = 1; colon[i]; i++)
        if (colon[i] < '0' || colon[i] > '9' || i > 5)
            return 0;
    return 1;
}

static const char *file_or_default(const char *pin_file, char **owned)
{
    *owned = NULL;
    if (pin_file && *pin_file)
        return pin_file;
    *owned = ols_trust_default_file();
    return *owned;
}

/* The pins object of the file; a missing file is an empty one. */
static ols_status load(const char *path, cJSON **root, cJSON **pins, ols_err *err)
{
    char *text = NULL;
    size_t len = 0;
    ols_status st = ols_file_read_all(path, TRUST_MAX_FILE, &text, &len, err);
    *root = *pins = NULL;
    if (st == OLS_ENOENT) {
        *root = cJSON_CreateObject();
    } else if (st != OLS_OK) {
        return ols_err_prefix(err, "cannot read the pin file");
    } else {
        *root = cJSON_ParseWithLength(text, len);
        free(text);
        if (!*root || !cJSON_IsObject(*root)) {
            cJSON_Delete(*root);
            *root = NULL;
            return ols_err_set(err, OLS_EPARSE,
                               "the pin file %s is damaged (not a JSON object); fix or remove it",
                               path);
        }
    }
    if (!*root)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    *pins = cJSON_GetObjectItemCaseSensitive(*root, "pins");
    if (!*pins) {
        *pins = cJSON_AddObjectToObject(*root, "pins");
    } else if (!cJSON_IsObject(*pins)) {
        cJSON_Delete(*root);
        *root = *pins = NULL;
        return ols_err_set(err, OLS_EPARSE, "the pin file %s is damaged (\"pins\" is not an "
                           "object); fix or remove it", path);
    }
    if (!*pins) {
        cJSON_Delete(*root);
        *root = NULL;
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    return OLS_OK;
}

static ols_status save(const char *path, cJSON *root, ols_err *err)
{
    char *text, *dir;
    const char *slash = strrchr(path, '/'), *bslash = strrchr(path, '\\');
    ols_status st = OLS_OK;

    if (bslash && (!slash || bslash > slash))
        slash = bslash;
    if (!cJSON_GetObjectItemCaseSensitive(root, "version"))
        cJSON_AddNumberToObject(root, "version", 1);
    if (slash && slash != path) { /* the state folder may not exist yet */
        size_t n = (size_t)(slash - path);
        if ((dir = malloc(n + 1)) == NULL)
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        memcpy(dir, path, n);
        dir[n] = '\0';
        st = ols_mkdir_p(dir, err);
        free(dir);
    }
    if (st == OLS_OK) {
        text = cJSON_Print(root);
        if (!text)
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        st = ols_file_write_atomic(path, text, strlen(text), 1, err);
        free(text);
    }
    if (st != OLS_OK)
        ols_err_prefix(err, "cannot save the pin file %s", path);
    return st;
}

ols_status ols_trust_add(const char *pin_file, const char *hostport, const char *pin,
                         ols_err *err)
{
    char *owned;
    const char *path = file_or_default(pin_file, &owned);
    cJSON *root, *pins, *list, *it;
    char key[TRUST_MAX_HOSTPORT + 1];
    ols_status st;

    if (!path)
        return ols_err_set(err, OLS_ENOMEM, "no state folder for the pin file");
    if (!hostport_ok(hostport) || !pin_ok(pin)) {
        free(owned);
        return ols_err_set(err, OLS_EINVAL, "bad pin '%.80s' for '%.80s' (expected "
                           "HOST:PORT and sha256/BASE64)", pin ? pin : "",
                           hostport ? hostport : "");
    }
    key_of(key, sizeof key, hostport);
    hostport = key;
    if ((st = load(path, &root, &pins, err)) != OLS_OK) {
        free(owned);
        return st;
    }
    list = cJSON_GetObjectItemCaseSensitive(pins, hostport);
    if (list && !cJSON_IsArray(list)) {
        cJSON_DeleteItemFromObjectCaseSensitive(pins, hostport);
        list = NULL;
    }
    if (!list)
        list = cJSON_AddArrayToObject(pins, hostport);
    st = list ? OLS_OK : ols_err_set(err, OLS_ENOMEM, "out of memory");
    cJSON_ArrayForEach(it, list) {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, pin))
            break;
    }
    if (st == OLS_OK && !it) {
        if (!cJSON_AddItemToArray(list, cJSON_CreateString(pin)))
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    if (st == OLS_OK)
        st = save(path, root, err);
    if (st == OLS_OK)
        OLS_LOG_INFO("net", "pinned %s for %s", pin, hostport);
    cJSON_Delete(root);
    free(owned);
    return st;
}

ols_status ols_trust_remove(const char *pin_file, const char *hostport, const char *pin,
                            ols_err *err)
{
    char *owned;
    const char *path = file_or_default(pin_file, &owned);
    cJSON *root, *pins, *list, *next;
    char key[TRUST_MAX_HOSTPORT + 1];
    ols_status st;
    int removed = 0;

    if (!path)
        return ols_err_set(err, OLS_ENOMEM, "no state folder for the pin file");
    if ((!hostport || !*hostport) && (!pin || !*pin)) {
        free(owned);
        return ols_err_set(err, OLS_EINVAL, "say which pin or which HOST:PORT to remove");
    }
    if (hostport && *hostport) {
        if (strlen(hostport) > TRUST_MAX_HOSTPORT) {
            free(owned);
            return ols_err_set(err, OLS_EINVAL, "HOST:PORT is too long");
        }
        key_of(key, sizeof key, hostport);
        hostport = key;
    }
    if ((st = load(path, &root, &pins, err)) != OLS_OK) {
        free(owned);
        return st;
    }
    for (list = pins->child; list; list = next) {
        cJSON *it, *inext;
        next = list->next;
        if (hostport && *hostport && (!list->string || strcmp(list->string, hostport)))
            continue;
        if (!pin || !*pin) { /* every pin of this host */
            removed += cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 1;
            cJSON_Delete(cJSON_DetachItemViaPointer(pins, list));
            continue;
        }
        for (it = cJSON_IsArray(list) ? list->child : NULL; it; it = inext) {
            inext = it->next;
            if (cJSON_IsString(it) && !strcmp(it->valuestring, pin)) {
                cJSON_Delete(cJSON_DetachItemViaPointer(list, it));
                removed++;
            }
        }
        if (cJSON_IsArray(list) && cJSON_GetArraySize(list) == 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(pins, list));
    }
    if (!removed)
        st = ols_err_set(err, OLS_ENOENT, "no pin matches %s%s%s", hostport ? hostport : "",
                         hostport && pin ? " " : "", pin ? pin : "");
    else
        st = save(path, root, err);
    cJSON_Delete(root);
    free(owned);
    return st;
}

ols_status ols_trust_list(const char *pin_file,
                          int (*cb)(void *ctx, const char *hostport, const char *pin), void *ctx,
                          ols_err *err)
{
    char *owned;
    const char *path = file_or_default(pin_file, &owned);
    cJSON *root, *pins, *list, *it;
    ols_status st;

    if (!path)
        return ols_err_set(err, OLS_ENOMEM, "no state folder for the pin file");
    st = load(path, &root, &pins, err);
    free(owned);
    if (st != OLS_OK)
        return st;
    cJSON_ArrayForEach(list, pins) {
        if (!cJSON_IsArray(list) || !list->string)
            continue;
        cJSON_ArrayForEach(it, list) {
            if (cJSON_IsString(it) && cb(ctx, list->string, it->valuestring))
                goto done;
        }
    }
done:
    cJSON_Delete(root);
    return OLS_OK;
}

int net_trust_has(const char *pin_file, const char *hostport, const char *pin)
{
    char *owned;
    const char *path = file_or_default(pin_file, &owned);
    cJSON *root, *pins, *list, *it;
    char key[TRUST_MAX_HOSTPORT + 1];
    ols_err err = {0};
    int found = 0;

    if (!path || load(path, &root, &pins, &err) != OLS_OK) {
        if (path)
            OLS_LOG_WARN("net", "%s", err.msg);
        free(owned);
        return 0;
    }
    free(owned);
    key_of(key, sizeof key, hostport);
    list = cJSON_GetObjectItemCaseSensitive(pins, key);
    cJSON_ArrayForEach(it, list) {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, pin))
            found = 1;
    }
    cJSON_Delete(root);
    return found;
}
