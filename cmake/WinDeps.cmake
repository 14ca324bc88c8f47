# WinDeps.cmake - imported targets for the static Windows x64 dependencies.
#
# Included by the top-level CMakeLists.txt when cross-compiling for Windows
# with cmake/mingw-w64.cmake. Libraries come from the prefix built by
# scripts/build-win-deps.sh (cache variable OLS_WIN_DEPS, set by the toolchain
# file) and zlib from Debian's libz-mingw-w64-dev.
#
# Targets (same names as cmake/NativeDeps.cmake and CMake's Find modules):
#   OpenSSL::Crypto  OpenSSL::SSL  CURL::libcurl  SQLite::SQLite3
#   ZLIB::ZLIB       cjson::cjson
# All are static archives; every target carries the Windows system libraries
# it needs and its compile definitions (CURL_STATICLIB, CJSON_HIDE_SYMBOLS),
# so consumers just target_link_libraries() them and add nothing else.
# Headers: <openssl/ssl.h> <curl/curl.h> <sqlite3.h> <zlib.h> <cjson/cJSON.h>.

include_guard(GLOBAL)

if(NOT OLS_WIN_DEPS AND DEFINED ENV{OLS_WIN_DEPS})
  set(OLS_WIN_DEPS "$ENV{OLS_WIN_DEPS}")
endif()
if(NOT OLS_WIN_DEPS OR NOT EXISTS "${OLS_WIN_DEPS}/olsync-win-deps.stamp")
  message(FATAL_ERROR
    "WinDeps.cmake: OLS_WIN_DEPS='${OLS_WIN_DEPS}' is not a finished "
    "scripts/build-win-deps.sh prefix. Configure with "
    "-DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake "
    "-DOLS_WIN_DEPS=$(scripts/build-win-deps.sh | tail -1)")
endif()

set(_ols_dep_inc "${OLS_WIN_DEPS}/include")
set(_ols_dep_lib "${OLS_WIN_DEPS}/lib")
set(_ols_mingw_root "/usr/x86_64-w64-mingw32")
if(DEFINED OLS_MINGW_ROOT)
  set(_ols_mingw_root "${OLS_MINGW_ROOT}")
endif()

# _ols_win_import(<target> <archive> <include dir>
#                 [LINK <libs...>] [DEFINES <defs...>])
function(_ols_win_import tgt archive incdir)
  cmake_parse_arguments(PARSE_ARGV 3 A "" "" "LINK;DEFINES")
  if(TARGET ${tgt})
    return()
  endif()
  if(NOT EXISTS "${archive}")
    message(FATAL_ERROR "WinDeps.cmake: ${tgt}: ${archive} does not exist")
  endif()
  add_library(${tgt} STATIC IMPORTED GLOBAL)
  set_target_properties(${tgt} PROPERTIES
    IMPORTED_LOCATION "${archive}"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "${incdir}")
  if(A_LINK)
    set_property(TARGET ${tgt} PROPERTY INTERFACE_LINK_LIBRARIES ${A_LINK})
  endif()
  if(A_DEFINES)
    set_property(TARGET ${tgt} PROPERTY INTERFACE_COMPILE_DEFINITIONS ${A_DEFINES})
  endif()
endfunction()

# zlib: Debian's libz-mingw-w64-dev. Use the static libz.a, never the import
# library libz.dll.a (that one would need zlib1.dll at run time).
_ols_win_import(ZLIB::ZLIB "${_ols_mingw_root}/lib/libz.a" "${_ols_mingw_root}/include")

# OpenSSL 3 (libcrypto: winsock, CryptoAPI cert store, BCryptGenRandom,
# registry/user calls; see libcrypto.pc Libs.private).
_ols_win_import(OpenSSL::Crypto "${_ols_dep_lib}/libcrypto.a" "${_ols_dep_inc}"
  LINK ws2_32 gdi32 crypt32 bcrypt advapi32 user32)
_ols_win_import(OpenSSL::SSL "${_ols_dep_lib}/libssl.a" "${_ols_dep_inc}"
  LINK OpenSSL::Crypto)

# curl (OpenSSL backend, zlib, Win32-thread resolver, no LDAP/IDN/PSL/HTTP2/SSH).
_ols_win_import(CURL::libcurl "${_ols_dep_lib}/libcurl.a" "${_ols_dep_inc}"
  LINK OpenSSL::SSL OpenSSL::Crypto ZLIB::ZLIB ws2_32 crypt32 bcrypt advapi32 user32
  DEFINES CURL_STATICLIB)

# SQLite amalgamation (SQLITE_THREADSAFE=1).
_ols_win_import(SQLite::SQLite3 "${_ols_dep_lib}/libsqlite3.a" "${_ols_dep_inc}")

# cJSON + cJSON_Utils in one archive. CJSON_HIDE_SYMBOLS: cJSON.h would
# otherwise declare its API __declspec(dllexport) on Windows.
_ols_win_import(cjson::cjson "${_ols_dep_lib}/libcjson.a" "${_ols_dep_inc}"
  DEFINES CJSON_HIDE_SYMBOLS)

# Find-module style results, for code that checks them.
set(OPENSSL_FOUND TRUE)
set(CURL_FOUND TRUE)
set(SQLite3_FOUND TRUE)
set(ZLIB_FOUND TRUE)
set(cJSON_FOUND TRUE)

unset(_ols_dep_inc)
unset(_ols_dep_lib)
unset(_ols_mingw_root)
