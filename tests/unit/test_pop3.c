/* POP3 stub: the session state machine through the pure feed API, then the reactor on sockets. */
#include <time.h>

#include "olsync/log.h"
#include "olsync/pool.h"
#include "pop3/pop3.h"
#include "t.h"

/* ================= the session, no sockets ================= */

static ols_pop3_out g_out;

/* Feeds text whole and returns every reply it produced (static, NUL-terminated). */
static const char *say(ols_pop3_session *s, const char *in)
{
    static char reply[64 * 1024];
    size_t len = strlen(in), off = 0, r = 0;
    int stalls = 0;
    while (off < len && stalls < 2) {
        size_t n = ols_pop3_session_feed(s, in + off, len - off, &g_out);
        off += n;
        stalls = n ? 0 : stalls + 1;
        if (r + g_out.len < sizeof reply) {
            memcpy(reply + r, g_out.buf, g_out.len);
            r += g_out.len;
        }
        g_out.len = 0; /* as if the socket took it all */
    }
    reply[r] = '\0';
    return reply;
}

static ols_pop3_session *new_session(void)
{
    ols_pop3_session *s = ols_pop3_session_new("alice", 1);
    g_out.len = 0;
    if (s)
        ols_pop3_session_greet(s, &g_out);
    g_out.len = 0; /* the greeting has its own test */
    return s;
}

static ols_pop3_session *logged_in(void)
{
    ols_pop3_session *s = new_session();
    g_out.len = 0;
    say(s, "USER alice\r\nPASS anything\r\n");
    return s;
}

static void test_greeting_and_capa(void)
{
    ols_pop3_session *s = ols_pop3_session_new("alice", 1);
    const char *r;
    g_out.len = 0;
    ols_pop3_session_greet(s, &g_out);
    OK(g_out.len == strlen("+OK olsync POP3 stub ready\r\n") &&
           !memcmp(g_out.buf, "+OK olsync POP3 stub ready\r\n", g_out.len),
       "greeting '%.*s'", (int)g_out.len, g_out.buf);
    g_out.len = 0;
    r = say(s, "CAPA\r\n");
    OK(!strncmp(r, "+OK", 3) && strstr(r, "\r\nUSER\r\n") && strstr(r, "\r\nUIDL\r\n") &&
           strstr(r, "\r\nTOP\r\n") && strstr(r, "\r\nIMPLEMENTATION olsync\r\n"),
       "CAPA before login: %s", r);
    OK(strlen(r) >= 5 && !strcmp(r + strlen(r) - 5, "\r\n.\r\n"), "CAPA ends with a dot line");
    OK(ols_pop3_session_state(s) == OLS_POP3_AUTH, "still in authorization");
    ols_pop3_session_free(s);
}

static void test_auth(void)
{
    ols_pop3_session *s = new_session();
    const char *r;
    r = say(s, "PASS secret\r\n");
    OK(!strncmp(r, "-ERR", 4), "PASS before USER: %s", r);
    r = say(s, "STAT\r\n");
    OK(!strncmp(r, "-ERR", 4), "STAT before login: %s", r);
    r = say(s, "USER bob\r\n");
    OK(!strcmp(r, "-ERR unknown user\r\n"), "unknown user: %s", r);
    r = say(s, "USER ALICE\r\n");
    OK(!strncmp(r, "-ERR", 4), "user names compare case-sensitively: %s", r);
    r = say(s, "PASS secret\r\n");
    OK(!strncmp(r, "-ERR", 4), "PASS after a refused USER: %s", r);
    OK(ols_pop3_session_state(s) == OLS_POP3_AUTH, "not logged in");
    r = say(s, "APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n");
    OK(!strcmp(r, "-ERR APOP not supported\r\n"), "APOP: %s", r);
    r = say(s, "STLS\r\n");
    OK(!strncmp(r, "-ERR", 4), "STLS: %s", r);
    r = say(s, "USER\r\n");
    OK(!strncmp(r, "-ERR", 4), "USER without a name: %s", r);
    r = say(s, "user alice\r\n");
    OK(!strcmp(r, "+OK send PASS\r\n"), "keywords are case-insensitive: %s", r);
    OK(ols_pop3_session_state(s) == OLS_POP3_AUTH_PASS, "waiting for PASS");
    r = say(s, "PASS any password at all\r\n");
    OK(!strcmp(r, "+OK maildrop has 0 messages\r\n"), "any password: %s", r);
    OK(ols_pop3_session_state(s) == OLS_POP3_TRANSACTION, "logged in");
    r = say(s, "USER alice\r\n");
    OK(!strncmp(r, "-ERR", 4), "USER after login: %s", r);
    r = say(s, "PASS x\r\n");
    OK(!strncmp(r, "-ERR", 4), "PASS after login: %s", r);
    ols_pop3_session_free(s);

    s = new_session();
    r = say(s, "USER alice\r\nPASS \r\n");
    OK(ols_pop3_session_state(s) == OLS_POP3_TRANSACTION, "an empty password is accepted too (%s)",
       r);
    ols_pop3_session_free(s);
}

