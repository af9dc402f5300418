//===- YoloDataset.cpp - YOLO-format detection sets (data.yaml + labels) --===//

#include "goe/Data/Detection.h"

#include "goe/Runtime/FileIO.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace goe::data {
namespace {

namespace fs = std::filesystem;

bool isImageFile(const fs::path &path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

/// The images of one split entry: a folder (searched recursively, sorted)
/// or a .txt list of image paths (relative to the list's folder).
StatusOr<std::vector<std::string>> listImages(const fs::path &entry,
                                              const std::string &yaml) {
  std::error_code ec;
  std::vector<std::string> images;
  if (fs::is_directory(entry, ec)) {
    for (const auto &file : fs::recursive_directory_iterator(entry, ec))
      if (file.is_regular_file() && isImageFile(file.path()))
        images.push_back(file.path().string());
    std::sort(images.begin(), images.end());
    return images;
  }
  if (entry.extension() != ".txt")
    return runtime::notFound(yaml + ": '" + entry.string() +
                             "' is neither an image folder nor a .txt list");
  auto text = runtime::readFileBytes(entry.string());
  if (!text.ok())
    return text.status();
  std::istringstream in(*text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (line.empty())
      continue;
    fs::path image = fs::path(line).is_absolute() ? fs::path(line)
                                                  : entry.parent_path() / line;
    if (!fs::is_regular_file(image, ec))
      return runtime::notFound(entry.string() + ":" + std::to_string(number) +
                               ": image '" + image.string() + "' is missing");
    images.push_back(image.string());
  }
  return images;
}

StatusOr<std::vector<DetectionImage>>
readSplit(const fs::path &entry, const std::string &yaml, int64_t nc) {
  auto images = listImages(entry, yaml);
  if (!images.ok())
    return images.status();
  std::vector<DetectionImage> out;
  for (const std::string &image : *images) {
    DetectionImage sample{image, {}, -1};
    std::string labels = yoloLabelPath(image);
    std::error_code ec;
    if (fs::exists(labels, ec)) {
      auto text = runtime::readFileBytes(labels);
      if (!text.ok())
        return text.status();
      auto boxes = parseYoloLabels(*text, labels, nc);
      if (!boxes.ok())
        return boxes.status();
      sample.boxes = std::move(boxes).value();
    }
    out.push_back(std::move(sample));
  }
  return out;
}

} // namespace

std::string yoloLabelPath(const std::string &imagePath) {
  fs::path path(imagePath);
  std::vector<std::string> parts;
  for (const fs::path &part : path.parent_path())
    parts.push_back(part.string());
  for (size_t i = parts.size(); i-- > 0;)
    if (parts[i] == "images") {
      parts[i] = "labels";
      break;
    }
  fs::path labels;
  for (const std::string &part : parts)
    labels /= part;
  return (labels / path.stem()).string() + ".txt";
}

StatusOr<std::vector<DetectionBox>> parseYoloLabels(const std::string &text,
                                                    const std::string &name,
                                                    int64_t nc) {
  std::vector<DetectionBox> boxes;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string where = name + ":" + std::to_string(number) + ": ";
    std::istringstream fields(line);
    std::vector<std::string> tokens;
    for (std::string token; fields >> token;)
      tokens.push_back(token);
    if (tokens.empty())
      continue;
    if (tokens.size() != 5)
      return runtime::invalidArgument(
          where + "expected 5 fields 'class cx cy w h', got " +
          std::to_string(tokens.size()));
    double values[5];
    for (int i = 0; i < 5; ++i) {
      char *end = nullptr;
      values[i] = std::strtod(tokens[i].c_str(), &end);
      if (*end != '\0' || !std::isfinite(values[i]))
        return runtime::invalidArgument(where + "'" + tokens[i] +
                                        "' is not a number");
    }
    if (values[0] != std::floor(values[0]) || values[0] < 0 || values[0] >= nc)
      return runtime::invalidArgument(where + "class " + tokens[0] +
                                      " is not an integer in [0, " +
                                      std::to_string(nc) + ")");
    for (int i = 1; i < 5; ++i)
      if (values[i] < 0 || values[i] > 1)
        return runtime::invalidArgument(
            where + "coordinate " + tokens[i] +
            " is outside [0, 1] (YOLO labels are normalised to the image)");
    boxes.push_back({(int64_t)values[0], (float)values[1], (float)values[2],
                     (float)values[3], (float)values[4], false});
  }
  return boxes;
}

