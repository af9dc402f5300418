//===- Routers.h - the router kinds' descriptors ----------------*- C++ -*-===//
//
// One function per kind, each defined in its own file here; RouterKinds.cpp
// maps goe::RouterKind to them. Not installed: users see RouterKinds.h.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DIALECT_LIB_ROUTERS_ROUTERS_H
#define GOE_DIALECT_LIB_ROUTERS_ROUTERS_H

#include "goe/Dialect/Goe/RouterKinds.h"

namespace goe::routers {

const RouterKindInfo &oracle();
const RouterKindInfo &random();
const RouterKindInfo &vqvaeHclust();
const RouterKindInfo &topk();
const RouterKindInfo &clusterGate();
const RouterKindInfo &fixed();

/// The check of a gate body, shared by the kinds that run one: one logit
/// per choice (defined in Topk.cpp).
std::string checkGate(int64_t choices, const ParamValues &params,
                      llvm::ArrayRef<int64_t> shape, llvm::StringRef body);

} // namespace goe::routers

#endif // GOE_DIALECT_LIB_ROUTERS_ROUTERS_H
