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


namespace goe::data {
namespace {

using detail::LabelledIdx;
using detail::TableDataset;

constexpr const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
constexpr int64_t kClasses = 10;

/// A labelled IDX pair whose labels are classes 0..9.
StatusOr<LabelledIdx> readPart(const std::string &imagesPath,
                               const std::string &labelsPath) {
  auto part = detail::readLabelledIdx(imagesPath, labelsPath);
  if (!part.ok())
    return part;
  for (size_t i = 0; i < part->labels.size(); ++i)
    if (part->labels[i] >= kClasses)
      return runtime::invalidArgument(
          "'" + labelsPath + "': label " + std::to_string(part->labels[i]) +
          " of sample " + std::to_string(i) + " is not a class 0..9");
  return part;
}

Status addSplit(TableDataset &dataset, Split split, const LabelledIdx &part,
                const std::vector<int64_t> &rows) {
  return detail::addClassifiedRows(dataset, split, part.images.pixels,
                                   part.images.rows * part.images.cols,
                                   part.labels, rows);
}

StatusOr<std::unique_ptr<Dataset>> openIdx(const char *kind,
                                           const DatasetOptions &options,
                                           const std::string &dir) {
  std::string trainImages = detail::findPlainOrGzipped(dir, kMnistTrainImages);
  std::string trainLabels = detail::findPlainOrGzipped(dir, kMnistTrainLabels);
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
  std::string testImages = detail::findPlainOrGzipped(dir, kMnistTestImages);
  std::string testLabels = detail::findPlainOrGzipped(dir, kMnistTestLabels);
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
    "mnist", "a directory of MNIST-layout IDX files (plain or .gz)", openMnist,
    /*acceptsFile=*/false, "`make deps` fetches MNIST to data/mnist"};
extern const DatasetKind kFashionMnistDataset = {
    "fashion_mnist",
    "MNIST-layout IDX files; default /usr/share/datasets/fashion-mnist "
    "(Debian's dataset-fashion-mnist)",
    openFashionMnist};

} // namespace goe::data