static void test_transaction(void)
{
    static const struct {
        const char *cmd, *reply;
    } cases[] = {
        {"STAT\r\n", "+OK 0 0\r\n"},
        {"LIST\r\n", "+OK 0 messages (0 octets)\r\n.\r\n"},
        {"LIST 1\r\n", "-ERR no such message\r\n"},
        {"UIDL\r\n", "+OK unique-id listing follows\r\n.\r\n"},
        {"UIDL 1\r\n", "-ERR no such message\r\n"},
        {"RETR 1\r\n", "-ERR no such message\r\n"},
        {"DELE 1\r\n", "-ERR no such message\r\n"},
        {"TOP 1 10\r\n", "-ERR no such message\r\n"},
        {"NOOP\r\n", "+OK\r\n"},
        {"RSET\r\n", "+OK maildrop has 0 messages\r\n"},
        {"stat\n", "+OK 0 0\r\n"}, /* bare LF and lower case are tolerated */
        {"APOP alice 0123\r\n", "-ERR APOP not supported\r\n"},
        {"RETR\r\n", "-ERR wrong number of arguments\r\n"},
        {"STAT\r\n", "+OK 0 0\r\n"},
        {"TOP 1\r\n", "-ERR wrong number of arguments\r\n"},
        {"NOOP\r\n", "+OK\r\n"},
        {"LIST 1 2\r\n", "-ERR wrong number of arguments\r\n"},
        {"NOOP\r\n", "+OK\r\n"},
    };
    ols_pop3_session *s = logged_in();
    size_t i;
    const char *r;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = say(s, cases[i].cmd);
        OK(!strcmp(r, cases[i].reply), "%.*s -> '%s'", (int)strcspn(cases[i].cmd, "\r\n"),
           cases[i].cmd, r);
    }
    OK(ols_pop3_session_state(s) == OLS_POP3_TRANSACTION, "still open");
    OK(ols_pop3_session_close_reason(s) == NULL, "no close reason while open");
    r = say(s, "QUIT\r\n");
    OK(!strncmp(r, "+OK", 3), "QUIT: %s", r);
    OK(ols_pop3_session_state(s) == OLS_POP3_CLOSED, "QUIT closes");
    OK(ols_pop3_session_close_reason(s) && !strcmp(ols_pop3_session_close_reason(s), "quit"),
       "reason quit");
    g_out.len = 0;
    OK(ols_pop3_session_feed(s, "NOOP\r\n", 6, &g_out) == 0 && g_out.len == 0,
       "nothing is read after QUIT");
    ols_pop3_session_free(s);

    s = new_session();
    r = say(s, "QUIT\r\n");
    OK(!strncmp(r, "+OK", 3) && ols_pop3_session_state(s) == OLS_POP3_CLOSED,
       "QUIT before login: %s", r);
    ols_pop3_session_free(s);
}

