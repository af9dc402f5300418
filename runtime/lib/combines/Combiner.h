//===- Combiner.h - the runtime's interface to a combine kind ---*- C++ -*-===//
//
// A DISPATCH result stacks the k chosen paths per input, [B, k, D...]; a
// COMBINE removes that dimension. A combine kind is one file in this
// folder: a loader that checks the artifact's typed message (artifact.proto,
// Combine's `kind` oneof) and returns the kind's Combiner, which infers the
// step's output types at load and merges the slots at run time.
// Registry.cpp maps the oneof case to the loader.
//
// Thread safety: a Combiner is immutable after loading; combine() may run
// on many threads at once.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_RUNTIME_LIB_COMBINES_COMBINER_H
#define GOE_RUNTIME_LIB_COMBINES_COMBINER_H

#include "Program.h"
#include "goe/Runtime/Detection.h"
#include "goe/Runtime/Session.h"

#include <memory>
#include <vector>

namespace goe::runtime::detail {

class Combiner {
public:
  virtual ~Combiner() = default;

  /// Whether the step must name its ROUTE's value (Step.routing), whose
  /// weights combine() reads.
  virtual bool readsRouting() const = 0;

  /// Load time: the per-sample types of the step's inputs -> those of its
  /// outputs. `k` is the router's k when readsRouting(), else 1.
  virtual Status inferTypes(const std::vector<TensorSpec> &inputs, int64_t k,
                            std::vector<TensorSpec> &outputs) const = 0;

  /// Run time: one tensor per output. `routing` is null unless
  /// readsRouting(). Shapes were checked at load.
  virtual Status combine(const std::vector<const Tensor *> &inputs,
                         const RouteDecision *routing,
                         std::vector<Tensor> &outputs) const = 0;
};

using CombineLoader =
    StatusOr<std::shared_ptr<const Combiner>> (*)(const artifact::Combine &);

StatusOr<std::shared_ptr<const Combiner>>
loadSelectCombine(const artifact::Combine &);
StatusOr<std::shared_ptr<const Combiner>>
loadWeightedSumCombine(const artifact::Combine &);
StatusOr<std::shared_ptr<const Combiner>>
loadImportanceMixCombine(const artifact::Combine &);
StatusOr<std::shared_ptr<const Combiner>>
loadWbfCombine(const artifact::Combine &);
StatusOr<std::shared_ptr<const Combiner>>
loadNmsCombine(const artifact::Combine &);

/// The registry: the loader of `source`'s kind, or an error naming the
/// kinds this runtime knows.
StatusOr<std::shared_ptr<const Combiner>>
loadCombine(const artifact::Combine &source);

/// Checks that every input is [k, ...] (the slots of the chosen paths) and
/// gives the outputs without that dimension; `kind` names the combine.
Status dropSlotDim(const char *kind, const std::vector<TensorSpec> &inputs,
                   int64_t k, std::vector<TensorSpec> &outputs);

/// Checks that `levels` are YOLO head levels f32 [k, ..., nc + 5] with one
/// nc (wbf, nms; `kind` names the combine).
Status checkHeadLevels(const char *kind, const std::vector<TensorSpec> &levels,
                       int64_t k);

/// Reads the NMS fields a detection combine's message shares (nms_conf,
/// nms_iou, max_det, max_nms; absent ones keep NmsOptions' defaults) and
/// checks their ranges.
template <class Message>
Status readNmsFields(const char *kind, const Message &given,
                     NmsOptions &nms) {
  if (given.has_nms_conf())
    nms.confThreshold = given.nms_conf();
  if (given.has_nms_iou())
    nms.iouThreshold = given.nms_iou();
  if (given.has_max_det())
    nms.maxDetections = given.max_det();
  if (given.has_max_nms())
    nms.maxCandidates = given.max_nms();
  if (!(nms.maxDetections >= 1 && nms.maxDetections <= 1000000) ||
      !(nms.maxCandidates >= 1 && nms.maxCandidates <= 1000000000))
    return invalidArgument(std::string(kind) +
                           " max_det must be in [1, 1e6] and max_nms in "
                           "[1, 1e9]");
  return okStatus();
}

/// Writes up to maxDet boxes as rows x1 y1 x2 y2 score label at `dst`
/// (whose maxDet x 6 floats are zero; rows after the last box stay so).
void writeBoxRows(const std::vector<Box> &boxes, int64_t maxDet, float *dst);

/// [B, k, D...] -> [B, D...].
std::vector<int64_t> withoutSlotDim(const std::vector<int64_t> &shape);

} // namespace goe::runtime::detail

#endif // GOE_RUNTIME_LIB_COMBINES_COMBINER_H
