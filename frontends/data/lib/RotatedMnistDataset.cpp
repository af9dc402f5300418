//===- RotatedMnistDataset.cpp - rotated MNIST as a Dataset ---------------===//
//
// Kind `rotated_mnist`: the Graph of Experts' rotated MNIST (RotatedMnist.h:
// four groups, digit-disjoint 70/20/10 split, the seed's sizes as an
// option) over a directory of MNIST IDX files.
// Fields: image f32 [1, side, side], group i64 (0..3), label i64 (0..9).
//
//===----------------------------------------------------------------------===//

#include "TableDataset.h"

#include "goe/Data/RotatedMnist.h"

namespace goe::data {
namespace {

using detail::Column;

StatusOr<std::vector<Column>> columnsOf(RotatedMnistSplit split) {
  std::vector<Column> columns;
  auto image = runtime::Tensor::fromF32({split.size, 1, split.side, split.side},
                                        split.images);
  auto group = runtime::Tensor::fromI64({split.size}, split.groups);
  auto label = runtime::Tensor::fromI64({split.size}, split.classes);
  for (auto *tensor : {&image, &group, &label}) {
    if (!tensor->ok())
      return tensor->status();
    columns.push_back(Column::fromValues(std::move(*tensor).value()));
  }
  return columns;
}

StatusOr<std::unique_ptr<Dataset>> open(const DatasetOptions &options) {
  if (options.path.empty())
    return runtime::invalidArgument(
        "rotated_mnist: give the directory of the MNIST IDX files");
  auto digits = loadMnistDirectory(options.path);
  if (!digits.ok())
    return digits.status();
  RotatedMnistOptions rotated;
  rotated.seed = options.seed;
  rotated.seedSizes = options.seedSizes;
  auto data = buildRotatedMnist(*digits, rotated);
  if (!data.ok())
    return data.status();
  int64_t side = digits->side;
  auto dataset = std::make_unique<detail::TableDataset>(
      "rotated_mnist",
      std::vector<Field>{{"image", {runtime::DType::F32, {1, side, side}}},
                         {"group", {runtime::DType::I64, {}}},
                         {"label", {runtime::DType::I64, {}}}});
  std::pair<Split, RotatedMnistSplit *> splits[] = {
      {Split::Train, &data->train}, {Split::Val, &data->val},
      {Split::Test, &data->test}};
  for (auto &[split, part] : splits) {
    int64_t size = part->size;
    auto columns = columnsOf(std::move(*part));
    if (!columns.ok())
      return columns.status();
    GOE_RETURN_IF_ERROR(
        dataset->setSplit(split, size, std::move(columns).value()));
  }
  return std::unique_ptr<Dataset>(std::move(dataset));
}

} // namespace

extern const DatasetKind kRotatedMnistDataset = {
    "rotated_mnist",
    "a directory of MNIST IDX files, rotated into 4 groups (digit-disjoint "
    "70/20/10 split)",
    open, /*acceptsFile=*/false, "`make deps` fetches MNIST to data/mnist"};

} // namespace goe::data
