//===- CocoDataset.cpp - COCO instances_*.json as a detection set ---------===//

#include "goe/Data/Detection.h"

#include "goe/Runtime/FileIO.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <map>

namespace goe::data {
namespace {

using json = nlohmann::json;

/// A size from the JSON for messages: any double, not only what fits an
/// integer ("640", "1e+300").
std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

} // namespace

StatusOr<DetectionSet> readCocoInstances(const std::string &jsonPath,
                                         const std::string &imageDir,
                                         Split split) {
  auto text = runtime::readFileBytes(jsonPath);
  if (!text.ok())
    return text.status();
  json root = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object())
    return runtime::invalidArgument(jsonPath + ": not a JSON object");
  for (const char *key : {"images", "annotations", "categories"})
    if (!root.contains(key) || !root[key].is_array())
      return runtime::invalidArgument(jsonPath + ": no '" + key + "' array");

  DetectionSet set;
  // Categories in increasing id order become classes 0..nc-1.
  std::map<int64_t, std::string> categories;
  for (const json &category : root["categories"]) {
    if (!category.contains("id") || !category["id"].is_number_integer())
      return runtime::invalidArgument(jsonPath + ": a category has no "
                                                 "integer 'id'");
    const json *name = category.contains("name") ? &category["name"] : nullptr;
    categories[category["id"].get<int64_t>()] =
        name && name->is_string() ? name->get<std::string>() : std::string();
  }
  std::map<int64_t, int64_t> classOf;
  for (const auto &[id, name] : categories) {
    classOf[id] = (int64_t)set.names.size();
    set.names.push_back(name);
    set.cocoCategoryIds.push_back(id);
  }
  set.nc = (int64_t)set.names.size();

  struct ImageInfo {
    size_t index;
    double width, height;
  };
  std::map<int64_t, ImageInfo> images;
  std::vector<DetectionImage> &out = set.splits[int(split)];
  size_t position = 0;
  for (const json &image : root["images"]) {
    std::string where = jsonPath + ": images[" + std::to_string(position++) + "]";
    if (!image.contains("id") || !image["id"].is_number_integer() ||
        !image.contains("file_name") || !image["file_name"].is_string() ||
        !image.contains("width") || !image["width"].is_number() ||
        !image.contains("height") || !image["height"].is_number())
      return runtime::invalidArgument(where + " needs id, file_name, width "
                                              "and height");
    std::string path = (std::filesystem::path(imageDir) /
                        image["file_name"].get<std::string>())
                           .string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      return runtime::notFound(where + ": image '" + path + "' is missing");
    double width = image["width"].get<double>(), height = image["height"].get<double>();
    if (width <= 0 || height <= 0)
      return runtime::invalidArgument(where + ": width and height must be "
                                              "positive");
    int64_t id = image["id"].get<int64_t>();
    images[id] = {out.size(), width, height};
    out.push_back({path, {}, id});
  }
  position = 0;
  for (const json &annotation : root["annotations"]) {
    std::string where = jsonPath + ": annotations[" +
                        std::to_string(position++) + "]";
    if (annotation.contains("id"))
      where += " (id " + annotation["id"].dump() + ")";
    if (!annotation.contains("image_id") ||
        !annotation["image_id"].is_number_integer() ||
        !annotation.contains("category_id") ||
        !annotation["category_id"].is_number_integer() ||
        !annotation.contains("bbox") || !annotation["bbox"].is_array() ||
        annotation["bbox"].size() != 4)
      return runtime::invalidArgument(where + " needs image_id, category_id "
                                              "and a 4-number bbox");
    auto image = images.find(annotation["image_id"].get<int64_t>());
    if (image == images.end())
      return runtime::invalidArgument(where + ": image_id " +
                                      annotation["image_id"].dump() +
                                      " is not in 'images'");
    auto cls = classOf.find(annotation["category_id"].get<int64_t>());
    if (cls == classOf.end())
      return runtime::invalidArgument(where + ": category_id " +
                                      annotation["category_id"].dump() +
                                      " is not in 'categories'");
    double box[4];
    for (int i = 0; i < 4; ++i) {
      if (!annotation["bbox"][i].is_number())
        return runtime::invalidArgument(where + ": bbox holds a non-number");
      box[i] = annotation["bbox"][i].get<double>();
    }
    const ImageInfo &info = image->second;
    if (box[2] < 0 || box[3] < 0 || box[0] < 0 || box[1] < 0 ||
        box[0] + box[2] > info.width + 1e-3 || box[1] + box[3] > info.height + 1e-3)
      return runtime::invalidArgument(
          where + ": bbox [" + std::to_string(box[0]) + ", " +
          std::to_string(box[1]) + ", " + std::to_string(box[2]) + ", " +
          std::to_string(box[3]) + "] leaves the " + number(info.width) +
          "x" + number(info.height) + " image");
    DetectionBox out_box;
    out_box.cls = cls->second;
    out_box.cx = float((box[0] + box[2] / 2) / info.width);
    out_box.cy = float((box[1] + box[3] / 2) / info.height);
    out_box.w = float(box[2] / info.width);
    out_box.h = float(box[3] / info.height);
    out_box.crowd = annotation.contains("iscrowd") &&
                    annotation["iscrowd"].is_number() &&
                    annotation["iscrowd"].get<double>() != 0;
    out[info.index].boxes.push_back(out_box);
  }
  return set;
}

} // namespace goe::data
