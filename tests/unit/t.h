/* A tiny test harness: OK() checks, a scratch folder, and the closing summary line. */
#ifndef OLS_T_H
#define OLS_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat/plat.h"

static int t_pass, t_fail;

#define OK(cond, ...)                                                              \
    do {                                                                           \
        if (cond) {                                                                \
            t_pass++;                                                              \
        } else {                                                                   \
            t_fail++;                                                              \
            fprintf(stderr, "%s:%d: FAIL (%s): ", __FILE__, __LINE__, #cond);      \
            fprintf(stderr, __VA_ARGS__);                                          \
            fputc('\n', stderr);                                                   \
        }                                                                          \
    } while (0)

#define T_DONE()                                                                   \
    (printf("%d passed, %d failed\n", t_pass, t_fail), fflush(stdout), t_fail ? 1 : 0)

/* A fresh folder for this test run (malloc'd): TMPDIR or TEMP, plus a unique name. */
static inline char *t_scratch(const char *tag)
{
    const char *base = getenv("TMPDIR");
    char name[128], *dir;
    if (!base || !*base)
        base = getenv("TEMP");
    if (!base || !*base)
        base = "/tmp";
    snprintf(name, sizeof name, "olsync-test-%s-%llu-%llu", tag,
             (unsigned long long)ols_wall_ms(), (unsigned long long)ols_thread_self_id());
    dir = ols_path_join(base, name);
    if (!dir || ols_mkdir_p(dir, NULL) != OLS_OK) {
        fprintf(stderr, "cannot create scratch folder\n");
        exit(2);
    }
    return dir;
}

static inline int t_count_cb(void *ctx, const char *name)
{
    (void)name;
    (*(int *)ctx)++;
    return 0;
}

static inline int t_count_files(const char *dir)
{
    int n = 0;
    ols_dir_list(dir, t_count_cb, &n);
    return n;
}

#endif
