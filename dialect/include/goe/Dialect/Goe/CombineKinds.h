//===- CombineKinds.h - one descriptor per combine kind ---------*- C++ -*-===//
//
// Everything the compiler knows about a combine kind, in one place: the
// values it reads, its parameters with their defaults, and the rule that
// gives its results' per-sample types from its inputs' (which rejects the
// layouts it cannot merge). The spec reader, the graph plan, MLIRGen and the
// goe.combine verifier all ask the descriptor; each kind is defined in
// dialect/lib/combines/<Kind>.cpp and spelled only in GoeDialect.td.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DIALECT_GOE_COMBINEKINDS_H
#define GOE_DIALECT_GOE_COMBINEKINDS_H

#include "goe/Dialect/Goe/GoeEnums.h"
#include "goe/Dialect/Goe/KindParams.h"

namespace goe {

/// A per-sample tensor type: shape (batch excluded) and integer or float.
struct SampleType {
  std::vector<int64_t> shape;
  bool isInt = false;
  bool operator==(const SampleType &other) const {
    return shape == other.shape && isInt == other.isInt;
  }
};

struct CombineKindInfo {
  CombineKind kind;
  /// Graph values it reads before the dispatch's per-choice results
  /// (importance_mix's baseline); the dispatch's results come last.
  unsigned leadingInputs;
  /// Its inputs in words, for messages: "only the dispatch's results".
  const char *layout;
  /// Parameters, with their defaults.
  std::vector<KindParam> params;
  /// The results' per-sample types for a top-`k` route, from the inputs'
  /// (the dispatch's results with their k dimension first). Returns the
  /// problem, "" when the inputs fit. The shapes may be logical or physical
  /// (channels-last): no kind looks inside an image's dimensions.
  std::string (*results)(int64_t k, const std::vector<SampleType> &inputs,
                         const ParamValues &params,
                         std::vector<SampleType> &out);
  /// Reads YOLO head levels and gives boxes (wbf, nms): training and the
  /// LibTorch reference see its raw per-choice levels in place of boxes.
  bool readsHeadLevels = false;

  llvm::StringRef name() const { return stringifyCombineKind(kind); }
};

const CombineKindInfo &combineKindInfo(CombineKind kind);
/// The kind spelled `name`, or null.
const CombineKindInfo *findCombineKind(llvm::StringRef name);
/// "select, weighted_sum, importance_mix, wbf, nms", for messages.
std::string combineKindNames();

} // namespace goe

#endif // GOE_DIALECT_GOE_COMBINEKINDS_H
