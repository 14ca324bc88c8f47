/* The configured account, resolved for the commands that talk to the server. */
#ifndef OLS_CLI_ACCOUNT_H
#define OLS_CLI_ACCOUNT_H

#include "cli.h"
#include "olsync/imap.h"

typedef struct cli_account {
    ols_imap_config cfg;
    char *host, *user, *password, *ca_file;
    char *store_path; /* store.path, or <data dir>/Mail */
    char *state_path; /* <state dir>/sync-<hash of account and store>.db */
} cli_account;

/* Returns 0 or an exit code (after printing the reason). The password comes from the
 * settings file or the secret store. */
int cli_account_load(cli_ctx *c, cli_account *a, int need_password);
void cli_account_free(cli_account *a);

#endif
