/* The string tables: both languages come from one list, so neither can fall behind. */
#include "ui_strings.h"

#include <string.h>

static const wchar_t *const en[TX__COUNT] = {
#define S(id, e, d) [id] = e,
#include "ui_strings.def"
#undef S
};

static const wchar_t *const de[TX__COUNT] = {
#define S(id, e, d) [id] = d,
#include "ui_strings.def"
#undef S
};

static ols_ui_lang g_lang = OLS_UI_EN;

ols_ui_lang ols_ui_lang_parse(const char *code)
{
    if (code && !strcmp(code, "de"))
        return OLS_UI_DE;
    return OLS_UI_EN;
}

void ols_ui_lang_set(ols_ui_lang lang) { g_lang = lang < OLS_UI_LANG_COUNT ? lang : OLS_UI_EN; }

ols_ui_lang ols_ui_lang_get(void) { return g_lang; }

const wchar_t *ols_ui_s_in(ols_ui_lang lang, ols_ui_str id)
{
    if ((unsigned)id >= TX__COUNT)
        return NULL;
    return lang == OLS_UI_DE ? de[id] : en[id];
}

const wchar_t *ols_ui_s(ols_ui_str id)
{
    const wchar_t *s = ols_ui_s_in(g_lang, id);
    if (!s || !*s)
        s = ols_ui_s_in(OLS_UI_EN, id);
    return s ? s : L"?";
}
