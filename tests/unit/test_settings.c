/* Settings: defaults, user file, locked layer, validation, corrupt files, atomic save. */
#include "olsync/settings.h"
#include "t.h"

static char *g_dir;

static char *write_file(const char *name, const char *text)
{
    char *p = ols_path_join(g_dir, name);
    OK(ols_file_write_atomic(p, text, strlen(text), 1, NULL) == OLS_OK, "write %s", name);
    return p;
}

static void test_defaults(void)
{
    ols_settings *s;
    char *v;
    OK(ols_settings_new(&s) == OLS_OK, "new");
    OK(ols_settings_get_int(s, "pop3.port") == 5110, "pop3.port default");
    OK(ols_settings_get_int(s, "net.connections") == 3, "connections default");
    v = ols_settings_get_str(s, "account.imap.security");
    OK(v && !strcmp(v, "starttls"), "security default %s", v ? v : "(null)");
    free(v);
    OK(ols_settings_get_bool(s, "updates.check") == 1, "bool default");
    OK(ols_settings_get_str(s, "no.such.key") == NULL, "unknown key has no value");
    ols_settings_free(s);
}

static void test_user_file(void)
{
    ols_settings *s;
    ols_err err = {0};
    char *p, *v;
    ols_settings_new(&s);
    p = write_file("config.json",
                   "{\n"
                   "  \"account\": {\"user\": \"alice\", \"password\": \"pw-in-file\",\n"
                   "              \"imap\": {\"host\": \"mail.example.org\", \"port\": 993,\n"
                   "                       \"security\": \"tls\"}},\n"
                   "  \"sync\": {\"conflict\": \"client\"},\n"
                   "  \"future\": {\"feature\": [1, 2, 3]}\n"
                   "}\n");
    OK(ols_settings_load_file(s, p, &err) == OLS_OK, "load: %s", err.msg);
    OK(ols_settings_get_int(s, "account.imap.port") == 993, "port from file");
    v = ols_settings_get_str(s, "account.imap.host");
    OK(v && !strcmp(v, "mail.example.org"), "host from file");
    free(v);
    v = ols_settings_get_str(s, "account.password");
    OK(v && !strcmp(v, "pw-in-file"), "password readable from the file");
    free(v);

    /* save keeps unknown keys, drops the secret, and reloads to the same values */
    OK(ols_settings_set(s, "download.mode", "headers", &err) == OLS_OK, "set: %s", err.msg);
    OK(ols_settings_save(s, p, &err) == OLS_OK, "save: %s", err.msg);
    OK(ols_file_is_private(p), "settings file is private to the user");
    {
        char *text = NULL;
        ols_file_read_all(p, 1 << 20, &text, NULL, NULL);
        OK(text && strstr(text, "\"feature\"") != NULL, "unknown keys survive a save");
        OK(text && strstr(text, "pw-in-file") == NULL, "secrets are not written back");
        OK(text && strstr(text, "\"headers\"") != NULL, "changed value saved");
        free(text);
    }
    ols_settings_free(s);
    ols_settings_new(&s);
    OK(ols_settings_load_file(s, p, &err) == OLS_OK, "reload: %s", err.msg);
    v = ols_settings_get_str(s, "download.mode");
    OK(v && !strcmp(v, "headers"), "saved value reloads");
    free(v);
    OK(ols_settings_get_int(s, "account.imap.port") == 993, "other values reload");
    ols_settings_free(s);
    free(p);
}

static void test_corrupt_keeps_last_good(void)
{
    ols_settings *s;
    ols_err err = {0};
    char *good, *bad, *typed, *range;
    ols_settings_new(&s);
    good = write_file("good.json", "{\"account\": {\"imap\": {\"port\": 1143}}}");
    bad = write_file("bad.json", "{\n  \"account\": {\n    \"imap\": {\"port\": 143,,}\n  }\n}\n");
    typed = write_file("typed.json", "{\n\"log\": {\n  \"level\": 3\n}\n}\n");
    range = write_file("range.json", "{\"net\": {\n \"connections\": 99}}\n");
    OK(ols_settings_load_file(s, good, &err) == OLS_OK, "good: %s", err.msg);

    OK(ols_settings_load_file(s, bad, &err) == OLS_EPARSE, "syntax error detected");
    OK(strstr(err.msg, "bad.json:3:") != NULL, "message names file and line: %s", err.msg);
    OK(ols_settings_get_int(s, "account.imap.port") == 1143, "last good settings kept");

    OK(ols_settings_load_file(s, typed, &err) == OLS_EPARSE, "wrong type detected");
    OK(strstr(err.msg, "typed.json:3:") && strstr(err.msg, "log.level"),
       "type error names file, line and key: %s", err.msg);
    OK(ols_settings_load_file(s, range, &err) == OLS_ERANGE, "out of range detected (%s)",
       ols_status_name(err.code));
    OK(strstr(err.msg, "range.json:2") && strstr(err.msg, "net.connections"),
       "range error names file, line and key: %s", err.msg);
    OK(ols_settings_get_int(s, "account.imap.port") == 1143, "still the last good settings");
    OK(ols_settings_get_int(s, "net.connections") == 3, "nothing half-applied");

    {
        char *missing = ols_path_join(g_dir, "missing.json");
        OK(ols_settings_load_file(s, missing, &err) == OLS_OK, "a missing file is empty");
        OK(ols_settings_get_int(s, "account.imap.port") == 143, "back to defaults");
        free(missing);
    }
    ols_settings_free(s);
    free(good);
    free(bad);
    free(typed);
    free(range);
}

