//===- FileIO.cpp - whole-file reads and atomic writes ------------------===//

#include "goe/Runtime/FileIO.h"

#include <cerrno>
#include <cstdio>
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

StatusOr<std::string> readFileBytes(const std::string &path) {
  FdGuard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
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
    return invalidArgument("'" + path + "' is not a regular file");

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
    bytes.append(buffer, static_cast<size_t>(n));
  }
  return bytes;
}

Status writeFileAtomically(const std::string &path,
                           std::initializer_list<std::string_view> pieces) {
  if (path.empty())
    return invalidArgument("cannot write an artifact to an empty path");
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
  // mkstemp creates the file 0600; an artifact is meant to be shared.
  if (::fchmod(fd.get(), 0644) != 0)
    return fail(invalidArgument("cannot set permissions of '" + tempPath +
                                "': " + errnoText(errno)));
  for (std::string_view piece : pieces) {
    int err = writeAllBytes(fd.get(), piece);
    Status status = err == 0 ? okStatus()
                             : invalidArgument("cannot write '" + tempPath +
                                               "': " + errnoText(err));
    if (!status.ok())
      return fail(status);
  }
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

} // namespace goe::runtime
