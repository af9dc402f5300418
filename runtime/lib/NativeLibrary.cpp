//===- NativeLibrary.cpp - a shared library loaded from memory ----------===//

#include "goe/Runtime/NativeLibrary.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/QuoteText.h"
#include "goe/Runtime/TempFile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace goe::runtime {
namespace {

Status writeAll(int fd, std::string_view bytes) {
  if (writeAllBytes(fd, bytes) == 0)
    return okStatus();
  return failedPrecondition(std::string("cannot stage native code: ") +
                            std::strerror(errno));
}

std::string dlerrorText() {
  const char *text = ::dlerror();
  return text ? text : "unknown dynamic linker error";
}

} // namespace

StatusOr<std::unique_ptr<NativeLibrary>>
NativeLibrary::load(std::string_view elf, const std::string &name) {
  // The dynamic linker's message for a non-ELF file is obscure; this one
  // says what is wrong with the artifact.
  if (elf.size() < 4 || elf.substr(0, 4) != "\x7f"
                                            "ELF")
    return failedPrecondition("code object " + quoteText(name) +
                              " is not an ELF shared library");

  std::unique_ptr<NativeLibrary> library(new NativeLibrary());
  library->name_ = name;

  // GOE_PERF_CODE_DIR keeps the code in a named file there, so that perf
  // and gdb can find its symbols (a memfd is gone by the time they look).
  if (const char *dir = std::getenv("GOE_PERF_CODE_DIR")) {
    std::string path = std::string(dir) + "/goe-code-" +
                       std::to_string(::getpid()) + "-" +
                       std::to_string(reinterpret_cast<uintptr_t>(
                           library.get())) + ".so";
    int kept = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                      0600);
    if (kept < 0)
      return failedPrecondition("GOE_PERF_CODE_DIR: cannot create " +
                                quoteText(path));
    Status status = writeAll(kept, elf);
    ::close(kept);
    GOE_RETURN_IF_ERROR(status);
    ::dlerror();
    library->handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!library->handle_)
      return failedPrecondition("cannot load code object " + quoteText(name) +
                                ": " + dlerrorText());
    return library;
  }

  int fd = ::memfd_create("goe-code", MFD_CLOEXEC);
  if (fd >= 0) {
    Status status = writeAll(fd, elf);
    if (!status.ok()) {
      ::close(fd);
      return status;
    }
    std::string path = "/proc/self/fd/" + std::to_string(fd);
    ::dlerror();
    void *handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      library->handle_ = handle;
      library->fd_ = fd;
      return library;
    }
    std::string message = dlerrorText();
    ::close(fd);
    // Without /proc the path cannot work; any other failure is the code's.
    if (::access("/proc/self/fd", F_OK) == 0)
      return failedPrecondition("cannot load code object " + quoteText(name) +
                                ": " + message);
  }

  // Fallback (no memfd, or no /proc): a private file that nobody else can
  // open by name once it is removed (by its TempFile, right after dlopen).
  StatusOr<TempFile> staged = TempFile::inTempDir("goe-code");
  if (!staged.ok())
    return failedPrecondition("cannot stage native code " + quoteText(name) +
                              ": " + staged.status().message());
  GOE_RETURN_IF_ERROR(writeAll(staged->fd(), elf));
  GOE_RETURN_IF_ERROR(staged->closeFd());
  ::dlerror();
  void *handle = ::dlopen(staged->path().c_str(), RTLD_NOW | RTLD_LOCAL);
  std::string message = handle ? "" : dlerrorText();
  staged->remove();
  if (!handle)
    return failedPrecondition("cannot load code object " + quoteText(name) +
                              ": " + message);
  library->handle_ = handle;
  return library;
}

NativeLibrary::~NativeLibrary() {
  if (handle_)
    ::dlclose(handle_);
  if (fd_ >= 0)
    ::close(fd_);
}

StatusOr<void *> NativeLibrary::lookup(const std::string &symbol) const {
  // dlerror is per thread in glibc, and a symbol may legitimately be null,
  // so the error state decides, not the result.
  ::dlerror();
  void *address = ::dlsym(handle_, symbol.c_str());
  if (const char *error = ::dlerror())
    return notFound("symbol '" + symbol + "' not found in code object '" +
                    name_ + "': " + error);
  return address;
}

} // namespace goe::runtime
