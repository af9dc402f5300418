//===- goe-eval.cpp - COCO box statistics of a results file ---------------===//
//
//   goe-eval --gt instances.json --dt detections.json [--json]
//   goe-eval --data data.yaml [--split val] --dt detections.json [--json]
//            [--per-class] [--confusion FILE.csv [--conf C] [--iou T]]
//
// Prints the 12 COCO statistics as COCOeval.summarize() does (or one JSON
// object with --json), optionally each class's AP and the detection
// confusion matrix. A thin driver over goe/Data/CocoEval.h and
// goe/Data/DetectionConfusion.h.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/CocoEval.h"
#include "goe/Data/DetectionConfusion.h"
#include "goe/Runtime/FileIO.h"

#include "../common/Flags.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace {

constexpr const char *kUsage =
    "usage: goe-eval --gt INSTANCES.json --dt RESULTS.json [--json]\n"
    "       goe-eval --data DATA.yaml [--split val] --dt RESULTS.json [--json]\n"
    "                [--per-class] [--confusion FILE.csv [--conf C] [--iou T]]\n"
    "  --gt FILE   COCO ground truth (images, annotations, categories)\n"
    "  --data FILE a YOLO data.yaml: its split's labels are the ground truth\n"
    "              (image ids: numeric file names, else positions; category\n"
    "              ids: the classes), as goe-detect writes results\n"
    "  --split S   the data.yaml's split (default val)\n"
    "  --dt FILE   COCO results: [{image_id, category_id, bbox, score}, ...]\n"
    "  --json      print the statistics as one JSON object\n"
    "  --per-class also each class's AP@0.5:0.95, AP@0.5 and ground truths\n"
    "  --confusion FILE  write the detection confusion matrix as CSV (rows\n"
    "              predicted, columns true, background last)\n"
    "  --conf C    the matrix's confidence threshold (default 0.25)\n"
    "  --iou T     the matrix's IoU threshold (default 0.45)\n";

int fail(const std::string &message) {
  std::cerr << "goe-eval: error: " << message << "\n";
  return 1;
}

/// A threshold in [0, 1]; false for anything else.
bool readUnit(const std::string &text, double &value) {
  char *end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && value >= 0 && value <= 1;
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string categoryName(const goe::data::CocoEvalInput &input, int64_t id) {
  auto it = input.categoryNames.find(id);
  return it == input.categoryNames.end() ? std::to_string(id) : it->second;
}

/// A JSON string literal (names may hold quotes or backslashes).
std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if ((unsigned char)c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string gtPath, dtPath, dataPath, split = "val", confusionPath;
  std::string confText = "0.25", iouText = "0.45";
  bool json = false, perClass = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (args[i] == "--json" || args[i] == "--per-class") {
      (args[i] == "--json" ? json : perClass) = true;
      continue;
    }
    std::string flag, value;
    goe::runtime::Status status = goe::tools::readFlag(
        args, i,
        {"--gt", "--dt", "--data", "--split", "--confusion", "--conf", "--iou"},
        flag, value);
    if (!status.ok())
      return fail(status.message());
    (flag == "--gt"          ? gtPath
     : flag == "--dt"        ? dtPath
     : flag == "--data"      ? dataPath
     : flag == "--confusion" ? confusionPath
     : flag == "--conf"      ? confText
     : flag == "--iou"       ? iouText
                             : split) = value;
  }
  double conf = 0, iou = 0;
  if (!readUnit(confText, conf))
    return fail("--conf " + confText + ": a number in [0, 1] is expected");
  if (!readUnit(iouText, iou))
    return fail("--iou " + iouText + ": a number in [0, 1] is expected");
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
  std::vector<goe::data::CocoCategoryStats> classes;
  goe::data::CocoStats stats =
      goe::data::cocoEvaluate(*input, perClass ? &classes : nullptr);
  if (!confusionPath.empty()) {
    std::string csv = goe::data::confusionCsv(
        goe::data::detectionConfusion(*input, conf, iou), *input);
    goe::runtime::Status written =
        goe::runtime::writeFileAtomically(confusionPath, {csv});
    if (!written.ok())
      return fail(written.message());
  }
  if (!json) {
    std::cout << goe::data::formatCocoStats(stats);
    if (perClass) {
      std::printf("%-16s %10s %10s %10s\n", "class", "instances", "AP50",
                  "AP50-95");
      for (const goe::data::CocoCategoryStats &c : classes)
        std::printf("%-16s %10lld %10.4f %10.4f\n",
                    categoryName(*input, c.categoryId).c_str(),
                    (long long)c.groundTruths, c.ap50, c.ap);
    }
    return 0;
  }
  std::cout << "{";
  for (int i = 0; i < 12; ++i)
    std::cout << (i ? ", " : "") << "\"" << goe::data::kCocoStatNames[i]
              << "\": " << number(stats[i]);
  if (perClass) {
    std::cout << ", \"per_class\": [";
    for (size_t i = 0; i < classes.size(); ++i)
      std::cout << (i ? ", " : "") << "{\"id\": " << classes[i].categoryId
                << ", \"name\": "
                << jsonString(categoryName(*input, classes[i].categoryId))
                << ", \"instances\": " << classes[i].groundTruths
                << ", \"AP50\": " << number(classes[i].ap50)
                << ", \"AP\": " << number(classes[i].ap) << "}";
    std::cout << "]";
  }
  std::cout << "}\n";
  return 0;
}
