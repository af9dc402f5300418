//===- CombineKinds.cpp - looking combine kinds up ------------------------===//

#include "goe/Dialect/Goe/CombineKinds.h"

#include "combines/Combines.h"

namespace goe {

const CombineKindInfo &combineKindInfo(CombineKind kind) {
  switch (kind) {
  case CombineKind::Select:
    return combines::select();
  case CombineKind::WeightedSum:
    return combines::weightedSum();
  case CombineKind::ImportanceMix:
    return combines::importanceMix();
  case CombineKind::Wbf:
    return combines::wbf();
  case CombineKind::Nms:
    return combines::nms();
  }
  llvm_unreachable("every CombineKind has a descriptor");
}

const CombineKindInfo *findCombineKind(llvm::StringRef name) {
  std::optional<CombineKind> kind = symbolizeCombineKind(name);
  return kind ? &combineKindInfo(*kind) : nullptr;
}

std::string combineKindNames() {
  std::string names;
  for (uint32_t i = 0; i <= getMaxEnumValForCombineKind(); ++i)
    if (std::optional<CombineKind> kind = symbolizeCombineKind(i))
      names += (names.empty() ? "" : ", ") + stringifyCombineKind(*kind).str();
  return names;
}

} // namespace goe
