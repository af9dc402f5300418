//===- TestModels.h - artifacts built in code for runtime tests -*- C++ -*-===//

#ifndef GOE_TESTS_UNIT_RUNTIME_TESTMODELS_H
#define GOE_TESTS_UNIT_RUNTIME_TESTMODELS_H

#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Session.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace goe::runtime::test {

/// The bytes of the kernels.c shared library.
const std::string &kernelBytes();

/// A fresh path in a per-process temporary directory.
std::string tempPath(const std::string &name);

artifact::ValueType valueType(std::vector<int64_t> shape,
                              artifact::DType dtype = artifact::F32);

/// Adds a function `name` calling `_mlir_ciface_<symbol>`.
void addFunction(artifact::Model &model, const std::string &name,
                 const std::string &symbol,
                 std::vector<artifact::ValueType> inputs,
                 std::vector<artifact::ValueType> outputs,
                 std::vector<std::string> weights = {});
void addWeight(artifact::Model &model, const std::string &name,
               std::vector<int64_t> shape, const std::vector<float> &values);
void addInput(artifact::Model &model, const std::string &name,
              artifact::ValueType type);
artifact::Step &addStep(artifact::Model &model, artifact::Step::Kind kind,
                        std::vector<int> inputs, std::vector<int> outputs);
/// A router of `kind` with an empty kind message (KIND_NOT_SET: none).
void addRouter(artifact::Model &model, const std::string &name,
               artifact::Router::KindCase kind, int64_t choices, int64_t k,
               const std::string &body = "");
void addCode(artifact::Model &model);

/// x f32[4], label i64[] -> oracle over 3 paths ([affine_a], [affine_b],
/// [affine_a, affine_b]) -> select -> f32[4].
artifact::Model oracleModel();
/// x f32[4] -> topk gate (3 choices, k 2) -> the same paths ->
/// weighted_sum -> f32[4].
artifact::Model topkModel();

/// level f32[levelShape] (head rows as a dispatch gives them, k first) ->
/// a random router of `choices` picking `k` -> `combine` on the level.
/// For the detection combines (wbf, nms).
artifact::Model levelCombineModel(std::vector<int64_t> levelShape,
                                  int64_t choices, int64_t k,
                                  const artifact::Combine &combine);

std::shared_ptr<const Model> mustLoad(const artifact::Model &model);

/// Expected per-path results of the paths above.
float pathResult(int64_t path, float x);

Tensor f32Tensor(std::vector<int64_t> shape, const std::vector<float> &values);
Tensor i64Tensor(std::vector<int64_t> shape, const std::vector<int64_t> &values);

} // namespace goe::runtime::test

#endif // GOE_TESTS_UNIT_RUNTIME_TESTMODELS_H
