//===- TempFile.h - a temporary file that removes itself --------*- C++ -*-===//
//
// Every temporary file goe writes (the code generator's object, library and
// C support file, the temporary beside an output being replaced, a code
// object staged for dlopen) is owned by a TempFile: the file is removed when
// the owner goes out of scope on any path (success, error, exception), and,
// in a tool that called installInterruptCleanup(), when SIGINT or SIGTERM
// ends the process (InterruptCleanup.h). Nothing is left behind unless the
// file is renamed into place (renameTo).
//
// Thread safety: a TempFile is a value owned by one thread at a time;
// distinct TempFiles may be used concurrently.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_TEMPFILE_H
#define GOE_RUNTIME_TEMPFILE_H

#include "goe/Runtime/Status.h"

#include <string>
#include <string_view>

namespace goe::runtime {

class TempFile {
public:
  /// Creates a new empty file `<pathPrefix>XXXXXX<suffix>` (XXXXXX made
  /// unique), mode 0600, open for writing (fd()). E.g. "out.npy.tmp." puts
  /// it beside out.npy, so that renameTo(out.npy) is atomic.
  static StatusOr<TempFile> create(const std::string &pathPrefix,
                                   const std::string &suffix = "");

  /// Creates `<dir>/<name>-XXXXXX<suffix>` in the temporary directory:
  /// $TMPDIR if set and not empty, else /tmp.
  static StatusOr<TempFile> inTempDir(const std::string &name,
                                      const std::string &suffix = "");

  /// The temporary directory inTempDir uses.
  static std::string tempDir();

  TempFile(TempFile &&other) noexcept;
  TempFile &operator=(TempFile &&other) noexcept;
  TempFile(const TempFile &) = delete;
  TempFile &operator=(const TempFile &) = delete;
  /// Closes the descriptor and removes the file (unless renamed).
  ~TempFile();

  const std::string &path() const { return path_; }
  /// The descriptor open for writing; -1 after closeFd().
  int fd() const { return fd_; }

  /// Writes all of `bytes` at the current offset.
  Status write(std::string_view bytes);

  /// Closes the descriptor, reporting a failed close (a write the file
  /// system could not complete). The file stays, still owned.
  Status closeFd();

  /// Closes the descriptor and renames the file to `target` (atomically on
  /// the same file system); from then on it is no longer removed. On
  /// failure the file is still owned, so it is removed later.
  Status renameTo(const std::string &target);

  /// Removes the file now (idempotent).
  void remove();

private:
  TempFile(std::string path, int fd, int slot)
      : path_(std::move(path)), fd_(fd), slot_(slot) {}
  void forget();

  std::string path_;
  int fd_ = -1;
  int slot_ = -1; // in the interrupt registry
  bool owned_ = true;
};

} // namespace goe::runtime

#endif // GOE_RUNTIME_TEMPFILE_H
