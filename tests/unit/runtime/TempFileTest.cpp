//===- TempFileTest.cpp - temporary files leave nothing behind ------------===//
//
// The owner removes its file on scope exit; with installInterruptCleanup()
// a SIGINT or SIGTERM removes it too (and kills a registered child process
// group) and the process still ends by that signal. The signal cases run in
// death-test children, so this process never installs the handler.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/InterruptCleanup.h"
#include "goe/Runtime/TempFile.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <spawn.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace goe::runtime;

extern char **environ;

namespace {

class TempFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "goe-tempfile-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    // A test binary started in the background by a non-interactive shell
    // (nohup, `cmd &` in a script) inherits SIGINT ignored, and the
    // clean-up rightly leaves an ignored signal alone; the interrupt tests
    // need the ordinary disposition. (ctest's children get it already.)
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
  void TearDown() override { fs::remove_all(dir); }

  size_t entries() const {
    return (size_t)std::distance(fs::directory_iterator(dir),
                                 fs::directory_iterator());
  }
  std::string prefix(const std::string &name) const {
    return (dir / name).string();
  }

  fs::path dir;
};

TEST_F(TempFileTest, RemovedWhenTheOwnerGoesOutOfScope) {
  std::string path;
  {
    StatusOr<TempFile> temp = TempFile::create(prefix("kernels-"), ".o");
    ASSERT_TRUE(temp.ok()) << temp.status().message();
    path = temp->path();
    EXPECT_EQ(path.rfind(prefix("kernels-"), 0), 0u);
    EXPECT_EQ(path.substr(path.size() - 2), ".o");
    EXPECT_TRUE(temp->write("bytes").ok());
    EXPECT_TRUE(fs::exists(path));
    struct stat st;
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u); // private until renamed
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(entries(), 0u);
}

TEST_F(TempFileTest, RenamedFileIsKeptAndMovesTransferOwnership) {
  std::string target = prefix("out.bin");
  {
    StatusOr<TempFile> temp = TempFile::create(target + ".tmp.");
    ASSERT_TRUE(temp.ok());
    TempFile moved = std::move(temp).value();
    ASSERT_TRUE(moved.write("complete").ok());
    Status status = moved.renameTo(target);
    ASSERT_TRUE(status.ok()) << status.message();
  }
  std::ifstream in(target);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "complete");
  EXPECT_EQ(entries(), 1u);

  // A move-assigned-over owner removes its old file first.
  StatusOr<TempFile> a = TempFile::create(prefix("a-"));
  StatusOr<TempFile> b = TempFile::create(prefix("b-"));
  ASSERT_TRUE(a.ok() && b.ok());
  std::string oldPath = a->path();
  *a = std::move(*b);
  EXPECT_FALSE(fs::exists(oldPath));
  EXPECT_EQ(entries(), 2u);
}

