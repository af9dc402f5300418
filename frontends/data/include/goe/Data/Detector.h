//===- Detector.h - a compiled detection model on image files ----*- C++ -*-===//
//
// What goe-detect does, as a library: letterbox each image to the model's
// input, run the compiled model (runtime::Session), keep the detections
// above a confidence, optionally thin them with a further class-wise NMS,
// and map the boxes back to the original image's pixels. The model must
// have one f32 image input [3, H, W] and a detection output [N, 6] (x1, y1,
// x2, y2 in the model's pixels, score, class; score-0 rows are padding), as
// the `wbf` and `nms` combines produce, or (a dense detector such as
// examples/yolov7_tiny) decoded detect levels [3, H, W, nc + 5], which get
// the wbf combine's per-expert NMS here (conf min(0.001, --conf), IoU 0.65
// or --iou, 300 boxes). The routes each image took come back too.
//
// Thread safety: detect() is const; one Detector may serve several threads.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_DATA_DETECTOR_H
#define GOE_DATA_DETECTOR_H

#include "goe/Data/Letterbox.h"
#include "goe/Runtime/Detection.h"
#include "goe/Runtime/Session.h"

namespace goe::data {

struct Detection {
  PixelBox box; // original image pixels
  double score = 0;
  int64_t cls = 0;
};

/// One routing point's decision for one image: the chosen choices with
/// their weights, in choice order.
struct ImageRoute {
  std::string router;
  std::vector<std::pair<int64_t, float>> choices;
};

struct ImageDetections {
  std::string path;
  LetterboxGeometry geometry;
  std::vector<Detection> detections; // descending score
  std::vector<ImageRoute> routes;
};

struct DetectorOptions {
  double confThreshold = 0.25;
  /// A further class-wise NMS over the model's output; 1 keeps all.
  double iouThreshold = 1.0;
  int64_t batch = 8;
};

class Detector {
public:
  /// Checks that `model` has an image input and a detection output.
  static StatusOr<Detector> create(std::shared_ptr<const runtime::Model> model,
                                   const DetectorOptions &options);

  /// Runs `paths` in batches of options.batch. Errors name the image.
  StatusOr<std::vector<ImageDetections>>
  detect(const std::vector<std::string> &paths) const;

  int64_t inputHeight() const { return height; }
  int64_t inputWidth() const { return width; }

private:
  Detector() = default;
  std::shared_ptr<const runtime::Model> model;
  std::shared_ptr<runtime::Session> session;
  DetectorOptions options;
  /// This sample's boxes in the model's pixels: the [N, 6] output's rows,
  /// or NMS over the detect levels of a dense model.
  std::vector<runtime::Box> modelBoxes(const runtime::RunResult &run,
                                       int64_t sample) const;

  size_t imageInput = 0, detectionOutput = 0;
  std::vector<size_t> levelOutputs; // a dense model's detect levels
  int64_t height = 0, width = 0;
};

/// Draws `result`'s boxes, class names and scores on its image and returns
/// the JPEG bytes. `names` may be empty (classes shown as numbers).
StatusOr<std::string> drawDetections(const ImageDetections &result,
                                     const std::vector<std::string> &names);

} // namespace goe::data

#endif // GOE_DATA_DETECTOR_H
