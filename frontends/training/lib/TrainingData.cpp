//===- TrainingData.cpp - a Dataset's batches as LibTorch tensors ---------===//

#include "goe/Training/TrainingData.h"
#include "goe/Training/Stages.h"
#include "goe/Training/InputMatching.h"
#include "goe/Training/TrainingError.h"

#include "goe/Runtime/Npy.h"

#include <filesystem>

namespace goe::train {

namespace fs = std::filesystem;

runtime::StatusOr<std::unique_ptr<TrainingData>>
TrainingData::open(const TrainOptions &options, const spec::Spec &spec) {
  std::error_code ec;
  if (!options.dataDir.empty() && !fs::exists(options.dataDir, ec)) {
    auto kind = data::findDatasetKind(options.dataset);
    std::string hint = kind.ok() && (*kind)->source
                           ? std::string(" (") + (*kind)->source + ")"
                           : "";
    return runtime::notFound("data directory '" + options.dataDir +
                             "' does not exist" + hint);
  }
  data::DatasetOptions dataOptions;
  dataOptions.path = options.dataDir;
  dataOptions.seed = options.seed;
  dataOptions.seedSizes = options.seedSizes;
  dataOptions.augment = options.augment;
  dataOptions.maxBoxes = options.maxBoxes;
  // Kinds that resize (celeba) make images of the spec's image size.
  for (const spec::Input &input : spec.inputs)
    if (!input.isInt && input.shape.size() == 3 &&
        (input.name == "image" || dataOptions.imageShape.empty()))
      dataOptions.imageShape = input.shape;
  auto dataset = data::openDataset(options.dataset, dataOptions);
  if (!dataset.ok())
    return dataset.status();
  auto data = std::unique_ptr<TrainingData>(new TrainingData);
  data->dataset_ = std::move(dataset).value();
  data->maxTrain_ = options.maxTrain;
  data->maxVal_ = options.maxVal;
  auto matched = matchInputs(spec.inputs, data->dataset_->fields(),
                             data->dataset_->kind(), options.target,
                             options.inputFields);
  if (!matched.ok())
    return matched.status();
  data->inputFields_ = std::move(matched).value();
  bool hasTarget = false;
  for (const data::Field &field : data->dataset_->fields())
    hasTarget |= field.name == options.target;
  if (!hasTarget)
    return runtime::invalidArgument("dataset '" + data->dataset_->kind() +
                                    "' has no target field '" + options.target +
                                    "' (--target)");
  // A test split is optional (YOLO sets often have none).
  for (Split split : {Split::Train, Split::Val})
    if (data->size(split) == 0)
      return runtime::invalidArgument("dataset '" + data->dataset_->kind() +
                                      "' has no " + data::splitName(split) +
                                      " samples");
  return data;
}

int64_t TrainingData::size(Split split) const {
  int64_t n = dataset_->size(split);
  int64_t cap = split == Split::Train ? maxTrain_
                : split == Split::Val ? maxVal_
                                      : 0;
  return cap > 0 ? std::min(cap, n) : n;
}

TrainBatch TrainingData::batch(Split split, const at::Tensor &indices) const {
  at::Tensor index = indices.to(at::kLong).contiguous();
  std::vector<int64_t> rows(index.data_ptr<int64_t>(),
                            index.data_ptr<int64_t>() + index.numel());
  data::Batch raw;
  runtime::Status status = dataset_->batch(split, rows, raw);
  if (!status.ok())
    throw TrainingError(status);
  TrainBatch out;
  out.split = split;
  out.indices = index;
  for (auto &[name, tensor] : raw) {
    auto type = tensor.dtype() == runtime::DType::F32 ? at::kFloat : at::kLong;
    out.fields[name] =
        at::from_blob(tensor.data(), tensor.shape(), type).clone();
  }
  for (const auto &[input, field] : inputFields_)
    out.inputs[input] = out.fields.at(field);
  if (groups_)
    for (const auto &[node, classes] : groups_->groups)
      out.fields[groupField(node)] = groupsOf(
          out.fields.at(groupTarget_), classes, node, out, groupTarget_);
  return out;
}

TrainBatch TrainingData::range(Split split, int64_t begin, int64_t end) const {
  return batch(split, at::arange(begin, end, at::kLong));
}

runtime::Status TrainingData::exportSplit(Split split, const std::string &dir,
                                          const std::string &target) const {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir))
    return runtime::invalidArgument("cannot create --export-dir '" + dir + "'" +
                                    (ec ? ": " + ec.message() : std::string()));
  // Every field under its own name (the target as labels.npy, goe-run's
  // --labels), and a spec input fed from a field of another name under
  // the input's name too.
  std::map<std::string, std::string> files; // file <- field
  for (const data::Field &field : dataset_->fields())
    files[field.name == target ? "labels" : field.name] = field.name;
  for (const auto &[input, field] : inputFields_)
    files[input] = field;
  try {
    TrainBatch all = range(split, 0, size(split));
    for (const auto &[file, field] : files) {
      at::Tensor t = all.fields.at(field).contiguous();
      runtime::DType dtype = t.scalar_type() == at::kFloat ? runtime::DType::F32
                                                           : runtime::DType::I64;
      GOE_RETURN_IF_ERROR(runtime::writeNpy(
          (fs::path(dir) / (file + ".npy")).string(),
          runtime::TensorView{dtype, t.sizes().vec(), t.data_ptr()}));
    }
  } catch (const TrainingError &e) {
    return e.status();
  }
  return runtime::okStatus();
}

} // namespace goe::train
