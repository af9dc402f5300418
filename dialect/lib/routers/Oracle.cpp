//===- Oracle.cpp - the oracle router: label i -> path i ------------------===//
//
// Reads one i64 label per input and sends it to the path of that number with
// the whole weight; it has no body, no parameters and no learned state.
//
//===----------------------------------------------------------------------===//

#include "Routers.h"

namespace goe::routers {

const RouterKindInfo &oracle() {
  static const RouterKindInfo info{RouterKind::Oracle,
                                   RouterKindInfo::Label,
                                   /*bodyKey=*/nullptr,
                                   /*picksSeveral=*/false,
                                   /*params=*/{},
                                   /*state=*/nullptr,
                                   /*checkBody=*/nullptr};
  return info;
}

} // namespace goe::routers
