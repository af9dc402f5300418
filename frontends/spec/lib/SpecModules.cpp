//===- SpecModules.cpp - the modules section of a spec --------------------===//
//
// A module's inputs (a list, or a map to layer indices), its layers (each an
// op from the LayerOps table with that op's fields), their names and its
// outputs (a list, or a map naming them). Problems are reported at the YAML
// node at fault and stop the read.
//
//===----------------------------------------------------------------------===//

#include "YamlReader.h"

namespace goe::spec::detail {

FailureOr<Layer> Reader::readLayer(const YAML::Node &node, int64_t index,
                                   const std::string &module) {
  std::string owner = "layer " + std::to_string(index) + " of module '" +
                      module + "'";
  if (failed(expectMap(node, owner)))
    return failure();
  Layer layer;
  layer.index = index;
  layer.loc = locOf(node);
  YAML::Node op = node["op"];
  if (!op)
    return fail(node,
                owner + " needs an 'op' (one of: " + layerOpNames() + ")");
  if (!take(readName(op, "op"), layer.op))
    return failure();
  const OpSpec *opSpec = findLayerOp(layer.op);
  if (!opSpec)
    return fail(op, "unknown layer op '" + layer.op +
                        "' (known: " + layerOpNames() + ")");
  if (failed(readFields(node, opSpec->fields, {"op", "name", "from", "doc"},
                        owner + " (" + layer.op + ")", layer.fields)))
    return failure();
  if (YAML::Node doc = node["doc"]; doc && !doc.IsScalar())
    return fail(doc, "'doc' must be text, got " + describe(doc));
  if (YAML::Node name = node["name"])
    if (!take(readName(name, "layer name"), layer.name))
      return failure();
  if (YAML::Node from = node["from"]) {
    layer.hasFrom = true;
    if (failed(readRefs(from, /*namesOnly=*/false, layer.from)))
      return failure();
  }
  return layer;
}

LogicalResult Reader::readModuleInputs(const YAML::Node &inputs,
                                       Module &module) {
  std::string owner = "module '" + module.name + "'";
  if (inputs.IsMap()) {
    for (const auto &entry : inputs) {
      std::string name;
      int64_t index;
      if (!take(readName(entry.first, "module input"), name) ||
          !take(readInt(entry.second, "input index"), index))
        return failure();
      if (index < 0 || index >= module.first)
        return fail(entry.second, "input index " + std::to_string(index) +
                                      " must lie before the first layer (" +
                                      std::to_string(module.first) + ")");
      module.inputs.push_back(name);
      module.inputIndex.push_back(index);
    }
  } else {
    if (failed(expectSeq(inputs, owner + " inputs")))
      return failure();
    for (const YAML::Node &input : inputs) {
      std::string name;
      if (!take(readName(input, "module input"), name))
        return failure();
      module.inputs.push_back(name);
      module.inputIndex.push_back(-1);
    }
  }
  if (module.inputs.empty())
    return fail(inputs, owner + " needs at least one input");
  return success();
}

LogicalResult Reader::readModuleOutputs(const YAML::Node &outputs,
                                        Module &module) {
  if (outputs.IsMap()) {
    for (const auto &entry : outputs) {
      std::string name;
      std::vector<Ref> ref;
      if (!take(readName(entry.first, "output name"), name) ||
          failed(readRefs(entry.second, false, ref)))
        return failure();
      if (ref.size() != 1)
        return fail(entry.second, "each named output is one reference");
      module.outputNames.push_back(name);
      module.outputs.push_back(ref[0]);
    }
  } else if (failed(readRefs(outputs, false, module.outputs, "outputs"))) {
    return failure();
  }
  if (module.outputs.empty())
    return fail(outputs, "module '" + module.name +
                             "' 'outputs' must name at least one value");
  return success();
}

LogicalResult Reader::readModule(const std::string &name,
                                 const YAML::Node &node, Loc loc) {
  std::string owner = "module '" + name + "'";
  if (failed(expectMap(node, owner)) ||
      failed(checkKeys(node, {"inputs", "first", "layers", "outputs", "doc"},
                       owner)))
    return failure();
  Module module;
  module.name = name;
  module.loc = loc;
  if (YAML::Node first = node["first"]) {
    if (!take(readInt(first, "first"), module.first))
      return failure();
    if (module.first < 0)
      return fail(first, "'first' must not be negative");
  }
  if (YAML::Node inputs = node["inputs"]) {
    if (failed(readModuleInputs(inputs, module)))
      return failure();
  } else {
    module.inputs = {"x"};
    module.inputIndex = {-1};
  }
  YAML::Node layers = node["layers"];
  if (!layers)
    return fail(node, owner + " needs 'layers'");
  if (failed(expectSeq(layers, owner + " layers")))
    return failure();
  if (layers.size() == 0)
    return fail(layers, owner + " has no layers");
  std::set<std::string> names(module.inputs.begin(), module.inputs.end());
  if (names.size() != module.inputs.size())
    return fail(node["inputs"], owner + " names an input twice");
  for (size_t i = 0; i < layers.size(); ++i) {
    FailureOr<Layer> layer =
        readLayer(layers[i], module.first + int64_t(i), name);
    if (failed(layer))
      return failure();
    if (!layer->name.empty() && !names.insert(layer->name).second)
      return fail(layers[i]["name"], "name '" + layer->name +
                                         "' is used twice in " + owner);
    module.layers.push_back(std::move(*layer));
  }
  if (YAML::Node outputs = node["outputs"]) {
    if (failed(readModuleOutputs(outputs, module)))
      return failure();
  } else {
    Ref last;
    last.kind = Ref::Relative;
    last.index = -1;
    last.loc = loc;
    module.outputs.push_back(last);
  }
  spec.modules.push_back(std::move(module));
  return success();
}

} // namespace goe::spec::detail
