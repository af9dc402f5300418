//===- DataDirectory.cpp - is a data path a readable directory? -----------===//

#include "goe/Data/DataDirectory.h"

#include "goe/Runtime/QuoteText.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace goe::data {

runtime::Status checkDataDirectory(const std::string &path,
                                   const std::string &what) {
  std::string named = what + " " + runtime::quoteText(path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return runtime::notFound(named + " does not exist");
    return runtime::invalidArgument("cannot read " + named + ": " +
                                    std::strerror(errno));
  }
  if (S_ISREG(st.st_mode))
    return runtime::invalidArgument(
        named + " is a regular file, not a directory (give the directory "
                "that holds the data files)");
  if (!S_ISDIR(st.st_mode))
    return runtime::invalidArgument(named + " is not a directory");
  if (::access(path.c_str(), R_OK | X_OK) != 0)
    return runtime::invalidArgument("cannot read " + named + ": " +
                                    std::strerror(errno));
  return runtime::okStatus();
}

} // namespace goe::data
