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

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

namespace goe::spec::detail {

/// Thrown inside the reader to stop at the first problem.
struct SpecError {
  Loc loc;
  std::string message;
};

Loc locOf(const YAML::Node &node);
[[noreturn]] void fail(Loc loc, const std::string &message);
[[noreturn]] void fail(const YAML::Node &node, const std::string &message);
bool isIdentifier(const std::string &name);
/// "nothing", "'text'", "a list", "a map": what a node is, for messages.
std::string describe(const YAML::Node &node);
/// Range checks of layer float fields whose meaning bounds them (p, eps...).
void checkRange(const YAML::Node &node, const std::string &key, double value,
                const std::string &what);
/// Fails at `loc` unless low <= value <= high.
void checkBounds(Loc loc, double value, double low, double high,
                 const std::string &what);

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
  /// The fields of a router or combine kind: its body module (`bodyKey`,
  /// required when not null) and its parameters, checked against their
  /// descriptors (ranges, choices).
  void readKindFields(const YAML::Node &map, const char *bodyKey,
                      const std::vector<KindParam> &params,
                      const std::set<std::string> &common,
                      const std::string &owner, Fields &out);
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

} // namespace goe::spec::detail

#endif // GOE_FRONTENDS_SPEC_LIB_YAMLREADER_H
