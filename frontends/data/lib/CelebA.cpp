//===- CelebA.cpp - CelebA in its own layout ------------------------------===//
//
// Kind `celeba`: a directory laid out as CelebA ships:
//   img_align_celeba/000001.jpg ...   the aligned faces (178 x 218 JPEG)
//   list_attr_celeba.txt              line 1: the image count; line 2: the 40
//                                     attribute names; then per image its
//                                     file name and 40 values, 1 or -1
//   list_eval_partition.txt           per image its file name and 0 (train),
//                                     1 (val) or 2 (test)
// Fields: image f32 [3, H, W] in [0, 1], RGB, the centre square of the face
// resized to H x W (DatasetOptions.imageShape, default 32 x 32, area
// interpolation); group i64 = Black_Hair + 2 Arched_Eyebrows + 4 Oval_Face
// (0..7, the Graph of Experts' eight groups); label i64 = Male (1) or not.
// Images are decoded by OpenCV when a batch asks for them (202,599 faces
// do not need to sit in memory); a missing or undecodable image is an error
// naming its file.
//
//===----------------------------------------------------------------------===//

#include "goe/Data/Dataset.h"

#include "goe/Runtime/FileIO.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <filesystem>
#include <map>
#include <sstream>

namespace goe::data {
namespace {

namespace fs = std::filesystem;

/// The attributes that make the group, lowest bit first, and the target.
constexpr const char *kGroupAttributes[] = {"Black_Hair", "Arched_Eyebrows",
                                            "Oval_Face"};
constexpr const char *kTargetAttribute = "Male";

struct Sample {
  std::string file;
  int64_t group = 0, label = 0;
};

class CelebaDataset : public Dataset {
public:
  CelebaDataset(std::string imageDir, int64_t height, int64_t width)
      : imageDir(std::move(imageDir)), height(height), width(width),
        fields_{{"image", {runtime::DType::F32, {3, height, width}}},
                {"group", {runtime::DType::I64, {}}},
                {"label", {runtime::DType::I64, {}}}} {}

  std::string kind() const override { return "celeba"; }
  const std::vector<Field> &fields() const override { return fields_; }
  int64_t size(Split split) const override {
    return (int64_t)splits[int(split)].size();
  }
  Status batch(Split split, const std::vector<int64_t> &indices,
               Batch &out) const override;

  std::array<std::vector<Sample>, 3> splits;

private:
  Status decode(const Sample &sample, float *out) const;

