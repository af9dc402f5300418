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
const CombineKindInfo &nms();

/// The problem with `inputs` as a detection combine's head levels (`kind`
/// names it): YOLO detect layers [k, 3, H, W, nc + 5] with one nc; ""
/// when they fit.
std::string headLevelsProblem(const char *kind, int64_t k,
                              const std::vector<SampleType> &inputs);

/// `input` without its leading k dimension, or the problem.
std::string dropChoice(int64_t k, const SampleType &input, SampleType &out);

} // namespace goe::combines

#endif // GOE_DIALECT_LIB_COMBINES_COMBINES_H
