//===- SpecReader.cpp - YAML spec to goe::spec::Spec ----------------------===//
//
// Reads the YAML with yaml-cpp and checks everything that does not need
// shapes: known keys, field types, sizes, names, and references to modules
// and routers (router and combine kinds through their descriptors). The
// first problem found stops the read: it is reported at the YAML node it
// concerns and every reader passes the failure up. yaml-cpp reports
// malformed YAML through exceptions, caught in readSpec only.
//
//===----------------------------------------------------------------------===//

#include "PrintableText.h"
#include "YamlReader.h"

#include "goe/Dialect/Goe/CombineKinds.h"
#include "goe/Dialect/Goe/RouterKinds.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/MemoryBuffer.h"

#include <yaml-cpp/eventhandler.h>

#include <optional>
#include <sstream>

using namespace goe::spec;

namespace goe::spec::detail {

LogicalResult Reader::readVars(const YAML::Node &node) {
  if (failed(expectMap(node, "vars")))
    return failure();
  for (const auto &entry : node) {
    std::string name;
    if (!take(readName(entry.first, "variable"), name))
      return failure();
    if (spec.vars.count(name))
      return fail(entry.first, "variable '" + name + "' is defined twice");
    if (!take(readInt(entry.second, "variable '" + name + "'"),
              spec.vars[name]))
      return failure();
  }
  return success();
}

LogicalResult Reader::readShape(const YAML::Node &shape, Input &input) {
  if (failed(expectSeq(shape, "shape of input '" + input.name + "'")))
    return failure();
  int64_t elements = 1;
  for (const YAML::Node &dim : shape) {
    int64_t size;
    if (!take(readSize(dim, "dimension of input '" + input.name + "'"), size))
      return failure();
    if (size > (int64_t(1) << 31) / elements)
      return fail(dim, "input '" + input.name +
                           "' has more than 2^31 elements per sample");
    elements *= size;
    input.shape.push_back(size);
  }
  return success();
}

LogicalResult Reader::readInputs(const YAML::Node &node) {
  if (failed(expectMap(node, "inputs")))
    return failure();
  if (node.size() == 0)
    return fail(node, "a model needs at least one input");
  for (const auto &entry : node) {
    Input input;
    if (!take(readName(entry.first, "input"), input.name))
      return failure();
    input.loc = locOf(entry.first);
    if (!inputNames.insert(input.name).second)
      return fail(entry.first,
                  "input '" + input.name + "' is defined twice");
    YAML::Node shape = entry.second;
    if (entry.second.IsMap()) {
      if (failed(checkKeys(entry.second, {"shape", "dtype", "doc"},
                           "input '" + input.name + "'")))
        return failure();
      // reset() rebinds; operator= would overwrite the node in the tree.
      shape.reset(entry.second["shape"]);
      if (!shape)
        return fail(entry.second,
                    "input '" + input.name + "' needs a 'shape'");
      if (YAML::Node dtype = entry.second["dtype"]) {
        std::string name;
        if (!take(readName(dtype, "dtype"), name))
          return failure();
        if (name != "f32" && name != "i64")
          return fail(dtype, "dtype must be f32 or i64, got '" + name + "'");
        input.isInt = name == "i64";
      }
    }
    if (failed(readShape(shape, input)))
      return failure();
    spec.inputs.push_back(input);
  }
  return success();
}

LogicalResult Reader::readRouter(const std::string &name,
                                 const YAML::Node &node, Loc loc) {
  std::string owner = "router '" + name + "'";
  if (failed(expectMap(node, owner)))
    return failure();
  Router router;
  router.name = name;
  router.loc = loc;
  YAML::Node kind = node["kind"];
  if (!kind)
    return fail(node, owner + " needs a 'kind' (" + routerKindNames() + ")");
  if (!take(readName(kind, "router kind"), router.kind))
    return failure();
  const RouterKindInfo *info = findRouterKind(router.kind);
  if (!info)
    return fail(kind, "unknown router kind '" + router.kind + "' (known: " +
                          routerKindNames() + ")");
  std::set<std::string> common = {"kind", "choices", "from", "doc"};
  if (info->picksSeveral)
    common.insert("k");
  if (failed(readKindFields(node, info->bodyKey, info->params, common, owner,
                            router.params)))
    return failure();
  YAML::Node choices = node["choices"];
  if (!choices)
    return fail(node, owner + " needs 'choices' (how many paths or experts "
                              "it picks among)");
  if (!take(readSize(choices, owner + " choices"), router.choices))
    return failure();
  if (YAML::Node k = node["k"]) {
    if (!take(readSize(k, owner + " k"), router.k))
      return failure();
    if (router.k > router.choices)
      return fail(k, owner + " picks k = " + std::to_string(router.k) +
                         " of only " + std::to_string(router.choices) +
                         " choices");
  }
  if (YAML::Node from = node["from"]) {
    std::vector<Ref> refs;
    if (failed(readRefs(from, /*namesOnly=*/true, refs)))
      return failure();
    if (refs.size() != 1)
      return fail(from, owner + " reads exactly one value");
    router.from = refs[0];
  }
  if (info->hasBody()) {
    const Field &body = router.params.at(info->bodyKey);
    router.body = body.s;
    router.bodyLoc = body.loc;
  }
  spec.routers.push_back(std::move(router));
  return success();
}

LogicalResult Reader::readDispatch(const YAML::Node &node,
                                   const std::string &owner, Node &out) {
  YAML::Node experts = node["experts"], tree = node["tree"];
  if (bool(experts) == bool(tree))
    return fail(node, owner + " needs exactly one of 'experts' and 'tree'");
  out.tree = bool(tree);
  YAML::Node list = out.tree ? tree : experts;
  if (!out.tree && experts.IsMap()) {
    if (failed(checkKeys(experts, {"module", "copies"}, owner + " experts")))
      return failure();
    if (!experts["module"] || !experts["copies"])
      return fail(experts, owner + " experts need 'module' and 'copies'");
    std::string module;
    int64_t copies;
    if (!take(readName(experts["module"], "expert module"), module) ||
        !take(readSize(experts["copies"], "copies"), copies))
      return failure();
    if (copies > 4096)
      return fail(experts["copies"],
                  "at most 4096 experts, got " + std::to_string(copies));
    out.modules.assign(copies, module);
    out.moduleLocs.assign(copies, locOf(experts["module"]));
  } else {
    if (failed(expectSeq(list, owner + (out.tree ? " tree" : " experts"))))
      return failure();
    if (list.size() == 0)
      return fail(list, owner + " lists no modules");
    if (out.tree && list.size() > 16)
      return fail(list, "a tree of depth " + std::to_string(list.size()) +
                            " has too many paths (at most depth 16)");
    for (const YAML::Node &item : list) {
      out.modules.emplace_back();
      if (!take(readName(item, "module"), out.modules.back()))
        return failure();
      out.moduleLocs.push_back(locOf(item));
    }
  }
  for (size_t i = 0; i < out.modules.size(); ++i)
    if (!moduleNames.count(out.modules[i]))
      return fail(out.moduleLocs[i],
                  "module '" + out.modules[i] + "' is not defined");
  return success();
}

LogicalResult Reader::readNode(const YAML::Node &node) {
  if (failed(expectMap(node, "graph node")))
    return failure();
  Node out;
  out.loc = locOf(node);
  YAML::Node name = node["name"];
  if (!name)
    return fail(node, "graph node needs a 'name'");
  if (!take(readName(name, "node name"), out.name))
    return failure();
  std::string owner = "graph node '" + out.name + "'";
  const char *kinds[] = {"module", "router", "dispatch", "combine"};
  int found = 0;
  for (int i = 0; i < 4; ++i) {
    if (YAML::Node target = node[kinds[i]]) {
      ++found;
      out.kind = Node::Kind(i);
      if (!take(readName(target, std::string(kinds[i])), out.target))
        return failure();
      out.targetLoc = locOf(target);
    }
  }
  if (found != 1)
    return fail(node, owner + " needs exactly one of module, router, "
                              "dispatch, combine; it has " +
                              std::to_string(found));
  std::set<std::string> allowed = {"name", "from", "doc", kinds[out.kind]};
  switch (out.kind) {
  case Node::ModuleNode:
    if (failed(checkKeys(node, allowed, owner)))
      return failure();
    if (!moduleNames.count(out.target))
      return fail(node["module"],
                  "module '" + out.target + "' is not defined");
    break;
  case Node::RouterNode:
    if (failed(checkKeys(node, allowed, owner)))
      return failure();
    if (!routerNames.count(out.target))
      return fail(node["router"],
                  "router '" + out.target + "' is not defined");
    break;
  case Node::DispatchNode:
    allowed.insert({"experts", "tree"});
    if (failed(checkKeys(node, allowed, owner)) ||
        failed(readDispatch(node, owner, out)))
      return failure();
    break;
  case Node::CombineNode: {
    const CombineKindInfo *info = findCombineKind(out.target);
    if (!info)
      return fail(node["combine"], "unknown combine kind '" + out.target +
                                       "' (known: " + combineKindNames() +
                                       ")");
    if (failed(readKindFields(node, nullptr, info->params, allowed, owner,
                              out.params)))
      return failure();
    break;
  }
  }
  if (YAML::Node from = node["from"]) {
    out.hasFrom = true;
    if (failed(readRefs(from, /*namesOnly=*/true, out.from)))
      return failure();
  } else if (out.kind != Node::RouterNode) {
    return fail(node, owner + " needs 'from'");
  }
  if (inputNames.count(out.name))
    return fail(name, "'" + out.name + "' is already a model input");
  if (!nodeNames.insert(out.name).second)
    return fail(name, "graph node '" + out.name + "' is defined twice");
  spec.graph.push_back(std::move(out));
  return success();
}

LogicalResult Reader::readTop(const YAML::Node &root) {
  if (!root.IsMap())
    return fail(root, "a spec must be a YAML map, got " + describe(root));
  if (failed(checkKeys(root,
                       {"goe", "name", "doc", "vars", "inputs", "modules",
                        "routers", "graph", "outputs", "training"},
                       "the spec")))
    return failure();
  for (const char *key :
       {"goe", "name", "inputs", "modules", "graph", "outputs"})
    if (!root[key])
      return fail(root, std::string("the spec needs '") + key + "'");
  int64_t version;
  if (!take(readInt(root["goe"], "format version"), version))
    return failure();
  if (version != 1)
    return fail(root["goe"], "unsupported spec format version " +
                                 root["goe"].Scalar() +
                                 "; this goe reads version 1");
  if (!take(readName(root["name"], "model name"), spec.name))
    return failure();
  if (YAML::Node doc = root["doc"]) {
    if (!doc.IsScalar())
      return fail(doc, "'doc' must be text, got " + describe(doc));
    spec.doc = doc.Scalar();
  }
  if (YAML::Node vars = root["vars"])
    if (failed(readVars(vars)))
      return failure();
  // Command-line overrides are applied before any size is evaluated.
  for (const auto &[name, value] : pendingOverrides) {
    if (!spec.vars.count(name))
      return fail(root["vars"] ? locOf(root["vars"]) : Loc{1, 1},
                  "--var " + name + ": the spec has no variable '" + name +
                      "'");
    spec.vars[name] = value;
  }
  return readSections(root);
}

LogicalResult Reader::readSections(const YAML::Node &root) {
  if (failed(readInputs(root["inputs"])) ||
      failed(expectMap(root["modules"], "modules")))
    return failure();
  for (const auto &entry : root["modules"]) {
    std::string name;
    if (!take(readName(entry.first, "module name"), name))
      return failure();
    if (!moduleNames.insert(name).second)
      return fail(entry.first, "module '" + name + "' is defined twice");
    if (failed(readModule(name, entry.second, locOf(entry.first))))
      return failure();
  }
  if (YAML::Node routers = root["routers"]) {
    if (failed(expectMap(routers, "routers")))
      return failure();
    for (const auto &entry : routers) {
      std::string name;
      if (!take(readName(entry.first, "router name"), name))
        return failure();
      if (!routerNames.insert(name).second)
        return fail(entry.first, "router '" + name + "' is defined twice");
      if (failed(readRouter(name, entry.second, locOf(entry.first))))
        return failure();
    }
  }
  for (const Router &router : spec.routers)
    if (!router.body.empty() && !moduleNames.count(router.body))
      return fail(router.bodyLoc,
                  "module '" + router.body + "' is not defined");
  YAML::Node graph = root["graph"];
  if (failed(expectSeq(graph, "graph")))
    return failure();
  if (graph.size() == 0)
    return fail(graph, "the graph has no nodes");
  for (const YAML::Node &node : graph)
    if (failed(readNode(node)))
      return failure();
  if (failed(readRefs(root["outputs"], /*namesOnly=*/true, spec.outputs,
                      "outputs")))
    return failure();
  if (YAML::Node training = root["training"])
    return readTraining(training);
  return success();
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

namespace {

/// Where a second YAML document of `text` starts, if it has one. Not
/// YAML::LoadAll: it never returns on a document that starts with ',' (it
/// hands back an empty document, forever, without consuming the ','). So
/// documents are counted here, at most two, and one that starts where the
/// last one did is that loop, not a document.
std::optional<YAML::Mark> secondDocument(const std::string &text) {
  // Without a document marker, YAML has one document.
  if (text.find("---") == std::string::npos &&
      text.find("...") == std::string::npos)
    return std::nullopt;
  struct DocumentStarts : YAML::EventHandler {
    std::vector<YAML::Mark> marks;
    void OnDocumentStart(const YAML::Mark &mark) override {
      marks.push_back(mark);
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t,
                  const std::string &) override {}
    void OnSequenceStart(const YAML::Mark &, const std::string &,
                         YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  } starts;
  std::istringstream in(text);
  YAML::Parser parser(in);
  while (starts.marks.size() < 2 && parser.HandleNextDocument(starts)) {
  }
  if (starts.marks.size() < 2 || starts.marks[0].pos == starts.marks[1].pos)
    return std::nullopt;
  return starts.marks[1];
}

} // namespace


/// The location of the first control character YAML forbids in a stream
/// (all but tab and line breaks), or line 0 when there is none. yaml-cpp
/// itself stops at a NUL with "bad character found while scanning hex
/// number", at another place.
static Loc firstControlCharacter(llvm::StringRef text, unsigned char &byte) {
  Loc loc{1, 1};
  for (char c : text) {
    byte = (unsigned char)c;
    if ((byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') ||
        byte == 0x7f)
      return loc;
    if (byte == '\n')
      loc = {loc.line + 1, 1};
    else
      ++loc.col;
  }
  return {};
}

mlir::FailureOr<Spec> readSpec(llvm::StringRef text, llvm::StringRef file,
                               const VarOverrides &overrides,
                               mlir::MLIRContext *context) {
  Spec spec;
  spec.file = file.str();
  Reader reader(spec, context);
  reader.pendingOverrides = overrides;
  unsigned char byte = 0;
  if (Loc loc = firstControlCharacter(text, byte); loc.line != 0)
    return reader.fail(loc, "the spec holds a control character (" +
                                printableText(std::string(1, char(byte))) +
                                "); YAML text allows only printable "
                                "characters, tabs and line breaks");
  // yaml-cpp reports malformed YAML (and a few misuses) by throwing; that is
  // its interface, so its exceptions are caught here, at the one boundary.
  try {
    std::string source = text.str();
    YAML::Node root = YAML::Load(source);
    if (std::optional<YAML::Mark> second = secondDocument(source))
      return reader.fail(Loc{unsigned(second->line + 1),
                             unsigned(second->column + 1)},
                         "a spec is one YAML document; a second one starts here");
    // A merge key is spelled "<<": without one in the text, no walk.
    bool mayMerge = text.contains("<<");
    if ((mayMerge && failed(reader.rejectMergeKeys(root))) ||
        failed(reader.readTop(root)))
      return mlir::failure();
  } catch (const YAML::Exception &error) {
    Loc loc;
    if (error.mark.line >= 0)
      loc = {unsigned(error.mark.line + 1), unsigned(error.mark.column + 1)};
    return reader.fail(loc, "invalid YAML: " + error.msg);
  }
  return spec;
}

mlir::FailureOr<Spec> readSpecFile(llvm::StringRef path,
                                   const VarOverrides &overrides,
                                   mlir::MLIRContext *context) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    mlir::emitError(mlir::FileLineColLoc::get(context, path, 1, 1))
        << "cannot read spec '" << printableText(path)
        << "': " << buffer.getError().message();
    return mlir::failure();
  }
  return readSpec((*buffer)->getBuffer(), path, overrides, context);
}

} // namespace goe::spec
