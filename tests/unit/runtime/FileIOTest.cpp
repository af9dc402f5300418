//===- FileIOTest.cpp - what reads and writes do to special files ---------===//
//
// A tool's output path may be a symlink, a FIFO or /dev/null, and an input
// path may be a FIFO: none of them may be replaced by a regular file, and
// none may hang the tool.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/FileIO.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace goe::runtime;

namespace {

class FileIOTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern =
        (fs::temp_directory_path() / "goe-fileio-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string path(const std::string &name) const { return (dir / name).string(); }

  static std::string contents(const std::string &file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  /// Every entry of the directory: a failed write must leave no temporary.
  size_t entries() const {
    return (size_t)std::distance(fs::directory_iterator(dir),
                                 fs::directory_iterator());
  }

  fs::path dir;
};

TEST_F(FileIOTest, RegularFileIsReplacedKeepingItsMode) {
  std::string file = path("out.bin");
  ASSERT_TRUE(writeFileAtomically(file, {"old"}).ok());
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  Status status = writeFileAtomically(file, {"new ", "bytes"});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(contents(file), "new bytes");
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(FileIOTest, SymlinkIsFollowedNotReplaced) {
  std::string target = path("target.bin"), link = path("link.bin");
  ASSERT_TRUE(writeFileAtomically(target, {"old"}).ok());
  fs::create_symlink(target, link);
  Status status = writeFileAtomically(link, {"through the link"});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(contents(target), "through the link");
}

TEST_F(FileIOTest, DanglingSymlinkIsRefusedAndKept) {
  std::string link = path("dangling");
  fs::create_symlink(path("missing/x"), link);
  Status status = writeFileAtomically(link, {"x"});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("symbolic link"), std::string::npos)
      << status.message();
  EXPECT_TRUE(fs::is_symlink(link));
}

TEST_F(FileIOTest, CharacterDeviceIsWrittenAsAStream) {
  Status status = writeFileAtomically("/dev/null", {"discarded"});
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST_F(FileIOTest, FifoWithAReaderGetsTheBytesAndStaysAFifo) {
  std::string fifo = path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto reader = std::async(std::launch::async, [&] { return contents(fifo); });
  // The reader's open may not have happened yet; retry until it has.
  Status status = failedPrecondition("not tried");
  for (int i = 0; i < 500 && !status.ok(); ++i) {
    status = writeFileAtomically(fifo, {"streamed ", "bytes"});
    if (!status.ok())
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(reader.get(), "streamed bytes");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST_F(FileIOTest, FifoWithoutAReaderIsRefusedAtOnce) {
  std::string fifo = path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Status status = writeFileAtomically(fifo, {"x"});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("FIFO that no process reads"),
            std::string::npos)
      << status.message();
  EXPECT_TRUE(fs::is_fifo(fifo));
}

TEST_F(FileIOTest, DirectoryIsRefusedAndNothingIsLeft) {
  std::string sub = path("sub");
  fs::create_directory(sub);
  Status status = writeFileAtomically(sub, {"x"});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("is a directory"), std::string::npos)
      << status.message();
  EXPECT_TRUE(fs::is_directory(sub));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(FileIOTest, MissingDirectoryLeavesNothing) {
  Status status = writeFileAtomically(path("no/such/dir/out.bin"), {"x"});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(entries(), 0u);
}

TEST_F(FileIOTest, ReadingAFifoIsRefusedWithoutWaiting) {
  std::string fifo = path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto read = std::async(std::launch::async, [&] { return readFileBytes(fifo); });
  if (read.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Unblock the stuck open so the test ends, then fail.
    int fd = ::open(fifo.c_str(), O_WRONLY);
    ::close(fd);
    FAIL() << "readFileBytes blocked on a FIFO";
  }
  StatusOr<std::string> bytes = read.get();
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("is a FIFO, not a regular file"),
            std::string::npos)
      << bytes.status().message();
}

TEST_F(FileIOTest, ReadsAreBounded) {
  std::string file = path("big.bin");
  ASSERT_TRUE(writeFileAtomically(file, {std::string(100, 'x')}).ok());
  StatusOr<std::string> bounded = readFileBytes(file, 99);
  ASSERT_FALSE(bounded.ok());
  EXPECT_EQ(bounded.status().code(), StatusCode::ResourceExhausted);
  EXPECT_NE(bounded.status().message().find("100 bytes"), std::string::npos);
  StatusOr<std::string> whole = readFileBytes(file, 100);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole.value().size(), 100u);
}

TEST_F(FileIOTest, CheckWritableAcceptsWhatWritingAcceptsAndLeavesNothing) {
  EXPECT_TRUE(checkWritable(path("new.npy")).ok());
  ASSERT_TRUE(writeFileAtomically(path("old.npy"), {"old"}).ok());
  EXPECT_TRUE(checkWritable(path("old.npy")).ok());
  EXPECT_EQ(contents(path("old.npy")), "old");
  std::string fifo = path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(checkWritable(fifo).ok()); // not opened: no reader needed
  EXPECT_TRUE(checkWritable("/dev/null").ok());
  ASSERT_EQ(::symlink("old.npy", path("link").c_str()), 0);
  EXPECT_TRUE(checkWritable(path("link")).ok());
  EXPECT_EQ(entries(), 3u); // old.npy, pipe, link: no probe left behind
}

TEST_F(FileIOTest, CheckWritableNamesWhyNot) {
  auto message = [](const std::string &p) {
    Status status = checkWritable(p);
    EXPECT_FALSE(status.ok()) << p;
    return status.message();
  };
  EXPECT_NE(message(path("no/such/out.npy")).find("does not exist"),
            std::string::npos);
  ASSERT_TRUE(writeFileAtomically(path("file"), {"x"}).ok());
  EXPECT_NE(message(path("file/out.npy")).find("is a regular file, not a "
                                               "directory"),
            std::string::npos);
  fs::create_directory(path("sub"));
  EXPECT_NE(message(path("sub")).find("it is a directory"), std::string::npos);
  // Not creatable even by root: /proc refuses new files.
  EXPECT_NE(message("/proc/goe-out.npy").find("cannot write '/proc/goe-out.npy'"),
            std::string::npos);
  if (::geteuid() != 0) {
    fs::create_directory(path("ro"));
    ::chmod(path("ro").c_str(), 0500);
    EXPECT_NE(message(path("ro/out.npy")).find("Permission denied"),
              std::string::npos);
    ::chmod(path("ro").c_str(), 0700);
  }
  EXPECT_EQ(entries(), 2u); // file, sub
}

TEST_F(FileIOTest, MessagesEscapeControlCharactersInPaths) {
  StatusOr<std::string> bytes = readFileBytes(path("bad\x1b[2Jname\nx"));
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().message().find('\x1b'), std::string::npos);
  EXPECT_EQ(bytes.status().message().find('\n'), std::string::npos);
  EXPECT_NE(bytes.status().message().find("bad\\x1b[2Jname\\nx"),
            std::string::npos)
      << bytes.status().message();
}

} // namespace
