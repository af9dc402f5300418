//===- KindParams.h - parameters of router and combine kinds ----*- C++ -*-===//
//
// A router or combine kind declares its hyper-parameters once: how a spec
// spells and bounds each one and the value it has when left out. The spec
// reader checks them, the graph plan and the verifiers read them with their
// defaults, so no default is written twice.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DIALECT_GOE_KINDPARAMS_H
#define GOE_DIALECT_GOE_KINDPARAMS_H

#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace goe {

struct KindParam {
  enum Type {
    Size,   // integer > 0
    Count,  // integer >= 0
    Float,  // number in [low, high]
    Choice  // one of `choices`, by name; its value is the index
  };
  const char *key;
  Type type;
  bool required = false;
  double dflt = 0; // when left out (not for required ones)
  double low = 0, high = 0;
  std::vector<const char *> choices;

  /// "avg, max or box" for messages about a Choice.
  std::string choiceList() const;
  /// The index of `name` among `choices`, or -1.
  int choiceIndex(llvm::StringRef name) const;
};

/// A kind's parameter values by key (a Choice as its index).
using ParamValues = std::map<std::string, double>;

/// `given` with every parameter of `params` it lacks set to its default.
ParamValues withDefaults(const std::vector<KindParam> &params,
                         ParamValues given);

/// The parameter called `key`, or null.
const KindParam *findParam(const std::vector<KindParam> &params,
                           llvm::StringRef key);

} // namespace goe

#endif // GOE_DIALECT_GOE_KINDPARAMS_H