namespace {

/// The most classes a data.yaml may declare (nc, or a names map's indices).
constexpr int64_t kMaxClasses = 100000;

/// ultralytics' `names: {0: person, 1: bicycle}`: `names` gets entry i at
/// index i, grown as needed; every index must be in [0, limit). One pass
/// over the map's entries: looking each class index up instead converts
/// every key on every lookup (and yaml-cpp's non-const operator[] adds a
/// node per miss), quadratic in nc (a fuzzed nc of 66,668 took minutes).
Status namesFromMap(const YAML::Node &map, int64_t limit,
                    const std::string &dataYaml,
                    std::vector<std::string> &names) {
  for (const auto &entry : map) {
    int64_t index = entry.first.as<int64_t>();
    if (index < 0 || index >= limit)
      return runtime::invalidArgument(
          dataYaml + ":" + std::to_string(entry.first.Mark().line + 1) +
          ": class index " + std::to_string(index) +
          " in 'names' is out of range (0 to " + std::to_string(limit - 1) +
          ")");
    if ((int64_t)names.size() <= index)
      names.resize(index + 1);
    names[index] = entry.second.as<std::string>();
  }
  return Status();
}

} // namespace

StatusOr<std::vector<std::string>> readClassNames(const std::string &dataYaml) {
  auto text = runtime::readFileBytes(dataYaml);
  if (!text.ok())
    return text.status();
  std::vector<std::string> names;
  try {
    YAML::Node root = YAML::Load(*text);
    YAML::Node list = root.IsMap() ? root["names"] : YAML::Node();
    if (list && list.IsSequence())
      for (const YAML::Node &name : list)
        names.push_back(name.as<std::string>());
    else if (list && list.IsMap()) {
      Status filled = namesFromMap(list, kMaxClasses + 1, dataYaml, names);
      if (!filled.ok())
        return filled;
    } else
      return runtime::invalidArgument(dataYaml + ": no 'names' list");
  } catch (const YAML::Exception &error) {
    return runtime::invalidArgument(dataYaml + ":" +
                                    std::to_string(error.mark.line + 1) +
                                    ": " + error.msg);
  }
  return names;
}

StatusOr<DetectionSet> readYoloDataset(const std::string &dataYaml) {
  auto text = runtime::readFileBytes(dataYaml);
  if (!text.ok())
    return text.status();
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception &error) {
    return runtime::invalidArgument(dataYaml + ":" +
                                    std::to_string(error.mark.line + 1) +
                                    ": " + error.msg);
  }
  auto at = [&](const YAML::Node &node) {
    return dataYaml + ":" + std::to_string(node.Mark().line + 1) + ": ";
  };
  if (!root.IsMap())
    return runtime::invalidArgument(dataYaml + ": expected a map with train, "
                                               "val, nc and names");
  DetectionSet set;
  try {
    if (!root["nc"] || (set.nc = root["nc"].as<int64_t>()) <= 0)
      return runtime::invalidArgument(dataYaml + ": 'nc' must be a positive "
                                                 "class count");
    // The bound readClassNames has: a names map is filled up to nc, so an
    // absurd nc would take unbounded time and memory.
    if (set.nc > kMaxClasses)
      return runtime::invalidArgument(at(root["nc"]) + "'nc' is " +
                                      std::to_string(set.nc) +
                                      "; at most 100000 classes are supported");
    YAML::Node names = root["names"];
    if (names && names.IsSequence())
      for (const YAML::Node &name : names)
        set.names.push_back(name.as<std::string>());
    else if (names && names.IsMap()) { // ultralytics' {0: person, ...}
      Status filled = namesFromMap(names, set.nc, dataYaml, set.names);
      if (!filled.ok())
        return filled;
      set.names.resize(set.nc);
    }
    if ((int64_t)set.names.size() != set.nc)
      return runtime::invalidArgument(
          (names ? at(names) : dataYaml + ": ") + "'names' has " +
          std::to_string(set.names.size()) + " entries for nc " +
          std::to_string(set.nc));
    fs::path base = fs::path(dataYaml).parent_path();
    if (root["path"])
      base = base / root["path"].as<std::string>();
    for (Split split : {Split::Train, Split::Val, Split::Test}) {
      YAML::Node entry = root[splitName(split)];
      if (!entry) {
        if (split == Split::Test)
          continue;
        return runtime::invalidArgument(dataYaml + ": missing '" +
                                        splitName(split) + "'");
      }
      fs::path folder = base / entry.as<std::string>();
      std::error_code ec;
      if (!fs::exists(folder, ec))
        return runtime::notFound(at(entry) + "'" + folder.string() +
                                 "' does not exist");
      auto images = readSplit(folder, dataYaml, set.nc);
      if (!images.ok())
        return images.status();
      set.splits[int(split)] = std::move(images).value();
    }
  } catch (const YAML::Exception &error) {
    return runtime::invalidArgument(dataYaml + ":" +
                                    std::to_string(error.mark.line + 1) +
                                    ": " + error.msg);
  }
  return set;
}

} // namespace goe::data
