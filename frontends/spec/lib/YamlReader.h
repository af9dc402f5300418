//===- YamlReader.h - the spec reader's internals ---------------*- C++ -*-===//
//
// Shared by YamlValues.cpp (scalars, fields, references) and SpecReader.cpp
// (the sections of a spec). Not installed: users see SpecReader.h.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_LIB_YAMLREADER_H
#define GOE_FRONTENDS_SPEC_LIB_YAMLREADER_H

#include "goe/Dialect/Goe/KindParams.h"
#include "goe/Frontends/Spec/LayerOps.h"
#include "goe/Frontends/Spec/SpecReader.h"

#include "mlir/IR/Diagnostics.h"

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

namespace goe::spec::detail {

using mlir::failed;
using mlir::failure;
using mlir::FailureOr;
using mlir::LogicalResult;
using mlir::success;

Loc locOf(const YAML::Node &node);
bool isIdentifier(const std::string &name);
/// "nothing", "'text'", "a list", "a map": what a node is, for messages.
std::string describe(const YAML::Node &node);

/// Stores a read value in `into`; false when the read failed (it has been
/// reported), so that callers write `if (!take(readX(...), x)) return ...`.
template <typename T, typename U>
bool take(FailureOr<T> value, U &into) {
  if (failed(value))
    return false;
  into = std::move(*value);
  return true;
}

/// Reads one spec. Every read stops at the first problem: it is reported at
/// the YAML node it concerns (`file:line:col: error:`) and the read returns
/// failure, which every caller passes up.
class Reader {
public:
  Reader(Spec &spec, mlir::MLIRContext *context)
      : spec(spec), context(context) {}

  LogicalResult readTop(const YAML::Node &root);
  /// Fails at the first `<<` key of the document: yaml-cpp reads YAML 1.1
  /// merge keys as ordinary keys, which would surface later as a baffling
  /// "unknown key" or "needs an 'op'".
  LogicalResult rejectMergeKeys(const YAML::Node &root);

  /// Reports `message` at `loc` (1:1 when unknown) and gives failure.
  LogicalResult fail(Loc loc, const std::string &message);
  LogicalResult fail(const YAML::Node &node, const std::string &message) {
    return fail(locOf(node), message);
  }

  /// `--var` values; each must name a variable the spec declares.
  VarOverrides pendingOverrides;

private:
  // Scalars.
  FailureOr<std::string> readName(const YAML::Node &node,
                                  const std::string &what);
  FailureOr<int64_t> readInt(const YAML::Node &node, const std::string &what);
  FailureOr<int64_t> readSize(const YAML::Node &node, const std::string &what);
  FailureOr<double> readFloat(const YAML::Node &node, const std::string &what);
  FailureOr<bool> readBool(const YAML::Node &node, const std::string &what);
  FailureOr<Field> readField(const YAML::Node &node, const FieldSpec &spec,
                             const std::string &owner);
  LogicalResult readRefs(const YAML::Node &node, bool namesOnly,
                         std::vector<Ref> &refs,
                         const std::string &key = "from");
  /// Range checks of layer float fields whose meaning bounds them (p,
  /// eps...); router and combine parameters carry theirs in their kind.
  LogicalResult checkRange(const YAML::Node &node, const std::string &key,
                           double value, const std::string &what);
  /// Fails at `loc` unless low <= value <= high.
  LogicalResult checkBounds(Loc loc, double value, double low, double high,
                            const std::string &what);

  // Maps.
  LogicalResult checkKeys(const YAML::Node &map,
                          const std::set<std::string> &allowed,
                          const std::string &owner);
  LogicalResult readFields(const YAML::Node &map,
                           const std::vector<FieldSpec> &specs,
                           const std::set<std::string> &common,
                           const std::string &owner, Fields &out);
  /// The fields of a router or combine kind: its body module (`bodyKey`,
  /// required when not null) and its parameters, checked against their
  /// descriptors (ranges, choices).
  LogicalResult readKindFields(const YAML::Node &map, const char *bodyKey,
                               const std::vector<KindParam> &params,
                               const std::set<std::string> &common,
                               const std::string &owner, Fields &out);
  LogicalResult expectMap(const YAML::Node &node, const std::string &what);
  LogicalResult expectSeq(const YAML::Node &node, const std::string &what);

  // Sections.
  LogicalResult readVars(const YAML::Node &node);
  LogicalResult readInputs(const YAML::Node &node);
  LogicalResult readShape(const YAML::Node &shape, Input &input);
  LogicalResult readModule(const std::string &name, const YAML::Node &node,
                           Loc loc);
  LogicalResult readModuleInputs(const YAML::Node &inputs, Module &module);
  LogicalResult readModuleOutputs(const YAML::Node &outputs, Module &module);
  FailureOr<Layer> readLayer(const YAML::Node &node, int64_t index,
                             const std::string &module);
  LogicalResult readRouter(const std::string &name, const YAML::Node &node,
                           Loc loc);
  LogicalResult readNode(const YAML::Node &node);
  LogicalResult readDispatch(const YAML::Node &node, const std::string &owner,
                             Node &out);
  LogicalResult readSections(const YAML::Node &root);
  LogicalResult readTraining(const YAML::Node &node);
  LogicalResult readGroups(const YAML::Node &node);
  LogicalResult readStage(const YAML::Node &node);
  /// A stage's `route: P`: a path every router node of the graph has.
  LogicalResult readFixedPath(const YAML::Node &route,
                              const std::string &owner, TrainingStage &stage);

  Spec &spec;
  mlir::MLIRContext *context;
  // What has been read so far, by name: a spec may hold 100,000 modules or
  // nodes, and looking each name up in the lists would take quadratic time.
  std::set<std::string> inputNames, moduleNames, routerNames, nodeNames;
};

} // namespace goe::spec::detail

#endif // GOE_FRONTENDS_SPEC_LIB_YAMLREADER_H
