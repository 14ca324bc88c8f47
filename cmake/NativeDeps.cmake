# Native (Linux) dependencies from Debian -dev packages, under the same target names
# as cmake/WinDeps.cmake.
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
if(NOT TARGET SQLite::SQLite3 AND TARGET SQLite3::SQLite3)
  add_library(SQLite::SQLite3 ALIAS SQLite3::SQLite3)
endif()
find_path(CJSON_INCLUDE_DIR cjson/cJSON.h REQUIRED)
find_library(CJSON_LIBRARY cjson REQUIRED)
if(NOT TARGET cjson::cjson)
  add_library(cjson::cjson UNKNOWN IMPORTED)
  set_target_properties(cjson::cjson PROPERTIES IMPORTED_LOCATION ${CJSON_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${CJSON_INCLUDE_DIR})
endif()
