# The installable package (docs/install.md): what `cmake --install build
# --prefix P` puts under P, and how other projects find it:
#   lib/libgoe_runtime.so, lib/libgoe_runtime.a   goe::runtime, goe::runtime_static
#   lib/libgoe_compiler.so                        goe::compiler
#   include/goe/...                               the public headers only
#   bin/goe-*                                     the tools
#   lib/cmake/goe/                                find_package(goe) config + version
#   lib/pkgconfig/goe-runtime.pc                  pkg-config for the runtime
#   share/goe/examples/                           the example specs
# and the Python package (tools/python/CMakeLists.txt).
#
# The package libraries are made of the in-tree libraries' objects (no second
# compile). Each part is in exactly one of them: the compiler library links
# the shared runtime for the artifact format, so a process that uses both has
# one copy of artifact.proto's descriptors (two would abort Protobuf).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
find_package(Protobuf REQUIRED)
find_package(Threads REQUIRED)

set(GOE_RUNTIME_PARTS GoeRuntime GoeArtifact GoeRouter GoeWeightTransforms
  GoeQuoteText)
set(GOE_COMPILER_PARTS GoeCompile GoeCompiler GoePasses GoeDialect GoeSpecFrontend)
# Shared libraries need position-independent objects.
set_target_properties(${GOE_RUNTIME_PARTS} ${GOE_COMPILER_PARTS}
  PROPERTIES POSITION_INDEPENDENT_CODE ON)

function(goe_package_library name type)
  set(objects)
  foreach(part ${ARGN})
    list(APPEND objects $<TARGET_OBJECTS:${part}>)
  endforeach()
  add_library(${name} ${type} ${objects})
  add_dependencies(${name} ${ARGN})
endfunction()

# The runtime: its public interface is its own headers; Protobuf, libdl and
# threads stay private to the shared library.
goe_package_library(goe_runtime SHARED ${GOE_RUNTIME_PARTS})
goe_package_library(goe_runtime_static STATIC ${GOE_RUNTIME_PARTS})
foreach(lib goe_runtime goe_runtime_static)
  target_include_directories(${lib} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/runtime/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/runtime/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${lib} PRIVATE protobuf::libprotobuf Threads::Threads
                        ${CMAKE_DL_LIBS})
endforeach()
set_target_properties(goe_runtime PROPERTIES EXPORT_NAME runtime
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
set_target_properties(goe_runtime_static PROPERTIES EXPORT_NAME runtime_static
  OUTPUT_NAME goe_runtime)

# The compiler: Compile.h's API speaks MLIR and the artifact's Protobuf
# messages, so those are part of its public interface. The MLIR and LLVM
# include directories are added by goeConfig.cmake where MLIR is found.
goe_package_library(goe_compiler SHARED ${GOE_COMPILER_PARTS})
target_include_directories(goe_compiler INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/passes/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/frontends/spec/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(goe_compiler PUBLIC goe_runtime protobuf::libprotobuf MLIR LLVM
  PRIVATE yaml-cpp)
set_target_properties(goe_compiler PROPERTIES EXPORT_NAME compiler
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})

# Headers: the runtime's (the C API, the C++ API, the artifact format) and
# Compile.h with what it includes; no internal header.
install(DIRECTORY runtime/include/goe/Runtime
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/goe FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/runtime/include/goe/Runtime/proto/artifact.pb.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/goe/Runtime/proto)
install(FILES
  passes/include/goe/Compiler/Compile.h
  passes/include/goe/Compiler/ArtifactBuilder.h
  passes/include/goe/Compiler/Target.h
  passes/include/goe/Compiler/Weights.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/goe/Compiler)
install(FILES passes/include/goe/Passes/PathReport.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/goe/Passes)
install(FILES
  frontends/spec/include/goe/Frontends/Spec/MLIRGen.h
  frontends/spec/include/goe/Frontends/Spec/ShapeInference.h
  frontends/spec/include/goe/Frontends/Spec/Spec.h
  frontends/spec/include/goe/Frontends/Spec/SpecReader.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/goe/Frontends/Spec)

# Libraries and their CMake targets: two export sets, so that a project
# using only the runtime needs no MLIR (find_package(goe COMPONENTS runtime)).
set(GOE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/goe)
install(TARGETS goe_runtime goe_runtime_static EXPORT goeRuntimeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS goe_compiler EXPORT goeCompilerTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT goeRuntimeTargets NAMESPACE goe:: DESTINATION ${GOE_CMAKE_DIR})
install(EXPORT goeCompilerTargets NAMESPACE goe:: DESTINATION ${GOE_CMAKE_DIR})
configure_package_config_file(cmake/goeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/goeConfig.cmake INSTALL_DESTINATION ${GOE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/goeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/goeConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/goeConfigVersion.cmake DESTINATION ${GOE_CMAKE_DIR})

# pkg-config: relocatable (paths from the .pc file's own place), so that
# `cmake --install --prefix` anywhere gives a working file.
file(RELATIVE_PATH GOE_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(cmake/goe-runtime.pc.in ${PROJECT_BINARY_DIR}/cmake/goe-runtime.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/goe-runtime.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The tools (those this build has) and the example specs they compile.
set(GOE_INSTALLED_TOOLS)
foreach(tool goe-compile goe-opt goe-run goe-train goe-bench goe-data goe-eval
             goe-detect goe-serve)
  if(TARGET ${tool})
    list(APPEND GOE_INSTALLED_TOOLS ${tool})
  endif()
endforeach()
# Installed binaries keep the RPATH to the libraries they link outside the
# system's search path: Debian's libMLIR.so lives in /usr/lib/llvm-19/lib.
set_target_properties(${GOE_INSTALLED_TOOLS} goe_compiler PROPERTIES
  INSTALL_RPATH_USE_LINK_PATH ON)
install(TARGETS ${GOE_INSTALLED_TOOLS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/goe/examples
  PATTERN downstream EXCLUDE)
