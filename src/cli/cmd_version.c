/* `olsync version`: our version and those of the libraries linked in. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <zlib.h>

#include "cli.h"
#include "olsync/version.h"

int cmd_version(cli_ctx *c)
{
    const char *ssl = OpenSSL_version(OPENSSL_VERSION);
    const char *curl = curl_version_info(CURLVERSION_NOW)->version;
    if (c->json) {
        printf("{\"olsync\": \"%s\", \"openssl\": \"%s\", \"curl\": \"%s\", \"sqlite\": \"%s\", "
               "\"zlib\": \"%s\", \"cjson\": \"%s\"}\n",
               OLS_VERSION, ssl, curl, sqlite3_libversion(), zlibVersion(), cJSON_Version());
        return 0;
    }
    printf("olsync %s\n", OLS_VERSION);
    printf("  %s (Apache-2.0)\n  libcurl %s (curl licence)\n  SQLite %s (public domain)\n"
           "  zlib %s (zlib licence)\n  cJSON %s (MIT)\n",
           ssl, curl, sqlite3_libversion(), zlibVersion(), cJSON_Version());
    return 0;
}
