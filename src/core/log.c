/* Process-wide logger: daily files with parts, expiry, secret redaction, support zip. */
#include "olsync/log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plat/plat.h"
#include "zipw.h"

#define MAX_SECRETS 32
#define LINE_MAX_BYTES 8192
#define DEFAULT_FILE_CAP (10ull * 1024 * 1024)
#define DEFAULT_TOTAL_CAP (100ull * 1024 * 1024)
#define MASK "********"

static struct {
    ols_mutex *lock;
    char *dir;
    ols_log_level level;
    unsigned keep_days;
    uint64_t file_cap, total_cap;
    int to_stderr, data_trace;
    FILE *f;
    char day[11];   /* YYYY-MM-DD of the open file */
    unsigned part;  /* 0 = olsync-DAY.log, n = olsync-DAY.n.log */
    uint64_t size;
    char *secrets[MAX_SECRETS];
    unsigned nsecrets;
} L = {NULL, NULL, OLS_LOG_INFO, 0, DEFAULT_FILE_CAP, DEFAULT_TOTAL_CAP, 1, 0, NULL, "", 0, 0, {0}, 0};

static atomic_int init_state; /* 0 none, 1 in progress, 2 ready */
static _Atomic int cur_level = OLS_LOG_INFO;

static void ensure_lock(void)
{
    int expect = 0;
    if (atomic_load(&init_state) == 2)
        return;
    if (atomic_compare_exchange_strong(&init_state, &expect, 1)) {
        L.lock = ols_mutex_new();
        atomic_store(&init_state, 2);
        return;
    }
    while (atomic_load(&init_state) != 2)
        ols_sleep_ms(1);
}

static const char *const level_names[] = {"none", "error", "warning", "info", "debug"};

const char *ols_log_level_name(ols_log_level lvl)
{
    return (unsigned)lvl <= OLS_LOG_DEBUG ? level_names[lvl] : "?";
}

int ols_log_level_parse(const char *s)
{
    int i;
    for (i = 0; i <= OLS_LOG_DEBUG; i++)
        if (s && !strcmp(s, level_names[i]))
            return i;
    return -1;
}

void ols_log_set_level(ols_log_level lvl) { atomic_store(&cur_level, (int)lvl); }
ols_log_level ols_log_get_level(void) { return (ols_log_level)atomic_load(&cur_level); }

/* ---- file names: olsync-YYYY-MM-DD.log and olsync-YYYY-MM-DD.N.log ---- */
static int parse_name(const char *name, char day[11], unsigned *part)
{
    unsigned n = 0;
    const char *p;
    int i;
    if (strncmp(name, "olsync-", 7) != 0)
        return 0;
    p = name + 7;
    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (p[i] != '-')
                return 0;
        } else if (!isdigit((unsigned char)p[i])) {
            return 0;
        }
    }
    memcpy(day, p, 10);
    day[10] = '\0';
    p += 10;
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        p++;
        while (isdigit((unsigned char)*p) && n < 100000)
            n = n * 10 + (unsigned)(*p++ - '0');
    }
    if (strcmp(p, ".log") != 0)
        return 0;
    *part = n;
    return 1;
}

