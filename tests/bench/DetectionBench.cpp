//===- DetectionBench.cpp - NMS + WBF of the wbf combine, per image -------===//
//
//   goe-detection-bench [--benchmark_filter=...]
//
// Times what the `wbf` combine does for one image of MoE-YOLOv7-tiny at
// 320x320 (examples/moe_yolov7_tiny/moe.yaml): for each of the top-2
// experts, NMS over its 6300 head rows (3 levels of 40x40, 20x20, 10x10
// cells x 3 anchors, 80 classes; conf 0.001, IoU 0.65, max_det 300,
// max_nms 30000), then WBF of the two experts' boxes (IoU 0.55, avg).
// Two score distributions:
//  - untrained: objectness and class probabilities are sigmoids of small
//    random logits (about 0.3 to 0.7), so every (anchor, class) pair passes
//    0.001: 504,000 candidates per expert;
//  - trained: objectness is tiny except near 12 objects, where a few
//    anchors per object score high for one class: a few hundred candidates.
// Each is run with the runtime's code ("runtime") and with the
// straightforward reference it replaced ("reference",
// tests/unit/runtime/DetectionReference.h), in the same process.
//
//===----------------------------------------------------------------------===//

#include "../unit/runtime/DetectionReference.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <random>

using namespace goe::runtime;

