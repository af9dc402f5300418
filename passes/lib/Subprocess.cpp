//===- Subprocess.cpp - a tool the code generator runs (cc, ptxas) --------===//
//
// posix_spawn rather than llvm::sys::ExecuteAndWait, which cannot put the
// child into a process group of its own.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/Subprocess.h"

#include "goe/Runtime/InterruptCleanup.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <vector>

extern char **environ;

namespace goe {
namespace {

/// The spawn attributes and file actions, destroyed on every path.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

} // namespace

int runSubprocess(llvm::StringRef program, llvm::ArrayRef<llvm::StringRef> args,
                  std::optional<llvm::StringRef> outputPath,
                  unsigned timeoutSeconds, std::string &error) {
  std::vector<std::string> storage(args.begin(), args.end());
  std::vector<char *> argv;
  for (std::string &arg : storage)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::string programPath = program.str();

  SpawnSetup setup;
  // Its own group (pgid = its pid); the signals the compiler handles back
  // to their defaults and unblocked in the child.
  sigset_t none, interrupts;
  sigemptyset(&none);
  sigemptyset(&interrupts);
  for (int sig : {SIGINT, SIGTERM, SIGHUP})
    sigaddset(&interrupts, sig);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP |
                                            POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &interrupts);
  std::string output = outputPath ? outputPath->str() : "";
  if (outputPath) {
    posix_spawn_file_actions_addopen(&setup.actions, 1, output.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&setup.actions, 1, 2);
  }

  pid_t pid;
  int slot;
  {
    // Started and registered without an interrupt in between.
    runtime::InterruptBlock block;
    int rc = posix_spawn(&pid, programPath.c_str(), &setup.actions, &setup.attr,
                         argv.data(), environ);
    if (rc != 0) {
      error = "cannot start " + programPath + ": " + std::strerror(rc);
      return -1;
    }
    slot = runtime::registerInterruptChild(pid);
  }

  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeoutSeconds);
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid)
      break;
    if (done < 0 && errno != EINTR) {
      error = std::string("cannot wait for ") + programPath + ": " +
              std::strerror(errno);
      runtime::releaseInterruptSlot(slot);
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      runtime::releaseInterruptSlot(slot);
      error = programPath + " ran for more than " +
              std::to_string(timeoutSeconds) + " s and was stopped";
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  runtime::releaseInterruptSlot(slot);
  if (WIFSIGNALED(status)) {
    error = programPath + " was ended by signal " +
            std::to_string(WTERMSIG(status)) + " (" +
            strsignal(WTERMSIG(status)) + ")";
    return -1;
  }
  return WEXITSTATUS(status);
}

} // namespace goe