static void test_locked(void)
{
    ols_settings *s;
    ols_err err = {0};
    static const char locked[] = "{\"sync\": {\"priority_interval_min\": 5},"
                                 " \"log\": {\"level\": \"debug\"}}";
    const char *keys[] = {"net.connections", "sync.priority_interval_min"};
    const char *vals[] = {"4", "2"};
    char *v;

    ols_settings_new(&s);
    OK(ols_settings_load_text(s, "{\"sync\": {\"priority_interval_min\": 3}}", 38, "user", &err) ==
           OLS_OK,
       "user: %s", err.msg);
    OK(ols_settings_load_locked(s, locked, sizeof locked - 1, "provisioning", &err) == OLS_OK,
       "locked: %s", err.msg);
    OK(ols_settings_get_int(s, "sync.priority_interval_min") == 5, "locked value wins");
    OK(ols_settings_is_locked(s, "sync.priority_interval_min"), "reported as locked");
    OK(!ols_settings_is_locked(s, "net.connections"), "others not locked");
    OK(ols_settings_set(s, "sync.priority_interval_min", "2", &err) == OLS_ELOCKED,
       "user cannot override a locked key");
    OK(strstr(err.msg, "administrator") != NULL, "says who locked it: %s", err.msg);
    /* all-or-nothing: one locked key refuses the whole batch */
    OK(ols_settings_set_many(s, keys, vals, 2, &err) == OLS_ELOCKED, "batch refused");
    OK(ols_settings_get_int(s, "net.connections") == 3, "no half-applied batch");
    v = ols_settings_get_str(s, "log.level");
    OK(v && !strcmp(v, "debug"), "locked enum");
    free(v);
    /* dropping the locked layer brings the user's value back */
    OK(ols_settings_load_locked(s, "", 0, "provisioning", &err) == OLS_OK, "unlock");
    OK(ols_settings_get_int(s, "sync.priority_interval_min") == 3, "user value back");
    ols_settings_free(s);
}

static void test_validation(void)
{
    ols_settings *s;
    ols_err err = {0};
    const char *keys[] = {"net.connections", "account.imap.port"};
    const char *vals[] = {"5", "70000"};
    ols_settings_new(&s);
    OK(ols_settings_set(s, "account.imap.port", "abc", &err) == OLS_EINVAL, "not a number");
    OK(ols_settings_set(s, "account.imap.security", "ssl3", &err) == OLS_EINVAL, "bad enum");
    OK(strstr(err.msg, "starttls") != NULL, "lists the choices: %s", err.msg);
    OK(ols_settings_set(s, "updates.check", "maybe", &err) == OLS_EINVAL, "bad bool");
    OK(ols_settings_set(s, "nope", "1", &err) == OLS_ENOENT, "unknown key");
    OK(ols_settings_set_many(s, keys, vals, 2, &err) == OLS_ERANGE, "second value out of range");
    OK(ols_settings_get_int(s, "net.connections") == 3, "first value not applied");
    OK(ols_settings_set(s, "updates.check", "no", &err) == OLS_OK, "no is false");
    OK(ols_settings_get_bool(s, "updates.check") == 0, "stored as false");
    OK(ols_settings_reset(s, "updates.check", &err) == OLS_OK && ols_settings_get_bool(s, "updates.check"),
       "reset to default");
    {
        char *j = ols_settings_to_json(s);
        OK(j && strstr(j, "\"pop3\"") && !strstr(j, "\"password\""), "effective JSON without secrets");
        free(j);
    }
    ols_settings_free(s);
}

int main(void)
{
    g_dir = t_scratch("settings");
    test_defaults();
    test_user_file();
    test_corrupt_keeps_last_good();
    test_locked();
    test_validation();
    free(g_dir);
    return T_DONE();
}
