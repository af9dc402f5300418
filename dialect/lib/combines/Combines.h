//===- Combines.h - the combine kinds' descriptors --------------*- C++ -*-===//
//
// One function per kind, each defined in its own file here; CombineKinds.cpp
// maps goe::CombineKind to them. Not installed: users see CombineKinds.h.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DIALECT_LIB_COMBINES_COMBINES_H
#define GOE_DIALECT_LIB_COMBINES_COMBINES_H

#include "goe/Dialect/Goe/CombineKinds.h"
#include "goe/Dialect/Goe/RouterKinds.h"

namespace goe::combines {

const CombineKindInfo &select();
const CombineKindInfo &weightedSum();
const CombineKindInfo &importanceMix();
const CombineKindInfo &wbf();

/// `input` without its leading k dimension, or the problem.
std::string dropChoice(int64_t k, const SampleType &input, SampleType &out);

} // namespace goe::combines

#endif // GOE_DIALECT_LIB_COMBINES_COMBINES_H