static void test_bad_commands(void)
{
    ols_pop3_session *s = logged_in();
    const char *r;
    r = say(s, "XYZZY\r\nFOO\r\nNOOP\r\n");
    OK(!strcmp(r, "-ERR unknown command\r\n-ERR unknown command\r\n+OK\r\n"),
       "two bad commands then a good one: %s", r);
    r = say(s, "XYZZY\r\nFOO\r\n");
    OK(ols_pop3_session_state(s) == OLS_POP3_TRANSACTION, "a good command reset the count");
    r = say(s, "\r\n");
    OK(!strcmp(r, "-ERR too many bad commands\r\n"), "third bad in a row: %s", r);
    OK(ols_pop3_session_state(s) == OLS_POP3_CLOSED, "closed after three");
    OK(!strcmp(ols_pop3_session_close_reason(s), "too many bad commands"), "reason %s",
       ols_pop3_session_close_reason(s));
    ols_pop3_session_free(s);

    s = new_session();
    r = say(s, "SUPERCALIFRAGILISTIC x\r\n");
    OK(!strcmp(r, "-ERR unknown command\r\n"), "long keyword: %s", r);
    ols_pop3_session_free(s);
}

static void expect_refused(const void *in, size_t len, const char *reply, const char *reason,
                           const char *what)
{
    ols_pop3_session *s = new_session();
    size_t used;
    g_out.len = 0;
    used = ols_pop3_session_feed(s, in, len, &g_out);
    OK(ols_pop3_session_state(s) == OLS_POP3_CLOSED, "%s: closed", what);
    OK(g_out.len == strlen(reply) && !memcmp(g_out.buf, reply, g_out.len), "%s: reply '%.*s'",
       what, (int)g_out.len, g_out.buf);
    OK(ols_pop3_session_close_reason(s) && !strcmp(ols_pop3_session_close_reason(s), reason),
       "%s: reason %s", what, ols_pop3_session_close_reason(s));
    OK(used <= len, "%s: consumed %zu of %zu", what, used, len);
    ols_pop3_session_free(s);
}

static void test_not_pop3(void)
{
    static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1,
                                          0x03, 0x03, 0x5a, 0x6b, 0x7c};
    static const unsigned char binary[] = {'U', 'S', 'E', 0x00, 0xff, 0x01, '\r', '\n'};
    static const char http[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1:5110\r\n\r\n";
    expect_refused(http, strlen(http), "-ERR not POP3\r\n", "not POP3", "HTTP GET");
    expect_refused("POST /submit HTTP/1.0\r\n", 23, "-ERR not POP3\r\n", "not POP3", "HTTP POST");
    expect_refused("OPTIONS * HTTP/1.1\r\n", 20, "-ERR not POP3\r\n", "not POP3", "OPTIONS");
    expect_refused("NOOP / HTTP/1.1\r\n", 17, "-ERR not POP3\r\n", "not POP3", "HTTP version");
    expect_refused(hello, sizeof hello, "-ERR not POP3\r\n", "not POP3", "TLS ClientHello");
    expect_refused(binary, sizeof binary, "-ERR not POP3\r\n", "not POP3", "binary");
}

static void test_line_limit(void)
{
    char line[1024];
    ols_pop3_session *s;
    const char *r;

    /* 510 bytes + CRLF = 512: the limit itself is allowed (an unknown command here) */
    memset(line, 'A', 510);
    memcpy(line + 510, "\r\n", 3);
    s = new_session();
    r = say(s, line);
    OK(!strcmp(r, "-ERR unknown command\r\n"), "a 512-byte line is a line: %s", r);
    OK(ols_pop3_session_state(s) != OLS_POP3_CLOSED, "still open");
    /* a command at the limit with a real keyword */
    memcpy(line, "USER ", 5);
    r = say(s, line);
    OK(!strcmp(r, "-ERR unknown user\r\n"), "512-byte USER: %s", r);
    ols_pop3_session_free(s);

    /* one more byte is too long */
    memset(line, 'A', 511);
    memcpy(line + 511, "\r\n", 3);
    expect_refused(line, strlen(line), "-ERR line too long\r\n", "line too long", "513 bytes");
    memset(line, 'B', 600);
    expect_refused(line, 600, "-ERR line too long\r\n", "line too long", "600 bytes, no LF");
}

