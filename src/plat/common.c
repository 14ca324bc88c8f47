/* Platform-layer pieces that are the same on every OS, built on the per-OS primitives. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plat.h"

ols_status ols_file_read_all(const char *path, size_t max, char **buf, size_t *len, ols_err *err)
{
    FILE *f = ols_fopen(path, "rb");
    char *b = NULL;
    size_t cap = 0, used = 0;
    if (!f) {
        int e = errno;
        return ols_err_set(err, e == ENOENT ? OLS_ENOENT : OLS_EIO, "cannot open %s: %s", path,
                           strerror(e));
    }
    for (;;) {
        size_t got;
        if (used + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = realloc(b, ncap);
            if (!nb) {
                free(b);
                fclose(f);
                return ols_err_set(err, OLS_ENOMEM, "out of memory reading %s", path);
            }
            b = nb;
            cap = ncap;
        }
        got = fread(b + used, 1, cap - used - 1, f);
        used += got;
        if (used > max) {
            free(b);
            fclose(f);
            return ols_err_set(err, OLS_ERANGE, "%s is larger than %zu bytes", path, max);
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(b);
        fclose(f);
        return ols_err_set(err, OLS_EIO, "cannot read %s", path);
    }
    fclose(f);
    b[used] = '\0';
    *buf = b;
    if (len)
        *len = used;
    return OLS_OK;
}

char *ols_path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *r = malloc(la + lb + 2);
    if (!r)
        return NULL;
    memcpy(r, a, la);
    if (la && a[la - 1] != '/' && a[la - 1] != ols_path_sep())
        r[la++] = ols_path_sep();
    memcpy(r + la, b, lb + 1);
    return r;
}

int ols_secret_name_ok(const char *name)
{
    const char *p;
    if (!name || !*name || strlen(name) > 128 || name[0] == '.')
        return 0;
    for (p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-' || *p == '@'))
            return 0;
    return 1;
}

/* <state dir>/secrets/<name> (".dpapi" on Windows, where the file holds a DPAPI blob). */
char *ols_secret_path(const char *name, int create_dir, ols_err *err)
{
#ifdef _WIN32
    static const char suffix[] = ".dpapi";
#else
    static const char suffix[] = "";
#endif
    char *state = ols_dir_state(), *dir, *file, *path;
    if (!state)
        return NULL;
    dir = ols_path_join(state, "secrets");
    free(state);
    if (!dir)
        return NULL;
    if (create_dir && ols_mkdir_p(dir, err) != OLS_OK) {
        free(dir);
        return NULL;
    }
    file = malloc(strlen(name) + sizeof suffix);
    if (!file) {
        free(dir);
        return NULL;
    }
    strcpy(file, name);
    strcat(file, suffix);
    path = ols_path_join(dir, file);
    free(dir);
    free(file);
    return path;
}

ols_status ols_secret_delete(const char *name, ols_err *err)
{
    char *path;
    ols_status st;
    if (!ols_secret_name_ok(name))
        return ols_err_set(err, OLS_EINVAL, "invalid secret name");
    path = ols_secret_path(name, 0, err);
    if (!path)
        return OLS_ENOMEM;
    st = ols_file_remove(path);
    free(path);
    return st;
}
