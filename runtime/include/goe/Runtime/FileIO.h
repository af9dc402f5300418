//===- FileIO.h - whole-file reads and atomic writes ------------*- C++ -*-===//
//
// Artifacts are written by a compiler that may be interrupted and read by
// servers that may be started at any moment: a reader must never see half a
// file. Writes therefore go to a temporary file in the destination directory
// (same file system, so rename is atomic, owned by a TempFile that removes
// it on failure and on SIGINT/SIGTERM) and are renamed into place.
//
// What a path names decides what happens to it, as a shell redirect would
// treat it, so that no special file is ever replaced:
//   - a regular file or a new path: replaced atomically (its mode kept);
//   - a symbolic link: followed; its final target is written as above;
//   - a FIFO or a character device (/dev/null, /dev/stdout): written as a
//     stream, in place (a FIFO with no reader is refused, not waited on);
//   - a directory, socket or block device: refused.
// Reads open non-blocking and refuse anything but a regular file, so a FIFO
// given as an input cannot hang a tool, and refuse files over a size bound.
//
// Thread safety: the functions are reentrant; concurrent writes to the same
// path leave one complete file (the last rename wins).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_FILEIO_H
#define GOE_RUNTIME_FILEIO_H

#include "goe/Runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace goe::runtime {

/// Files goe reads whole are bounded: the artifact format itself stops at
/// 2 GiB, and no dataset file goe reads comes near 4 GiB.
constexpr uint64_t kMaxReadBytes = uint64_t(4) << 30;

/// Reads the whole file. NotFound if it does not exist, InvalidArgument if
/// it is not a regular file (never blocking on a FIFO) or cannot be read,
/// ResourceExhausted if it is larger than `maxBytes`.
StatusOr<std::string> readFileBytes(const std::string &path,
                                    uint64_t maxBytes = kMaxReadBytes);

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns
/// 0, or the errno of the failure (errno is left set), so each caller words
/// its own message.
int writeAllBytes(int fd, std::string_view bytes);

/// Writes `pieces` concatenated to `path`. A regular file (or a new path,
/// or the target of a symbolic link) is replaced atomically: it is either
/// the old one (or absent) or the complete new one, even if the process
/// dies midway, and on failure the temporary file is removed. A FIFO or a
/// character device is written as a stream; other special files are
/// refused with a message naming what the path is.
Status writeFileAtomically(const std::string &path,
                           std::initializer_list<std::string_view> pieces);

/// Whether writeFileAtomically(path, ...) can write there, checked before
/// a long run rather than after it: for a regular file or a new path, a
/// temporary file is created beside it and removed again; a FIFO or a
/// character device must be writable (it is not opened: that would end a
/// FIFO reader's input); anything else is refused as writeFileAtomically
/// would. Nothing is left behind.
Status checkWritable(const std::string &path);

} // namespace goe::runtime

#endif // GOE_RUNTIME_FILEIO_H
