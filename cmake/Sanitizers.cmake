# Sanitizer and fuzzing builds (Makefile: `make sanitize`, `make fuzz`), each
# in its own build directory; the normal build sets neither option.
#
#   GOE_SANITIZE=address;undefined  every goe target with ASan + UBSan
#   GOE_SANITIZE=thread             every goe target with TSan
#   GOE_FUZZ=ON                     the libFuzzer targets of tests/fuzz (clang
#                                   only); goe's code gets libFuzzer's
#                                   coverage instrumentation
#
# A sanitizer report aborts (no recovery), so a test or fuzzer that
# triggers one fails. The MLIR/LLVM dylibs, LibTorch and the other Debian
# libraries are not instrumented: their own bugs are not looked for, and
# ASan still checks every access goe's code makes.
set(GOE_SANITIZE "" CACHE STRING
    "Sanitizers for all goe code: address;undefined, or thread (empty: none)")
option(GOE_FUZZ "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)

if(GOE_SANITIZE)
  list(JOIN GOE_SANITIZE "," goe_sanitizers)
  add_compile_options(-fsanitize=${goe_sanitizers} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${goe_sanitizers})
  message(STATUS "goe: sanitizers ${goe_sanitizers}")
endif()

if(GOE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "GOE_FUZZ needs clang (libFuzzer): configure with "
                        "-DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  message(STATUS "goe: libFuzzer targets (tests/fuzz)")
endif()

# The goe-compile the runtime and serve tests and the fuzz fixtures call to
# make real artifacts.
# The TSan build runs only those tests and takes the ASan build's compiler
# instead of building the whole compiler a third time; empty: this build's.
set(GOE_TEST_GOE_COMPILE "" CACHE FILEPATH
    "goe-compile for the runtime, serve and fuzz tests (empty: this build's)")
