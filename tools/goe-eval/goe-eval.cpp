//===- goe-eval.cpp - COCO box statistics of a results file ---------------===//
//
//   goe-eval --gt instances.json --dt detections.json [--json]
//
// Prints the 12 COCO statistics as COCOeval.summarize() does (or one JSON
// object with --json). A thin driver over goe/Data/CocoEval.h.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/CocoEval.h"

#include "../common/Flags.h"

#include <cstdio>
#include <iostream>

namespace {

constexpr const char *kUsage =
    "usage: goe-eval --gt INSTANCES.json --dt RESULTS.json [--json]\n"
    "  --gt FILE   COCO ground truth (images, annotations, categories)\n"
    "  --dt FILE   COCO results: [{image_id, category_id, bbox, score}, ...]\n"
    "  --json      print the statistics as one JSON object\n";

int fail(const std::string &message) {
  std::cerr << "goe-eval: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string gtPath, dtPath;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (args[i] == "--json") {
      json = true;
      continue;
    }
    std::string flag, value;
    goe::runtime::Status status =
        goe::tools::readFlag(args, i, {"--gt", "--dt"}, flag, value);
    if (!status.ok())
      return fail(status.message());
    (flag == "--gt" ? gtPath : dtPath) = value;
  }
  if (gtPath.empty() || dtPath.empty())
    return fail(std::string("--gt and --dt are both required\n") + kUsage);
  auto input = goe::data::readCocoEvalFiles(gtPath, dtPath);
  if (!input.ok())
    return fail(input.status().message());
  goe::data::CocoStats stats = goe::data::cocoEvaluate(*input);
  if (!json) {
    std::cout << goe::data::formatCocoStats(stats);
    return 0;
  }
  std::cout << "{";
  for (int i = 0; i < 12; ++i) {
    char value[32];
    std::snprintf(value, sizeof value, "%.17g", stats[i]);
    std::cout << (i ? ", " : "") << "\"" << goe::data::kCocoStatNames[i]
              << "\": " << value;
  }
  std::cout << "}\n";
  return 0;
}
