//===- goe-data.cpp - build datasets goe trains on ------------------------===//
//
//   goe-data detection --out DIR [--mnist data/mnist] [--fashion DIR]
//                      [--train 8000] [--val 1000] [--size 320] [--seed 0]
//                      [--threads N]
//
// A thin driver over goe/Data/SyntheticDetection.h: writes the real-image
// detection set (MNIST digits and Fashion-MNIST items on four scene styles)
// in the YOLO layout.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/CocoEval.h"
#include "goe/Data/SyntheticDetection.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/InterruptCleanup.h"

#include "../common/Flags.h"

#include <chrono>
#include <iostream>
#include <thread>

namespace {

constexpr const char *kUsage =
    "usage: goe-data detection --out DIR [options]\n"
    "       goe-data coco --data DATA.yaml --split SPLIT --out FILE.json\n"
    "\n"
    "detection: builds the real-image detection set (docs/data.md)\n"
    "  --mnist DIR     MNIST IDX files (default data/mnist)\n"
    "  --fashion DIR   Fashion-MNIST IDX files (default: Debian's package)\n"
    "  --train N       training canvases (default 8000)\n"
    "  --val N         validation canvases (default 1000)\n"
    "  --size S        canvas side in pixels (default 320)\n"
    "  --seed S        seed (default 0); the same seed gives the same set\n"
    "  --threads N     worker threads (default: all cores)\n"
    "coco: writes a split of a YOLO-format set as a COCO instances JSON\n"
    "  (file_name: the image's name in its split folder; categories: the\n"
    "  classes 0..nc-1 with their names)\n";

int fail(const std::string &message) {
  std::cerr << "goe-data: error: " << message << "\n";
  return 1;
}

/// goe-data coco --data DATA.yaml --split SPLIT --out FILE.json
int writeCoco(const std::vector<std::string> &args) {
  std::string data, split, out;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string flag, value;
    goe::runtime::Status status = goe::tools::readFlag(
        args, i, {"--data", "--split", "--out"}, flag, value);
    if (!status.ok())
      return fail(status.message());
    (flag == "--data" ? data : flag == "--split" ? split : out) = value;
  }
  if (data.empty() || split.empty() || out.empty())
    return fail("coco needs --data, --split and --out");
  auto json = goe::data::yoloAsCocoInstances(data, split);
  if (!json.ok())
    return fail(json.status().message());
  goe::runtime::Status status = goe::runtime::writeFileAtomically(out, {*json});
  if (!status.ok())
    return fail(status.message());
  std::cout << "goe-data: wrote the " << split << " split of " << data
            << " as " << out << "\n";
  return 0;
}

bool parseCount(const std::string &text, int64_t &out) {
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || value < 0)
    return false;
  out = value;
  return true;
}

} // namespace

int main(int argc, char **argv) {
  // Ctrl-C while a file is written leaves no temporary beside it.
  goe::runtime::installInterruptCleanup();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 1 : 0;
  }
  if (args[0] == "coco")
    return writeCoco(args);
  if (args[0] != "detection")
    return fail("unknown command '" + args[0] + "' (goe-data builds: "
                "detection, coco)");
  goe::data::SyntheticDetectionOptions options;
  options.mnistDir = "data/mnist";
  options.threads = (int)std::max(1u, std::thread::hardware_concurrency());
  for (size_t i = 1; i < args.size(); ++i) {
    std::string flag, value;
    goe::runtime::Status status = goe::tools::readFlag(
        args, i,
        {"--out", "--mnist", "--fashion", "--train", "--val", "--size",
         "--seed", "--threads"},
        flag, value);
    if (!status.ok())
      return fail(status.message());
    int64_t number = 0;
    bool numeric = flag == "--train" || flag == "--val" || flag == "--size" ||
                   flag == "--seed" || flag == "--threads";
    if (numeric && !parseCount(value, number))
      return fail(flag + " wants a non-negative integer, got '" + value + "'");
    if (flag == "--out")
      options.outDir = value;
    else if (flag == "--mnist")
      options.mnistDir = value;
    else if (flag == "--fashion")
      options.fashionMnistDir = value;
    else if (flag == "--train")
      options.trainImages = number;
    else if (flag == "--val")
      options.valImages = number;
    else if (flag == "--size")
      options.size = number;
    else if (flag == "--seed")
      options.seed = (uint64_t)number;
    else
      options.threads = (int)std::min<int64_t>(number, 256);
  }
  if (options.outDir.empty())
    return fail(std::string("--out is required\n") + kUsage);
  auto start = std::chrono::steady_clock::now();
  goe::runtime::Status status = goe::data::writeSyntheticDetectionSet(options);
  if (!status.ok())
    return fail(status.message());
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start).count();
  std::cout << "goe-data: wrote " << options.trainImages << " train and "
            << options.valImages << " val canvases of " << options.size << "x"
            << options.size << " to " << options.outDir << " in " << seconds
            << " s\n";
  return 0;
}
