//===- YoloAsCoco.cpp - a YOLO split as COCO sees it ----------------------===//
//
// So that goe-eval scores goe-detect's results on a YOLO-format set without
// a converted instances JSON (yolov7's test.py scores YOLO labels too), and
// so that `goe-data coco` can write that JSON for COCO's own tools.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/CocoEval.h"
#include "goe/Data/Detection.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace goe::data {

int64_t cocoImageId(const std::string &path, size_t position) {
  std::string stem = std::filesystem::path(path).stem().string();
  if (!stem.empty() && stem.size() < 18 &&
      std::all_of(stem.begin(), stem.end(),
                  [](char c) { return c >= '0' && c <= '9'; }))
    return std::stoll(stem);
  return (int64_t)position;
}

namespace {

/// One image of a YOLO split as COCO records it.
struct CocoImage {
  int64_t id = 0;
  std::string path;
  int64_t width = 0, height = 0;
  std::vector<CocoBox> boxes; // pixels, category id = class
};

struct CocoSplit {
  std::vector<std::string> names;
  std::vector<CocoImage> images;
};

StatusOr<CocoSplit> readSplit(const std::string &dataYaml,
                              const std::string &splitName) {
  auto split = parseSplit(splitName);
  if (!split.ok())
    return split.status();
  auto set = readYoloDataset(dataYaml);
  if (!set.ok())
    return set.status();
  const std::vector<DetectionImage> &images = set->split(*split);
  if (images.empty())
    return runtime::invalidArgument(dataYaml + ": the " + splitName +
                                    " split has no images");
  CocoSplit out;
  out.names = set->names;
  std::set<int64_t> seen;
  for (size_t i = 0; i < images.size(); ++i) {
    const DetectionImage &image = images[i];
    CocoImage coco;
    coco.id = cocoImageId(image.path, i);
    coco.path = image.path;
    if (!seen.insert(coco.id).second)
      return runtime::invalidArgument(
          dataYaml + ": two " + splitName + " images have the COCO image id " +
          std::to_string(coco.id) + " (their numeric file names repeat), e.g. '" +
          image.path + "'");
    cv::Mat decoded = cv::imread(image.path, cv::IMREAD_COLOR);
    if (decoded.empty())
      return runtime::dataLoss("cannot decode image '" + image.path + "'");
    coco.width = decoded.cols;
    coco.height = decoded.rows;
    for (const DetectionBox &b : image.boxes) {
      CocoBox box;
      box.imageId = coco.id;
      box.categoryId = b.cls;
      box.w = b.w * double(coco.width);
      box.h = b.h * double(coco.height);
      box.x = b.cx * double(coco.width) - box.w / 2;
      box.y = b.cy * double(coco.height) - box.h / 2;
      // Rounding of the normalised labels may put an edge a hair outside
      // the image, which COCO readers (ours included) refuse.
      box.x = std::clamp(box.x, 0.0, double(coco.width));
      box.y = std::clamp(box.y, 0.0, double(coco.height));
      box.w = std::min(box.w, double(coco.width) - box.x);
      box.h = std::min(box.h, double(coco.height) - box.y);
      box.area = box.w * box.h;
      box.crowd = b.crowd;
      coco.boxes.push_back(box);
    }
    out.images.push_back(std::move(coco));
  }
  return out;
}

} // namespace

StatusOr<CocoEvalInput> yoloGroundTruth(const std::string &dataYaml,
                                        const std::string &splitName) {
  auto split = readSplit(dataYaml, splitName);
  if (!split.ok())
    return split.status();
  CocoEvalInput input;
  for (size_t c = 0; c < split->names.size(); ++c) {
    input.categoryIds.push_back((int64_t)c);
    input.categoryNames[(int64_t)c] = split->names[c];
  }
  for (const CocoImage &image : split->images) {
    input.imageIds.push_back(image.id);
    input.groundTruth.insert(input.groundTruth.end(), image.boxes.begin(),
                             image.boxes.end());
  }
  return input;
}

StatusOr<std::string> yoloAsCocoInstances(const std::string &dataYaml,
                                          const std::string &splitName) {
  auto split = readSplit(dataYaml, splitName);
  if (!split.ok())
    return split.status();
  nlohmann::json images = nlohmann::json::array(),
                 annotations = nlohmann::json::array(),
                 categories = nlohmann::json::array();
  for (size_t c = 0; c < split->names.size(); ++c)
    categories.push_back({{"id", c}, {"name", split->names[c]}});
  int64_t annotation = 0;
  for (const CocoImage &image : split->images) {
    images.push_back({{"id", image.id},
                      {"file_name",
                       std::filesystem::path(image.path).filename().string()},
                      {"width", image.width},
                      {"height", image.height}});
    for (const CocoBox &box : image.boxes)
      annotations.push_back({{"id", ++annotation},
                             {"image_id", image.id},
                             {"category_id", box.categoryId},
                             {"bbox", {box.x, box.y, box.w, box.h}},
                             {"area", box.area},
                             {"iscrowd", box.crowd ? 1 : 0}});
  }
  nlohmann::json instances = {{"images", images},
                              {"annotations", annotations},
                              {"categories", categories}};
  return instances.dump() + "\n";
}

} // namespace goe::data