/* Byte-at-a-time input gives the same conversation as one big write. */
static void test_byte_at_a_time(void)
{
    static const char script[] = "CAPA\r\nUSER alice\r\nPASS pw\r\nSTAT\r\nLIST\r\nUIDL\r\n"
                                 "RETR 1\r\nTOP 1 1\r\nNOOP\r\nRSET\r\nDELE 1\r\nQUIT\r\n";
    char whole[4096];
    ols_pop3_session *s;
    size_t i, n = 0;
    int same;

    s = new_session();
    g_out.len = 0;
    snprintf(whole, sizeof whole, "%s", say(s, script));
    ols_pop3_session_free(s);

    s = new_session();
    g_out.len = 0;
    for (i = 0; i < sizeof script - 1; i++)
        n += ols_pop3_session_feed(s, script + i, 1, &g_out);
    same = g_out.len == strlen(whole) && !memcmp(g_out.buf, whole, g_out.len);
    OK(n == sizeof script - 1, "consumed %zu", n);
    OK(same, "byte-wise replies differ:\n%.*s\nvs\n%s", (int)g_out.len, g_out.buf, whole);
    OK(ols_pop3_session_state(s) == OLS_POP3_CLOSED, "QUIT at the end closed");
    OK(ols_pop3_session_commands(s) == 12, "12 commands, counted %u",
       ols_pop3_session_commands(s));
    ols_pop3_session_free(s);
}

/* A client that pipelines without reading cannot make the output grow without bound. */
static void test_output_bound(void)
{
    enum { N = 1000 };
    char *in = malloc(N * 6 + 1);
    ols_pop3_session *s = new_session();
    size_t off = 0, len = N * 6, first, capas = 0, max_len = 0;
    int i, rounds = 0;
    const char *p;

    for (i = 0; i < N; i++)
        memcpy(in + i * 6, "CAPA\r\n", 6);
    in[len] = '\0';
    g_out.len = 0;
    first = ols_pop3_session_feed(s, in, len, &g_out);
    OK(first < len, "feed stops when the output is full (%zu of %zu)", first, len);
    OK(g_out.len <= OLS_POP3_OUT_MAX, "output %zu", g_out.len);
    off = first;
    for (;;) {
        if (g_out.len > max_len)
            max_len = g_out.len;
        for (p = g_out.buf; p + 21 <= g_out.buf + g_out.len; p++)
            if (!memcmp(p, "IMPLEMENTATION olsync", 21))
                capas++;
        g_out.len = 0;
        if (off >= len || rounds++ > 10000)
            break;
        off += ols_pop3_session_feed(s, in + off, len - off, &g_out);
    }
    OK(off == len, "all input consumed eventually (%zu of %zu)", off, len);
    OK(capas == N, "%zu CAPA replies of %d", capas, N);
    OK(max_len <= OLS_POP3_OUT_MAX, "output never above the bound (%zu)", max_len);
    ols_pop3_session_free(s);
    free(in);
}

static char *today_log(const char *dir)
{
    char name[64], day[16], *path, *buf = NULL;
    struct tm tm;
    ols_localtime(time(NULL), &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(name, sizeof name, "olsync-%s.log", day);
    path = ols_path_join(dir, name);
    ols_file_read_all(path, 16 << 20, &buf, NULL, NULL);
    free(path);
    return buf ? buf : strdup("");
}

/* The session log at debug level shows the conversation, never the password. */
static void test_log_has_no_password(void)
{
    char *dir = t_scratch("pop3log"), *t;
    ols_log_config lc = {dir, OLS_LOG_DEBUG, 0, 0, 0, 0, 0};
    ols_err err = {0};
    ols_pop3_session *s;

    OK(ols_log_open(&lc, &err) == OLS_OK, "log open: %s", err.msg);
    s = new_session();
    say(s, "USER alice\r\nPASS Hunter2-Very-Secret\r\nSTAT\r\nAPOP alice Hunter2-Very-Secret\r\n"
           "QUIT\r\n");
    ols_pop3_session_free(s);
    ols_log_close();
    t = today_log(dir);
    OK(strstr(t, "USER alice") != NULL, "USER logged");
    OK(strstr(t, "PASS ********") != NULL, "PASS logged masked");
    OK(strstr(t, "STAT") != NULL, "STAT logged");
    OK(strstr(t, "Hunter2-Very-Secret") == NULL, "the password is not in the log");
    free(t);
    free(dir);
}

/* ================= the stub on real sockets ================= */

/* Reads until "\r\n" (or EOF); returns the bytes read, -1 on timeout or error. */
static long read_line(ols_sock s, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        ols_pollfd pf = {s, OLS_POLL_IN, 0};
        long r;
        if (ols_poll(&pf, 1, 20000) <= 0)
            return -1;
        r = ols_sock_recv(s, buf + n, 1);
        if (r == 0)
            break;
        if (r < 0)
            return -1;
        n++;
        if (n >= 2 && buf[n - 2] == '\r' && buf[n - 1] == '\n')
            break;
    }
    buf[n] = '\0';
    return (long)n;
}

