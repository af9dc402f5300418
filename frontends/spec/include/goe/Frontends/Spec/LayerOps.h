//===- LayerOps.h - the table of spec layer ops and their fields -*- C++ -*-===//
//
// One table says, for every layer op, how many inputs it takes and which
// fields it accepts; the reader, shape inference and docs/spec.md follow it.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_FRONTENDS_SPEC_LAYEROPS_H
#define GOE_FRONTENDS_SPEC_LAYEROPS_H

#include <map>
#include <string>
#include <vector>

namespace goe::spec {

enum class FieldType {
  Size,      // integer > 0 (expressions allowed)
  Count,     // integer >= 0
  Signed,    // any integer (axes)
  Float,
  Bool,
  Str,
  Sizes,     // list of integers > 0
  Pairs      // list of [a, b] integer pairs > 0
};

struct FieldSpec {
  const char *key;
  FieldType type;
  bool required;
};

struct OpSpec {
  const char *name;
  int minInputs, maxInputs; // maxInputs < 0: unbounded
  std::vector<FieldSpec> fields;
};

/// The layer op called `name`, or null.
const OpSpec *findLayerOp(const std::string &name);

/// All layer op names, for "did you mean" style messages.
std::string layerOpNames();

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_LAYEROPS_H
