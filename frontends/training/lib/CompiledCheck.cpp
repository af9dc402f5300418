//===- CompiledCheck.cpp - the compiled model against LibTorch ------------===//

#include "goe/Training/CompiledCheck.h"
#include "goe/Training/Trainer.h"
#include "goe/Training/TrainingError.h"

#include "goe/Runtime/Model.h"
#include "goe/Runtime/Session.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace goe::train {

std::string BoxAgreement::summary() const {
  char line[512];
  std::snprintf(line, sizeof line,
                "%lld images: %lld LibTorch boxes, %lld compiled, %lld "
                "matched (same class, every corner within %.4g px); over "
                "them the largest corner difference is %.3g px and the "
                "largest score difference %.3g; boxes one side alone has: "
                "%lld at the max_det cut, %lld elsewhere (best score %.4g)",
                (long long)images, (long long)referenceBoxes,
                (long long)compiledBoxes, (long long)matched, tolerance,
                maxCornerError, maxScoreError, (long long)atCut,
                (long long)(referenceBoxes + compiledBoxes - 2 * matched -
                            atCut),
                bestUnmatchedScore);
  return line;
}

void matchBoxes(const std::vector<runtime::Box> &reference,
                const std::vector<runtime::Box> &compiled, int64_t image,
                BoxAgreement &into) {
  auto cornerError = [](const runtime::Box &a, const runtime::Box &b) {
    return std::max({std::abs(a.x1 - b.x1), std::abs(a.y1 - b.y1),
                     std::abs(a.x2 - b.x2), std::abs(a.y2 - b.y2)});
  };
  std::vector<bool> taken(compiled.size(), false);
  std::vector<const runtime::Box *> loneReference;
  for (const runtime::Box &ref : reference) {
    size_t best = compiled.size();
    double bestError = 0;
    for (size_t c = 0; c < compiled.size(); ++c) {
      if (taken[c] || compiled[c].label != ref.label)
        continue;
      double error = cornerError(ref, compiled[c]);
      if (best == compiled.size() || error < bestError)
        best = c, bestError = error;
    }
    if (best < compiled.size() && bestError <= into.tolerance) {
      taken[best] = true;
      ++into.matched;
      into.maxCornerError = std::max(into.maxCornerError, bestError);
      into.maxScoreError = std::max(into.maxScoreError,
                                    std::abs(ref.score - compiled[best].score));
    } else {
      loneReference.push_back(&ref);
    }
  }
  // Both sides full: the lowest score each kept is where it was cut.
  bool cut = into.maxDetections > 0 &&
             int64_t(reference.size()) == into.maxDetections &&
             int64_t(compiled.size()) == into.maxDetections;
  auto lowest = [](const std::vector<runtime::Box> &boxes) {
    double low = boxes.empty() ? 0.0 : double(boxes[0].score);
    for (const runtime::Box &b : boxes)
      low = std::min(low, double(b.score));
    return low;
  };
  double referenceCut = lowest(reference), compiledCut = lowest(compiled);
  auto lone = [&](const runtime::Box &box, double otherCut,
                  const std::string &what) {
    if (cut && box.score <= otherCut + BoxAgreement::kCutScoreSlack) {
      ++into.atCut;
      return;
    }
    into.bestUnmatchedScore = std::max(into.bestUnmatchedScore,
                                       double(box.score));
    if (!into.firstMismatch.empty())
      return;
    char text[200];
    std::snprintf(text, sizeof text,
                  "image %lld: %s class %lld box (%.2f, %.2f, %.2f, %.2f) "
                  "score %.4g has no match",
                  (long long)image, what.c_str(), (long long)box.label,
                  box.x1, box.y1, box.x2, box.y2, box.score);
    into.firstMismatch = text;
  };
  for (const runtime::Box *box : loneReference)
    lone(*box, compiledCut, "LibTorch's");
  for (size_t c = 0; c < compiled.size(); ++c)
    if (!taken[c])
      lone(compiled[c], referenceCut, "the compiled");
  into.referenceBoxes += int64_t(reference.size());
  into.compiledBoxes += int64_t(compiled.size());
}

namespace {

/// The batch's spec inputs in the artifact's input order, as runtime
/// tensors (copies).
runtime::Status compiledInputs(const runtime::Model &model,
                               const TrainBatch &batch,
                               std::vector<runtime::Tensor> &out) {
  for (size_t i = 0; i < model.numInputs(); ++i) {
    const std::string &name = model.inputName(i);
    auto found = batch.inputs.find(name);
    if (found == batch.inputs.end())
      return runtime::invalidArgument(
          "--check-compiled: the artifact's input '" + name +
          "' is not one of the spec's");
    at::Tensor t = found->second.contiguous();
    if (t.scalar_type() != at::kFloat && t.scalar_type() != at::kLong)
      return runtime::invalidArgument("--check-compiled: input '" + name +
                                      "' is neither f32 nor i64");
    runtime::DType dtype = t.scalar_type() == at::kFloat ? runtime::DType::F32
                                                         : runtime::DType::I64;
    auto copy = runtime::Tensor::copyOf(
        runtime::TensorView{dtype, t.sizes().vec(), t.data_ptr()});
    if (!copy.ok())
      return copy.status();
    out.push_back(std::move(copy).value());
  }
  return runtime::okStatus();
}

} // namespace

runtime::Status checkCompiled(Trainer &trainer, const Objective &objective,
                              const std::string &modelPath, BoxAgreement &out) {
  auto model = runtime::Model::load(modelPath);
  if (!model.ok())
    return runtime::invalidArgument("--check-compiled " + modelPath + ": " +
                                    model.status().message());
  auto session = runtime::Session::create(*model);
  if (!session.ok())
    return session.status();
  runtime::Status status = runtime::okStatus();
  auto onBatch = [&](const TrainBatch &batch,
                     const torchref::ForwardResult &result) {
    if (!status.ok())
      return;
    std::vector<runtime::Tensor> inputs;
    status = compiledInputs(**model, batch, inputs);
    runtime::RunResult run;
    if (status.ok())
      status = (*session)->run(inputs, run);
    if (!status.ok())
      return;
    CompiledOutputs byName;
    for (size_t i = 0; i < run.outputs.size(); ++i)
      byName[(*model)->outputName(i)] = &run.outputs[i];
    status = objective.compareCompiled(result, byName, out);
  };
  trainer.evaluate(Split::Val, nullptr, nullptr, onBatch);
  return status;
}

} // namespace goe::train