/* Reads everything until the peer closes; -1 on timeout or reset. */
static long read_all(ols_sock s, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        ols_pollfd pf = {s, OLS_POLL_IN, 0};
        long r;
        if (ols_poll(&pf, 1, 20000) <= 0)
            return -1;
        r = ols_sock_recv(s, buf + n, cap - 1 - n);
        if (r == 0)
            break;
        if (r < 0)
            return -1;
        n += (size_t)r;
        if (n + 1 >= cap)
            break;
    }
    buf[n] = '\0';
    return (long)n;
}

static int send_all(ols_sock s, const void *buf, size_t len)
{
    const char *b = buf;
    while (len) {
        long n = ols_sock_send(s, b, len);
        if (n <= 0)
            return 0;
        b += n;
        len -= (size_t)n;
    }
    return 1;
}

static ols_sock dial(uint16_t port)
{
    ols_sock s = OLS_SOCK_INVALID;
    ols_err err = {0};
    if (ols_sock_connect("127.0.0.1", port, 20000, &s, &err) != OLS_OK)
        fprintf(stderr, "connect: %s\n", err.msg);
    return s;
}

/* Sends a script to a fresh connection and returns the whole transcript after the greeting. */
static int full_session(uint16_t port, const char *script, char *buf, size_t cap)
{
    char line[600];
    ols_sock s = dial(port);
    long n;
    if (s == OLS_SOCK_INVALID)
        return 0;
    n = read_line(s, line, sizeof line);
    if (n <= 0 || strcmp(line, "+OK olsync POP3 stub ready\r\n") != 0) {
        ols_sock_close(s);
        return 0;
    }
    n = send_all(s, script, strlen(script)) ? read_all(s, buf, cap) : -1;
    ols_sock_close(s);
    return n >= 0;
}

static const char SCRIPT[] = "USER alice\r\nPASS pw\r\nSTAT\r\nLIST\r\nRETR 1\r\nQUIT\r\n";
static const char SCRIPT_REPLY[] = "+OK send PASS\r\n"
                                   "+OK maildrop has 0 messages\r\n"
                                   "+OK 0 0\r\n"
                                   "+OK 0 messages (0 octets)\r\n.\r\n"
                                   "-ERR no such message\r\n"
                                   "+OK olsync POP3 stub signing off\r\n";

static void wait_idle(ols_pop3 *p)
{
    ols_pop3_stats st;
    uint64_t deadline = ols_mono_ms() + 20000;
    do {
        ols_pop3_stats_get(p, &st);
        if (st.active == 0)
            return;
        ols_sleep_ms(10);
    } while (ols_mono_ms() < deadline);
}

static void check_serves(uint16_t port, const char *when)
{
    char buf[4096];
    int ok = full_session(port, SCRIPT, buf, sizeof buf);
    OK(ok && !strcmp(buf, SCRIPT_REPLY), "%s: a normal session: %s", when, ok ? buf : "(failed)");
}

