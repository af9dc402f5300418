//===- TempFileTest.cpp - the temporary-file owner --------------------------===//

#include "goe/Training/TempFile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace goe::train;
namespace fs = std::filesystem;

namespace {

fs::path freshDir(const char *name) {
  fs::path dir = fs::temp_directory_path() /
                 (std::string(name) + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

size_t entries(const fs::path &dir) {
  return (size_t)std::distance(fs::directory_iterator(dir),
                               fs::directory_iterator());
}

} // namespace

TEST(TempFileTest, UncommittedIsRemoved) {
  fs::path dir = freshDir("goe-tempfile-a");
  {
    TempFile temp((dir / "ck.pt").string());
    ASSERT_TRUE(temp.status().ok());
    std::ofstream(temp.path()) << "half";
    EXPECT_EQ(entries(dir), 1u);
  } // an error or an interrupt leaves the scope this way
  EXPECT_EQ(entries(dir), 0u);
  fs::remove_all(dir);
}

TEST(TempFileTest, CommitReplacesTheDestination) {
  fs::path dir = freshDir("goe-tempfile-b");
  std::ofstream(dir / "ck.pt") << "old";
  {
    TempFile temp((dir / "ck.pt").string());
    std::ofstream(temp.path()) << "new";
    ASSERT_TRUE(temp.commit().ok());
  }
  EXPECT_EQ(entries(dir), 1u);
  std::ifstream in(dir / "ck.pt");
  std::string text;
  in >> text;
  EXPECT_EQ(text, "new");
  fs::remove_all(dir);
}

TEST(TempFileTest, NoDirectoryIsAMessage) {
  TempFile temp("/nonexistent-goe-dir/ck.pt");
  ASSERT_FALSE(temp.status().ok());
  EXPECT_NE(temp.status().message().find("cannot create a temporary file "
                                         "beside '/nonexistent-goe-dir/ck.pt'"),
            std::string::npos);
}
