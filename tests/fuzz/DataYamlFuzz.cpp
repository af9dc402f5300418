//===- DataYamlFuzz.cpp - fuzz target: YOLO data.yaml files --------------===//
//
// A data.yaml in a small YOLO set (images/{train,val}, their labels, a .txt
// list) read as goe-train and goe-detect read one: readClassNames, then
// readYoloDataset with every split and labels file it names. The set lives
// in the fuzzer's scratch directory; a yaml whose strings leave it (an
// absolute path or '..') is only given to readClassNames, so that the
// fuzzer never walks the machine's file system.
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "goe/Data/Detection.h"

#include <yaml-cpp/yaml.h>

namespace {

/// Writes the set once; returns the folder data.yaml goes in.
const std::string &setFolder() {
  static const std::string folder = [] {
    using goe::fuzz::writeScratchFile;
    writeScratchFile("set/images/train/a.png", "");
    writeScratchFile("set/images/train/sub/b.jpg", "");
    writeScratchFile("set/labels/train/a.txt", "0 0.5 0.5 0.2 0.2\n1 0.1 0.1 0.1 0.1\n");
    writeScratchFile("set/labels/train/sub/b.txt", "");
    writeScratchFile("set/images/val/c.png", "");
    writeScratchFile("set/labels/val/c.txt", "7 0.5 0.5 1 1\n");
    writeScratchFile("set/lists/test.txt", "../images/val/c.png\n\n");
    return (goe::fuzz::scratchDir() / "set").string();
  }();
  return folder;
}

/// Whether every string of `node` stays inside the set (no absolute path,
/// no '..'), looking at no more than `budget` nodes: aliases can make a
/// small file a huge (or cyclic) tree.
bool staysInside(const YAML::Node &node, int &budget) {
  if (--budget < 0)
    return false;
  switch (node.Type()) {
  case YAML::NodeType::Scalar: {
    const std::string &text = node.Scalar();
    return text.find("..") == std::string::npos &&
           (text.empty() || text[0] != '/');
  }
  case YAML::NodeType::Sequence:
    for (const YAML::Node &item : node)
      if (!staysInside(item, budget))
        return false;
    return true;
  case YAML::NodeType::Map:
    for (const auto &entry : node)
      if (!staysInside(entry.first, budget) || !staysInside(entry.second, budget))
        return false;
    return true;
  default:
    return true;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = goe::fuzz::writeScratchFile(
      "set/data.yaml", goe::fuzz::asText(data, size));
  (void)setFolder();
  (void)goe::data::readClassNames(path);
  bool safe = true;
  try {
    int budget = 10000;
    safe = staysInside(YAML::Load(std::string(goe::fuzz::asText(data, size))),
                       budget);
  } catch (const YAML::Exception &) {
    // Unparsable: the reader must say so; it cannot walk anywhere.
  }
  if (safe)
    (void)goe::data::readYoloDataset(path);
  return 0;
}
