//===- TempFile.cpp - a temporary file that removes itself ----------------===//

#include "goe/Runtime/TempFile.h"

#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/InterruptCleanup.h"
#include "goe/Runtime/QuoteText.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

namespace goe::runtime {

StatusOr<TempFile> TempFile::create(const std::string &pathPrefix,
                                    const std::string &suffix) {
  std::string path = pathPrefix + "XXXXXX" + suffix;
  // Created and registered with interrupts held back: a Ctrl-C in between
  // would leave a file nobody knows of.
  InterruptBlock block;
  int fd = ::mkostemps(path.data(), static_cast<int>(suffix.size()), O_CLOEXEC);
  if (fd < 0)
    return invalidArgument("cannot create a temporary file " + quoteText(path) +
                           ": " + std::strerror(errno));
  int slot = registerInterruptPath(path.c_str());
  if (slot < 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return resourceExhausted(
        "cannot track the temporary file " + quoteText(path) +
        " for removal on interrupt (path too long, or " +
        std::to_string(kInterruptSlots) + " temporary files open at once)");
  }
  return TempFile(std::move(path), fd, slot);
}

std::string TempFile::tempDir() {
  const char *dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

StatusOr<TempFile> TempFile::inTempDir(const std::string &name,
                                       const std::string &suffix) {
  std::string dir = tempDir();
  if (dir.back() != '/')
    dir += '/';
  return create(dir + name + "-", suffix);
}

TempFile::TempFile(TempFile &&other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), slot_(other.slot_),
      owned_(other.owned_) {
  other.fd_ = -1;
  other.slot_ = -1;
  other.owned_ = false;
}

TempFile &TempFile::operator=(TempFile &&other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    slot_ = other.slot_;
    owned_ = other.owned_;
    other.fd_ = -1;
    other.slot_ = -1;
    other.owned_ = false;
  }
  return *this;
}

TempFile::~TempFile() { remove(); }

Status TempFile::write(std::string_view bytes) {
  if (fd_ < 0)
    return internalError("temporary file " + quoteText(path_) +
                         " is already closed");
  if (int err = writeAllBytes(fd_, bytes))
    return invalidArgument("cannot write " + quoteText(path_) + ": " +
                           std::strerror(err));
  return okStatus();
}

Status TempFile::closeFd() {
  if (fd_ < 0)
    return okStatus();
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0)
    return invalidArgument("cannot close " + quoteText(path_) + ": " +
                           std::strerror(errno));
  return okStatus();
}

Status TempFile::renameTo(const std::string &target) {
  GOE_RETURN_IF_ERROR(closeFd());
  if (!owned_)
    return internalError("temporary file " + quoteText(path_) +
                         " is no longer owned");
  if (::rename(path_.c_str(), target.c_str()) != 0)
    return invalidArgument("cannot rename " + quoteText(path_) + " to " +
                           quoteText(target) + ": " + std::strerror(errno));
  forget();
  return okStatus();
}

void TempFile::remove() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (owned_)
    ::unlink(path_.c_str());
  forget();
}

void TempFile::forget() {
  owned_ = false;
  releaseInterruptSlot(slot_);
  slot_ = -1;
}

} // namespace goe::runtime