static void test_stub_sockets(void)
{
    ols_pool *pool;
    ols_pop3 *p = NULL, *p2 = NULL, *p3 = NULL;
    ols_pop3_config cfg = {"alice", 0, 0, 0, 0};
    ols_err err = {0};
    ols_pop3_stats st0, st;
    char ip[64] = "", buf[4096];
    uint16_t port, cport = 0;
    ols_sock s, busy;
    static ols_sock many[200];
    int i, ok = 0, refused = 0, other = 0, eof_after_refusal = 0, connected = 0;

    OK(ols_net_init() == OLS_OK, "net init");
    OK(ols_pool_new(2, &pool) == OLS_OK, "pool");
    OK(ols_pop3_start(&cfg, pool, &p, &err) == OLS_OK, "start: %s", err.msg);
    if (!p) {
        ols_pool_shutdown(pool, OLS_POOL_CANCEL);
        return;
    }
    port = ols_pop3_port(p);
    OK(port != 0, "bound port %u", port);
    OK(ols_pop3_local_addr(p, ip, sizeof ip) == OLS_OK && !strcmp(ip, "127.0.0.1"),
       "listener address (getsockname) is %s", ip);
    /* the port is really taken: a second listener on it is refused */
    OK(ols_sock_listen_loopback(port, 4, &busy, NULL, NULL) == OLS_EBUSY, "port %u is in use",
       port);

    s = dial(port);
    OK(s != OLS_SOCK_INVALID, "connect");
    OK(ols_sock_local_addr(s, ip, sizeof ip, &cport) == OLS_OK && !strcmp(ip, "127.0.0.1"),
       "client side is %s", ip);
    ols_sock_close(s);

    check_serves(port, "first");

    /* abuse: each gets -ERR and a close; the stub keeps serving */
    {
        static const char http[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        static const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01,
                                              0xfc, 0x03, 0x03, 0xde, 0xad, 0xbe, 0xef};
        char longline[700];
        struct {
            const void *data;
            size_t len;
            const char *reply, *what;
        } abuse[3];
        memset(longline, 'x', 600);
        memcpy(longline + 600, "\r\n", 2);
        abuse[0].data = http, abuse[0].len = strlen(http);
        abuse[0].reply = "-ERR not POP3\r\n", abuse[0].what = "HTTP";
        abuse[1].data = longline, abuse[1].len = 602;
        abuse[1].reply = "-ERR line too long\r\n", abuse[1].what = "600-byte line";
        abuse[2].data = hello, abuse[2].len = sizeof hello;
        abuse[2].reply = "-ERR not POP3\r\n", abuse[2].what = "TLS ClientHello";
        for (i = 0; i < 3; i++) {
            char line[256];
            long n;
            s = dial(port);
            n = s != OLS_SOCK_INVALID ? read_line(s, line, sizeof line) : -1;
            OK(n > 0 && !strncmp(line, "+OK", 3), "%s: greeting", abuse[i].what);
            OK(send_all(s, abuse[i].data, abuse[i].len), "%s: sent", abuse[i].what);
            n = read_all(s, buf, sizeof buf);
            OK(n >= 0 && !strcmp(buf, abuse[i].reply), "%s: reply then close: '%s'",
               abuse[i].what, n >= 0 ? buf : "(timeout or reset)");
            ols_sock_close(s);
        }
    }
    check_serves(port, "after abuse");

    /* 200 connections at once: 16 sessions, the rest turned away cleanly */
    wait_idle(p);
    ols_pop3_stats_get(p, &st0);
    for (i = 0; i < 200; i++) {
        many[i] = dial(port);
        if (many[i] != OLS_SOCK_INVALID)
            connected++;
    }
    OK(connected == 200, "%d of 200 connected", connected);
    for (i = 0; i < 200; i++) {
        char line[256];
        long n;
        if (many[i] == OLS_SOCK_INVALID)
            continue;
        n = read_line(many[i], line, sizeof line);
        if (n > 0 && !strcmp(line, "+OK olsync POP3 stub ready\r\n")) {
            ok++;
        } else if (n > 0 && !strcmp(line, "-ERR too many connections\r\n")) {
            refused++;
            if (read_line(many[i], line, sizeof line) == 0)
                eof_after_refusal++;
        } else {
            other++;
        }
    }
    OK(ok == OLS_POP3_DEF_CONNS, "%d sessions served (cap %d)", ok, OLS_POP3_DEF_CONNS);
    OK(refused == 200 - OLS_POP3_DEF_CONNS, "%d refused", refused);
    OK(eof_after_refusal == refused, "%d of %d refused connections closed", eof_after_refusal,
       refused);
    OK(other == 0, "%d odd answers", other);
    ols_pop3_stats_get(p, &st);
    OK(st.refused - st0.refused == (uint64_t)refused, "stats refused %llu",
       (unsigned long long)(st.refused - st0.refused));
    OK(st.active == OLS_POP3_DEF_CONNS, "stats active %u", st.active);
    for (i = 0; i < 200; i++)
        ols_sock_close(many[i]);
    wait_idle(p);
    ols_pop3_stats_get(p, &st);
    OK(st.active == 0, "all sessions closed (%u left)", st.active);
    check_serves(port, "after 200 connections");

    /* a port range: the next stub skips the busy port */
    cfg.port_first = port;
    cfg.port_last = (uint16_t)(port + 20 > 65535 ? 65535 : port + 20);
    if (cfg.port_last > port) {
        OK(ols_pop3_start(&cfg, pool, &p2, &err) == OLS_OK, "second stub in a range: %s",
           err.msg);
        OK(p2 && ols_pop3_port(p2) > port && ols_pop3_port(p2) <= cfg.port_last,
           "second stub on %u (range %u-%u)", ols_pop3_port(p2), port, cfg.port_last);
        if (p2)
            check_serves(ols_pop3_port(p2), "second stub");
    }
    cfg.port_last = port;
    OK(ols_pop3_start(&cfg, pool, &p3, &err) == OLS_EBUSY && p3 == NULL, "busy port: %s",
       err.msg);

    ols_pop3_stop(p2);
    ols_pop3_stop(p);
    /* stopped means closed */
    s = OLS_SOCK_INVALID;
    OK(ols_sock_connect("127.0.0.1", port, 5000, &s, NULL) != OLS_OK, "nothing listens after stop");
    ols_sock_close(s);
    ols_pool_shutdown(pool, OLS_POOL_DRAIN);
}

