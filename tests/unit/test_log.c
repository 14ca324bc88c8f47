/* Logging: levels, redaction, protocol-trace masking, rotation, expiry, support zip, clear. */
#include <time.h>
#include <zlib.h>

#include "olsync/log.h"
#include "t.h"

static char *g_dir;

static char *today_file(unsigned part)
{
    char name[64], day[16];
    struct tm tm;
    ols_localtime(time(NULL), &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    if (part)
        snprintf(name, sizeof name, "olsync-%s.%u.log", day, part);
    else
        snprintf(name, sizeof name, "olsync-%s.log", day);
    return ols_path_join(g_dir, name);
}

static char *read_today(void)
{
    char *p = today_file(0), *buf = NULL;
    ols_file_read_all(p, 64 << 20, &buf, NULL, NULL);
    free(p);
    return buf ? buf : strdup("");
}

static void open_log(ols_log_level lvl, int trace, uint64_t file_cap, uint64_t total_cap,
                     unsigned keep)
{
    ols_log_config c = {g_dir, lvl, keep, file_cap, total_cap, 0, trace};
    ols_err err = {0};
    OK(ols_log_open(&c, &err) == OLS_OK, "open: %s", err.msg);
}

static void test_levels(void)
{
    char *t;
    open_log(OLS_LOG_INFO, 0, 0, 0, 0);
    OLS_LOG_INFO("core", "info line %d", 1);
    OLS_LOG_DEBUG("core", "debug line %d", 2);
    OLS_LOG_ERR("core", "error line %d", 3);
    ols_log_set_level(OLS_LOG_NONE);
    OLS_LOG_ERR("core", "silenced %d", 4);
    t = read_today();
    OK(strstr(t, "info line 1") != NULL, "info written");
    OK(strstr(t, "[core] error line 3") != NULL, "error written with channel");
    OK(strstr(t, "debug line 2") == NULL, "debug filtered at info level");
    OK(strstr(t, "silenced") == NULL, "level none writes nothing");
    free(t);
    OK(ols_log_level_parse("warning") == OLS_LOG_WARNING, "parse");
    OK(ols_log_level_parse("loud") == -1, "bad level name");
}

static void test_redaction(void)
{
    char *t;
    open_log(OLS_LOG_DEBUG, 0, 0, 0, 0);
    ols_log_add_secret("S3cr3t-pa55");
    OLS_LOG_ERR("imap", "login failed for alice with S3cr3t-pa55 (twice: S3cr3t-pa55)");
    OLS_LOG_DEBUG("imap", "injected\nfake line 2026-01-01 ERROR");
    t = read_today();
    OK(strstr(t, "S3cr3t-pa55") == NULL, "password never written");
    OK(strstr(t, "with ******** (twice: ********)") != NULL, "password masked in place");
    OK(strstr(t, "injected?fake line") != NULL, "control characters cannot start a new line");
    free(t);
    ols_log_forget_secrets();
}

static void test_data_trace(void)
{
    static const char conv[] = "a1 LOGIN alice hunter22\r\n"
                               "a2 AUTHENTICATE PLAIN AGFsaWNlAGh1bnRlcjIy\r\n"
                               "PASS hunter22\r\n"
                               "a3 FETCH 1 BODY[]\r\n";
    static const char body[] = "Subject: private body text\r\n";
    char *t;

    open_log(OLS_LOG_INFO, 1, 0, 0, 0);
    ols_log_data("imap", "S<", body, sizeof body - 1);
    t = read_today();
    OK(strstr(t, "private body text") == NULL, "no message content below debug");
    free(t);

    open_log(OLS_LOG_DEBUG, 0, 0, 0, 0);
    ols_log_data("imap", "S<", body, sizeof body - 1);
    t = read_today();
    OK(strstr(t, "private body text") == NULL, "no trace unless data tracing is on");
    free(t);

    open_log(OLS_LOG_DEBUG, 1, 0, 0, 0);
    ols_log_data("imap", "C>", conv, sizeof conv - 1);
    ols_log_data("imap", "S<", body, sizeof body - 1);
    t = read_today();
    OK(strstr(t, "hunter22") == NULL, "LOGIN/PASS password masked");
    OK(strstr(t, "AGFsaWNlAGh1bnRlcjIy") == NULL, "SASL initial response masked");
    OK(strstr(t, "a1 LOGIN alice ********") != NULL, "user kept, password masked");
    OK(strstr(t, "a3 FETCH 1 BODY[]") != NULL, "ordinary commands traced");
    OK(strstr(t, "private body text") != NULL, "content traced at debug with tracing on");
    free(t);
}

static void test_rotation_and_cap(void)
{
    int i;
    uint64_t total = 0, sz = 0;
    char *p;
    ols_err err = {0};
    OK(ols_log_clear(&err) == OLS_OK, "clear: %s", err.msg);
    open_log(OLS_LOG_INFO, 0, 2000, 7000, 0);
    for (i = 0; i < 400; i++)
        OLS_LOG_INFO("sync", "line %04d with some padding to fill the file up quickly", i);
    {
        int parts = 0;
        for (i = 1; i < 40; i++) {
            p = today_file((unsigned)i);
            parts += ols_file_stat(p, NULL, NULL) == OLS_OK;
            free(p);
        }
        OK(parts >= 2, "rolled over to new parts (%d)", parts);
        p = today_file(0);
        OK(ols_file_stat(p, NULL, NULL) == OLS_ENOENT, "oldest part removed by the total cap");
        free(p);
    }
    for (i = 0; i < 40; i++) {
        p = today_file((unsigned)i);
        if (ols_file_stat(p, &sz, NULL) == OLS_OK) {
            OK(sz <= 2000 + 200, "part %d is %llu bytes", i, (unsigned long long)sz);
            total += sz;
        }
        free(p);
    }
    OK(total <= 7000 + 2200, "total %llu bytes within the cap", (unsigned long long)total);
    {
        char *t = NULL, *last = NULL;
        /* the newest line survives: the cap removes the oldest parts */
        for (i = 39; i >= 0 && !last; i--) {
            p = today_file((unsigned)i);
            if (ols_file_read_all(p, 1 << 20, &t, NULL, NULL) == OLS_OK)
                last = t;
            free(p);
        }
        OK(last && strstr(last, "line 0399") != NULL, "newest line kept");
        free(last);
    }
}

static void touch(const char *name, const char *text)
{
    char *p = ols_path_join(g_dir, name);
    ols_file_write_atomic(p, text, strlen(text), 0, NULL);
    free(p);
}

static int exists(const char *name)
{
    char *p = ols_path_join(g_dir, name);
    int r = ols_file_stat(p, NULL, NULL) == OLS_OK;
    free(p);
    return r;
}

static void day_name(int days_ago, char *out, size_t n)
{
    struct tm tm;
    char day[16];
    ols_localtime(time(NULL) - (time_t)days_ago * 86400, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(out, n, "olsync-%s.log", day);
}

static void test_expiry(void)
{
    char recent[64], old[64];
    ols_err err = {0};
    ols_log_close();
    day_name(3, recent, sizeof recent);
    day_name(30, old, sizeof old);
    touch(recent, "recent\n");
    touch(old, "old\n");
    touch("olsync-2019-02-03.2.log", "ancient part\n");
    touch("notes.txt", "not a log\n");
    open_log(OLS_LOG_INFO, 0, 0, 0, 7);
    OK(!exists(old), "30-day-old log deleted");
    OK(!exists("olsync-2019-02-03.2.log"), "old part deleted");
    OK(exists(recent), "3-day-old log kept");
    OK(exists("notes.txt"), "foreign file untouched");
    OK(ols_log_purge(&err) == OLS_OK, "purge: %s", err.msg);
}

/* ---- a small ZIP reader to check the support bundle ---- */
static unsigned rd16(const unsigned char *p) { return p[0] | (p[1] << 8); }
static unsigned long rd32(const unsigned char *p)
{
    return rd16(p) | ((unsigned long)rd16(p + 2) << 16);
}

/* Returns the inflated member `name` (malloc'd) or NULL; checks CRC. */
static char *zip_member(const unsigned char *z, size_t zlen, const char *name, int *count)
{
    size_t i;
    unsigned long cd, n, k;
    const unsigned char *e = NULL;
    for (i = zlen >= 22 ? zlen - 22 : 0; i > 0 || i == 0; i--) {
        if (rd32(z + i) == 0x06054b50) {
            e = z + i;
            break;
        }
        if (i == 0)
            break;
    }
    if (!e)
        return NULL;
    n = rd16(e + 10);
    cd = rd32(e + 16);
    *count = (int)n;
    for (k = 0; k < n && cd + 46 <= zlen; k++) {
        const unsigned char *c = z + cd;
        unsigned nl = rd16(c + 28), xl = rd16(c + 30), cl = rd16(c + 32);
        unsigned long csize = rd32(c + 20), usize = rd32(c + 24), off = rd32(c + 42);
        if (rd32(c) != 0x02014b50)
            return NULL;
        if (nl == strlen(name) && !memcmp(c + 46, name, nl)) {
            const unsigned char *l = z + off;
            const unsigned char *data = l + 30 + rd16(l + 26) + rd16(l + 28);
            char *out = malloc(usize + 1);
            z_stream s;
            memset(&s, 0, sizeof s);
            inflateInit2(&s, -15);
            s.next_in = (Bytef *)data;
            s.avail_in = (uInt)csize;
            s.next_out = (Bytef *)out;
            s.avail_out = (uInt)usize;
            if (inflate(&s, Z_FINISH) != Z_STREAM_END ||
                crc32(0, (Bytef *)out, (uInt)usize) != rd32(c + 16)) {
                inflateEnd(&s);
                free(out);
                return NULL;
            }
            inflateEnd(&s);
            out[usize] = '\0';
            return out;
        }
        cd += 46 + nl + xl + cl;
    }
    return NULL;
}

static void test_support_zip(void)
{
    char *zpath = ols_path_join(g_dir, "support.zip"), *zbuf = NULL, *m, *t;
    char recent[64], older[64];
    size_t zlen = 0;
    int count = 0;
    ols_err err = {0};

    OK(ols_log_clear(&err) == OLS_OK, "clear: %s", err.msg);
    day_name(1, recent, sizeof recent);
    day_name(5, older, sizeof older);
    touch(recent, "yesterday's line\n");
    touch(older, "five days ago\n");
    open_log(OLS_LOG_INFO, 0, 0, 0, 30);
    OLS_LOG_INFO("ui", "line for support");
    OK(ols_log_support_zip(zpath, 2, &err) == OLS_OK, "zip: %s", err.msg);
    OK(ols_file_read_all(zpath, 64 << 20, &zbuf, &zlen, NULL) == OLS_OK, "read zip");
    t = read_today();
    {
        char *tn = today_file(0), *base = strrchr(tn, ols_path_sep());
        m = zip_member((unsigned char *)zbuf, zlen, base + 1, &count);
        OK(m && !strcmp(m, t), "today's log in the zip, byte for byte");
        free(m);
        free(tn);
    }
    m = zip_member((unsigned char *)zbuf, zlen, recent, &count);
    OK(m && !strcmp(m, "yesterday's line\n"), "yesterday's log in the zip");
    free(m);
    m = zip_member((unsigned char *)zbuf, zlen, older, &count);
    OK(m == NULL, "older logs left out of a two-day bundle");
    OK(count == 2, "two members, got %d", count);
    free(t);
    free(zbuf);
    OK(ols_log_support_zip("/nonexistent-dir/x/y.zip", 2, &err) != OLS_OK,
       "an unwritable target is an error");
    free(zpath);
}

static void test_clear(void)
{
    ols_err err = {0};
    char *t;
    int logs;
    OK(ols_log_clear(&err) == OLS_OK, "clear: %s", err.msg);
    OK(exists("support.zip") && exists("notes.txt"), "clear leaves other files alone");
    logs = t_count_files(g_dir);
    OK(logs <= 2, "only non-log files left (%d)", logs); /* notes.txt and support.zip */
    OLS_LOG_INFO("ui", "after clear");
    t = read_today();
    OK(strstr(t, "after clear") && !strstr(t, "line for support"), "fresh file after clear");
    free(t);
}

int main(void)
{
    g_dir = t_scratch("log");
    test_levels();
    test_redaction();
    test_data_trace();
    test_rotation_and_cap();
    test_expiry();
    test_support_zip();
    test_clear();
    ols_log_close();
    free(g_dir);
    return T_DONE();
}
