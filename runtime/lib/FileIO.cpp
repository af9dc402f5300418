//===- FileIO.cpp - whole-file reads and atomic writes ------------------===//

#include "goe/Runtime/FileIO.h"

#include "goe/Runtime/QuoteText.h"
#include "goe/Runtime/TempFile.h"

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
    std::string message =
        "cannot open " + quoteText(path) + ": " + errnoText(err);
    if (err == ENOENT)
      return notFound(message);
    return invalidArgument(message);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0)
    return invalidArgument("cannot stat " + quoteText(path) + ": " +
                           errnoText(errno));
  if (!S_ISREG(st.st_mode))
    return invalidArgument(quoteText(path) + " is " + describeKind(st.st_mode) +
                           ", not a regular file");
  if (static_cast<uint64_t>(st.st_size) > maxBytes)
    return resourceExhausted(
        quoteText(path) + " has " + std::to_string(st.st_size) +
        " bytes, more than the " + std::to_string(maxBytes) + " goe reads");

  std::string bytes;
  try {
    bytes.reserve(static_cast<size_t>(st.st_size));
  } catch (const std::exception &) {
    return resourceExhausted("cannot allocate " + std::to_string(st.st_size) +
                             " bytes to read " + quoteText(path));
  }
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return invalidArgument("cannot read " + quoteText(path) + ": " +
                             errnoText(errno));
    }
    if (n == 0)
      break;
    // The file may grow while it is read; the bound holds for what is read.
    if (bytes.size() + static_cast<size_t>(n) > maxBytes)
      return resourceExhausted(quoteText(path) + " grew past the " +
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
      return invalidArgument("cannot write " + quoteText(shownPath) + ": " +
                             errnoText(err));
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
      return failedPrecondition("cannot write " + quoteText(path) +
                                ": it is a FIFO that no process reads");
    return invalidArgument("cannot open " + quoteText(path) + " (" +
                           describeKind(mode) + "): " + errnoText(err));
  }
  // Writes block normally from here on (a full pipe waits for its reader).
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
    return invalidArgument("cannot configure " + quoteText(path) + ": " +
                           errnoText(errno));
  Status status = writePieces(fd.get(), path, pieces);
  if (!status.ok())
    return status;
  if (::close(fd.release()) != 0)
    return invalidArgument("cannot close " + quoteText(path) + ": " +
                           errnoText(errno));
  return okStatus();
}

/// A regular file or a new path: a temporary beside it, renamed over it.
/// `mode` is the permission of the file it replaces (0644 for a new one:
/// an artifact is meant to be shared). The TempFile removes the temporary
/// on every failure, and on SIGINT/SIGTERM in a tool.
Status replaceAtomically(const std::string &path, mode_t mode,
                         std::initializer_list<std::string_view> pieces) {
  StatusOr<TempFile> temp = TempFile::create(path + ".tmp.");
  if (!temp.ok())
    return invalidArgument("cannot create a temporary file beside " +
                           quoteText(path) + ": " + temp.status().message());
  if (::fchmod(temp->fd(), mode) != 0)
    return invalidArgument("cannot set permissions of " +
                           quoteText(temp->path()) + ": " + errnoText(errno));
  for (std::string_view piece : pieces)
    GOE_RETURN_IF_ERROR(temp->write(piece));
  // Without the fsync a crash after the rename could leave an empty file
  // under the final name on some file systems.
  if (::fsync(temp->fd()) != 0)
    return invalidArgument("cannot flush " + quoteText(temp->path()) + ": " +
                           errnoText(errno));
  return temp->renameTo(path);
}

/// Where a write to `path` lands: the final target of a symbolic link, or
/// `path` itself.
StatusOr<std::string> writeTarget(const std::string &path) {
  if (path.empty())
    return invalidArgument("cannot write to an empty path");
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
    return path;
  // Follow the link (all of its chain); the link itself stays in place.
  char *resolved = ::realpath(path.c_str(), nullptr);
  if (!resolved)
    return invalidArgument("cannot write " + quoteText(path) +
                           ": it is a symbolic link whose target cannot "
                           "be resolved (" +
                           errnoText(errno) + ")");
  std::string target = resolved;
  std::free(resolved);
  return target;
}

std::string parentOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

Status writeFileAtomically(const std::string &path,
                           std::initializer_list<std::string_view> pieces) {
  StatusOr<std::string> target = writeTarget(path);
  if (!target.ok())
    return target.status();
  struct stat st;
  if (::stat(target->c_str(), &st) != 0) {
    if (errno != ENOENT)
      return invalidArgument("cannot write " + quoteText(path) + ": " +
                             errnoText(errno));
    return replaceAtomically(*target, 0644, pieces);
  }
  if (S_ISREG(st.st_mode))
    return replaceAtomically(*target, st.st_mode & 07777, pieces);
  if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
    return writeStream(*target, st.st_mode, pieces);
  return invalidArgument("cannot write " + quoteText(path) + ": it is " +
                         describeKind(st.st_mode) +
                         "; goe writes regular files, FIFOs and character "
                         "devices only");
}

Status checkWritable(const std::string &path) {
  StatusOr<std::string> target = writeTarget(path);
  if (!target.ok())
    return target.status();
  struct stat st;
  if (::stat(target->c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
      return invalidArgument("cannot write " + quoteText(path) + ": it is " +
                             describeKind(st.st_mode) +
                             "; goe writes regular files, FIFOs and "
                             "character devices only");
    // A stream is not opened here: opening and closing a FIFO would end
    // its reader's input before the real write.
    if (!S_ISREG(st.st_mode)) {
      if (::access(target->c_str(), W_OK) != 0)
        return invalidArgument("cannot write " + quoteText(path) + ": " +
                               errnoText(errno));
      return okStatus();
    }
  } else if (errno != ENOENT && errno != ENOTDIR) {
    // (ENOTDIR: the parent is not a directory, which is named below.)
    return invalidArgument("cannot write " + quoteText(path) + ": " +
                           errnoText(errno));
  }
  // A regular file or a new path is replaced through a temporary beside
  // it: try exactly that (the TempFile removes it again).
  std::string dir = parentOf(*target);
  struct stat dirStat;
  if (::stat(dir.c_str(), &dirStat) != 0)
    return invalidArgument(
        "cannot write " + quoteText(path) + ": directory " + quoteText(dir) +
        " " +
        (errno == ENOENT ? std::string("does not exist") : errnoText(errno)));
  if (!S_ISDIR(dirStat.st_mode))
    return invalidArgument("cannot write " + quoteText(path) + ": " +
                           quoteText(dir) + " is " +
                           describeKind(dirStat.st_mode) + ", not a directory");
  StatusOr<TempFile> probe = TempFile::create(*target + ".tmp.");
  if (!probe.ok())
    return invalidArgument("cannot write " + quoteText(path) + ": " +
                           probe.status().message());
  return okStatus();
}

} // namespace goe::runtime
