/* The add-in's user-visible text in every language it speaks (settings key ui.language). */
#ifndef OLS_ADDIN_STRINGS_H
#define OLS_ADDIN_STRINGS_H

#include <wchar.h>

enum ols_lang { LANG_EN, LANG_DE, LANG_COUNT };

/* Each control has a label (_L), a screentip (_T) and a longer description (_D). */
#define OLS_CTL_STRINGS(x) x##_L, x##_T, x##_D

enum str_id {
    S_TAB,
    S_GRP_SYNC,
    S_GRP_SERVER,
    S_GRP_PROFILE,
    S_GRP_OPTIONS,
    OLS_CTL_STRINGS(S_FOLDERTREE),
    OLS_CTL_STRINGS(S_SYNCNOW),
    OLS_CTL_STRINGS(S_ACTIVITY),
    OLS_CTL_STRINGS(S_RULES),
    OLS_CTL_STRINGS(S_FORWARD),
    OLS_CTL_STRINGS(S_RESPONDER),
    OLS_CTL_STRINGS(S_NEWPROFILE),
    OLS_CTL_STRINGS(S_BINDPROFILE),
    OLS_CTL_STRINGS(S_LICENSE),
    OLS_CTL_STRINGS(S_SETTINGS),
    OLS_CTL_STRINGS(S_HELP),
    OLS_CTL_STRINGS(S_CTX_PRIORITY),
    OLS_CTL_STRINGS(S_CTX_AUTOSYNC),
    OLS_CTL_STRINGS(S_CTX_SYNCFOLDER),
    OLS_CTL_STRINGS(S_CTX_CLEARIGNORE),
    OLS_CTL_STRINGS(S_CTX_SHARING),
    OLS_CTL_STRINGS(S_CTX_ABOOK),
    OLS_CTL_STRINGS(S_CTX_REMOVESHARED),
    /* why a control is greyed out */
    S_WHY_STATE_DB,
    S_WHY_ACL,
    S_WHY_SHARED,
    S_WHY_RUNNING,
    S_WHY_GUARD,
    S_WHY_CLOSING,
    S_WHY_NO_PROFILE,
    /* messages */
    S_MSG_SETTINGS_NA,
    S_MSG_ACTIVITY_NA,
    S_MSG_BIND_NA,
    S_MSG_LICENSE_NA,
    S_MSG_ENGINE_MISSING,
    S_MSG_NO_ACCOUNT,
    S_MSG_SIEVE_MISSING,
    S_MSG_FOLDER_UNKNOWN,
    S_MSG_JOB_FAILED,
    S_MSG_GUARD,
    S_MSG_NEWPROFILE_FAILED,
    S_MSG_HELP,
    S_MSG_NOT_NOW,
    S_COUNT
};

const wchar_t *ols_str(enum ols_lang lang, enum str_id id);
/* "en", "de", ... -> language; unknown codes fall back to English. */
enum ols_lang ols_lang_from_code(const char *code);
const char *ols_lang_code(enum ols_lang lang);

#endif