TEST_F(TempFileTest, FailedRenameStillRemovesTheFile) {
  {
    StatusOr<TempFile> temp = TempFile::create(prefix("x-"));
    ASSERT_TRUE(temp.ok());
    Status status = temp->renameTo((dir / "no-such-dir" / "out").string());
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.message().find("cannot rename"), std::string::npos);
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(TempFileTest, InTempDirFollowsTmpdirAndCreateFailsClearly) {
  const char *old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  {
    StatusOr<TempFile> temp = TempFile::inTempDir("goe-kernels", ".so");
    ASSERT_TRUE(temp.ok()) << temp.status().message();
    EXPECT_EQ(fs::path(temp->path()).parent_path(), dir);
    EXPECT_EQ(fs::path(temp->path()).filename().string().rfind("goe-kernels-", 0),
              0u);
  }
  if (old)
    ::setenv("TMPDIR", saved.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_EQ(entries(), 0u);

  StatusOr<TempFile> missing = TempFile::create(prefix("none/x-"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot create a temporary file"),
            std::string::npos);
  EXPECT_NE(missing.status().message().find("No such file"), std::string::npos);
}

// --- Interrupts (death-test children) --------------------------------------

/// Creates three temporary files in `dir` and sends the process `sig`.
void interruptWithFiles(const fs::path &dir, int sig) {
  installInterruptCleanup();
  StatusOr<TempFile> a = TempFile::create((dir / "goe-kernels-").string(), ".o");
  StatusOr<TempFile> b = TempFile::create((dir / "goe-kernels-").string(), ".so");
  StatusOr<TempFile> c = TempFile::create((dir / "goe-support-").string(), ".c");
  if (!a.ok() || !b.ok() || !c.ok())
    std::_Exit(3);
  ::raise(sig);
  std::_Exit(4); // not reached: the signal ends the process
}

TEST_F(TempFileTest, SigintRemovesFilesAndEndsTheProcessBySigint) {
  EXPECT_EXIT(interruptWithFiles(dir, SIGINT), ::testing::KilledBySignal(SIGINT),
              "");
  EXPECT_EQ(entries(), 0u);
}

TEST_F(TempFileTest, SigtermRemovesFilesAndEndsTheProcessBySigterm) {
  EXPECT_EXIT(interruptWithFiles(dir, SIGTERM),
              ::testing::KilledBySignal(SIGTERM), "");
  EXPECT_EQ(entries(), 0u);
}

TEST_F(TempFileTest, WithoutTheHandlerNothingIsCleanedOnASignal) {
  // The control: the files are left when no handler is installed, so the
  // test above does test the handler.
  auto body = [this] {
    StatusOr<TempFile> a = TempFile::create(prefix("left-"));
    ::raise(SIGTERM);
    std::_Exit(4);
  };
  EXPECT_EXIT(body(), ::testing::KilledBySignal(SIGTERM), "");
  EXPECT_EQ(entries(), 1u);
}

std::string markerPath;
void markerHandler(int) {
  int fd = ::open(markerPath.c_str(), O_WRONLY | O_CREAT, 0600);
  if (fd >= 0)
    ::close(fd);
}

TEST_F(TempFileTest, AnEarlierHandlerRunsAfterTheCleanUp) {
  markerPath = prefix("marker");
  auto body = [this] {
    std::signal(SIGINT, markerHandler); // as LLVM's InitLLVM would
    interruptWithFiles(dir, SIGINT);
  };
  // The earlier handler returns; the process still ends by SIGINT.
  EXPECT_EXIT(body(), ::testing::KilledBySignal(SIGINT), "");
  EXPECT_EQ(entries(), 1u);
  EXPECT_TRUE(fs::exists(markerPath));
}

TEST_F(TempFileTest, RegisteredChildGroupIsKilledBeforeFilesAreRemoved) {
  std::string pidFile = prefix("child.pid");
  auto body = [&] {
    installInterruptCleanup();
    StatusOr<TempFile> out = TempFile::create(prefix("goe-kernels-"), ".so");
    // A child in its own group that would write the file a second later,
    // as a linker still running would.
    std::string script = "sleep 1; echo late > " + out->path();
    const char *argv[] = {"sh", "-c", script.c_str(), nullptr};
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid;
    if (posix_spawnp(&pid, "sh", nullptr, &attr, const_cast<char **>(argv),
                     environ) != 0)
      std::_Exit(3);
    registerInterruptChild(pid);
    std::ofstream(pidFile) << pid;
    ::raise(SIGTERM);
    std::_Exit(4);
  };
  EXPECT_EXIT(body(), ::testing::KilledBySignal(SIGTERM), "");
  ::usleep(1500 * 1000); // past the moment the child would have written
  fs::remove(pidFile);
  EXPECT_EQ(entries(), 0u);
}

TEST_F(TempFileTest, InterruptBlockDefersTheSignalUntilRegistered) {
  std::string reached = prefix("reached");
  auto body = [&] {
    installInterruptCleanup();
    std::optional<StatusOr<TempFile>> temp;
    {
      InterruptBlock block;
      ::raise(SIGTERM); // pending until the block ends
      temp.emplace(TempFile::create(prefix("held-")));
      std::ofstream(reached) << "yes";
    } // delivered here, with the file registered
    std::_Exit(4);
  };
  EXPECT_EXIT(body(), ::testing::KilledBySignal(SIGTERM), "");
  EXPECT_TRUE(fs::exists(reached));
  EXPECT_EQ(entries(), 1u); // the marker only
}

} // namespace
