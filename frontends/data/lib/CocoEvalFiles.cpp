//===- CocoEvalFiles.cpp - COCOeval's inputs from JSON, its summary -------===//

#include "goe/Data/CocoEval.h"

#include "goe/Runtime/FileIO.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>

namespace goe::data {
namespace {

using json = nlohmann::json;

StatusOr<json> readJson(const std::string &path) {
  auto text = runtime::readFileBytes(path);
  if (!text.ok())
    return text.status();
  json value = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded())
    return runtime::invalidArgument(path + ": not valid JSON");
  return value;
}

/// Fills `box` from an entry with integer image_id and category_id and a
/// 4-number bbox; false if the entry lacks one.
bool readBox(const json &entry, CocoBox &box) {
  if (!entry.is_object() || !entry.contains("image_id") ||
      !entry["image_id"].is_number_integer() ||
      !entry.contains("category_id") ||
      !entry["category_id"].is_number_integer() || !entry.contains("bbox") ||
      !entry["bbox"].is_array() || entry["bbox"].size() != 4)
    return false;
  for (const json &v : entry["bbox"])
    if (!v.is_number())
      return false;
  box.imageId = entry["image_id"].get<int64_t>();
  box.categoryId = entry["category_id"].get<int64_t>();
  box.x = entry["bbox"][0].get<double>();
  box.y = entry["bbox"][1].get<double>();
  box.w = entry["bbox"][2].get<double>();
  box.h = entry["bbox"][3].get<double>();
  return true;
}

} // namespace

StatusOr<CocoEvalInput> readCocoGroundTruth(const std::string &groundTruthPath) {
  auto gt = readJson(groundTruthPath);
  if (!gt.ok())
    return gt.status();
  if (!gt->is_object())
    return runtime::invalidArgument(groundTruthPath + ": not a JSON object");
  for (const char *key : {"images", "annotations", "categories"})
    if (!gt->contains(key) || !(*gt)[key].is_array())
      return runtime::invalidArgument(groundTruthPath + ": no '" + key +
                                      "' array");
  CocoEvalInput input;
  for (const char *key : {"images", "categories"}) {
    size_t i = 0;
    for (const json &entry : (*gt)[key]) {
      if (!entry.is_object() || !entry.contains("id") ||
          !entry["id"].is_number_integer())
        return runtime::invalidArgument(groundTruthPath + ": " + key + "[" +
                                        std::to_string(i) +
                                        "] has no integer 'id'");
      int64_t id = entry["id"].get<int64_t>();
      (key[0] == 'i' ? input.imageIds : input.categoryIds).push_back(id);
      if (key[0] == 'c' && entry.contains("name") && entry["name"].is_string())
        input.categoryNames[id] = entry["name"].get<std::string>();
      ++i;
    }
  }
  size_t i = 0;
  for (const json &entry : (*gt)["annotations"]) {
    CocoBox box;
    if (!readBox(entry, box))
      return runtime::invalidArgument(groundTruthPath + ": annotations[" +
                                      std::to_string(i) +
                                      "] needs image_id, category_id and a "
                                      "4-number bbox");
    box.area = entry.contains("area") && entry["area"].is_number()
                   ? entry["area"].get<double>()
                   : box.w * box.h;
    box.crowd = entry.contains("iscrowd") && entry["iscrowd"].is_number() &&
                entry["iscrowd"].get<double>() != 0;
    input.groundTruth.push_back(box);
    ++i;
  }
  return input;
}

Status readCocoResults(const std::string &resultsPath,
                       const std::string &groundTruthName,
                       CocoEvalInput &input) {
  auto results = readJson(resultsPath);
  if (!results.ok())
    return results.status();
  if (!results->is_array())
    return runtime::invalidArgument(resultsPath + ": expected a JSON list of "
                                                  "detections");
  std::set<int64_t> images(input.imageIds.begin(), input.imageIds.end());
  size_t i = 0;
  for (const json &entry : *results) {
    CocoBox box;
    std::string where = resultsPath + ": [" + std::to_string(i++) + "]";
    if (!readBox(entry, box) || !entry.contains("score") ||
        !entry["score"].is_number())
      return runtime::invalidArgument(where + " needs image_id, category_id, "
                                              "a 4-number bbox and a score");
    if (!images.count(box.imageId))
      return runtime::invalidArgument(
          where + ": image_id " + std::to_string(box.imageId) +
          " is not an image of " + groundTruthName +
          " (the results do not belong to this ground truth)");
    box.score = entry["score"].get<double>();
    box.area = box.w * box.h;
    input.detections.push_back(box);
  }
  return runtime::okStatus();
}

StatusOr<CocoEvalInput> readCocoEvalFiles(const std::string &groundTruthPath,
                                          const std::string &resultsPath) {
  auto input = readCocoGroundTruth(groundTruthPath);
  if (!input.ok())
    return input.status();
  GOE_RETURN_IF_ERROR(readCocoResults(resultsPath, groundTruthPath, *input));
  return input;
}

std::string formatCocoStats(const CocoStats &stats) {
  struct Line {
    bool ap;
    const char *iou, *area;
    int maxDets;
  } lines[12] = {{true, "0.50:0.95", "all", 100},   {true, "0.50", "all", 100},
                 {true, "0.75", "all", 100},        {true, "0.50:0.95", "small", 100},
                 {true, "0.50:0.95", "medium", 100}, {true, "0.50:0.95", "large", 100},
                 {false, "0.50:0.95", "all", 1},    {false, "0.50:0.95", "all", 10},
                 {false, "0.50:0.95", "all", 100},  {false, "0.50:0.95", "small", 100},
                 {false, "0.50:0.95", "medium", 100}, {false, "0.50:0.95", "large", 100}};
  std::string out;
  char buffer[160];
  for (int i = 0; i < 12; ++i) {
    const Line &l = lines[i];
    std::snprintf(buffer, sizeof buffer,
                  " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f\n",
                  l.ap ? "Average Precision" : "Average Recall",
                  l.ap ? "(AP)" : "(AR)", l.iou, l.area, l.maxDets, stats[i]);
    out += buffer;
  }
  return out;
}

} // namespace goe::data
