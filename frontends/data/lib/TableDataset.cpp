//===- TableDataset.cpp - a dataset held in memory, column by column ------===//

#include "TableDataset.h"

#include "goe/Data/RotatedMnist.h"

#include <cstring>
#include <filesystem>

namespace goe::data::detail {

Column Column::fromPixels(std::vector<uint8_t> pixels) {
  Column column;
  column.pixels = std::move(pixels);
  column.isPixels = true;
  return column;
}

Column Column::fromValues(runtime::Tensor values) {
  Column column;
  column.values = std::move(values);
  return column;
}

int64_t perSampleElements(const Field &field) {
  int64_t n = 1;
  for (int64_t d : field.spec.shape)
    n *= d;
  return n;
}

Status TableDataset::setSplit(Split split, int64_t count,
                              std::vector<Column> columns) {
  if (columns.size() != fields_.size())
    return runtime::internalError(kind_ + ": a split needs one column per field");
  for (size_t i = 0; i < columns.size(); ++i) {
    int64_t want = count * perSampleElements(fields_[i]);
    int64_t have = columns[i].isPixels ? (int64_t)columns[i].pixels.size()
                                       : columns[i].values.numel();
    if (have != want)
      return runtime::invalidArgument(
          kind_ + " " + splitName(split) + ": field '" + fields_[i].name +
          "' has " + std::to_string(have) + " elements for " +
          std::to_string(count) + " samples of " +
          runtime::specToString(fields_[i].spec));
  }
  sizes_[int(split)] = count;
  columns_[int(split)] = std::move(columns);
  return runtime::okStatus();
}

Status TableDataset::batch(Split split, const std::vector<int64_t> &indices,
                           Batch &out) const {
  out.clear();
  int64_t size = sizes_[int(split)];
  for (int64_t index : indices)
    if (index < 0 || index >= size)
      return runtime::outOfRange(kind_ + " " + splitName(split) + ": sample " +
                                 std::to_string(index) + " is outside [0, " +
                                 std::to_string(size) + ")");
  for (size_t f = 0; f < fields_.size(); ++f) {
    const Field &field = fields_[f];
    const Column &column = columns_[int(split)][f];
    int64_t elements = perSampleElements(field);
    std::vector<int64_t> shape{(int64_t)indices.size()};
    shape.insert(shape.end(), field.spec.shape.begin(), field.spec.shape.end());
    auto tensor = runtime::Tensor::uninitialized(field.spec.dtype, shape);
    if (!tensor.ok())
      return tensor.status();
    if (column.isPixels) {
      float *dst = tensor->f32();
      for (int64_t index : indices) {
        const uint8_t *src = column.pixels.data() + index * elements;
        for (int64_t e = 0; e < elements; ++e)
          *dst++ = float(src[e]) * (1.0f / 255.0f);
      }
    } else {
      size_t rowBytes = elements * runtime::dtypeSize(field.spec.dtype);
      auto *dst = static_cast<char *>(tensor->data());
      const auto *src = static_cast<const char *>(column.values.data());
      for (size_t i = 0; i < indices.size(); ++i)
        std::memcpy(dst + i * rowBytes, src + indices[i] * rowBytes, rowBytes);
    }
    out.emplace(field.name, std::move(tensor).value());
  }
  return runtime::okStatus();
}

Carve carveSplit(int64_t count, int64_t held, uint64_t seed) {
  std::vector<int64_t> order = seededPermutation(count, seed);
  Carve carve;
  carve.kept.assign(order.begin(), order.end() - held);
  carve.held.assign(order.end() - held, order.end());
  return carve;
}

StatusOr<Column> selectRows(const Column &column, int64_t elements,
                            const std::vector<int64_t> &rows) {
  if (column.isPixels) {
    std::vector<uint8_t> pixels(rows.size() * elements);
    for (size_t i = 0; i < rows.size(); ++i)
      std::memcpy(pixels.data() + i * elements,
                  column.pixels.data() + rows[i] * elements, elements);
    return Column::fromPixels(std::move(pixels));
  }
  std::vector<int64_t> shape = column.values.shape();
  shape[0] = (int64_t)rows.size();
  auto values = runtime::Tensor::uninitialized(column.values.dtype(), shape);
  if (!values.ok())
    return values.status();
  size_t rowBytes = elements * runtime::dtypeSize(column.values.dtype());
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(static_cast<char *>(values->data()) + i * rowBytes,
                static_cast<const char *>(column.values.data()) +
                    rows[i] * rowBytes,
                rowBytes);
  return Column::fromValues(std::move(values).value());
}

Status addClassifiedRows(TableDataset &dataset, Split split,
                         const std::vector<uint8_t> &pixels,
                         int64_t pixelsPerSample,
                         const std::vector<int64_t> &labels,
                         const std::vector<int64_t> &rows) {
  auto image = selectRows(Column::fromPixels(pixels), pixelsPerSample, rows);
  if (!image.ok())
    return image.status();
  std::vector<int64_t> picked;
  for (int64_t row : rows)
    picked.push_back(labels[row]);
  auto label = runtime::Tensor::fromI64({(int64_t)rows.size()}, picked);
  if (!label.ok())
    return label.status();
  std::vector<Column> columns;
  columns.push_back(std::move(image).value());
  columns.push_back(Column::fromValues(std::move(label).value()));
  return dataset.setSplit(split, (int64_t)rows.size(), std::move(columns));
}

StatusOr<LabelledIdx> readLabelledIdx(const std::string &imagesPath,
                                      const std::string &labelsPath) {
  auto imageBytes = readMaybeGzipped(imagesPath);
  if (!imageBytes.ok())
    return imageBytes.status();
  auto images = parseIdxImages(*imageBytes, imagesPath);
  if (!images.ok())
    return images.status();
  auto labelBytes = readMaybeGzipped(labelsPath);
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
  return LabelledIdx{std::move(images).value(),
                     std::vector<int64_t>(labels->begin(), labels->end())};
}

std::string findPlainOrGzipped(const std::string &dir, const std::string &name) {
  for (const std::string &candidate : {name, name + ".gz"}) {
    std::string path = (std::filesystem::path(dir) / candidate).string();
    std::error_code ec;
    if (std::filesystem::exists(path, ec))
      return path;
  }
  return "";
}

} // namespace goe::data::detail
