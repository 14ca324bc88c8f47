/* Runs the fuzz target over every file of a corpus folder without libFuzzer (any compiler),
 * so ctest keeps the seeds and the regressions found so far exercised. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plat/plat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *dir;
static int runs, bad;

static int one(void *ctx, const char *name)
{
    char *path = ols_path_join(dir, name), *buf = NULL;
    size_t len = 0;
    (void)ctx;
    if (!path || ols_file_read_all(path, 16u << 20, &buf, &len, NULL) != OLS_OK) {
        fprintf(stderr, "cannot read %s\n", path ? path : name);
        bad++;
    } else {
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len); /* traps on a finding */
        runs++;
    }
    free(buf);
    free(path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    if (ols_dir_list(dir, one, NULL) != OLS_OK || runs == 0) {
        fprintf(stderr, "no corpus in %s\n", dir);
        return 2;
    }
    printf("%d passed, %d failed\n", runs, bad);
    return bad ? 1 : 0;
}