static void test_idle_timeout(void)
{
    ols_pool *pool;
    ols_pop3 *p = NULL;
    ols_pop3_config cfg = {"alice", 0, 0, 2, 300};
    char line[256];
    ols_sock s;
    long n;

    ols_pool_new(1, &pool);
    OK(ols_pop3_start(&cfg, pool, &p, NULL) == OLS_OK, "start");
    if (!p) {
        ols_pool_shutdown(pool, OLS_POOL_CANCEL);
        return;
    }
    s = dial(ols_pop3_port(p));
    n = read_line(s, line, sizeof line);
    OK(n > 0 && !strncmp(line, "+OK", 3), "greeting");
    /* say nothing: the stub hangs up without a reply (RFC 1939 autologout) */
    n = read_line(s, line, sizeof line);
    OK(n == 0, "idle connection closed by the stub (read %ld: %s)", n, n > 0 ? line : "");
    ols_sock_close(s);
    wait_idle(p);
    check_serves(ols_pop3_port(p), "after an idle timeout");
    ols_pop3_stop(p);
    ols_pool_shutdown(pool, OLS_POOL_DRAIN);
}

/* The reactor still queued behind other work: stop cancels it and returns. */
static ols_status hold_worker(ols_job_ctx *ctx, void *arg)
{
    volatile int *release = arg;
    while (!*release && !ols_job_cancelled(ctx))
        ols_job_sleep(ctx, 5);
    return OLS_OK;
}

