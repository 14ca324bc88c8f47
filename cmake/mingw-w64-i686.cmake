# CMake toolchain file: Windows x86 (32-bit) cross build with Debian's mingw-w64
# (gcc-mingw-w64-i686), static runtime. It exists for the one thing a 32-bit Outlook
# needs: a 32-bit OutlookSync.dll. Nothing built with it runs here: Wine on these
# machines is 64-bit only, so the DLL is checked statically (installer tests).
#
#   prefix32=$(scripts/build-win-deps.sh i686 | tail -1)
#   cmake -S . -B build/windows-x86 -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-i686.cmake \
#         -DOLS_WIN_DEPS="$prefix32"
#   (or: OLS_WIN_DEPS_I686=$prefix32 cmake --preset windows-x86)
#
# OLS_WIN_DEPS (cache PATH) is the i686 prefix made by scripts/build-win-deps.sh i686;
# when unset, the environment variable OLS_WIN_DEPS_I686 is used (never OLS_WIN_DEPS,
# which names the x64 prefix in the same shell). zlib comes from Debian's
# libz-mingw-w64-dev under /usr/i686-w64-mingw32.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR X86)
set(CMAKE_SYSTEM_VERSION 10.0)

set(OLS_MINGW_TRIPLET i686-w64-mingw32)
set(OLS_MINGW_ROOT /usr/${OLS_MINGW_TRIPLET})

set(CMAKE_C_COMPILER   ${OLS_MINGW_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${OLS_MINGW_TRIPLET}-g++)
set(CMAKE_RC_COMPILER  ${OLS_MINGW_TRIPLET}-windres)
find_program(CMAKE_AR      ${OLS_MINGW_TRIPLET}-ar      REQUIRED)
find_program(CMAKE_RANLIB  ${OLS_MINGW_TRIPLET}-ranlib  REQUIRED)
find_program(CMAKE_OBJDUMP ${OLS_MINGW_TRIPLET}-objdump)
find_program(OLS_WIDL NAMES ${OLS_MINGW_TRIPLET}-widl x86_64-w64-mingw32-widl)

# ---- dependency prefix ------------------------------------------------------
if(NOT OLS_WIN_DEPS AND DEFINED ENV{OLS_WIN_DEPS_I686})
  set(OLS_WIN_DEPS "$ENV{OLS_WIN_DEPS_I686}")
endif()
if(NOT OLS_WIN_DEPS)
  message(FATAL_ERROR
    "mingw-w64-i686.cmake: no i686 dependency prefix.\n"
    "  prefix32=$(scripts/build-win-deps.sh i686 | tail -1)\n"
    "  cmake ... -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-i686.cmake -DOLS_WIN_DEPS=\"$prefix32\"")
endif()
get_filename_component(OLS_WIN_DEPS "${OLS_WIN_DEPS}" ABSOLUTE)
if(NOT EXISTS "${OLS_WIN_DEPS}/olsync-win-deps.stamp")
  message(FATAL_ERROR
    "mingw-w64-i686.cmake: OLS_WIN_DEPS=${OLS_WIN_DEPS} is not a finished "
    "scripts/build-win-deps.sh i686 prefix (no olsync-win-deps.stamp there).")
endif()
file(STRINGS "${OLS_WIN_DEPS}/olsync-win-deps.stamp" _ols_stamp_host REGEX "^host=")
if(NOT _ols_stamp_host STREQUAL "host=${OLS_MINGW_TRIPLET}")
  message(FATAL_ERROR
    "mingw-w64-i686.cmake: ${OLS_WIN_DEPS} was built for '${_ols_stamp_host}', "
    "not ${OLS_MINGW_TRIPLET}: run scripts/build-win-deps.sh i686")
endif()
set(OLS_WIN_DEPS "${OLS_WIN_DEPS}" CACHE PATH
    "Prefix of the static Windows x86 dependencies (scripts/build-win-deps.sh i686)" FORCE)
set(ENV{OLS_WIN_DEPS_I686} "${OLS_WIN_DEPS}")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES OLS_WIN_DEPS)

# ---- search paths -----------------------------------------------------------
set(CMAKE_FIND_ROOT_PATH "${OLS_WIN_DEPS}" "${OLS_MINGW_ROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "${OLS_WIN_DEPS}/lib/pkgconfig:${OLS_MINGW_ROOT}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# ---- static runtime ---------------------------------------------------------
set(CMAKE_EXE_LINKER_FLAGS_INIT    "-static -static-libgcc")
# The .def file names the COM entry points undecorated; stdcall fix-up is what
# maps them onto _DllGetClassObject@12 and friends, and it is meant: no warning.
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -static-libgcc -Wl,--enable-stdcall-fixup")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static -static-libgcc -Wl,--enable-stdcall-fixup")

# No CMAKE_CROSSCOMPILING_EMULATOR: 32-bit programs do not run under this Wine.
