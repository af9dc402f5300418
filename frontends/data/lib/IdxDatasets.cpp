//===- IdxDatasets.cpp - MNIST-layout classification sets -----------------===//
//
// Kinds `mnist` and `fashion_mnist`: a directory with the four IDX files of
// the MNIST layout, plain or .gz:
//   train-images-idx3-ubyte, train-labels-idx1-ubyte   (required)
//   t10k-images-idx3-ubyte,  t10k-labels-idx1-ubyte    (optional)
// Fields: image f32 [1, rows, cols] in [0, 1], label i64 (0..9).
// Splits: with the t10k files, train/val are a seeded 90/10 split of the
// training files and test is t10k (Fashion-MNIST: 54,000 / 6,000 / 10,000);
// without them (scripts/fetch-mnist.sh's 10,000 digits) a seeded 70/20/10
// split of the training files.
// `fashion_mnist` reads Debian's dataset-fashion-mnist package
// (/usr/share/datasets/fashion-mnist) when no path is given.
//
//===----------------------------------------------------------------------===//

#include "TableDataset.h"

#include "goe/Data/Idx.h"
#include "goe/Data/RotatedMnist.h"

#include <filesystem>

namespace goe::data {
namespace {

using detail::Column;
using detail::TableDataset;

constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
constexpr int64_t kClasses = 10;

/// `dir`/`name`, or `dir`/`name`.gz when only that exists; "" when neither.
std::string findFile(const std::string &dir, const std::string &name) {
  for (const std::string &candidate : {name, name + ".gz"}) {
    std::string path = (std::filesystem::path(dir) / candidate).string();
    std::error_code ec;
    if (std::filesystem::exists(path, ec))
      return path;
  }
  return "";
}

struct Part {
  IdxImages images;
  std::vector<uint8_t> labels;
};

StatusOr<Part> readPart(const std::string &imagesPath,
                        const std::string &labelsPath) {
  auto imageBytes = detail::readMaybeGzipped(imagesPath);
  if (!imageBytes.ok())
    return imageBytes.status();
  auto images = parseIdxImages(*imageBytes, imagesPath);
  if (!images.ok())
    return images.status();
  auto labelBytes = detail::readMaybeGzipped(labelsPath);
  if (!labelBytes.ok())
    return labelBytes.status();
  auto labels = parseIdxLabels(*labelBytes, labelsPath);
  if (!labels.ok())
    return labels.status();
  if ((int64_t)labels->size() != images->count)
    return runtime::invalidArgument("'" + labelsPath + "' has " +
                                    std::to_string(labels->size()) +
                                    " labels for " +
                                    std::to_string(images->count) +
                                    " images in '" + imagesPath + "'");
  for (size_t i = 0; i < labels->size(); ++i)
    if ((*labels)[i] >= kClasses)
      return runtime::invalidArgument(
          "'" + labelsPath + "': label " + std::to_string((*labels)[i]) +
          " of sample " + std::to_string(i) + " is not a class 0..9");
  return Part{std::move(images).value(), std::move(labels).value()};
}

/// The columns (image, label) of `rows` of `part`.
StatusOr<std::vector<Column>> columnsOf(const Part &part,
                                        const std::vector<int64_t> &rows) {
  int64_t pixels = part.images.rows * part.images.cols;
  auto image = detail::selectRows(Column::fromPixels(part.images.pixels),
                                  pixels, rows);
  if (!image.ok())
    return image.status();
  std::vector<int64_t> labels;
  for (int64_t row : rows)
    labels.push_back(part.labels[row]);
  auto label = runtime::Tensor::fromI64({(int64_t)rows.size()}, labels);
  if (!label.ok())
    return label.status();
  std::vector<Column> columns;
  columns.push_back(std::move(image).value());
  columns.push_back(Column::fromValues(std::move(label).value()));
  return columns;
}

Status addSplit(TableDataset &dataset, Split split, const Part &part,
                const std::vector<int64_t> &rows) {
  auto columns = columnsOf(part, rows);
  if (!columns.ok())
    return columns.status();
  return dataset.setSplit(split, (int64_t)rows.size(),
                          std::move(columns).value());
}

StatusOr<std::unique_ptr<Dataset>> openIdx(const char *kind,
                                           const DatasetOptions &options,
                                           const std::string &dir) {
  std::string trainImages = findFile(dir, kMnistTrainImages);
  std::string trainLabels = findFile(dir, kMnistTrainLabels);
  if (trainImages.empty() || trainLabels.empty())
    return runtime::notFound(std::string(kind) + ": '" + dir + "' has no " +
                             kMnistTrainImages + " and " + kMnistTrainLabels +
                             " (plain or .gz)");
  auto train = readPart(trainImages, trainLabels);
  if (!train.ok())
    return train.status();
  Field image{"image", {runtime::DType::F32,
                        {1, train->images.rows, train->images.cols}}};
  auto dataset = std::make_unique<TableDataset>(
      kind, std::vector<Field>{image, {"label", {runtime::DType::I64, {}}}});

  int64_t count = train->images.count;
  std::string testImages = findFile(dir, kMnistTestImages);
  std::string testLabels = findFile(dir, kMnistTestLabels);
  if (!testImages.empty() && !testLabels.empty()) {
    auto test = readPart(testImages, testLabels);
    if (!test.ok())
      return test.status();
    if (test->images.rows != train->images.rows ||
        test->images.cols != train->images.cols)
      return runtime::invalidArgument("'" + testImages +
                                      "' has images of another size than '" +
                                      trainImages + "'");
    std::vector<int64_t> all(test->images.count);
    for (int64_t i = 0; i < test->images.count; ++i)
      all[i] = i;
    GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Test, *test, all));
    detail::Carve carve = detail::carveSplit(count, count / 10, options.seed);
    GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Train, *train, carve.kept));
    GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Val, *train, carve.held));
  } else {
    int64_t val = count / 5, test = count - count * 7 / 10 - val;
    detail::Carve first = detail::carveSplit(count, val + test, options.seed);
    std::vector<int64_t> valRows(first.held.begin(), first.held.begin() + val);
    std::vector<int64_t> testRows(first.held.begin() + val, first.held.end());
    GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Train, *train, first.kept));
    GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Val, *train, valRows));
    GOE_RETURN_IF_ERROR(addSplit(*dataset, Split::Test, *train, testRows));
  }
  return std::unique_ptr<Dataset>(std::move(dataset));
}

StatusOr<std::unique_ptr<Dataset>> openMnist(const DatasetOptions &options) {
  if (options.path.empty())
    return runtime::invalidArgument("mnist: give the directory of its IDX files");
  return openIdx("mnist", options, options.path);
}

StatusOr<std::unique_ptr<Dataset>>
openFashionMnist(const DatasetOptions &options) {
  return openIdx("fashion_mnist", options,
                 options.path.empty() ? kFashionMnistDir : options.path);
}

} // namespace

extern const DatasetKind kMnistDataset = {
    "mnist", "a directory of MNIST-layout IDX files (plain or .gz)", openMnist};
extern const DatasetKind kFashionMnistDataset = {
    "fashion_mnist",
    "MNIST-layout IDX files; default /usr/share/datasets/fashion-mnist "
    "(Debian's dataset-fashion-mnist)",
    openFashionMnist};

} // namespace goe::data
