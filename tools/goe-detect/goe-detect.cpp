//===- goe-detect.cpp - a compiled detector on images ---------------------===//
//
//   goe-detect MODEL.goe IMAGE_OR_DIR... --out DIR [--conf 0.25] [--iou 0.45]
//              [--names data.yaml] [--batch 8]
//
// Letterboxes each image, runs the compiled model, maps the boxes back and
// writes DIR/<image>.jpg with the boxes, class names and scores drawn, plus
// DIR/detections.json in COCO's results format. Prints each image's
// detections count and the experts its router chose. A thin driver over
// goe/Data/Detector.h.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Detection.h"
#include "goe/Data/Detector.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/InterruptCleanup.h"
#include "goe/Runtime/Model.h"

#include "../common/Flags.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

namespace {

namespace fs = std::filesystem;

constexpr const char *kUsage =
    "usage: goe-detect MODEL.goe IMAGE_OR_DIR... --out DIR [options]\n"
    "  --out DIR        where the drawn images and detections.json go\n"
    "  --conf C         keep detections scoring at least C (default 0.25)\n"
    "  --iou T          a further class-wise NMS at IoU T (default 0.45; 1: off)\n"
    "  --names FILE     class names from a data.yaml (default: numbers)\n"
    "  --batch N        images per run (default 8)\n";

int fail(const std::string &message) {
  std::cerr << "goe-detect: error: " << message << "\n";
  return 1;
}

bool isImage(const fs::path &path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

bool parseNumber(const std::string &text, double &out) {
  char *end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return *end == '\0' && std::isfinite(out);
}

} // namespace

int main(int argc, char **argv) {
  // Ctrl-C while a file is written leaves no temporary beside it.
  goe::runtime::installInterruptCleanup();
  std::vector<std::string> args(argv + 1, argv + argc), positional;
  std::string outDir, namesPath;
  goe::data::DetectorOptions options;
  options.iouThreshold = 0.45;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (args[i].rfind("--", 0) != 0) {
      positional.push_back(args[i]);
      continue;
    }
    std::string flag, value;
    auto status = goe::tools::readFlag(
        args, i, {"--out", "--conf", "--iou", "--names", "--batch"}, flag, value);
    if (!status.ok())
      return fail(status.message());
    double number = 0;
    if ((flag == "--conf" || flag == "--iou" || flag == "--batch") &&
        !parseNumber(value, number))
      return fail(flag + " wants a number, got '" + value + "'");
    if (flag == "--out")
      outDir = value;
    else if (flag == "--names")
      namesPath = value;
    else if (flag == "--conf")
      options.confThreshold = number;
    else if (flag == "--iou")
      options.iouThreshold = number;
    else if (number < 1 || number > 4096 || number != std::floor(number))
      return fail("--batch wants an integer in [1, 4096], got '" + value + "'");
    else
      options.batch = (int64_t)number;
  }
  if (positional.size() < 2 || outDir.empty())
    return fail(std::string("give a model, at least one image or folder, and "
                            "--out DIR\n") + kUsage);

  std::vector<std::string> images;
  for (size_t p = 1; p < positional.size(); ++p) {
    std::error_code ec;
    if (fs::is_directory(positional[p], ec)) {
      std::vector<std::string> found;
      for (const auto &entry : fs::directory_iterator(positional[p], ec))
        if (entry.is_regular_file() && isImage(entry.path()))
          found.push_back(entry.path().string());
      std::sort(found.begin(), found.end());
      if (found.empty())
        return fail("'" + positional[p] + "' holds no .jpg, .png or .bmp image");
      images.insert(images.end(), found.begin(), found.end());
    } else {
      images.push_back(positional[p]);
    }
  }
  std::vector<std::string> names;
  if (!namesPath.empty()) {
    auto read = goe::data::readClassNames(namesPath);
    if (!read.ok())
      return fail(read.status().message());
    names = std::move(read).value();
  }
  auto model = goe::runtime::Model::load(positional[0]);
  if (!model.ok())
    return fail(model.status().message());
  auto detector = goe::data::Detector::create(*model, options);
  if (!detector.ok())
    return fail(detector.status().message());
  auto results = detector->detect(images);
  if (!results.ok())
    return fail(results.status().message());

  std::error_code ec;
  fs::create_directories(outDir, ec);
  if (ec)
    return fail("cannot create '" + outDir + "': " + ec.message());
  nlohmann::json coco = nlohmann::json::array();
  for (size_t i = 0; i < results->size(); ++i) {
    const goe::data::ImageDetections &result = (*results)[i];
    std::cout << result.path << ": " << result.detections.size() << " detections";
    for (const goe::data::ImageRoute &route : result.routes) {
      std::cout << "; " << route.router << " chose";
      for (auto [choice, weight] : route.choices)
        std::cout << " expert " << choice << " (" << std::round(weight * 100) / 100 << ")";
    }
    std::cout << "\n";
    for (const goe::data::Detection &d : result.detections) {
      auto round3 = [](double v) { return std::round(v * 1000) / 1000; };
      coco.push_back({{"image_id", goe::data::cocoImageId(result.path, i)},
                      {"category_id", d.cls},
                      {"bbox", {round3(d.box.x1), round3(d.box.y1),
                                round3(d.box.x2 - d.box.x1),
                                round3(d.box.y2 - d.box.y1)}},
                      {"score", round3(d.score)}});
    }
    auto drawn = goe::data::drawDetections(result, names);
    if (!drawn.ok())
      return fail(drawn.status().message());
    std::string target =
        (fs::path(outDir) / (fs::path(result.path).stem().string() + ".jpg")).string();
    auto status = goe::runtime::writeFileAtomically(target, {*drawn});
    if (!status.ok())
      return fail(status.message());
  }
  auto status = goe::runtime::writeFileAtomically(
      (fs::path(outDir) / "detections.json").string(), {coco.dump() + "\n"});
  if (!status.ok())
    return fail(status.message());
  std::cout << "goe-detect: " << images.size() << " images, drawings and "
            << "detections.json in " << outDir << "\n";
  return 0;
}
