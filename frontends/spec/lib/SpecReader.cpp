//===- SpecReader.cpp - YAML spec to goe::spec::Spec ----------------------===//
//
// Reads the YAML with yaml-cpp and checks everything that does not need
// shapes: known keys, field types, sizes, names, and references to modules
// and routers. The first problem found stops the read; it is reported at the
// YAML node it concerns. yaml-cpp reports through exceptions, so they are
// caught here and never leave this file.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Spec/Expr.h"
#include "goe/Frontends/Spec/LayerOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <sstream>

using namespace goe::spec;

namespace {

/// Thrown inside the reader to stop at the first problem.
struct SpecError {
  Loc loc;
  std::string message;
};

Loc locOf(const YAML::Node &node) {
  YAML::Mark mark = node.Mark();
  if (mark.line < 0)
    return {};
  return {unsigned(mark.line + 1), unsigned(mark.column + 1)};
}

[[noreturn]] void fail(Loc loc, const std::string &message) {
  throw SpecError{loc, message};
}
[[noreturn]] void fail(const YAML::Node &node, const std::string &message) {
  fail(locOf(node), message);
}

bool isIdentifier(const std::string &name) {
  if (name.empty() || !(std::isalpha((unsigned char)name[0]) || name[0] == '_'))
    return false;
  for (char c : name)
    if (!(std::isalnum((unsigned char)c) || c == '_'))
      return false;
  return true;
}

std::string describe(const YAML::Node &node) {
  switch (node.Type()) {
  case YAML::NodeType::Null:
    return "nothing";
  case YAML::NodeType::Scalar:
    return "'" + node.Scalar() + "'";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Map:
    return "a map";
  default:
    return "an undefined value";
  }
}

class Reader {
public:
  explicit Reader(Spec &spec) : spec(spec) {}

  void readTop(const YAML::Node &root);

  /// `--var` values; each must name a variable the spec declares.
  VarOverrides pendingOverrides;

private:
  // Scalars.
  std::string readName(const YAML::Node &node, const std::string &what);
  int64_t readInt(const YAML::Node &node, const std::string &what);
  int64_t readSize(const YAML::Node &node, const std::string &what);
  double readFloat(const YAML::Node &node, const std::string &what);
  bool readBool(const YAML::Node &node, const std::string &what);
  Field readField(const YAML::Node &node, const FieldSpec &spec,
                  const std::string &owner);
  std::vector<Ref> readRefs(const YAML::Node &node, bool namesOnly,
                            const std::string &key = "from");

  // Maps.
  void checkKeys(const YAML::Node &map, const std::set<std::string> &allowed,
                 const std::string &owner);
  void readFields(const YAML::Node &map, const std::vector<FieldSpec> &specs,
                  const std::set<std::string> &common, const std::string &owner,
                  Fields &out);
  const YAML::Node &expectMap(const YAML::Node &node, const std::string &what);
  const YAML::Node &expectSeq(const YAML::Node &node, const std::string &what);

  // Sections.
  void readVars(const YAML::Node &node);
  void readInputs(const YAML::Node &node);
  void readModule(const std::string &name, const YAML::Node &node, Loc loc);
  Layer readLayer(const YAML::Node &node, int64_t index,
                  const std::string &module);
  void readRouter(const std::string &name, const YAML::Node &node, Loc loc);
  void readNode(const YAML::Node &node);

