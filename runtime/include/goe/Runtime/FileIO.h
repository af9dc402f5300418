//===- FileIO.h - whole-file reads and atomic writes ------------*- C++ -*-===//
//
// Artifacts are written by a compiler that may be interrupted and read by
// servers that may be started at any moment: a reader must never see half a
// file. Writes therefore go to a temporary file in the destination directory
// (same file system, so rename is atomic) and are renamed into place.
//
// Thread safety: the functions are reentrant; concurrent writes to the same
// path leave one complete file (the last rename wins).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_FILEIO_H
#define GOE_RUNTIME_FILEIO_H

#include "goe/Runtime/Status.h"

#include <string>
#include <string_view>

namespace goe::runtime {

/// Reads the whole file. NotFound if it does not exist, InvalidArgument if
/// it is not a regular file or cannot be read.
StatusOr<std::string> readFileBytes(const std::string &path);

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns
/// 0, or the errno of the failure (errno is left set), so each caller words
/// its own message.
int writeAllBytes(int fd, std::string_view bytes);

/// Replaces `path` with `pieces` concatenated, atomically: the file is
/// either the old one (or absent) or the complete new one, even if the
/// process dies midway. On failure the temporary file is removed.
Status writeFileAtomically(const std::string &path,
                           std::initializer_list<std::string_view> pieces);

} // namespace goe::runtime

#endif // GOE_RUNTIME_FILEIO_H
