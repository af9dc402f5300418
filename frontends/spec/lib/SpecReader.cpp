//===- SpecReader.cpp - YAML spec to goe::spec::Spec ----------------------===//
//
// Reads the YAML with yaml-cpp and checks everything that does not need
// shapes: known keys, field types, sizes, names, and references to modules
// and routers. The first problem found stops the read; it is reported at the
// YAML node it concerns. yaml-cpp reports through exceptions, so they are
// caught here and never leave this file.
//
//===----------------------------------------------------------------------===//

#include "YamlReader.h"

#include "goe/Dialect/Goe/CombineKinds.h"
#include "goe/Dialect/Goe/RouterKinds.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace goe::spec;

namespace goe::spec::detail {

void Reader::readVars(const YAML::Node &node) {
  for (const auto &entry : expectMap(node, "vars")) {
    std::string name = readName(entry.first, "variable");
    if (spec.vars.count(name))
      fail(entry.first, "variable '" + name + "' is defined twice");
    spec.vars[name] = readInt(entry.second, "variable '" + name + "'");
  }
}

void Reader::readInputs(const YAML::Node &node) {
  expectMap(node, "inputs");
  if (node.size() == 0)
    fail(node, "a model needs at least one input");
  for (const auto &entry : node) {
    Input input;
    input.name = readName(entry.first, "input");
    input.loc = locOf(entry.first);
    for (const Input &other : spec.inputs)
      if (other.name == input.name)
        fail(entry.first, "input '" + input.name + "' is defined twice");
    YAML::Node shape = entry.second;
    if (entry.second.IsMap()) {
      checkKeys(entry.second, {"shape", "dtype", "doc"},
                "input '" + input.name + "'");
      // reset() rebinds; operator= would overwrite the node in the tree.
      shape.reset(entry.second["shape"]);
      if (!shape)
        fail(entry.second, "input '" + input.name + "' needs a 'shape'");
      if (YAML::Node dtype = entry.second["dtype"]) {
        std::string name = readName(dtype, "dtype");
        if (name != "f32" && name != "i64")
          fail(dtype, "dtype must be f32 or i64, got '" + name + "'");
        input.isInt = name == "i64";
      }
    }
    int64_t elements = 1;
    for (const YAML::Node &dim :
         expectSeq(shape, "shape of input '" + input.name + "'")) {
      input.shape.push_back(
          readSize(dim, "dimension of input '" + input.name + "'"));
      if (input.shape.back() > (int64_t(1) << 31) / elements)
        fail(dim, "input '" + input.name +
                      "' has more than 2^31 elements per sample");
      elements *= input.shape.back();
    }
    spec.inputs.push_back(input);
  }
}

Layer Reader::readLayer(const YAML::Node &node, int64_t index,
                        const std::string &module) {
  std::string owner = "layer " + std::to_string(index) + " of module '" +
                      module + "'";
  expectMap(node, owner);
  Layer layer;
  layer.index = index;
  layer.loc = locOf(node);
  YAML::Node op = node["op"];
  if (!op)
    fail(node, owner + " needs an 'op' (one of: " + layerOpNames() + ")");
  layer.op = readName(op, "op");
  const OpSpec *opSpec = findLayerOp(layer.op);
  if (!opSpec)
    fail(op, "unknown layer op '" + layer.op + "' (known: " + layerOpNames() +
                 ")");
  readFields(node, opSpec->fields, {"op", "name", "from", "doc"},
             owner + " (" + layer.op + ")", layer.fields);
  if (YAML::Node doc = node["doc"]; doc && !doc.IsScalar())
    fail(doc, "'doc' must be text, got " + describe(doc));
  if (YAML::Node name = node["name"])
    layer.name = readName(name, "layer name");
  if (YAML::Node from = node["from"]) {
    layer.hasFrom = true;
    layer.from = readRefs(from, /*namesOnly=*/false);
  }
  return layer;
}

void Reader::readModule(const std::string &name, const YAML::Node &node,
                        Loc loc) {
  std::string owner = "module '" + name + "'";
  expectMap(node, owner);
  checkKeys(node, {"inputs", "first", "layers", "outputs", "doc"}, owner);
  Module module;
  module.name = name;
  module.loc = loc;
  if (YAML::Node first = node["first"]) {
    module.first = readInt(first, "first");
    if (module.first < 0)
      fail(first, "'first' must not be negative");
  }
  if (YAML::Node inputs = node["inputs"]) {
    if (inputs.IsMap()) {
      for (const auto &entry : inputs) {
        module.inputs.push_back(readName(entry.first, "module input"));
        int64_t index = readInt(entry.second, "input index");
        if (index < 0 || index >= module.first)
          fail(entry.second, "input index " + std::to_string(index) +
                                 " must lie before the first layer (" +
                                 std::to_string(module.first) + ")");
        module.inputIndex.push_back(index);
      }
    } else {
      for (const YAML::Node &input : expectSeq(inputs, owner + " inputs")) {
        module.inputs.push_back(readName(input, "module input"));
        module.inputIndex.push_back(-1);
      }
    }
    if (module.inputs.empty())
      fail(inputs, owner + " needs at least one input");
  } else {
    module.inputs = {"x"};
    module.inputIndex = {-1};
  }
  YAML::Node layers = node["layers"];
  if (!layers)
    fail(node, owner + " needs 'layers'");
  expectSeq(layers, owner + " layers");
  if (layers.size() == 0)
    fail(layers, owner + " has no layers");
  std::set<std::string> names(module.inputs.begin(), module.inputs.end());
  if (names.size() != module.inputs.size())
    fail(node["inputs"], owner + " names an input twice");
  for (size_t i = 0; i < layers.size(); ++i) {
    Layer layer = readLayer(layers[i], module.first + int64_t(i), name);
    if (!layer.name.empty() && !names.insert(layer.name).second)
      fail(layers[i]["name"], "name '" + layer.name + "' is used twice in " +
                                  owner);
    module.layers.push_back(std::move(layer));
  }
  if (YAML::Node outputs = node["outputs"]) {
    if (outputs.IsMap()) {
      for (const auto &entry : outputs) {
        module.outputNames.push_back(readName(entry.first, "output name"));
        std::vector<Ref> ref = readRefs(entry.second, false);
        if (ref.size() != 1)
          fail(entry.second, "each named output is one reference");
        module.outputs.push_back(ref[0]);
      }
    } else {
      module.outputs = readRefs(outputs, false, "outputs");
    }
    if (module.outputs.empty())
      fail(outputs, owner + " 'outputs' must name at least one value");
  } else {
    Ref last;
    last.kind = Ref::Relative;
    last.index = -1;
    last.loc = loc;
    module.outputs.push_back(last);
  }
  spec.modules.push_back(std::move(module));
}

void Reader::readRouter(const std::string &name, const YAML::Node &node,
                        Loc loc) {
  std::string owner = "router '" + name + "'";
  expectMap(node, owner);
  Router router;
  router.name = name;
  router.loc = loc;
  YAML::Node kind = node["kind"];
  if (!kind)
    fail(node, owner + " needs a 'kind' (" + routerKindNames() + ")");
  router.kind = readName(kind, "router kind");
  const RouterKindInfo *info = findRouterKind(router.kind);
  if (!info)
    fail(kind, "unknown router kind '" + router.kind + "' (known: " +
                   routerKindNames() + ")");
  std::set<std::string> common = {"kind", "choices", "from", "doc"};
  if (info->picksSeveral)
    common.insert("k");
  readKindFields(node, info->bodyKey, info->params, common, owner,
                 router.params);
  YAML::Node choices = node["choices"];
  if (!choices)
    fail(node, owner + " needs 'choices' (how many paths or experts it "
                       "picks among)");
  router.choices = readSize(choices, owner + " choices");
  if (YAML::Node k = node["k"]) {
    router.k = readSize(k, owner + " k");
    if (router.k > router.choices)
      fail(k, owner + " picks k = " + std::to_string(router.k) +
                  " of only " + std::to_string(router.choices) + " choices");
  }
  if (YAML::Node from = node["from"]) {
    std::vector<Ref> refs = readRefs(from, /*namesOnly=*/true);
    if (refs.size() != 1)
      fail(from, owner + " reads exactly one value");
    router.from = refs[0];
  }
  if (info->hasBody()) {
    const Field &body = router.params.at(info->bodyKey);
    router.body = body.s;
    router.bodyLoc = body.loc;
  }
  spec.routers.push_back(std::move(router));
}

void Reader::readNode(const YAML::Node &node) {
  expectMap(node, "graph node");
  Node out;
  out.loc = locOf(node);
  YAML::Node name = node["name"];
  if (!name)
    fail(node, "graph node needs a 'name'");
  out.name = readName(name, "node name");
  std::string owner = "graph node '" + out.name + "'";
  const char *kinds[] = {"module", "router", "dispatch", "combine"};
  int found = 0;
  for (int i = 0; i < 4; ++i) {
    if (YAML::Node target = node[kinds[i]]) {
      ++found;
      out.kind = Node::Kind(i);
      out.target = readName(target, std::string(kinds[i]));
      out.targetLoc = locOf(target);
    }
  }
  if (found != 1)
    fail(node, owner + " needs exactly one of module, router, dispatch, "
                       "combine; it has " +
                       std::to_string(found));
  std::set<std::string> allowed = {"name", "from", "doc", kinds[out.kind]};
  switch (out.kind) {
  case Node::ModuleNode:
    checkKeys(node, allowed, owner);
    if (!spec.findModule(out.target))
      fail(node["module"], "module '" + out.target + "' is not defined");
    break;
  case Node::RouterNode:
    checkKeys(node, allowed, owner);
    if (!spec.findRouter(out.target))
      fail(node["router"], "router '" + out.target + "' is not defined");
    break;
  case Node::DispatchNode: {
    allowed.insert({"experts", "tree"});
    checkKeys(node, allowed, owner);
    YAML::Node experts = node["experts"], tree = node["tree"];
    if (bool(experts) == bool(tree))
      fail(node, owner + " needs exactly one of 'experts' and 'tree'");
    out.tree = bool(tree);
    YAML::Node list = out.tree ? tree : experts;
    if (!out.tree && experts.IsMap()) {
      checkKeys(experts, {"module", "copies"}, owner + " experts");
      if (!experts["module"] || !experts["copies"])
        fail(experts, owner + " experts need 'module' and 'copies'");
      std::string module = readName(experts["module"], "expert module");
      int64_t copies = readSize(experts["copies"], "copies");
      if (copies > 4096)
        fail(experts["copies"], "at most 4096 experts, got " +
                                    std::to_string(copies));
      out.modules.assign(copies, module);
      out.moduleLocs.assign(copies, locOf(experts["module"]));
    } else {
      expectSeq(list, owner + (out.tree ? " tree" : " experts"));
      if (list.size() == 0)
        fail(list, owner + " lists no modules");
      if (out.tree && list.size() > 16)
        fail(list, "a tree of depth " + std::to_string(list.size()) +
                       " has too many paths (at most depth 16)");
      for (const YAML::Node &item : list) {
        out.modules.push_back(readName(item, "module"));
        out.moduleLocs.push_back(locOf(item));
      }
    }
    for (size_t i = 0; i < out.modules.size(); ++i)
      if (!spec.findModule(out.modules[i]))
        fail(out.moduleLocs[i], "module '" + out.modules[i] +
                                    "' is not defined");
    break;
  }
  case Node::CombineNode: {
    const CombineKindInfo *info = findCombineKind(out.target);
    if (!info)
      fail(node["combine"], "unknown combine kind '" + out.target +
                                "' (known: " + combineKindNames() + ")");
    readKindFields(node, nullptr, info->params, allowed, owner, out.params);
    break;
  }
  }
  if (YAML::Node from = node["from"]) {
    out.hasFrom = true;
    out.from = readRefs(from, /*namesOnly=*/true);
  } else if (out.kind != Node::RouterNode) {
    fail(node, owner + " needs 'from'");
  }
  for (const Input &input : spec.inputs)
    if (input.name == out.name)
      fail(name, "'" + out.name + "' is already a model input");
  for (const Node &other : spec.graph)
    if (other.name == out.name)
      fail(name, "graph node '" + out.name + "' is defined twice");
  spec.graph.push_back(std::move(out));
}

void Reader::readTop(const YAML::Node &root) {
  if (!root.IsMap())
    fail(root, "a spec must be a YAML map, got " + describe(root));
  checkKeys(root,
            {"goe", "name", "doc", "vars", "inputs", "modules", "routers",
             "graph", "outputs"},
            "the spec");
  for (const char *key : {"goe", "name", "inputs", "modules", "graph",
                          "outputs"})
    if (!root[key])
      fail(root, std::string("the spec needs '") + key + "'");
  if (readInt(root["goe"], "format version") != 1)
    fail(root["goe"], "unsupported spec format version " +
                          root["goe"].Scalar() + "; this goe reads version 1");
  spec.name = readName(root["name"], "model name");
  if (YAML::Node doc = root["doc"]) {
    if (!doc.IsScalar())
      fail(doc, "'doc' must be text, got " + describe(doc));
    spec.doc = doc.Scalar();
  }
  if (YAML::Node vars = root["vars"])
    readVars(vars);
  // Command-line overrides are applied before any size is evaluated.
  for (const auto &[name, value] : pendingOverrides) {
    if (!spec.vars.count(name))
      fail(root["vars"] ? locOf(root["vars"]) : Loc{1, 1},
           "--var " + name + ": the spec has no variable '" + name + "'");
    spec.vars[name] = value;
  }
  readInputs(root["inputs"]);
  expectMap(root["modules"], "modules");
  for (const auto &entry : root["modules"]) {
    std::string name = readName(entry.first, "module name");
    if (spec.findModule(name))
      fail(entry.first, "module '" + name + "' is defined twice");
    readModule(name, entry.second, locOf(entry.first));
  }
  if (YAML::Node routers = root["routers"]) {
    for (const auto &entry : expectMap(routers, "routers")) {
      std::string name = readName(entry.first, "router name");
      if (spec.findRouter(name))
        fail(entry.first, "router '" + name + "' is defined twice");
      readRouter(name, entry.second, locOf(entry.first));
    }
  }
  for (const Router &router : spec.routers)
    if (!router.body.empty() && !spec.findModule(router.body))
      fail(router.bodyLoc, "module '" + router.body + "' is not defined");
  YAML::Node graph = expectSeq(root["graph"], "graph");
  if (graph.size() == 0)
    fail(graph, "the graph has no nodes");
  for (const YAML::Node &node : graph)
    readNode(node);
  spec.outputs = readRefs(root["outputs"], /*namesOnly=*/true, "outputs");
}

} // namespace goe::spec::detail

