/* Minimal ZIP writer: local headers, deflated data, central directory (no ZIP64). */
#include "zipw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "plat/plat.h"

struct entry {
    char *name;
    uint32_t crc, csize, usize, offset;
    uint16_t dtime, ddate, method;
};

struct ols_zipw {
    FILE *f;
    char *path;
    struct entry *e;
    size_t n, cap;
    uint32_t off;
    int failed;
};

static void put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void dos_time(time_t t, uint16_t *dtime, uint16_t *ddate)
{
    struct tm tm;
    ols_localtime(t, &tm);
    if (tm.tm_year < 80) {
        *dtime = 0;
        *ddate = (1 << 5) | 1;
        return;
    }
    *dtime = (uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    *ddate = (uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

static int wr(ols_zipw *z, const void *p, size_t n)
{
    if (z->failed || fwrite(p, 1, n, z->f) != n) {
        z->failed = 1;
        return -1;
    }
    z->off += (uint32_t)n;
    return 0;
}

ols_status ols_zipw_open(const char *path, ols_zipw **out, ols_err *err)
{
    ols_zipw *z = calloc(1, sizeof *z);
    if (!z)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    z->path = strdup(path);
    z->f = z->path ? ols_fopen(path, "wb") : NULL;
    if (!z->f) {
        free(z->path);
        free(z);
        return ols_err_set(err, OLS_EIO, "cannot create %s", path);
    }
    *out = z;
    return OLS_OK;
}

ols_status ols_zipw_add(ols_zipw *z, const char *name, const void *data, size_t len, time_t mtime,
                        ols_err *err)
{
    struct entry *e;
    unsigned char h[30];
    size_t nl = strlen(name);
    uLongf clen;
    unsigned char *cbuf;
    z_stream zs;
    int zrc;

    if (len > 0x7fffffffu || z->off > 0x7fffffffu)
        return ols_err_set(err, OLS_ERANGE, "zip member %s too large", name);
    if (z->n == z->cap) {
        size_t ncap = z->cap ? z->cap * 2 : 16;
        struct entry *ne = realloc(z->e, ncap * sizeof *ne);
        if (!ne)
            return ols_err_set(err, OLS_ENOMEM, "out of memory");
        z->e = ne;
        z->cap = ncap;
    }
    e = &z->e[z->n];
    memset(e, 0, sizeof *e);
    e->name = strdup(name);
    if (!e->name)
        return ols_err_set(err, OLS_ENOMEM, "out of memory");

    /* raw deflate (windowBits -15), as the ZIP format wants */
    clen = compressBound((uLong)len) + 64;
    cbuf = malloc(clen);
    if (!cbuf) {
        free(e->name);
        return ols_err_set(err, OLS_ENOMEM, "out of memory");
    }
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(cbuf);
        free(e->name);
        return ols_err_set(err, OLS_ENOMEM, "deflateInit failed");
    }
    zs.next_in = (Bytef *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = cbuf;
    zs.avail_out = (uInt)clen;
    zrc = deflate(&zs, Z_FINISH);
    clen = zs.total_out;
    deflateEnd(&zs);
    if (zrc != Z_STREAM_END) {
        free(cbuf);
        free(e->name);
        return ols_err_set(err, OLS_EIO, "deflate failed for %s", name);
    }
    e->method = 8;
    e->crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), data, (uInt)len);
    e->csize = (uint32_t)clen;
    e->usize = (uint32_t)len;
    e->offset = z->off;
    dos_time(mtime, &e->dtime, &e->ddate);

    put32(h, 0x04034b50);
    put16(h + 4, 20);
    put16(h + 6, 0x0800); /* names are UTF-8 */
    put16(h + 8, e->method);
    put16(h + 10, e->dtime);
    put16(h + 12, e->ddate);
    put32(h + 14, e->crc);
    put32(h + 18, e->csize);
    put32(h + 22, e->usize);
    put16(h + 26, (uint16_t)nl);
    put16(h + 28, 0);
    wr(z, h, sizeof h);
    wr(z, name, nl);
    wr(z, cbuf, clen);
    free(cbuf);
    z->n++;
    if (z->failed)
        return ols_err_set(err, OLS_EIO, "cannot write %s (disk full?)", z->path);
    return OLS_OK;
}

static void zfree(ols_zipw *z)
{
    size_t i;
    for (i = 0; i < z->n; i++)
        free(z->e[i].name);
    free(z->e);
    free(z->path);
    free(z);
}

void ols_zipw_abort(ols_zipw *z)
{
    if (!z)
        return;
    fclose(z->f);
    ols_file_remove(z->path);
    zfree(z);
}

ols_status ols_zipw_close(ols_zipw *z, ols_err *err)
{
    uint32_t cd_start = z->off;
    unsigned char h[46], end[22];
    size_t i;
    for (i = 0; i < z->n; i++) {
        struct entry *e = &z->e[i];
        size_t nl = strlen(e->name);
        put32(h, 0x02014b50);
        put16(h + 4, 20);
        put16(h + 6, 20);
        put16(h + 8, 0x0800);
        put16(h + 10, e->method);
        put16(h + 12, e->dtime);
        put16(h + 14, e->ddate);
        put32(h + 16, e->crc);
        put32(h + 20, e->csize);
        put32(h + 24, e->usize);
        put16(h + 28, (uint16_t)nl);
        put16(h + 30, 0);
        put16(h + 32, 0);
        put16(h + 34, 0);
        put16(h + 36, 0);
        put32(h + 38, 0);
        put32(h + 42, e->offset);
        wr(z, h, sizeof h);
        wr(z, e->name, nl);
    }
    put32(end, 0x06054b50);
    put16(end + 4, 0);
    put16(end + 6, 0);
    put16(end + 8, (uint16_t)z->n);
    put16(end + 10, (uint16_t)z->n);
    put32(end + 12, z->off - cd_start);
    put32(end + 16, cd_start);
    put16(end + 20, 0);
    wr(z, end, sizeof end);
    if (fflush(z->f) != 0)
        z->failed = 1;
    if (fclose(z->f) != 0)
        z->failed = 1;
    if (z->failed) {
        ols_file_remove(z->path);
        ols_err_set(err, OLS_EIO, "cannot write %s (disk full?)", z->path);
        zfree(z);
        return OLS_EIO;
    }
    zfree(z);
    return OLS_OK;
}
