/* Modified UTF-7: '&' starts a base64 run of UTF-16 (',' for '/'), '-' ends it, "&-" is '&'. */
#include "olsync/mutf7.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

static int b64val(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

char *ols_mutf7_decode(const char *in, ols_err *err)
{
    size_t n = strlen(in);
    char *out = malloc(n * 3 + 1), *o = out; /* each input char yields at most 3 bytes */
    const char *p = in;
    if (!out) {
        ols_err_set(err, OLS_ENOMEM, "out of memory");
        return NULL;
    }
    while (*p) {
        uint32_t bits = 0, hi = 0;
        int nbits = 0, units = 0;
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            goto bad;
        if (*p != '&') {
            *o++ = *p++;
            continue;
        }
        p++;
        if (*p == '-') {
            *o++ = '&';
            p++;
            continue;
        }
        for (; *p && *p != '-'; p++) {
            int v = b64val(*p);
            if (v < 0)
                goto bad;
            bits = (bits << 6) | (uint32_t)v;
            nbits += 6;
            if (nbits >= 16) {
                uint32_t u = (bits >> (nbits - 16)) & 0xffff;
                nbits -= 16;
                units++;
                if (hi) {
                    if (u < 0xdc00 || u > 0xdfff)
                        goto bad;
                    o += put_utf8(o, 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00));
                    hi = 0;
                } else if (u >= 0xd800 && u <= 0xdbff) {
                    hi = u;
                } else if (u >= 0xdc00 && u <= 0xdfff) {
                    goto bad;
                } else {
                    /* printable ASCII must not be encoded */
                    if (u >= 0x20 && u <= 0x7e)
                        goto bad;
                    o += put_utf8(o, u);
                }
            }
        }
        if (*p != '-' || hi || units == 0 || (bits & ((1u << nbits) - 1)) != 0)
            goto bad;
        p++;
    }
    *o = '\0';
    return out;
bad:
    free(out);
    ols_err_set(err, OLS_EPARSE, "malformed modified UTF-7 name \"%.80s\"", in);
    return NULL;
}

/* Next code point from UTF-8, or -1 on malformed input. */
static long next_cp(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    long cp;
    int extra, i;
    if (p[0] < 0x80) {
        *pp = p + 1;
        return p[0];
    }
    if ((p[0] & 0xe0) == 0xc0) {
        cp = p[0] & 0x1f;
        extra = 1;
    } else if ((p[0] & 0xf0) == 0xe0) {
        cp = p[0] & 0x0f;
        extra = 2;
    } else if ((p[0] & 0xf8) == 0xf0) {
        cp = p[0] & 0x07;
        extra = 3;
    } else {
        return -1;
    }
    for (i = 1; i <= extra; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *pp = p + extra + 1;
    return cp;
}

char *ols_mutf7_encode(const char *in, ols_err *err)
{
    size_t n = strlen(in);
    char *out = malloc(n * 4 + 8), *o = out; /* worst case: every char a 4-byte code point */
    const unsigned char *p = (const unsigned char *)in;
    if (!out) {
        ols_err_set(err, OLS_ENOMEM, "out of memory");
        return NULL;
    }
    while (*p) {
        uint32_t bits = 0;
        int nbits = 0;
        if (*p >= 0x20 && *p <= 0x7e) {
            *o++ = (char)*p;
            if (*p++ == '&')
                *o++ = '-';
            continue;
        }
        *o++ = '&';
        while (*p && !(*p >= 0x20 && *p <= 0x7e)) {
            long cp = next_cp(&p);
            uint32_t units[2];
            int nu = 1, k;
            if (cp < 0x20 && cp >= 0) /* control characters have no place in a name */
                cp = -1;
            if (cp < 0) {
                free(out);
                ols_err_set(err, OLS_EPARSE, "folder name is not valid UTF-8");
                return NULL;
            }
            if (cp >= 0x10000) {
                units[0] = 0xd800 + (((uint32_t)cp - 0x10000) >> 10);
                units[1] = 0xdc00 + (((uint32_t)cp - 0x10000) & 0x3ff);
                nu = 2;
            } else {
                units[0] = (uint32_t)cp;
            }
            for (k = 0; k < nu; k++) {
                bits = (bits << 16) | units[k];
                nbits += 16;
                while (nbits >= 6) {
                    *o++ = b64[(bits >> (nbits - 6)) & 0x3f];
                    nbits -= 6;
                }
            }
        }
        if (nbits)
            *o++ = b64[(bits << (6 - nbits)) & 0x3f];
        *o++ = '-';
    }
    *o = '\0';
    return out;
}
