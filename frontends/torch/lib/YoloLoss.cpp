//===- YoloLoss.cpp - YOLOv7's training loss ------------------------------===//
//
// Written from yolov7's description (utils/loss.py ComputeLoss and
// build_targets, general.py bbox_iou); the header lists the rules.
//
//===----------------------------------------------------------------------===//

#include "goe/Frontends/Torch/YoloLoss.h"

#include <cmath>

namespace goe::torchref {

at::Tensor completeIou(const at::Tensor &a, const at::Tensor &b) {
  const double eps = 1e-7;
  auto x1a = a.select(1, 0) - a.select(1, 2) / 2, x2a = a.select(1, 0) + a.select(1, 2) / 2;
  auto y1a = a.select(1, 1) - a.select(1, 3) / 2, y2a = a.select(1, 1) + a.select(1, 3) / 2;
  auto x1b = b.select(1, 0) - b.select(1, 2) / 2, x2b = b.select(1, 0) + b.select(1, 2) / 2;
  auto y1b = b.select(1, 1) - b.select(1, 3) / 2, y2b = b.select(1, 1) + b.select(1, 3) / 2;
  auto inter = (at::minimum(x2a, x2b) - at::maximum(x1a, x1b)).clamp_min(0) *
               (at::minimum(y2a, y2b) - at::maximum(y1a, y1b)).clamp_min(0);
  auto wa = x2a - x1a, ha = y2a - y1a + eps;
  auto wb = x2b - x1b, hb = y2b - y1b + eps;
  auto uni = wa * ha + wb * hb - inter + eps;
  auto iou = inter / uni;
  auto cw = at::maximum(x2a, x2b) - at::minimum(x1a, x1b);
  auto ch = at::maximum(y2a, y2b) - at::minimum(y1a, y1b);
  auto c2 = cw.pow(2) + ch.pow(2) + eps;
  auto rho2 = ((x1b + x2b - x1a - x2a).pow(2) + (y1b + y2b - y1a - y2a).pow(2)) / 4;
  auto v = (4 / (M_PI * M_PI)) * (at::atan(wb / (hb + eps)) - at::atan(wa / (ha + eps))).pow(2);
  at::Tensor alpha;
  {
    at::NoGradGuard noGrad;
    alpha = v / (v - iou + (1 + eps));
  }
  return iou - (rho2 / c2 + v * alpha);
}

at::Tensor decodeYoloLevel(const at::Tensor &logits, const YoloLevel &level) {
  at::Tensor y = logits.sigmoid();
  int64_t dims = y.dim(), height = y.size(dims - 3), width = y.size(dims - 2);
  auto options = y.options();
  // Broadcast shapes over any leading dimensions: [..., 3, ny, nx].
  std::vector<int64_t> colShape(dims - 1, 1), rowShape(dims - 1, 1),
      anchorShape(dims - 1, 1);
  colShape[dims - 2] = width;
  rowShape[dims - 3] = height;
  anchorShape[dims - 4] = 3;
  at::Tensor col = at::arange(width, options).view(colShape);
  at::Tensor row = at::arange(height, options).view(rowShape);
  std::vector<float> aw, ah;
  for (const auto &anchor : level.anchors) {
    aw.push_back((float)anchor[0]);
    ah.push_back((float)anchor[1]);
  }
  at::Tensor anchorW = at::tensor(aw, options).view(anchorShape);
  at::Tensor anchorH = at::tensor(ah, options).view(anchorShape);
  double stride = (double)level.stride;
  int64_t last = dims - 1;
  at::Tensor bx = (y.select(last, 0) * 2 - 0.5 + col) * stride;
  at::Tensor by = (y.select(last, 1) * 2 - 0.5 + row) * stride;
  at::Tensor bw = (y.select(last, 2) * 2).pow(2) * anchorW;
  at::Tensor bh = (y.select(last, 3) * 2).pow(2) * anchorH;
  return at::cat({at::stack({bx, by, bw, bh}, last), y.slice(last, 4)}, last);
}

YoloMatches matchTargets(const at::Tensor &targets, int64_t ny, int64_t nx,
                         const YoloLevel &level, double anchorThreshold) {
  auto f32 = at::TensorOptions().dtype(at::kFloat);
  int64_t nt = targets.size(0);
  YoloMatches out;
  if (nt == 0) {
    auto empty = at::empty({0}, at::kLong);
    out.image = out.anchor = out.gj = out.gi = out.cls = empty;
    out.box = at::empty({0, 4}, f32);
    out.anchorWh = at::empty({0, 2}, f32);
    return out;
  }
  // Anchors in grid units of this level.
  auto anchors = at::empty({3, 2}, f32);
  for (int a = 0; a < 3; ++a)
    for (int d = 0; d < 2; ++d)
      anchors[a][d] = level.anchors[a][d] / double(level.stride);
  // Targets in grid units, one copy per anchor: [3, nt, 7] with the anchor.
  auto gain = at::tensor({1.f, 1.f, float(nx), float(ny), float(nx), float(ny)}, f32);
  auto scaled = targets.to(at::kFloat) * gain;
  auto perAnchor = at::cat(
      {scaled.unsqueeze(0).expand({3, nt, 6}),
       at::arange(3, f32).view({3, 1, 1}).expand({3, nt, 1})}, 2);
  auto ratio = perAnchor.slice(2, 4, 6) / anchors.unsqueeze(1);
  auto keep = std::get<0>(at::maximum(ratio, 1 / ratio).max(2)) < anchorThreshold;
  auto t = perAnchor.index({keep}); // [m, 7]
  if (t.size(0) == 0)
    return matchTargets(at::empty({0, 6}, f32), ny, nx, level, anchorThreshold);
  // The target's cell plus the two neighbours nearest its centre.
  const double g = 0.5;
  auto gxy = t.slice(1, 2, 4);
  auto gxi = at::tensor({float(nx), float(ny)}, f32) - gxy;
  auto frac = at::fmod(gxy, 1.0), fraci = at::fmod(gxi, 1.0);
  auto jk = (frac < g) & (gxy > 1.0);   // left (x), up (y)
  auto lm = (fraci < g) & (gxi > 1.0);  // right (x), down (y)
  auto masks = at::stack({at::ones_like(jk.select(1, 0)), jk.select(1, 0),
                          jk.select(1, 1), lm.select(1, 0), lm.select(1, 1)});
  auto offsets = at::tensor({0.f, 0.f, 1.f, 0.f, 0.f, 1.f, -1.f, 0.f, 0.f, -1.f}, f32)
                     .view({5, 1, 2}) * g;
  auto repeated = t.unsqueeze(0).expand({5, t.size(0), 7}).index({masks});
  auto shift = offsets.expand({5, t.size(0), 2}).index({masks});
  auto xy = repeated.slice(1, 2, 4);
  auto cell = (xy - shift).to(at::kLong);
  out.image = repeated.select(1, 0).to(at::kLong);
  out.cls = repeated.select(1, 1).to(at::kLong);
  out.anchor = repeated.select(1, 6).to(at::kLong);
  out.gi = cell.select(1, 0).clamp(0, nx - 1);
  out.gj = cell.select(1, 1).clamp(0, ny - 1);
  out.box = at::cat({xy - cell.to(at::kFloat), repeated.slice(1, 4, 6)}, 1);
  out.anchorWh = anchors.index({out.anchor});
  return out;
}

YoloLossParts yoloLoss(const std::vector<at::Tensor> &predictions,
                       const at::Tensor &targets,
                       const std::vector<YoloLevel> &levels,
                       const YoloLossOptions &options,
                       const at::Tensor &imageWeights) {
  double nl = double(levels.size());
  double boxGain = options.box * 3.0 / nl;
  double clsGain = options.cls * double(options.classes) / 80.0 * 3.0 / nl;
  double objGain = options.obj * std::pow(options.imageSize / 640.0, 2) * 3.0 / nl;
  auto zero = at::zeros({}, predictions[0].options());
  int64_t batch = predictions[0].size(0);
  // Means written as weighted sums over images, so that weights of one
  // reproduce yolov7's plain means.
  at::Tensor weights = imageWeights.defined()
                           ? imageWeights.to(predictions[0].scalar_type())
                           : at::ones({batch}, predictions[0].options());
  at::Tensor lbox = zero, lobj = zero, lcls = zero;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const at::Tensor &p = predictions[i]; // [B, 3, ny, nx, no]
    YoloMatches m = matchTargets(targets, p.size(2), p.size(3), levels[i],
                                 options.anchorThreshold);
    auto tobj = at::zeros_like(p.select(4, 4));
    int64_t n = m.image.size(0);
    if (n) {
      auto ps = p.index({m.image, m.anchor, m.gj, m.gi}); // [n, no]
      auto pxy = ps.slice(1, 0, 2).sigmoid() * 2 - 0.5;
      auto pwh = (ps.slice(1, 2, 4).sigmoid() * 2).pow(2) * m.anchorWh;
      auto iou = completeIou(at::cat({pxy, pwh}, 1), m.box);
      auto w = weights.index({m.image});
      lbox = lbox + ((1.0 - iou) * w).sum() / double(n);
      // gr = 1: the objectness target is the (detached, clamped) IoU. Where
      // several matches share a cell the last write wins, as index_put_.
      tobj.index_put_({m.image, m.anchor, m.gj, m.gi},
                      iou.detach().clamp_min(0).to(tobj.scalar_type()));
      if (options.classes > 1) {
        auto t = at::zeros_like(ps.slice(1, 5));
        t.index_put_({at::arange(n), m.cls}, 1.0);
        auto bce = at::binary_cross_entropy_with_logits(
            ps.slice(1, 5), t, {}, {}, at::Reduction::None);
        lcls = lcls + (bce.mean(1) * w).sum() / double(n);
      }
    }
    auto objBce = at::binary_cross_entropy_with_logits(
        p.select(4, 4), tobj, {}, {}, at::Reduction::None);
    lobj = lobj + (objBce.reshape({batch, -1}).mean(1) * weights).sum() /
                      double(batch) * options.balance[i];
  }
  lbox = lbox * boxGain;
  lobj = lobj * objGain;
  lcls = lcls * clsGain;
  YoloLossParts parts;
  parts.total = (lbox + lobj + lcls) * double(batch);
  parts.box = lbox.item<double>();
  parts.obj = lobj.item<double>();
  parts.cls = lcls.item<double>();
  return parts;
}

} // namespace goe::torchref
