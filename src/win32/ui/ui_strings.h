/* English and German texts of the olsync windows, chosen by the ui.language setting. */
#ifndef OLS_WIN32_UI_UI_STRINGS_H
#define OLS_WIN32_UI_UI_STRINGS_H

#include <wchar.h>

typedef enum ols_ui_str {
#define S(id, en, de) id,
#include "ui_strings.def"
#undef S
    TX__COUNT
} ols_ui_str;

typedef enum ols_ui_lang { OLS_UI_EN = 0, OLS_UI_DE, OLS_UI_LANG_COUNT } ols_ui_lang;

/* "de" -> German; anything else (en, fr, cs, unknown) -> English until it has a table. */
ols_ui_lang ols_ui_lang_parse(const char *code);
/* The language windows opened from now on use (process-wide, UI thread). */
void ols_ui_lang_set(ols_ui_lang lang);
ols_ui_lang ols_ui_lang_get(void);
/* A text in the current language; never NULL. */
const wchar_t *ols_ui_s(ols_ui_str id);
/* A text in a given language, NULL if that table lacks it (tests check completeness). */
const wchar_t *ols_ui_s_in(ols_ui_lang lang, ols_ui_str id);

#endif