  std::string imageDir;
  int64_t height, width;
  std::vector<Field> fields_;
};

Status CelebaDataset::decode(const Sample &sample, float *out) const {
  std::string path = (fs::path(imageDir) / sample.file).string();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return runtime::notFound("celeba: image '" + path + "' is missing");
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  if (bgr.empty())
    return runtime::dataLoss("celeba: cannot decode image '" + path + "'");
  int side = std::min(bgr.rows, bgr.cols);
  cv::Mat square = bgr(cv::Rect((bgr.cols - side) / 2, (bgr.rows - side) / 2,
                                side, side));
  cv::Mat resized;
  cv::resize(square, resized, cv::Size((int)width, (int)height), 0, 0,
             cv::INTER_AREA);
  // OpenCV's BGR, interleaved, to RGB channels-first.
  for (int64_t y = 0; y < height; ++y) {
    const auto *row = resized.ptr<cv::Vec3b>((int)y);
    for (int64_t x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        out[(c * height + y) * width + x] = row[x][2 - c] * (1.0f / 255.0f);
  }
  return runtime::okStatus();
}

Status CelebaDataset::batch(Split split, const std::vector<int64_t> &indices,
                            Batch &out) const {
  out.clear();
  const std::vector<Sample> &samples = splits[int(split)];
  int64_t n = (int64_t)indices.size();
  auto image = runtime::Tensor::uninitialized(runtime::DType::F32,
                                              {n, 3, height, width});
  if (!image.ok())
    return image.status();
  std::vector<int64_t> groups, labels;
  for (int64_t i = 0; i < n; ++i) {
    int64_t index = indices[i];
    if (index < 0 || index >= (int64_t)samples.size())
      return runtime::outOfRange("celeba " + std::string(splitName(split)) +
                                 ": sample " + std::to_string(index) +
                                 " is outside [0, " +
                                 std::to_string(samples.size()) + ")");
    GOE_RETURN_IF_ERROR(
        decode(samples[index], image->f32() + i * 3 * height * width));
    groups.push_back(samples[index].group);
    labels.push_back(samples[index].label);
  }
  auto group = runtime::Tensor::fromI64({n}, groups);
  auto label = runtime::Tensor::fromI64({n}, labels);
  if (!group.ok() || !label.ok())
    return !group.ok() ? group.status() : label.status();
  out.emplace("image", std::move(image).value());
  out.emplace("group", std::move(group).value());
  out.emplace("label", std::move(label).value());
  return runtime::okStatus();
}

Status parseError(const std::string &path, int line, const std::string &what) {
  return runtime::dataLoss(path + ":" + std::to_string(line) + ": " + what);
}

/// list_attr_celeba.txt: file name -> (group, label).
Status readAttributes(const std::string &path,
                      std::map<std::string, Sample> &samples) {
  auto bytes = runtime::readFileBytes(path);
  if (!bytes.ok())
    return bytes.status();
  std::istringstream in(*bytes);
  std::string text;
  int64_t count = 0;
  if (!std::getline(in, text) || !(std::istringstream(text) >> count) ||
      count < 0)
    return parseError(path, 1, "expected the image count");
  std::vector<std::string> names;
  if (std::getline(in, text)) {
    std::istringstream header(text);
    for (std::string name; header >> name;)
      names.push_back(name);
  }
  auto column = [&](const char *name) -> int {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name)
        return (int)i;
    return -1;
  };
  std::vector<int> wanted;
  for (const char *name : kGroupAttributes)
    wanted.push_back(column(name));
  wanted.push_back(column(kTargetAttribute));
  for (size_t i = 0; i < wanted.size(); ++i)
    if (wanted[i] < 0)
      return parseError(path, 2,
                        "the attribute names lack '" +
                            std::string(i < 3 ? kGroupAttributes[i]
                                              : kTargetAttribute) +
                            "'");
  int line = 2;
  while (std::getline(in, text)) {
    ++line;
    std::istringstream row(text);
    Sample sample;
    if (!(row >> sample.file))
      continue; // a blank line
    std::vector<int> values;
    for (int v; row >> v;) {
      if (v != 1 && v != -1)
        return parseError(path, line, "attribute values are 1 or -1, got " +
                                          std::to_string(v));
      values.push_back(v);
    }
    if (values.size() != names.size())
      return parseError(path, line,
                        "expected " + std::to_string(names.size()) +
                            " attribute values, got " +
                            std::to_string(values.size()));
    for (int bit = 0; bit < 3; ++bit)
      sample.group |= int64_t(values[wanted[bit]] == 1) << bit;
    sample.label = values[wanted[3]] == 1;
    samples[sample.file] = sample;
  }
  if ((int64_t)samples.size() != count)
    return parseError(path, 1,
                      "announces " + std::to_string(count) + " images, lists " +
                          std::to_string(samples.size()));
  return runtime::okStatus();
}

Status readPartition(const std::string &path,
                     const std::map<std::string, Sample> &attributes,
                     CelebaDataset &dataset) {
  auto bytes = runtime::readFileBytes(path);
  if (!bytes.ok())
    return bytes.status();
  std::istringstream in(*bytes);
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    std::istringstream row(text);
    std::string file;
    int split = -1;
    if (!(row >> file))
      continue;
    if (!(row >> split) || split < 0 || split > 2)
      return parseError(path, line, "expected '<file> 0|1|2'");
    auto it = attributes.find(file);
    if (it == attributes.end())
      return parseError(path, line, "'" + file +
                                        "' has no line in list_attr_celeba.txt");
    dataset.splits[split].push_back(it->second);
  }
  return runtime::okStatus();
}

StatusOr<std::unique_ptr<Dataset>> open(const DatasetOptions &options) {
  int64_t height = 32, width = 32;
  if (!options.imageShape.empty()) {
    const std::vector<int64_t> &shape = options.imageShape;
    if (shape.size() != 3 || shape[0] != 3 || shape[1] <= 0 || shape[2] <= 0)
      return runtime::invalidArgument(
          "celeba gives RGB images [3, H, W]; the model wants " +
          runtime::shapeToString(shape));
    height = shape[1];
    width = shape[2];
  }
  fs::path root(options.path);
  std::map<std::string, Sample> attributes;
  GOE_RETURN_IF_ERROR(
      readAttributes((root / "list_attr_celeba.txt").string(), attributes));
  auto dataset = std::make_unique<CelebaDataset>(
      (root / "img_align_celeba").string(), height, width);
  GOE_RETURN_IF_ERROR(readPartition((root / "list_eval_partition.txt").string(),
                                    attributes, *dataset));
  return std::unique_ptr<Dataset>(std::move(dataset));
}

} // namespace

extern const DatasetKind kCelebaDataset = {
    "celeba",
    "CelebA's layout: img_align_celeba/*.jpg, list_attr_celeba.txt, "
    "list_eval_partition.txt",
    open};

} // namespace goe::data
