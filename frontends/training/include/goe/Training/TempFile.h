//===- TempFile.h - a temporary file that removes itself --------*- C++ -*-===//
//
// A temporary file beside its destination (same directory, so the final
// rename is atomic), owned by this object: unless commit() renamed it into
// place, the destructor removes it. Training writes its checkpoints through
// it, so an error, an exception or an interrupted run (Interrupt.h turns
// SIGINT/SIGTERM into an orderly return that runs destructors) leaves no
// `*.tmp` behind.
//
// Note for the merge: harden-a writes a runtime-wide owner of temporary
// files for the other tools; this minimal one is the training library's
// until the two are unified.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_TEMPFILE_H
#define GOE_TRAINING_TEMPFILE_H

#include "goe/Runtime/Status.h"

#include <string>

namespace goe::train {

class TempFile {
public:
  /// Reserves `destination`.tmp.XXXXXX (mkstemp); check status().
  explicit TempFile(std::string destination);
  ~TempFile();
  TempFile(const TempFile &) = delete;
  TempFile &operator=(const TempFile &) = delete;

  const runtime::Status &status() const { return status_; }
  /// The temporary's path, to write to.
  const std::string &path() const { return path_; }
  /// Renames the temporary over the destination; afterwards the object
  /// owns nothing. On failure the temporary is removed.
  runtime::Status commit();

private:
  std::string destination_, path_;
  runtime::Status status_;
  bool owned_ = false;
};

} // namespace goe::train

#endif // GOE_TRAINING_TEMPFILE_H