namespace {

constexpr int kClasses = 80, kWidth = kClasses + 5, kExperts = 2;
constexpr double kImage = 320;

struct Level {
  int cells, stride;
  double anchors[3][2];
};
const Level kLevels[] = {{40, 8, {{9, 6}, {13, 16}, {29, 11}}},
                         {20, 16, {{29, 28}, {66, 26}, {51, 62}}},
                         {10, 32, {{115, 54}, {134, 119}, {308, 147}}}};

double sigmoid(double x) { return 1 / (1 + std::exp(-x)); }

/// One expert's decoded head rows (cx cy w h obj classes...), as YOLO's
/// detect op decodes them, with logits drawn for the given distribution.
std::vector<float> expertRows(std::mt19937 &rng, bool trained) {
  std::normal_distribution<double> small(0, 0.5), background(-10, 1.5),
      classLow(-7, 1.5);
  std::uniform_real_distribution<double> unit(0, 1);
  // Objects: centre, size, class (trained only).
  struct Object {
    double x, y, w, h;
    int cls;
  };
  std::vector<Object> objects;
  for (int i = 0; trained && i < 12; ++i)
    objects.push_back(Object{kImage * unit(rng), kImage * unit(rng),
                             20 + 150 * unit(rng), 20 + 150 * unit(rng),
                             static_cast<int>(kClasses * unit(rng))});
  std::vector<float> rows;
  for (const Level &level : kLevels)
    for (const auto &anchor : level.anchors)
      for (int y = 0; y < level.cells; ++y)
        for (int x = 0; x < level.cells; ++x) {
          double cx = (x + 2 * sigmoid(small(rng)) - 0.5) * level.stride;
          double cy = (y + 2 * sigmoid(small(rng)) - 0.5) * level.stride;
          double w = std::pow(2 * sigmoid(small(rng)), 2) * anchor[0];
          double h = std::pow(2 * sigmoid(small(rng)), 2) * anchor[1];
          double obj = sigmoid(trained ? background(rng) : small(rng));
          int hit = -1;
          for (size_t o = 0; o < objects.size(); ++o)
            if (std::abs(objects[o].x - cx) < level.stride &&
                std::abs(objects[o].y - cy) < level.stride &&
                objects[o].w / anchor[0] < 4 && anchor[0] / objects[o].w < 4)
              hit = static_cast<int>(o);
          if (hit >= 0) {
            const Object &o = objects[static_cast<size_t>(hit)];
            cx = o.x + 0.1 * o.w * small(rng);
            cy = o.y + 0.1 * o.h * small(rng);
            w = o.w * (1 + 0.1 * small(rng));
            h = o.h * (1 + 0.1 * small(rng));
            obj = 0.5 + 0.45 * unit(rng);
          }
          for (double v : {cx, cy, w, h, obj})
            rows.push_back(static_cast<float>(v));
          for (int c = 0; c < kClasses; ++c) {
            double logit = trained ? classLow(rng) : small(rng);
            if (hit >= 0 && c == objects[static_cast<size_t>(hit)].cls)
              logit = 2 + small(rng);
            rows.push_back(static_cast<float>(sigmoid(logit)));
          }
        }
  return rows;
}

/// Both experts' rows for one image, made once per distribution.
const std::vector<float> &rows(bool trained, int expert) {
  static const std::vector<std::vector<float>> made = [] {
    std::vector<std::vector<float>> all;
    for (int t = 0; t < 2; ++t) {
      std::mt19937 rng(42 + t);
      for (int e = 0; e < kExperts; ++e)
        all.push_back(expertRows(rng, t == 1));
    }
    return all;
  }();
  return made[static_cast<size_t>((trained ? kExperts : 0) + expert)];
}

/// What the wbf combine does for one image, with either implementation.
template <bool Reference> std::vector<Box> detect(bool trained) {
  NmsOptions nms; // conf 0.001, IoU 0.65, max_det 300, max_nms 30000
  WbfOptions wbf;
  wbf.iouThreshold = 0.55;
  std::vector<std::vector<Box>> experts;
  for (int e = 0; e < kExperts; ++e) {
    const std::vector<float> &r = rows(trained, e);
    int64_t count = static_cast<int64_t>(r.size()) / kWidth;
    std::vector<Box> boxes =
        Reference ? reference::referenceNms(r.data(), count, kWidth, nms)
                  : nonMaxSuppression(r.data(), count, kWidth, nms);
    for (Box &b : boxes) {
      b.x1 /= kImage;
      b.y1 /= kImage;
      b.x2 /= kImage;
      b.y2 /= kImage;
    }
    experts.push_back(std::move(boxes));
  }
  std::vector<double> weights{0.6, 0.4};
  return Reference ? reference::referenceWbf(experts, weights, wbf)
                   : weightedBoxesFusion(experts, weights, wbf);
}

template <bool Reference> void nmsAndWbf(benchmark::State &state) {
  bool trained = state.range(0) != 0;
  size_t candidates = 0;
  for (int e = 0; e < kExperts; ++e) {
    const std::vector<float> &r = rows(trained, e);
    for (size_t i = 0; i < r.size(); i += kWidth)
      for (int c = 0; c < kClasses; ++c)
        candidates += double(r[i + 5 + c]) * double(r[i + 4]) >= 0.001;
  }
  size_t fused = 0;
  for (auto _ : state) {
    std::vector<Box> boxes = detect<Reference>(trained);
    fused = boxes.size();
    benchmark::DoNotOptimize(boxes.data());
  }
  state.SetLabel(trained ? "trained" : "untrained");
  state.counters["candidates"] = static_cast<double>(candidates);
  state.counters["fused"] = static_cast<double>(fused);
}

// The runtime's code must give the reference's boxes on these images too;
// a benchmark of code that disagrees would mean nothing.
bool agree() {
  for (bool trained : {false, true}) {
    std::vector<Box> a = detect<false>(trained), b = detect<true>(trained);
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].x1 != b[i].x1 || a[i].y1 != b[i].y1 || a[i].x2 != b[i].x2 ||
          a[i].y2 != b[i].y2 || a[i].score != b[i].score ||
          a[i].label != b[i].label)
        return false;
  }
  return true;
}

} // namespace

BENCHMARK_TEMPLATE(nmsAndWbf, true)
    ->Name("nms+wbf/reference")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(nmsAndWbf, false)
    ->Name("nms+wbf/runtime")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (!agree()) {
    std::fprintf(stderr, "goe-detection-bench: the runtime's NMS/WBF and the "
                         "reference disagree on the benchmark images\n");
    return 1;
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