  Spec &spec;
};

const YAML::Node &Reader::expectMap(const YAML::Node &node,
                                    const std::string &what) {
  if (!node.IsMap())
    fail(node, what + " must be a map, got " + describe(node));
  return node;
}

const YAML::Node &Reader::expectSeq(const YAML::Node &node,
                                    const std::string &what) {
  if (!node.IsSequence())
    fail(node, what + " must be a list, got " + describe(node));
  return node;
}

std::string Reader::readName(const YAML::Node &node, const std::string &what) {
  if (!node.IsScalar())
    fail(node, what + " must be a name, got " + describe(node));
  std::string name = node.Scalar();
  if (!isIdentifier(name))
    fail(node, what + " '" + name +
                   "' is not a valid name (letters, digits and '_')");
  return name;
}

int64_t Reader::readInt(const YAML::Node &node, const std::string &what) {
  if (!node.IsScalar())
    fail(node, what + " must be an integer, got " + describe(node));
  int64_t value;
  std::string error;
  if (!evaluateExpr(node.Scalar(), spec.vars, value, error))
    fail(node, what + ": " + error);
  // Sizes beyond 2^31 are never meant; bounding them keeps all shape
  // arithmetic (padding, scaling, element counts) clear of overflow.
  if (value > (int64_t(1) << 31) || value < -(int64_t(1) << 31))
    fail(node, what + " is too large: " + std::to_string(value));
  return value;
}

int64_t Reader::readSize(const YAML::Node &node, const std::string &what) {
  int64_t value = readInt(node, what);
  if (value <= 0)
    fail(node, what + " must be positive, got " + std::to_string(value));
  return value;
}

double Reader::readFloat(const YAML::Node &node, const std::string &what) {
  if (!node.IsScalar())
    fail(node, what + " must be a number, got " + describe(node));
  const std::string &text = node.Scalar();
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value))
    fail(node, what + " must be a number, got '" + text + "'");
  return value;
}

bool Reader::readBool(const YAML::Node &node, const std::string &what) {
  if (node.IsScalar()) {
    const std::string &text = node.Scalar();
    if (text == "true")
      return true;
    if (text == "false")
      return false;
  }
  fail(node, what + " must be true or false, got " + describe(node));
}

/// Ranges of the float fields whose meaning bounds them.
void checkRange(const YAML::Node &node, const std::string &key, double value,
                const std::string &what) {
  static const std::map<std::string, std::pair<double, double>> ranges = {
      {"p", {0.0, 0.999999}},        {"eps", {1e-30, 1.0}},
      {"momentum", {0.0, 1.0}},      {"iou", {0.0, 1.0}},
      {"nms_iou", {0.0, 1.0}},       {"nms_conf", {0.0, 1.0}},
      {"skip_box_thr", {0.0, 1.0}},  {"beta", {0.0, 1e6}},
      {"balance_weight", {0.0, 1e6}}, {"z_loss_weight", {0.0, 1e6}},
      {"capacity_factor", {0.0, 1e6}}, {"jitter", {0.0, 1.0}},
      {"slope", {0.0, 1e6}}};
  auto it = ranges.find(key);
  if (it == ranges.end())
    return;
  auto [low, high] = it->second;
  if (value < low || value > high) {
    std::ostringstream message;
    message << what << " must lie in [" << low << ", " << high << "], got "
            << value;
    fail(node, message.str());
  }
}

Field Reader::readField(const YAML::Node &node, const FieldSpec &field,
                        const std::string &owner) {
  std::string what = owner + " field '" + field.key + "'";
  Field out;
  out.loc = locOf(node);
  switch (field.type) {
  case FieldType::Size:
    out.i = readSize(node, what);
    break;
  case FieldType::Count:
    out.i = readInt(node, what);
    if (out.i < 0)
      fail(node, what + " must not be negative, got " + std::to_string(out.i));
    break;
  case FieldType::Signed:
    out.i = readInt(node, what);
    break;
  case FieldType::Float:
    out.kind = Field::Float;
    out.f = readFloat(node, what);
    checkRange(node, field.key, out.f, what);
    break;
  case FieldType::Bool:
    out.kind = Field::Bool;
    out.b = readBool(node, what);
    break;
  case FieldType::Str:
    out.kind = Field::Str;
    out.s = readName(node, what);
    break;
  case FieldType::Sizes:
    out.kind = Field::IntList;
    for (const YAML::Node &item : expectSeq(node, what))
      out.list.push_back(readSize(item, what));
    break;
  case FieldType::Pairs:
    out.kind = Field::IntMatrix;
    for (const YAML::Node &pair : expectSeq(node, what)) {
      if (!pair.IsSequence() || pair.size() != 2)
        fail(pair, what + " must list [width, height] pairs, got " +
                       describe(pair));
      out.matrix.push_back({readSize(pair[0], what), readSize(pair[1], what)});
    }
    break;
  }
  return out;
}

