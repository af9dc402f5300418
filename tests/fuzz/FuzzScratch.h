//===- FuzzScratch.h - files for fuzz targets whose readers take paths ---===//
//
// Some readers (data.yaml, COCO JSON) take a path, not bytes. Their fuzz
// targets write each input to a file in one private directory per process,
// made once and removed at exit, so that a run leaves nothing behind and
// two fuzzers never share a file.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TESTS_FUZZ_FUZZSCRATCH_H
#define GOE_TESTS_FUZZ_FUZZSCRATCH_H

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace goe::fuzz {

/// The process's scratch directory (created on first use).
inline const std::filesystem::path &scratchDir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const char *tmp = std::getenv("TMPDIR");
      std::string pattern =
          std::string(tmp && *tmp ? tmp : "/tmp") + "/goe-fuzz-XXXXXX";
      if (!::mkdtemp(pattern.data()))
        std::abort(); // no scratch space: nothing can be fuzzed
      path = pattern;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static Dir dir;
  return dir.path;
}

/// Writes `bytes` to `name` (a relative path) under the scratch directory,
/// creating its folders; returns the full path.
inline std::string writeScratchFile(const std::string &name,
                                    std::string_view bytes) {
  std::filesystem::path path = scratchDir() / name;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), (std::streamsize)bytes.size());
  return path.string();
}

/// The input as text.
inline std::string_view asText(const uint8_t *data, size_t size) {
  return {reinterpret_cast<const char *>(data), size};
}

} // namespace goe::fuzz

#endif // GOE_TESTS_FUZZ_FUZZSCRATCH_H
