//===- Detector.cpp - a compiled detection model on image files -----------===//

#include "goe/Data/Detector.h"

#include "goe/Runtime/Detection.h"

#include <algorithm>
#include <cstring>

namespace goe::data {
namespace {

double iou(const PixelBox &a, const PixelBox &b) {
  double w = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  double h = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  if (w <= 0 || h <= 0)
    return 0;
  double inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) +
                  (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

/// Class-wise greedy NMS over score-sorted detections.
std::vector<Detection> suppress(const std::vector<Detection> &sorted,
                                double threshold) {
  std::vector<Detection> kept;
  for (const Detection &d : sorted) {
    bool overlapped = false;
    for (const Detection &k : kept)
      overlapped |= k.cls == d.cls && iou(k.box, d.box) > threshold;
    if (!overlapped)
      kept.push_back(d);
  }
  return kept;
}

} // namespace

StatusOr<Detector> Detector::create(std::shared_ptr<const runtime::Model> model,
                                    const DetectorOptions &options) {
  Detector detector;
  bool haveImage = false, haveOutput = false;
  for (size_t i = 0; i < model->numInputs() && !haveImage; ++i) {
    const runtime::TensorSpec &spec = model->inputSpec(i);
    if (spec.dtype == runtime::DType::F32 && spec.shape.size() == 3 &&
        spec.shape[0] == 3) {
      detector.imageInput = i;
      detector.height = spec.shape[1];
      detector.width = spec.shape[2];
      haveImage = true;
    }
  }
  if (!haveImage || model->numInputs() != 1)
    return runtime::invalidArgument(
        "model '" + model->name() +
        "' is not a detector: it needs exactly one input, an f32 image [3, H, W]");
  for (size_t o = 0; o < model->numOutputs() && !haveOutput; ++o) {
    const runtime::TensorSpec &spec = model->outputSpec(o);
    if (spec.dtype == runtime::DType::F32 && spec.shape.size() == 2 &&
        spec.shape[1] == 6) {
      detector.detectionOutput = o;
      haveOutput = true;
    }
  }
  // A dense detector: its outputs are decoded head levels [3, H, W, nc + 5]
  // and NMS runs here, as yolov7's detect.py runs it after the model.
  for (size_t o = 0; o < model->numOutputs() && !haveOutput; ++o) {
    const runtime::TensorSpec &spec = model->outputSpec(o);
    if (spec.dtype == runtime::DType::F32 && spec.shape.size() == 4 &&
        spec.shape[0] == 3 && spec.shape[3] >= 6 &&
        (detector.levelOutputs.empty() ||
         spec.shape[3] ==
             model->outputSpec(detector.levelOutputs[0]).shape[3]))
      detector.levelOutputs.push_back(o);
  }
  if (!haveOutput && detector.levelOutputs.empty())
    return runtime::invalidArgument(
        "model '" + model->name() +
        "' has no detection output [N, 6] (x1, y1, x2, y2, score, class) "
        "and no detect levels [3, H, W, nc + 5]");
  if (options.batch < 1)
    return runtime::invalidArgument("the batch must be at least 1");
  auto session = runtime::Session::create(model);
  if (!session.ok())
    return session.status();
  detector.model = std::move(model);
  detector.session = std::move(session).value();
  detector.options = options;
  return detector;
}

std::vector<runtime::Box> Detector::modelBoxes(const runtime::RunResult &run,
                                              int64_t sample) const {
  std::vector<runtime::Box> boxes;
  if (levelOutputs.empty()) { // the model's own [N, 6] rows
    const runtime::Tensor &out = run.outputs[detectionOutput];
    int64_t rows = out.shape()[1];
    const float *row = out.f32() + sample * rows * 6;
    for (int64_t r = 0; r < rows; ++r, row += 6)
      boxes.push_back({row[0], row[1], row[2], row[3], row[4],
                       (int64_t)row[5]});
    return boxes;
  }
  // Every level's rows of this sample, then NMS as the wbf combine runs it
  // per expert (Detection.h), at this detector's thresholds.
  std::vector<float> rows;
  int64_t width = run.outputs[levelOutputs[0]].shape().back();
  for (size_t o : levelOutputs) {
    const runtime::Tensor &level = run.outputs[o];
    int64_t perSample = level.numel() / level.shape()[0];
    const float *src = level.f32() + sample * perSample;
    rows.insert(rows.end(), src, src + perSample);
  }
  runtime::NmsOptions nms;
  nms.confThreshold = std::min(nms.confThreshold, options.confThreshold);
  if (options.iouThreshold < 1)
    nms.iouThreshold = options.iouThreshold;
  return runtime::nonMaxSuppression(rows.data(), (int64_t)rows.size() / width,
                                    width, nms);
}

StatusOr<std::vector<ImageDetections>>
Detector::detect(const std::vector<std::string> &paths) const {
  std::vector<ImageDetections> results;
  for (size_t start = 0; start < paths.size(); start += options.batch) {
    size_t count = std::min<size_t>(options.batch, paths.size() - start);
    auto batch = runtime::Tensor::uninitialized(runtime::DType::F32,
                                                {(int64_t)count, 3, height, width});
    if (!batch.ok())
      return batch.status();
    size_t plane = size_t(3 * height * width);
    for (size_t i = 0; i < count; ++i) {
      auto image = loadLetterboxed(paths[start + i], height, width);
      if (!image.ok())
        return image.status();
      std::memcpy(batch->f32() + i * plane, image->image.f32(), plane * sizeof(float));
      results.push_back({paths[start + i], image->geometry, {}, {}});
    }
    std::vector<runtime::TensorView> inputs{batch->view()};
    runtime::RunResult run;
    runtime::Status status = session->run(inputs, run);
    if (!status.ok())
      return status;
    for (size_t i = 0; i < count; ++i) {
      ImageDetections &result = results[results.size() - count + i];
      std::vector<Detection> found;
      for (const runtime::Box &box : modelBoxes(run, (int64_t)i)) {
        if (box.score < options.confThreshold || box.score <= 0)
          continue;
        found.push_back({mapBoxToImage({box.x1, box.y1, box.x2, box.y2},
                                       result.geometry),
                         box.score, box.label});
      }
      std::stable_sort(found.begin(), found.end(),
                       [](const Detection &a, const Detection &b) {
                         return a.score > b.score;
                       });
      result.detections = options.iouThreshold < 1
                              ? suppress(found, options.iouThreshold)
                              : found;
      for (const runtime::RouteDecision &route : run.routes) {
        ImageRoute taken{route.router, {}};
        for (int64_t j = 0; j < route.k; ++j)
          taken.choices.push_back({route.choice((int64_t)i, j),
                                   route.weight((int64_t)i, j)});
        result.routes.push_back(taken);
      }
    }
  }
  return results;
}

} // namespace goe::data
