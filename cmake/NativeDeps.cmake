# NativeDeps.cmake - imported targets for the native (Linux) build, from the
# Debian -dev packages: libssl-dev libcurl4-openssl-dev libsqlite3-dev
# zlib1g-dev libcjson-dev.
#
# Defines the same target names as cmake/WinDeps.cmake:
#   OpenSSL::Crypto  OpenSSL::SSL  CURL::libcurl  SQLite::SQLite3
#   ZLIB::ZLIB       cjson::cjson
# Headers: <openssl/ssl.h> <curl/curl.h> <sqlite3.h> <zlib.h> <cjson/cJSON.h>.

include_guard(GLOBAL)

find_package(OpenSSL 3 REQUIRED) # OpenSSL::SSL, OpenSSL::Crypto
find_package(ZLIB REQUIRED)      # ZLIB::ZLIB
find_package(CURL REQUIRED)      # CURL::libcurl
find_package(SQLite3 REQUIRED)   # SQLite::SQLite3 (CMake 3.14+), SQLite3::SQLite3 (newer)

if(NOT TARGET SQLite::SQLite3 AND TARGET SQLite3::SQLite3)
  add_library(SQLite::SQLite3 ALIAS SQLite3::SQLite3)
endif()
if(NOT TARGET CURL::libcurl)
  # Old FindCURL without the imported target: wrap its variables.
  add_library(CURL::libcurl UNKNOWN IMPORTED GLOBAL)
  set_target_properties(CURL::libcurl PROPERTIES
    IMPORTED_LOCATION "${CURL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CURL_INCLUDE_DIRS}")
endif()

# cJSON: libcjson-dev ships a pkg-config file (libcjson) and a CMake package
# whose target is the un-namespaced "cjson"; wrap the library as cjson::cjson.
# Debian ships no cJSON_Utils, so neither does the Windows build.
if(NOT TARGET cjson::cjson)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(OLS_PC_CJSON QUIET libcjson)
  endif()
  find_path(CJSON_INCLUDE_DIR cjson/cJSON.h
            HINTS ${OLS_PC_CJSON_INCLUDEDIR})
  find_library(CJSON_LIBRARY NAMES cjson
               HINTS ${OLS_PC_CJSON_LIBDIR} ${OLS_PC_CJSON_LIBRARY_DIRS})
  if(NOT CJSON_INCLUDE_DIR OR NOT CJSON_LIBRARY)
    message(FATAL_ERROR
      "NativeDeps.cmake: cJSON not found (cjson/cJSON.h, libcjson): "
      "apt-get install libcjson-dev")
  endif()
  mark_as_advanced(CJSON_INCLUDE_DIR CJSON_LIBRARY)

  add_library(cjson::cjson UNKNOWN IMPORTED GLOBAL)
  # The include dir is the parent of cjson/, so #include <cjson/cJSON.h> works.
  set_target_properties(cjson::cjson PROPERTIES
    IMPORTED_LOCATION "${CJSON_LIBRARY}"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "${CJSON_INCLUDE_DIR}")
  set(cJSON_FOUND TRUE)
endif()
