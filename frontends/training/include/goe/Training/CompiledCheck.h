//===- CompiledCheck.h - the compiled model against LibTorch ----*- C++ -*-===//
//
// goe-train --check-compiled MODEL.goe: the kept weights' LibTorch forward
// pass and the compiled artifact (compiled with those weights) run on the
// same val batches, and the objective compares what each gives. For
// detection that is box by box: the issue's "same boxes within 1e-3 of the
// image size, same classes".
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TRAINING_COMPILEDCHECK_H
#define GOE_TRAINING_COMPILEDCHECK_H

#include "goe/Runtime/Detection.h"
#include "goe/Runtime/Status.h"

#include "goe/Runtime/Tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace goe::train {

/// Box-by-box agreement, summed over images.
struct BoxAgreement {
  double tolerance = 0; // pixels a corner may differ by (1e-3 of the image)
  /// The NMS's max_det; 0: no cap. An image for which both sides kept
  /// exactly this many boxes was cut by score, and a box one side kept
  /// just above the cut may sit just below it on the other side (scores
  /// agree to about 1e-7, not exactly): such lone boxes, scoring within
  /// kCutScoreSlack of the other side's lowest kept score, are counted in
  /// atCut rather than as mismatches.
  int64_t maxDetections = 0;
  static constexpr double kCutScoreSlack = 1e-5;
  int64_t images = 0;
  int64_t referenceBoxes = 0, compiledBoxes = 0;
  int64_t matched = 0;             // same class, every corner within
  int64_t atCut = 0;               // lone boxes at the max_det cut
  double maxCornerError = 0;       // over matched pairs, pixels
  double maxScoreError = 0;        // over matched pairs
  double bestUnmatchedScore = 0;   // the highest score a lone box has
  std::string firstMismatch;       // "image 3: ..." for the message

  bool agrees() const {
    return 2 * matched + atCut == referenceBoxes + compiledBoxes;
  }
  /// One line of figures.
  std::string summary() const;
};

/// Matches one image's boxes: each reference box (in order) takes the
/// unmatched compiled box of its class with the smallest largest corner
/// difference, if that is within `into.tolerance`. `image` names it in
/// firstMismatch.
void matchBoxes(const std::vector<runtime::Box> &reference,
                const std::vector<runtime::Box> &compiled, int64_t image,
                BoxAgreement &into);

/// A compiled run's outputs by output name.
using CompiledOutputs = std::map<std::string, const runtime::Tensor *>;

class Trainer;
class Objective;

/// Runs the val split through `trainer` (LibTorch, the weights it holds)
/// and through the artifact at `modelPath`, feeding both the same batches,
/// and compares them with `objective` (its compareCompiled, which sets the
/// tolerance). Errors: the artifact cannot load, its inputs are not the
/// spec's, or the objective has no such check.
runtime::Status checkCompiled(Trainer &trainer, const Objective &objective,
                              const std::string &modelPath, BoxAgreement &out);

} // namespace goe::train

#endif // GOE_TRAINING_COMPILEDCHECK_H
