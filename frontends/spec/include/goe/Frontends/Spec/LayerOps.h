//===- LayerOps.h - the fields of layer ops, routers and combines -*- C++ -*-===//
//
// What the reader checks: for every layer op how many inputs it takes and
// which fields it accepts (the op's whole definition is a LayerOp, see
// LayerOp.h), and the fields of router and combine kinds.
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

/// What the reader checks of a layer op; LayerOp (LayerOp.h) adds its rules.
struct OpSpec {
  const char *name;
  int minInputs, maxInputs; // maxInputs < 0: unbounded
  std::vector<FieldSpec> fields;
};

/// The layer op called `name`, or null.
const OpSpec *findLayerOp(const std::string &name);

/// All layer op names in alphabetical order, for "known: ..." messages.
std::string layerOpNames();

} // namespace goe::spec

#endif // GOE_FRONTENDS_SPEC_LAYEROPS_H