static void day_of(time_t t, char out[11])
{
    struct tm tm;
    ols_localtime(t, &tm);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

static char *file_path(const char *day, unsigned part)
{
    char name[64];
    if (part)
        snprintf(name, sizeof name, "olsync-%s.%u.log", day, part);
    else
        snprintf(name, sizeof name, "olsync-%s.log", day);
    return ols_path_join(L.dir, name);
}

struct logfile {
    char name[64];
    char day[11];
    unsigned part;
    uint64_t size;
};
struct filelist {
    struct logfile *v;
    size_t n, cap;
};

static int collect_cb(void *ctx, const char *name)
{
    struct filelist *fl = ctx;
    struct logfile lf;
    char *path;
    if (strlen(name) >= sizeof lf.name || !parse_name(name, lf.day, &lf.part))
        return 0;
    strcpy(lf.name, name);
    path = ols_path_join(L.dir, name);
    lf.size = 0;
    if (path)
        ols_file_stat(path, &lf.size, NULL);
    free(path);
    if (fl->n == fl->cap) {
        size_t nc = fl->cap ? fl->cap * 2 : 32;
        struct logfile *nv = realloc(fl->v, nc * sizeof *nv);
        if (!nv)
            return 1;
        fl->v = nv;
        fl->cap = nc;
    }
    fl->v[fl->n++] = lf;
    return 0;
}

static int lf_cmp(const void *a, const void *b)
{
    const struct logfile *x = a, *y = b;
    int c = strcmp(x->day, y->day);
    if (c)
        return c;
    return x->part < y->part ? -1 : x->part > y->part;
}

static void list_files(struct filelist *fl)
{
    fl->v = NULL;
    fl->n = fl->cap = 0;
    if (L.dir)
        ols_dir_list(L.dir, collect_cb, fl);
    if (fl->n)
        qsort(fl->v, fl->n, sizeof *fl->v, lf_cmp);
}

static int is_current(const struct logfile *lf)
{
    return L.f && !strcmp(lf->day, L.day) && lf->part == L.part;
}

/* Caller holds the lock. */
static void purge_locked(void)
{
    struct filelist fl;
    size_t i;
    uint64_t total = 0;
    char oldest[11];
    list_files(&fl);
    if (L.keep_days)
        day_of(time(NULL) - (time_t)L.keep_days * 86400, oldest);
    for (i = 0; i < fl.n; i++) {
        if (L.keep_days && strcmp(fl.v[i].day, oldest) < 0 && !is_current(&fl.v[i])) {
            char *p = ols_path_join(L.dir, fl.v[i].name);
            if (p && ols_file_remove(p) == OLS_OK)
                fl.v[i].size = 0, fl.v[i].name[0] = '\0';
            free(p);
        }
        total += fl.v[i].size;
    }
    for (i = 0; i < fl.n && total > L.total_cap; i++) {
        char *p;
        if (!fl.v[i].name[0] || is_current(&fl.v[i]))
            continue;
        p = ols_path_join(L.dir, fl.v[i].name);
        if (p && ols_file_remove(p) == OLS_OK)
            total -= fl.v[i].size;
        free(p);
    }
    free(fl.v);
}

/* Caller holds the lock. Opens today's file, rolling to a new part past the cap. */
static void open_current(void)
{
    char today[11];
    day_of(time(NULL), today);
    if (L.f && !strcmp(today, L.day) && L.size < L.file_cap)
        return;
    if (L.f) {
        fclose(L.f);
        L.f = NULL;
    }
    if (!L.dir)
        return;
    if (strcmp(today, L.day) != 0) {
        /* new day (or first open): continue the highest existing part of today */
        struct filelist fl;
        size_t i;
        strcpy(L.day, today);
        L.part = 0;
        list_files(&fl);
        for (i = 0; i < fl.n; i++)
            if (!strcmp(fl.v[i].day, today) && fl.v[i].part > L.part)
                L.part = fl.v[i].part;
        free(fl.v);
        purge_locked();
    }
    for (;;) {
        char *path = file_path(L.day, L.part);
        uint64_t sz = 0;
        if (!path)
            return;
        if (ols_file_stat(path, &sz, NULL) == OLS_OK && sz >= L.file_cap) {
            free(path);
            L.part++;
            continue;
        }
        L.f = ols_fopen(path, "ab");
        free(path);
        L.size = sz;
        if (L.part > 0 && L.total_cap)
            purge_locked();
        return;
    }
}

ols_status ols_log_open(const ols_log_config *cfg, ols_err *err)
{
    ols_status st = OLS_OK;
    ensure_lock();
    ols_mutex_lock(L.lock);
    if (L.f) {
        fclose(L.f);
        L.f = NULL;
    }
    free(L.dir);
    L.dir = NULL;
    L.day[0] = '\0';
    L.part = 0;
    L.level = cfg->level;
    L.keep_days = cfg->keep_days;
    L.file_cap = cfg->max_file_bytes ? cfg->max_file_bytes : DEFAULT_FILE_CAP;
    L.total_cap = cfg->max_total_bytes ? cfg->max_total_bytes : DEFAULT_TOTAL_CAP;
    L.to_stderr = cfg->to_stderr;
    L.data_trace = cfg->data_trace;
    atomic_store(&cur_level, (int)cfg->level);
    if (cfg->dir) {
        st = ols_mkdir_p(cfg->dir, err);
        if (st == OLS_OK) {
            L.dir = strdup(cfg->dir);
            open_current();
            if (!L.f)
                st = ols_err_set(err, OLS_EIO, "cannot open a log file in %s", cfg->dir);
        }
    }
    ols_mutex_unlock(L.lock);
    return st;
}

void ols_log_close(void)
{
    ensure_lock();
    ols_mutex_lock(L.lock);
    if (L.f)
        fclose(L.f);
    L.f = NULL;
    free(L.dir);
    L.dir = NULL;
    L.day[0] = '\0';
    ols_mutex_unlock(L.lock);
}

char *ols_log_dir(void)
{
    char *d;
    ensure_lock();
    ols_mutex_lock(L.lock);
    d = L.dir ? strdup(L.dir) : NULL;
    ols_mutex_unlock(L.lock);
    return d;
}

void ols_log_add_secret(const char *s)
{
    unsigned i;
    if (!s || strlen(s) < 1)
        return;
    ensure_lock();
    ols_mutex_lock(L.lock);
    for (i = 0; i < L.nsecrets; i++)
        if (!strcmp(L.secrets[i], s))
            goto out;
    if (L.nsecrets == MAX_SECRETS) { /* forget the oldest */
        ols_secret_free(L.secrets[0]);
        memmove(L.secrets, L.secrets + 1, (MAX_SECRETS - 1) * sizeof *L.secrets);
        L.nsecrets--;
    }
    L.secrets[L.nsecrets] = strdup(s);
    if (L.secrets[L.nsecrets])
        L.nsecrets++;
out:
    ols_mutex_unlock(L.lock);
}

void ols_log_forget_secrets(void)
{
    unsigned i;
    ensure_lock();
    ols_mutex_lock(L.lock);
    for (i = 0; i < L.nsecrets; i++)
        ols_secret_free(L.secrets[i]);
    L.nsecrets = 0;
    ols_mutex_unlock(L.lock);
}

/* Replace each registered secret in buf (in place, bounded by cap). Caller holds the lock. */
static void redact(char *buf, size_t cap)
{
    unsigned i;
    for (i = 0; i < L.nsecrets; i++) {
        const char *s = L.secrets[i];
        size_t sl = strlen(s), ml = sizeof MASK - 1;
        char *p = buf;
        while ((p = strstr(p, s)) != NULL) {
            size_t tail = strlen(p + sl);
            if ((size_t)(p - buf) + ml + tail + 1 > cap)
                tail = cap - (size_t)(p - buf) - ml - 1;
            memmove(p + ml, p + sl, tail);
            p[ml + tail] = '\0';
            memcpy(p, MASK, ml);
            p += ml;
        }
    }
}

/* Control characters from the network must not forge log lines. */
static void defang(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t')
            *s = '?';
}

static void emit(const char *channel, ols_log_level lvl, const char *msg)
{
    char line[LINE_MAX_BYTES + 128];
    struct tm tm;
    int64_t now = ols_wall_ms();
    int n;

    ols_localtime((time_t)(now / 1000), &tm);
    n = snprintf(line, sizeof line, "%04d-%02d-%02d %02d:%02d:%02d.%03d %-7s [%s] %s",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(now % 1000), level_names[lvl], channel ? channel : "-", msg);
    if (n < 0)
        return;
    ensure_lock();
    ols_mutex_lock(L.lock);
    redact(line, sizeof line - 1);
    n = (int)strlen(line);
    line[n++] = '\n';
    line[n] = '\0';
    if (L.dir) {
        open_current();
        if (L.f && fwrite(line, 1, (size_t)n, L.f) == (size_t)n) {
            fflush(L.f);
            L.size += (uint64_t)n;
        }
    }
    if (L.to_stderr && lvl <= OLS_LOG_WARNING)
        fputs(line, stderr);
    ols_mutex_unlock(L.lock);
}

void ols_log(const char *channel, ols_log_level lvl, const char *fmt, ...)
{
    char msg[LINE_MAX_BYTES];
    va_list ap;
    if (lvl == OLS_LOG_NONE || (int)lvl > atomic_load(&cur_level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    defang(msg);
    emit(channel, lvl, msg);
}

/* ---- protocol traces ---- */
static int ieq_word(const char *p, const char *w)
{
    size_t n = strlen(w);
    size_t i;
    for (i = 0; i < n; i++)
        if (toupper((unsigned char)p[i]) != w[i])
            return 0;
    return p[n] == ' ' || p[n] == '\0';
}

static const char *skip_word(const char *p)
{
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    return p;
}

static int looks_base64(const char *p)
{
    size_t n = 0;
    for (; *p; p++, n++)
        if (!(isalnum((unsigned char)*p) || *p == '+' || *p == '/' || *p == '='))
            return 0;
    return n >= 4;
}

/* Mask credentials in one client line: IMAP "tag LOGIN u p", "tag AUTHENTICATE M ir",
 * POP3 "PASS p", "APOP u d", ManageSieve "AUTHENTICATE "M" "ir"", and bare SASL replies. */
static void mask_line(char *line)
{
    char *p = line, *cmd;
    if (ieq_word(p, "PASS")) {
        p = (char *)skip_word(p);
        strcpy(p, MASK);
        return;
    }
    if (ieq_word(p, "AUTHENTICATE")) {
        cmd = p;
        goto auth;
    }
    if (looks_base64(p)) {
        strcpy(p, MASK);
        return;
    }
    cmd = (char *)skip_word(p); /* skip the IMAP tag */
    if (ieq_word(cmd, "LOGIN")) {
        char *u = (char *)skip_word(cmd);
        char *pw = (char *)skip_word(u);
        if (*pw)
            strcpy(pw, MASK);
        else if (*u)
            strcpy(u, MASK);
        return;
    }
    if (!ieq_word(cmd, "AUTHENTICATE"))
        return;
auth : {
    char *mech = (char *)skip_word(cmd);
    char *ir = (char *)skip_word(mech);
    if (*ir)
        strcpy(ir, MASK);
}
}

void ols_log_data(const char *channel, const char *dir, const void *buf, size_t len)
{
    char msg[LINE_MAX_BYTES];
    const char *s = buf, *end = s + len;
    int trace;
    ensure_lock();
    ols_mutex_lock(L.lock);
    trace = L.data_trace;
    ols_mutex_unlock(L.lock);
    if (!trace || atomic_load(&cur_level) < OLS_LOG_DEBUG)
        return;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = (size_t)((nl ? nl : end) - s);
        size_t keep = n < 1024 ? n : 1024;
        int c;
        c = snprintf(msg, sizeof msg, "%s ", dir ? dir : "");
        if (c < 0)
            return;
        memcpy(msg + c, s, keep);
        msg[c + keep] = '\0';
        if (keep && msg[c + keep - 1] == '\r')
            msg[c + keep - 1] = '\0';
        if (dir && dir[0] == 'C')
            mask_line(msg + c);
        if (n > keep)
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " ...(%zu bytes)", n);
        defang(msg);
        emit(channel ? channel : "data", OLS_LOG_DEBUG, msg);
        s += n + (nl ? 1 : 0);
    }
}

/* ---- maintenance ---- */
ols_status ols_log_purge(ols_err *err)
{
    ensure_lock();
    ols_mutex_lock(L.lock);
    if (!L.dir) {
        ols_mutex_unlock(L.lock);
        return ols_err_set(err, OLS_EINVAL, "logging to files is off");
    }
    purge_locked();
    ols_mutex_unlock(L.lock);
    return OLS_OK;
}

ols_status ols_log_support_zip(const char *out_zip, unsigned days, ols_err *err)
{
    struct filelist fl;
    ols_zipw *z = NULL;
    ols_status st;
    char first[11];
    size_t i;
    unsigned added = 0;

    ensure_lock();
    ols_mutex_lock(L.lock);
    if (!L.dir) {
        ols_mutex_unlock(L.lock);
        return ols_err_set(err, OLS_EINVAL, "logging to files is off");
    }
    if (L.f)
        fflush(L.f);
    day_of(time(NULL) - (time_t)(days ? days - 1 : 0) * 86400, first);
    list_files(&fl);
    st = ols_zipw_open(out_zip, &z, err);
    for (i = 0; st == OLS_OK && i < fl.n; i++) {
        char *path, *data = NULL;
        size_t len = 0;
        int64_t mt = 0;
        if (strcmp(fl.v[i].day, first) < 0)
            continue;
        path = ols_path_join(L.dir, fl.v[i].name);
        if (!path) {
            st = ols_err_set(err, OLS_ENOMEM, "out of memory");
            break;
        }
        ols_file_stat(path, NULL, &mt);
        st = ols_file_read_all(path, 512u * 1024 * 1024, &data, &len, err);
        free(path);
        if (st == OLS_OK)
            st = ols_zipw_add(z, fl.v[i].name, data, len, (time_t)mt, err);
        free(data);
        added++;
    }
    free(fl.v);
    ols_mutex_unlock(L.lock);
    if (z) {
        if (st == OLS_OK)
            st = ols_zipw_close(z, err);
        else
            ols_zipw_abort(z);
    }
    (void)added;
    return st;
}

ols_status ols_log_clear(ols_err *err)
{
    struct filelist fl;
    size_t i;
    ols_status st = OLS_OK;
    ensure_lock();
    ols_mutex_lock(L.lock);
    if (!L.dir) {
        ols_mutex_unlock(L.lock);
        return ols_err_set(err, OLS_EINVAL, "logging to files is off");
    }
    if (L.f)
        fclose(L.f);
    L.f = NULL;
    list_files(&fl);
    for (i = 0; i < fl.n; i++) {
        char *p = ols_path_join(L.dir, fl.v[i].name);
        if (p && ols_file_remove(p) != OLS_OK && st == OLS_OK)
            st = ols_err_set(err, OLS_EIO, "cannot delete %s", fl.v[i].name);
        free(p);
    }
    free(fl.v);
    L.day[0] = '\0';
    L.part = 0;
    ols_mutex_unlock(L.lock);
    return st;
}