using namespace goe::spec::detail;

namespace goe::spec {

const Module *Spec::findModule(const std::string &name) const {
  for (const Module &module : modules)
    if (module.name == name)
      return &module;
  return nullptr;
}

const Router *Spec::findRouter(const std::string &name) const {
  for (const Router &router : routers)
    if (router.name == name)
      return &router;
  return nullptr;
}

mlir::FailureOr<Spec> readSpec(llvm::StringRef text, llvm::StringRef file,
                               const VarOverrides &overrides,
                               mlir::MLIRContext *context) {
  Spec spec;
  spec.file = file.str();
  auto report = [&](Loc loc, const std::string &message) {
    if (loc.line == 0)
      loc = {1, 1}; // an empty file or a problem without a mark
    mlir::emitError(mlir::FileLineColLoc::get(context, file, loc.line,
                                              loc.col))
        << message;
    return mlir::failure();
  };
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(text.str());
    if (documents.size() > 1)
      throw SpecError{locOf(documents[1]),
                      "a spec is one YAML document; a second one starts here"};
    YAML::Node root = documents.empty() ? YAML::Node() : documents[0];
    Reader reader(spec);
    reader.pendingOverrides = overrides;
    reader.readTop(root);
  } catch (const SpecError &error) {
    return report(error.loc, error.message);
  } catch (const YAML::Exception &error) {
    Loc loc;
    if (error.mark.line >= 0)
      loc = {unsigned(error.mark.line + 1), unsigned(error.mark.column + 1)};
    return report(loc, "invalid YAML: " + error.msg);
  }
  return spec;
}

mlir::FailureOr<Spec> readSpecFile(llvm::StringRef path,
                                   const VarOverrides &overrides,
                                   mlir::MLIRContext *context) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    mlir::emitError(mlir::FileLineColLoc::get(context, path, 1, 1))
        << "cannot read spec '" << path << "': " << buffer.getError().message();
    return mlir::failure();
  }
  return readSpec((*buffer)->getBuffer(), path, overrides, context);
}

} // namespace goe::spec
