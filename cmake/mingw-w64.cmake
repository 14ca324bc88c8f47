# CMake toolchain file: Windows x64 cross build with Debian's mingw-w64
# (gcc-mingw-w64-x86-64), static runtime, tests run under Wine.
#
#   prefix=$(scripts/build-win-deps.sh | tail -1)
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake \
#         -DOLS_WIN_DEPS="$prefix"
#
# OLS_WIN_DEPS (cache PATH, or environment variable of the same name) is the
# prefix made by scripts/build-win-deps.sh (static OpenSSL, curl, SQLite, cJSON).
# zlib comes from Debian's libz-mingw-w64-dev under /usr/x86_64-w64-mingw32.
# cmake/WinDeps.cmake turns both into imported targets.
#
# OLS_WINEDEBUG (cache STRING, default "-all") is the WINEDEBUG value used by
# CMAKE_CROSSCOMPILING_EMULATOR (ctest, add_custom_command with an exe target).

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_SYSTEM_VERSION 10.0)

set(OLS_MINGW_TRIPLET x86_64-w64-mingw32)
set(OLS_MINGW_ROOT /usr/${OLS_MINGW_TRIPLET})

set(CMAKE_C_COMPILER   ${OLS_MINGW_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${OLS_MINGW_TRIPLET}-g++)
set(CMAKE_RC_COMPILER  ${OLS_MINGW_TRIPLET}-windres)
# Absolute paths for the binutils CMake would otherwise guess.
find_program(CMAKE_AR      ${OLS_MINGW_TRIPLET}-ar      REQUIRED)
find_program(CMAKE_RANLIB  ${OLS_MINGW_TRIPLET}-ranlib  REQUIRED)
find_program(CMAKE_OBJDUMP ${OLS_MINGW_TRIPLET}-objdump)
# IDL compiler for idl/*.idl (mingw-w64-tools), for whoever needs it.
find_program(OLS_WIDL ${OLS_MINGW_TRIPLET}-widl)

# ---- dependency prefix ------------------------------------------------------
if(NOT OLS_WIN_DEPS AND DEFINED ENV{OLS_WIN_DEPS})
  set(OLS_WIN_DEPS "$ENV{OLS_WIN_DEPS}")
endif()
if(NOT OLS_WIN_DEPS)
  message(FATAL_ERROR
    "mingw-w64.cmake: OLS_WIN_DEPS is not set.\n"
    "Build the Windows dependencies first and pass their prefix:\n"
    "  prefix=$(scripts/build-win-deps.sh | tail -1)\n"
    "  cmake ... -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64.cmake -DOLS_WIN_DEPS=\"$prefix\"")
endif()
get_filename_component(OLS_WIN_DEPS "${OLS_WIN_DEPS}" ABSOLUTE)
if(NOT EXISTS "${OLS_WIN_DEPS}/olsync-win-deps.stamp")
  message(FATAL_ERROR
    "mingw-w64.cmake: OLS_WIN_DEPS=${OLS_WIN_DEPS} is not a finished "
    "scripts/build-win-deps.sh prefix (no olsync-win-deps.stamp there).\n"
    "Run: prefix=$(scripts/build-win-deps.sh | tail -1)")
endif()
set(OLS_WIN_DEPS "${OLS_WIN_DEPS}" CACHE PATH
    "Prefix of the static Windows dependencies (scripts/build-win-deps.sh)" FORCE)
# try_compile() projects re-read this file: hand them the same values.
set(ENV{OLS_WIN_DEPS} "${OLS_WIN_DEPS}")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES OLS_WIN_DEPS OLS_WINEDEBUG)

# ---- search paths -----------------------------------------------------------
set(CMAKE_FIND_ROOT_PATH "${OLS_WIN_DEPS}" "${OLS_MINGW_ROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config: only the Windows .pc files, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} "${OLS_WIN_DEPS}/lib/pkgconfig:${OLS_MINGW_ROOT}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# ---- static runtime ---------------------------------------------------------
# No libgcc_s_seh-1.dll / libwinpthread-1.dll / libstdc++-6.dll next to our
# binaries: link the GCC runtime and every library statically.
set(CMAKE_EXE_LINKER_FLAGS_INIT    "-static -static-libgcc")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -static-libgcc")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static -static-libgcc")

# ---- running Windows programs -----------------------------------------------
set(OLS_WINEDEBUG "-all" CACHE STRING "WINEDEBUG for programs run under Wine")
find_program(OLS_WINE NAMES wine wine64 wine-stable
             PATHS /usr/bin /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(OLS_WINE)
  find_program(OLS_ENV env PATHS /usr/bin /bin NO_CMAKE_FIND_ROOT_PATH)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${OLS_ENV};WINEDEBUG=${OLS_WINEDEBUG};${OLS_WINE}")
else()
  message(WARNING "mingw-w64.cmake: wine not found; Windows tests cannot run (apt-get install wine)")
endif()
