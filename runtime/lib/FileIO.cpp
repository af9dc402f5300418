//===- FileIO.cpp - whole-file reads and atomic writes ------------------===//

#include "goe/Runtime/FileIO.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace goe::runtime {
namespace {

std::string errnoText(int err) { return std::strerror(err); }

/// Closes a descriptor on scope exit unless released.
class FdGuard {
public:
  explicit FdGuard(int fd) : fd(fd) {}
  ~FdGuard() {
    if (fd >= 0)
      ::close(fd);
  }
  int get() const { return fd; }
  int release() {
    int result = fd;
    fd = -1;
    return result;
  }

private:
  int fd;
};

} // namespace

int writeAllBytes(int fd, std::string_view bytes) {
  const char *p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errno;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return 0;
}

/// What a file is, for messages: "a FIFO", "a directory", ...
static std::string describeKind(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISLNK(mode))
    return "a symbolic link";
  return "a regular file";
}

StatusOr<std::string> readFileBytes(const std::string &path,
                                    uint64_t maxBytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer forever; the fstat below refuses it right after. Reads of a
  // regular file ignore the flag.
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) {
    int err = errno;
    std::string message = "cannot open '" + path + "': " + errnoText(err);
    if (err == ENOENT)
      return notFound(message);
    return invalidArgument(message);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return invalidArgument("cannot stat '" + path + "': " + errnoText(errno));
  if (!S_ISREG(st.st_mode))
    return invalidArgument("'" + path + "' is " + describeKind(st.st_mode) +
                           ", not a regular file");
  if (static_cast<uint64_t>(st.st_size) > maxBytes)
    return resourceExhausted("'" + path + "' has " +
                             std::to_string(st.st_size) +
                             " bytes, more than the " +
                             std::to_string(maxBytes) + " goe reads");

  std::string bytes;
  try {
    bytes.reserve(static_cast<size_t>(st.st_size));
  } catch (const std::exception &) {
    return resourceExhausted("cannot allocate " + std::to_string(st.st_size) +
                             " bytes to read '" + path + "'");
  }
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return invalidArgument("cannot read '" + path + "': " + errnoText(errno));
    }
    if (n == 0)
      break;
    // The file may grow while it is read; the bound holds for what is read.
    if (bytes.size() + static_cast<size_t>(n) > maxBytes)
      return resourceExhausted("'" + path + "' grew past the " +
                               std::to_string(maxBytes) +
                               " bytes goe reads while it was read");
    bytes.append(buffer, static_cast<size_t>(n));
  }
  return bytes;
}

namespace {

Status writePieces(int fd, const std::string &shownPath,
                   std::initializer_list<std::string_view> pieces) {
  for (std::string_view piece : pieces)
    if (int err = writeAllBytes(fd, piece))
      return invalidArgument("cannot write '" + shownPath +
                             "': " + errnoText(err));
  return okStatus();
}

/// A FIFO or character device: written in place, as a shell redirect does.
Status writeStream(const std::string &path, mode_t mode,
                   std::initializer_list<std::string_view> pieces) {
  // Non-blocking open: a FIFO without a reader fails with ENXIO at once
  // instead of waiting for one.
  FdGuard fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) {
    int err = errno;
    if (err == ENXIO && S_ISFIFO(mode))
      return failedPrecondition("cannot write '" + path +
                                "': it is a FIFO that no process reads");
    return invalidArgument("cannot open '" + path + "' (" +
                           describeKind(mode) + "): " + errnoText(err));
  }
  // Writes block normally from here on (a full pipe waits for its reader).
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
    return invalidArgument("cannot configure '" + path +
                           "': " + errnoText(errno));
  Status status = writePieces(fd.get(), path, pieces);
  if (!status.ok())
    return status;
  if (::close(fd.release()) != 0)
    return invalidArgument("cannot close '" + path + "': " + errnoText(errno));
  return okStatus();
}

/// A regular file or a new path: a temporary beside it, renamed over it.
/// `mode` is the permission of the file it replaces (0644 for a new one:
/// an artifact is meant to be shared).
Status replaceAtomically(const std::string &path, mode_t mode,
                         std::initializer_list<std::string_view> pieces) {
  std::string tempPath = path + ".tmp.XXXXXX";
  FdGuard fd(::mkstemp(tempPath.data()));
  if (fd.get() < 0)
    return invalidArgument("cannot create a temporary file beside '" + path +
                           "': " + errnoText(errno));

  auto fail = [&](Status status) {
    ::close(fd.release());
    ::unlink(tempPath.c_str());
    return status;
  };
  if (::fchmod(fd.get(), mode) != 0)
    return fail(invalidArgument("cannot set permissions of '" + tempPath +
                                "': " + errnoText(errno)));
  Status status = writePieces(fd.get(), tempPath, pieces);
  if (!status.ok())
    return fail(status);
  // Without the fsync a crash after the rename could leave an empty file
  // under the final name on some file systems.
  if (::fsync(fd.get()) != 0)
    return fail(invalidArgument("cannot flush '" + tempPath +
                                "': " + errnoText(errno)));
  if (::close(fd.release()) != 0) {
    ::unlink(tempPath.c_str());
    return invalidArgument("cannot close '" + tempPath +
                           "': " + errnoText(errno));
  }
  if (::rename(tempPath.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tempPath.c_str());
    return invalidArgument("cannot rename '" + tempPath + "' to '" + path +
                           "': " + errnoText(err));
  }
  return okStatus();
}

} // namespace

Status writeFileAtomically(const std::string &path,
                           std::initializer_list<std::string_view> pieces) {
  if (path.empty())
    return invalidArgument("cannot write to an empty path");
  std::string target = path;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    // Follow the link (all of its chain) and replace its target, leaving
    // the link itself in place.
    char *resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved)
      return invalidArgument("cannot write '" + path +
                             "': it is a symbolic link whose target cannot "
                             "be resolved (" + errnoText(errno) + ")");
    target = resolved;
    std::free(resolved);
  }
  if (::stat(target.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return invalidArgument("cannot write '" + path + "': " +
                             errnoText(errno));
    return replaceAtomically(target, 0644, pieces);
  }
  if (S_ISREG(st.st_mode))
    return replaceAtomically(target, st.st_mode & 07777, pieces);
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
    return writeStream(target, st.st_mode, pieces);
  return invalidArgument("cannot write '" + path + "': it is " +
                         describeKind(st.st_mode) +
                         "; goe writes regular files, FIFOs and character "
                         "devices only");
}

} // namespace goe::runtime
