/* The table of every settings key, its type, default and bounds. */
#include "olsync/settings.h"

#include <string.h>

static const char *const security_choices[] = {"starttls", "tls", "plain", NULL};
static const char *const conflict_choices[] = {"server", "client", NULL};
static const char *const mode_choices[] = {"headers", "custom", "full", NULL};
static const char *const level_choices[] = {"none", "error", "warning", "info", "debug", NULL};
static const char *const receipt_choices[] = {"ask", "always", "never", NULL};
static const char *const abook_choices[] = {"numbered", "name", "path", "manual", NULL};
static const char *const lang_choices[] = {"en", "de", "fr", "cs", NULL};

#define B(k, d, h) {k, OLS_SET_BOOL, d, 0, 1, NULL, 0, h}
#define I(k, d, lo, hi, h) {k, OLS_SET_INT, d, lo, hi, NULL, 0, h}
#define S(k, d, h) {k, OLS_SET_STRING, d, 0, 0, NULL, 0, h}
#define E(k, d, c, h) {k, OLS_SET_ENUM, d, 0, 0, c, 0, h}

static const ols_setting_def defs[] = {
    /* Login */
    S("account.email", "", "e-mail address of the account"),
    S("account.user", "", "login name on the IMAP server"),
    {"account.password", OLS_SET_STRING, "", 0, 0, NULL, OLS_SETF_SECRET,
     "password (better kept in the secret store)"},
    B("account.remember_password", "true", "keep the password in the secret store"),
    B("account.discover", "true", "find the server settings automatically"),
    S("account.imap.host", "", "IMAP server host name"),
    I("account.imap.port", "143", 1, 65535, "IMAP server port"),
    E("account.imap.security", "starttls", security_choices, "starttls, tls or plain"),
    S("account.smtp.host", "", "SMTP server host name (empty: same as IMAP)"),
    I("account.smtp.port", "587", 1, 65535, "SMTP server port"),
    E("account.smtp.security", "starttls", security_choices, "starttls, tls or plain"),
    B("account.hide_login_errors", "false", "do not pop up login errors"),
    B("account.hide_connection_errors", "false", "do not pop up connection errors"),
    S("tls.ca_file", "", "extra CA certificates (PEM) to trust"),
    /* Store */
    S("store.path", "", "local store folder (Maildir) or PST file"),
    /* Advanced */
    E("download.mode", "custom", mode_choices, "headers, custom or full"),
    I("download.threshold_mb", "2", 0, 2048, "custom mode: whole messages up to this size"),
    B("download.apply_to_existing", "false", "apply the threshold to messages already here"),
    I("net.connections", "3", 1, 10, "IMAP connections per account"),
    I("net.timeout_s", "60", 5, 3600, "network timeout in seconds"),
    B("net.compress", "true", "ask the server for COMPRESS=DEFLATE"),
    I("sync.item_pause_ms", "0", 0, 10000, "pause between items"),
    B("sync.structure_on_start", "true", "sync the folder tree when Outlook starts"),
    I("pop3.port", "5110", 1, 65535, "first port of the local POP3 stub"),
    I("pop3.port_max", "5110", 1, 65535, "last port tried (terminal servers)"),
    I("pop3.bound_port", "0", 0, 65535, "port the stub actually listens on"),
    /* Synchronization */
    E("sync.conflict", "server", conflict_choices, "server or client wins a conflict"),
    I("sync.structure_interval_min", "60", 1, 10080, "folder tree sync interval"),
    I("sync.priority_interval_min", "1", 1, 1440, "priority folders sync interval"),
    I("sync.standard_interval_min", "30", 1, 1440, "other folders sync interval"),
    I("sync.full_sync_every", "10", 1, 1000, "a full sync after this many incremental ones"),
    B("sync.on_local_change", "true", "sync a folder as soon as it changes locally"),
    B("sync.address_books", "true", "sync global address books"),
    B("sync.hide_progress", "false", "do not show progress"),
    B("sync.revert_readonly", "true", "undo local changes in read-only folders"),
    I("sync.delete_guard_percent", "25", 1, 100, "refuse a pass deleting more than this share"),
    I("sync.delete_guard_min", "10", 0, 1000000, "... and more than this many items"),
    /* Appearance */
    E("ui.language", "en", lang_choices, "user interface language"),
    B("ui.notify_new_mail", "true", "desktop notification for new mail"),
    I("ui.notify_seconds", "5", 1, 60, "hide the notification after"),
    B("ui.sound", "false", "play a sound for new mail"),
    S("ui.sound_file", "", "WAV file to play (empty: default)"),
    B("ui.read_receipts", "false", "handle read receipt requests"),
    E("ui.read_receipt_mode", "ask", receipt_choices, "ask, always or never"),
    S("ui.read_receipt_text",
      "Your message to %TO% with the subject \"%SUBJECT%\", sent %SENT%, was read %READ%.",
      "text of a read receipt"),
    E("ui.address_book_names", "numbered", abook_choices, "numbered, name, path or manual"),
    /* License and updates */
    B("updates.check", "true", "check for updates when Outlook starts"),
    S("license.key", "", "licence key"),
    /* Logs */
    E("log.level", "info", level_choices, "none, error, warning, info or debug"),
    B("log.auto_delete", "true", "delete old logs automatically"),
    I("log.keep_days", "14", 1, 3650, "delete logs after this many days"),
    I("log.max_file_mb", "10", 1, 1024, "a day's log rolls to a new part past this"),
    B("log.data_trace", "false", "trace protocol data at debug level"),
};

const ols_setting_def *ols_settings_defs(size_t *count)
{
    *count = sizeof defs / sizeof defs[0];
    return defs;
}

const ols_setting_def *ols_settings_find(const char *key)
{
    size_t i;
    for (i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!strcmp(defs[i].key, key))
            return &defs[i];
    return NULL;
}
