# Configures the 32-bit sub-build (cmake -P, run by the olsync_x86 ExternalProject).
#   -DSRC=<source tree> -DBIN=<build dir> -DGEN=<generator> -DBUILD_TYPE=<type>
#   [-DDEPS=<i686 dependency prefix>]
# Without DEPS (nor the environment variable OLS_WIN_DEPS_I686) the prefix is made, or
# found in its cache, by scripts/build-win-deps.sh i686.
if(NOT DEPS AND DEFINED ENV{OLS_WIN_DEPS_I686})
  set(DEPS "$ENV{OLS_WIN_DEPS_I686}")
endif()
if(NOT DEPS)
  message(STATUS "olsync x86: scripts/build-win-deps.sh i686 (a few minutes when not cached)")
  execute_process(COMMAND bash ${SRC}/scripts/build-win-deps.sh i686
                  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "olsync x86: scripts/build-win-deps.sh i686 failed (${rc})")
  endif()
  string(STRIP "${out}" out)
  string(REGEX REPLACE ".*\n" "" DEPS "${out}")
endif()
message(STATUS "olsync x86: dependencies in ${DEPS}")
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN} -G ${GEN}
          -DCMAKE_TOOLCHAIN_FILE=${SRC}/cmake/mingw-w64-i686.cmake
          -DOLS_WIN_DEPS=${DEPS} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
          -DOLS_BUILD_TESTS=OFF -DOLS_BUILD_INSTALLER=OFF
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "olsync x86: configuring ${BIN} failed")
endif()