void Reader::checkKeys(const YAML::Node &map,
                       const std::set<std::string> &allowed,
                       const std::string &owner) {
  std::set<std::string> seen;
  for (const auto &entry : map) {
    const YAML::Node &key = entry.first;
    std::string name = key.IsScalar() ? key.Scalar() : "";
    if (!allowed.count(name)) {
      std::string list;
      for (const std::string &a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      fail(key, "unknown key " + describe(key) + " in " + owner +
                    " (allowed: " + list + ")");
    }
    if (!seen.insert(name).second)
      fail(key, "key '" + name + "' appears twice in " + owner);
  }
}

void Reader::readFields(const YAML::Node &map,
                        const std::vector<FieldSpec> &specs,
                        const std::set<std::string> &common,
                        const std::string &owner, Fields &out) {
  std::set<std::string> allowed = common;
  for (const FieldSpec &field : specs)
    allowed.insert(field.key);
  checkKeys(map, allowed, owner);
  for (const FieldSpec &field : specs) {
    const YAML::Node value = map[field.key];
    if (!value) {
      if (field.required)
        fail(map, owner + " needs field '" + field.key + "'");
      continue;
    }
    out[field.key] = readField(value, field, owner);
  }
}

std::vector<Ref> Reader::readRefs(const YAML::Node &node, bool namesOnly,
                                  const std::string &key) {
  std::vector<Ref> refs;
  auto readOne = [&](const YAML::Node &item) {
    if (!item.IsScalar())
      fail(item, "a reference must be a layer index or a name, got " +
                     describe(item));
    Ref ref;
    ref.loc = locOf(item);
    const std::string &text = item.Scalar();
    bool numeric = !text.empty() &&
                   (std::isdigit((unsigned char)text[0]) || text[0] == '-');
    if (numeric) {
      if (namesOnly)
        fail(item, "graph nodes read values by name, not by index '" + text +
                       "'");
      ref.index = readInt(item, "reference");
      ref.kind = ref.index < 0 ? Ref::Relative : Ref::Index;
    } else {
      ref.kind = Ref::Name;
      ref.name = text;
      // `node.output` for graph values; plain names inside modules.
      size_t dot = text.find('.');
      bool valid = isIdentifier(text.substr(0, dot)) &&
                   (dot == std::string::npos ||
                    (namesOnly && !text.substr(dot + 1).empty() &&
                     text.find('.', dot + 1) == std::string::npos));
      if (!valid)
        fail(item, "'" + text + "' is not a valid reference");
    }
    refs.push_back(ref);
  };
  if (node.IsSequence()) {
    if (node.size() == 0)
      fail(node, "'" + key + "' must name at least one value");
    for (const YAML::Node &item : node)
      readOne(item);
  } else {
    readOne(node);
  }
  return refs;
}

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
    fail(node, owner + " needs a 'kind' (oracle, random, vqvae_hclust, topk)");
  router.kind = readName(kind, "router kind");
  const std::vector<FieldSpec> *fields = routerFields(router.kind);
  if (!fields)
    fail(kind, "unknown router kind '" + router.kind +
                   "' (known: oracle, random, vqvae_hclust, topk)");
  std::set<std::string> common = {"kind", "choices", "from", "doc"};
  if (router.kind == "topk")
    common.insert("k");
  readFields(node, *fields, common, owner, router.params);
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
  for (const char *key : {"encoder", "gate"}) {
    auto it = router.params.find(key);
    if (it == router.params.end())
      continue;
    router.body = it->second.s;
    router.bodyLoc = it->second.loc;
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
    const std::vector<FieldSpec> *fields = combineFields(out.target);
    if (!fields)
      fail(node["combine"], "unknown combine kind '" + out.target +
                                "' (known: select, weighted_sum, "
                                "importance_mix, wbf)");
    readFields(node, *fields, allowed, owner, out.params);
    auto conf = out.params.find("conf_type");
    if (conf != out.params.end()) {
      const std::string &c = conf->second.s;
      if (c != "avg" && c != "max" && c != "box_and_model_avg" &&
          c != "absent_model_aware_avg")
        fail(conf->second.loc, "conf_type must be avg, max, "
                               "box_and_model_avg or absent_model_aware_avg");
    }
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

} // namespace

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