static void test_stop_before_running(void)
{
    ols_pool *pool;
    ols_pop3 *p = NULL;
    ols_pop3_config cfg = {"alice", 0, 0, 0, 0};
    volatile int release = 0;
    ols_pool_stats ps;

    ols_pool_new(1, &pool);
    {
        ols_job_spec js = {hold_worker, NULL, (void *)&release, OLS_PRIO_NOW, 0, NULL};
        ols_pool_submit(pool, &js, NULL);
    }
    OK(ols_pop3_start(&cfg, pool, &p, NULL) == OLS_OK, "start on a busy pool");
    ols_pop3_stop(p); /* returns: the queued reactor was cancelled */
    ols_pool_stats_get(pool, &ps);
    OK(ps.cancelled >= 1, "reactor cancelled while queued (%llu)",
       (unsigned long long)ps.cancelled);
    release = 1;
    ols_pool_shutdown(pool, OLS_POOL_DRAIN);
}

static void test_bad_config(void)
{
    ols_pool *pool;
    ols_pop3 *p = NULL;
    ols_pop3_config cfg = {"", 0, 0, 0, 0};
    ols_err err = {0};
    ols_pool_new(1, &pool);
    OK(ols_pop3_start(&cfg, pool, &p, &err) == OLS_EINVAL && !p, "empty user refused");
    OK(strstr(err.msg, "account.user") != NULL, "message names the key: %s", err.msg);
    cfg.user = "bad\r\nname";
    OK(ols_pop3_start(&cfg, pool, &p, &err) == OLS_EINVAL && !p, "CRLF in the user refused");
    OK(ols_pop3_start(NULL, pool, &p, &err) == OLS_EINVAL, "no config");
    ols_pool_shutdown(pool, OLS_POOL_DRAIN);
}

/* From settings: first free port in [pop3.port, pop3.port_max], written to pop3.bound_port. */
static void test_from_settings(void)
{
    char *dir = t_scratch("pop3cfg"), *cfgpath = ols_path_join(dir, "config.json");
    char text[256];
    ols_settings *s = NULL, *back = NULL;
    ols_pool *pool;
    ols_pop3 *p = NULL;
    ols_sock hold;
    uint16_t busy = 0;
    ols_err err = {0};

    ols_pool_new(2, &pool);
    OK(ols_sock_listen_loopback(0, 4, &hold, &busy, NULL) == OLS_OK, "occupy a port");
    snprintf(text, sizeof text,
             "{\"account\": {\"user\": \"alice\"}, \"pop3\": {\"port\": %u, \"port_max\": %u}}",
             busy, busy + 30 > 65535 ? 65535 : busy + 30);
    OK(ols_file_write_atomic(cfgpath, text, strlen(text), 0, NULL) == OLS_OK, "write config");
    ols_settings_new(&s);
    OK(ols_settings_load_file(s, cfgpath, &err) == OLS_OK, "load: %s", err.msg);
    OK(ols_pop3_start_from_settings(s, cfgpath, pool, &p, &err) == OLS_OK, "start: %s", err.msg);
    if (p) {
        uint16_t port = ols_pop3_port(p);
        OK(port > busy && port <= busy + 30, "skipped the busy port %u: got %u", busy, port);
        OK(ols_settings_get_int(s, "pop3.bound_port") == port, "bound_port in memory");
        ols_settings_new(&back);
        OK(ols_settings_load_file(back, cfgpath, &err) == OLS_OK, "reload: %s", err.msg);
        OK(ols_settings_get_int(back, "pop3.bound_port") == port, "bound_port saved: %lld",
           ols_settings_get_int(back, "pop3.bound_port"));
        OK(ols_settings_get_int(back, "pop3.port") == busy, "pop3.port kept");
        check_serves(port, "stub from settings");
        ols_settings_free(back);
        ols_pop3_stop(p);
    }
    ols_sock_close(hold);
    ols_settings_free(s);
    ols_pool_shutdown(pool, OLS_POOL_DRAIN);
    free(cfgpath);
    free(dir);
}

int main(void)
{
    test_greeting_and_capa();
    test_auth();
    test_transaction();
    test_bad_commands();
    test_not_pop3();
    test_line_limit();
    test_byte_at_a_time();
    test_output_bound();
    test_log_has_no_password();
    test_bad_config();
    test_stub_sockets();
    test_idle_timeout();
    test_stop_before_running();
    test_from_settings();
    return T_DONE();
}
