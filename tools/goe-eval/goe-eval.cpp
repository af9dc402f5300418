//===- goe-eval.cpp - COCO box statistics of a results file ---------------===//
//
//   goe-eval --gt instances.json --dt detections.json [--json]
//   goe-eval --data data.yaml [--split val] --dt detections.json [--json]
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
    "       goe-eval --data DATA.yaml [--split val] --dt RESULTS.json [--json]\n"
    "  --gt FILE   COCO ground truth (images, annotations, categories)\n"
    "  --data FILE a YOLO data.yaml: its split's labels are the ground truth\n"
    "              (image ids: numeric file names, else positions; category\n"
    "              ids: the classes), as goe-detect writes results\n"
    "  --split S   the data.yaml's split (default val)\n"
    "  --dt FILE   COCO results: [{image_id, category_id, bbox, score}, ...]\n"
    "  --json      print the statistics as one JSON object\n";

int fail(const std::string &message) {
  std::cerr << "goe-eval: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string gtPath, dtPath, dataPath, split = "val";
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
        goe::tools::readFlag(args, i, {"--gt", "--dt", "--data", "--split"},
                             flag, value);
    if (!status.ok())
      return fail(status.message());
    (flag == "--gt"     ? gtPath
     : flag == "--dt"   ? dtPath
     : flag == "--data" ? dataPath
                        : split) = value;
  }
  if (gtPath.empty() == dataPath.empty() || dtPath.empty())
    return fail(std::string("--dt and one of --gt or --data are required\n") +
                kUsage);
  auto input = dataPath.empty() ? goe::data::readCocoGroundTruth(gtPath)
                                : goe::data::yoloGroundTruth(dataPath, split);
  if (!input.ok())
    return fail(input.status().message());
  auto read = goe::data::readCocoResults(
      dtPath, dataPath.empty() ? gtPath : dataPath + " (" + split + ")", *input);
  if (!read.ok())
    return fail(read.message());
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
