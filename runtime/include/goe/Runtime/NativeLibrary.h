//===- NativeLibrary.h - a shared library loaded from memory ----*- C++ -*-===//
//
// An artifact carries its compiled code as the bytes of an ELF shared
// library. The loader hands them to the dynamic linker without leaving a
// file behind: an anonymous memfd opened as /proc/self/fd/N, or, where
// memfd_create is unavailable, a private temporary file unlinked right after
// dlopen.
//
// The memfd stays open while the library is loaded: glibc recognises an
// already-loaded library by its path string, so a closed and reused
// descriptor number would make a second model silently get the first one's
// code.
//
// Loading runs the library's initialisers: load only trusted artifacts.
//
// Thread safety: load() may be called concurrently. A loaded library is
// immutable; lookup() is thread-safe.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_NATIVELIBRARY_H
#define GOE_RUNTIME_NATIVELIBRARY_H

#include "goe/Runtime/Status.h"

#include <memory>
#include <string>
#include <string_view>

namespace goe::runtime {

class NativeLibrary {
public:
  /// Loads `elf` (the whole .so). `name` labels it in messages. Errors: not
  /// an ELF file, or the dynamic linker's message (missing dependency, wrong
  /// architecture).
  static StatusOr<std::unique_ptr<NativeLibrary>> load(std::string_view elf,
                                                       const std::string &name);

  /// Unloads the library: every pointer from lookup() becomes invalid.
  ~NativeLibrary();
  NativeLibrary(const NativeLibrary &) = delete;
  NativeLibrary &operator=(const NativeLibrary &) = delete;

  /// The address of `symbol`, or NotFound naming it and the library.
  StatusOr<void *> lookup(const std::string &symbol) const;

  const std::string &name() const { return name_; }

private:
  NativeLibrary() = default;
  std::string name_;
  void *handle_ = nullptr;
  int fd_ = -1; // the memfd, kept open while loaded (see above)
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_NATIVELIBRARY_H
