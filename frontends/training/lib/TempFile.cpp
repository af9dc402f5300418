//===- TempFile.cpp - a temporary file that removes itself ----------------===//

#include "goe/Training/TempFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace goe::train {

TempFile::TempFile(std::string destination)
    : destination_(std::move(destination)) {
  std::string pattern = destination_ + ".tmp.XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    status_ = runtime::invalidArgument("cannot create a temporary file beside '" +
                                       destination_ + "': " +
                                       std::strerror(errno));
    return;
  }
  ::close(fd);
  path_ = pattern;
  owned_ = true;
}

TempFile::~TempFile() {
  if (owned_)
    ::unlink(path_.c_str());
}

runtime::Status TempFile::commit() {
  if (!owned_)
    return status_.ok() ? runtime::internalError("temporary file committed twice")
                        : status_;
  if (::rename(path_.c_str(), destination_.c_str()) != 0) {
    int error = errno;
    ::unlink(path_.c_str());
    owned_ = false;
    return runtime::invalidArgument("cannot write '" + destination_ + "': " +
                                    std::strerror(error));
  }
  owned_ = false;
  return runtime::okStatus();
}

} // namespace goe::train
