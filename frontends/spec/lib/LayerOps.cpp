//===- LayerOps.cpp - the table of spec layer ops and their fields --------===//

#include "goe/Frontends/Spec/LayerOps.h"

namespace goe::spec {
namespace {

using F = FieldType;

const std::vector<FieldSpec> kConvFields = {
    {"out", F::Size, true},      {"kernel", F::Size, true},
    {"stride", F::Size, false},  {"padding", F::Count, false},
    {"groups", F::Size, false},  {"bias", F::Bool, false}};

std::vector<FieldSpec> yoloConvFields() {
  std::vector<FieldSpec> fields = kConvFields;
  fields.push_back({"act", F::Str, false});
  fields.push_back({"slope", F::Float, false});
  fields.push_back({"eps", F::Float, false});
  fields.push_back({"momentum", F::Float, false});
  return fields;
}

const std::vector<FieldSpec> kPoolFields = {{"kernel", F::Size, true},
                                            {"stride", F::Size, false},
                                            {"padding", F::Count, false}};

const std::vector<OpSpec> &ops() {
  static const std::vector<OpSpec> table = {
      {"conv2d", 1, 1, kConvFields},
      {"conv", 1, 1, yoloConvFields()},
      {"batchnorm", 1, 1, {{"eps", F::Float, false}, {"momentum", F::Float, false}}},
      {"relu", 1, 1, {}},
      {"sigmoid", 1, 1, {}},
      {"silu", 1, 1, {}},
      {"leaky_relu", 1, 1, {{"slope", F::Float, false}}},
      {"maxpool", 1, 1, kPoolFields},
      {"avgpool", 1, 1, kPoolFields},
      {"global_avgpool", 1, 1, {}},
      {"linear", 1, 1, {{"out", F::Size, true}, {"bias", F::Bool, false}}},
      {"flatten", 1, 1, {}},
      {"dropout", 1, 1, {{"p", F::Float, false}}},
      {"concat", 2, -1, {{"axis", F::Signed, false}}},
      {"upsample", 1, 1, {{"scale", F::Size, false}}},
      {"add", 2, 2, {}},
      {"mul", 2, 2, {}},
      {"softmax", 1, 1, {{"axis", F::Signed, false}}},
      {"reshape", 1, 1, {{"shape", F::Sizes, true}}},
      {"detect", 1, 1,
       {{"nc", F::Size, true}, {"anchors", F::Pairs, true},
        {"stride", F::Size, true}}},
  };
  return table;
}

} // namespace

const OpSpec *findLayerOp(const std::string &name) {
  for (const OpSpec &op : ops())
    if (name == op.name)
      return &op;
  return nullptr;
}

std::string layerOpNames() {
  std::string names;
  for (const OpSpec &op : ops())
    names += (names.empty() ? "" : ", ") + std::string(op.name);
  return names;
}

} // namespace goe::spec
