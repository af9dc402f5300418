//===- Yolo.cpp - YOLOv7's loss, and COCO mAP as the validation score ------===//
//
// Objective `yolo`, for a detection spec trained on a detection dataset
// (kinds yolo, coco: `boxes` rows class, cx, cy, w, h; class -1 pads):
//   - the levels are the spec's `detect` layers (one module holds them all:
//     the dense model's head, or each expert of a mixture), read from the
//     forward pass as raw logits (the model is asked for them);
//   - dense: the levels are consecutive spec outputs, and the loss is
//     yoloLoss (frontends/torch YoloLoss.h) on them;
//   - mixture: the output is a `wbf` (or `nms`) combine, whose training
//     value is each
//     chosen expert's levels [B, k, 3, H, W, nc + 5]; the loss is
//     sum over choice slots s of yoloLoss(slot s, image weights = the
//     route's weight of slot s), i.e. per image the router-weighted sum of
//     its experts' YOLO losses, and the gradient reaches the gate through
//     the weights. The router trainer adds its balance loss.
// Parts box, obj and cls are yolov7's gained terms (summed over slots).
// The step's loss is yolov7's total, (box + obj + cls) x batch.
//
// Validation decodes the levels as the detect op does, runs the compiled
// graph's post-processing (Detection.h: NMS per expert, then for a mixture
// WBF with the route weights and the combine's own parameters, or for an
// nms combine one NMS over the chosen experts' rows together; dense: NMS
// at conf 0.001, IoU 0.65, 300 boxes, as yolov7's test.py) and scores the
// split with COCO's 12 statistics (CocoEval.h) in the model's input pixels:
// metrics mAP50 (AP at IoU 0.5), mAP50_95 (AP) and yolov7's fitness
// 0.1 mAP50 + 0.9 mAP50_95, which picks the kept weights.
//
//===----------------------------------------------------------------------===//

#include "goe/Training/Objective.h"
#include "goe/Training/TrainingError.h"

#include "goe/Data/CocoEval.h"
#include "goe/Dialect/Goe/CombineKinds.h"
#include "goe/Frontends/Spec/ops/Detection.h"
#include "goe/Frontends/Torch/YoloLoss.h"
#include "goe/Runtime/Detection.h"

#include <ATen/ATen.h>

namespace goe::train {
namespace {

using torchref::YoloLevel;

/// Where the levels are in the forward pass and how to post-process them.
struct YoloSetup {
  std::vector<YoloLevel> levels;
  int64_t classes = 0, imageSize = 0;
  size_t firstOutput = 0; // in ForwardResult::outputs
  bool mixture = false;
  bool fuseByWbf = true;  // mixture: wbf, or one NMS over every choice (nms)
  std::string route;      // mixture: the router node the dispatch follows
  runtime::NmsOptions nms;
  runtime::WbfOptions wbf;
  std::string outputName, target;
  /// The outputs the compiled model gives the boxes in: the combine's, or
  /// (dense) one per level.
  std::vector<std::string> compiledOutputs;
};

class YoloObjective : public Objective {
public:
  explicit YoloObjective(YoloSetup setup) : s(std::move(setup)) {
    lossOptions.imageSize = s.imageSize;
    lossOptions.classes = s.classes;
  }

  size_t outputIndex() const override { return s.firstOutput; }
  bool countsCorrect() const override { return false; }
  bool wantsRawDetections() const override { return true; }
  bool lossSumsOverSamples() const override { return true; } // x batch
  int64_t evaluationBatch(int64_t trainingBatch) const override {
    return trainingBatch;
  }

  at::Tensor loss(const torchref::ForwardResult &result,
                  const TrainBatch &batch, Score &step) const override {
    at::Tensor total = parts(result, targets(batch), step);
    step.lossSum = total.item<double>();
    return total;
  }

  void beginScoring() override {
    eval = data::CocoEvalInput();
    nextImage = 0;
    for (int64_t c = 0; c < s.classes; ++c)
      eval.categoryIds.push_back(c);
  }

  Score score(const torchref::ForwardResult &result,
              const TrainBatch &batch) override {
    at::NoGradGuard noGrad;
    at::Tensor t = targets(batch);
    Score step;
    step.lossSum = parts(result, t, step).item<double>();
    step.count = batch.size();
    addGroundTruth(batch);
    addDetections(result, batch.size());
    return step;
  }

  void finishScoring(Score &split) override {
    data::CocoStats stats = data::cocoEvaluate(eval);
    // -1 (nothing to average) counts as 0 for the choice of weights.
    double map = std::max(0.0, stats[0]), map50 = std::max(0.0, stats[1]);
    split.metrics["mAP50"] = map50;
    split.metrics["mAP50_95"] = map;
    split.metrics["fitness"] = 0.1 * map50 + 0.9 * map;
  }

private:
  /// The batch's boxes as yoloLoss's [n, 6] rows (image, class, cx, cy, w,
  /// h), each class checked against nc.
  at::Tensor targets(const TrainBatch &batch) const {
    const at::Tensor &boxes = batch.fields.at(s.target); // [B, M, 5]
    at::Tensor cls = boxes.select(2, 0);
    at::Tensor bad = cls.ge(double(s.classes)).nonzero();
    if (bad.numel() > 0) {
      int64_t row = bad[0][0].item<int64_t>();
      throw TrainingError(runtime::invalidArgument(
          "box class " + std::to_string(cls[row][bad[0][1]].item<int64_t>()) +
          " (" + data::splitName(batch.split) + " sample " +
          std::to_string(batch.indices[row].item<int64_t>()) +
          ") is out of range for the detect layers, which have nc = " +
          std::to_string(s.classes)));
    }
    at::Tensor image = at::arange(boxes.size(0), boxes.options())
                           .view({-1, 1})
                           .expand({boxes.size(0), boxes.size(1)});
    at::Tensor keep = cls.ge(0);
    return at::cat({image.index({keep}).unsqueeze(1), boxes.index({keep})}, 1);
  }

  /// The loss on the forward pass's levels, with its parts added to `step`.
  at::Tensor parts(const torchref::ForwardResult &result,
                   const at::Tensor &targets, Score &step) const {
    std::vector<at::Tensor> levels(result.outputs.begin() + s.firstOutput,
                                   result.outputs.begin() + s.firstOutput +
                                       s.levels.size());
    double batch = double(levels[0].size(0));
    auto add = [&](const torchref::YoloLossParts &p) {
      step.partSums["box"] += p.box * batch;
      step.partSums["obj"] += p.obj * batch;
      step.partSums["cls"] += p.cls * batch;
      return p.total;
    };
    if (!s.mixture)
      return add(torchref::yoloLoss(levels, targets, s.levels, lossOptions));
    at::Tensor weights = routeWeights(result); // [B, k]
    at::Tensor total;
    for (int64_t slot = 0; slot < weights.size(1); ++slot) {
      std::vector<at::Tensor> chosen;
      for (const at::Tensor &level : levels)
        chosen.push_back(level.select(1, slot));
      at::Tensor part = add(torchref::yoloLoss(
          chosen, targets, s.levels, lossOptions, weights.select(1, slot)));
      total = total.defined() ? total + part : part;
    }
    return total;
  }

  const at::Tensor &routeWeights(const torchref::ForwardResult &result) const {
    for (size_t i = 0; i < result.routeWeightNodes.size(); ++i)
      if (result.routeWeightNodes[i] == s.route)
        return result.routeWeights[i];
    throw TrainingError(runtime::internalError("objective yolo: the forward pass "
                                          "has no weights of router node '" +
                                          s.route + "'"));
  }

  void addGroundTruth(const TrainBatch &batch) {
    at::Tensor boxes = batch.fields.at(s.target).contiguous();
    double side = double(s.imageSize);
    for (int64_t b = 0; b < boxes.size(0); ++b) {
      int64_t id = nextImage + b;
      eval.imageIds.push_back(id);
      at::Tensor image = boxes[b];
      auto rows = image.accessor<float, 2>();
      for (int64_t r = 0; r < rows.size(0) && rows[r][0] >= 0; ++r) {
        data::CocoBox box;
        box.imageId = id;
        box.categoryId = int64_t(rows[r][0]);
        box.w = rows[r][3] * side;
        box.h = rows[r][4] * side;
        box.x = rows[r][1] * side - box.w / 2;
        box.y = rows[r][2] * side - box.h / 2;
        box.area = box.w * box.h;
        eval.groundTruth.push_back(box);
      }
    }
  }

public:
  runtime::Status compareCompiled(
      const torchref::ForwardResult &result,
      const CompiledOutputs &compiled,
      BoxAgreement &into) const override {
    std::vector<const runtime::Tensor *> outputs;
    for (const std::string &name : s.compiledOutputs) {
      auto found = compiled.find(name);
      if (found == compiled.end())
        return runtime::invalidArgument(
            "objective yolo: the compiled model has no output '" + name +
            "' (compiled from another spec?)");
      outputs.push_back(found->second);
    }
    into.tolerance = 1e-3 * double(s.imageSize); // the bound
    into.maxDetections = s.mixture ? outputs[0]->shape()[1]
                                   : s.nms.maxDetections;
    std::vector<std::vector<runtime::Box>> reference = imageBoxes(result);
    int64_t batch = int64_t(reference.size());
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<runtime::Box> boxes;
      if (s.mixture) { // [B, max_det, 6] rows, score 0 after the last box
        const runtime::Tensor &dets = *outputs[0];
        int64_t rows = dets.shape()[1];
        const float *row = dets.f32() + b * rows * 6;
        for (int64_t r = 0; r < rows && row[4] > 0; ++r, row += 6)
          boxes.push_back({row[0], row[1], row[2], row[3], row[4],
                           int64_t(row[5])});
      } else { // decoded levels: the NMS goe-detect runs on them
        std::vector<runtime::NmsRows> blocks;
        int64_t width = outputs[0]->shape().back();
        for (const runtime::Tensor *level : outputs) {
          int64_t perImage = level->numel() / batch;
          blocks.push_back({level->f32() + b * perImage, perImage / width});
        }
        boxes = runtime::nonMaxSuppression(blocks, width, s.nms);
      }
      matchBoxes(reference[b], boxes, into.images + b, into);
    }
    into.images += batch;
    return runtime::okStatus();
  }

private:
  /// Decodes the levels and runs NMS (and WBF) per image as the compiled
  /// graph does: each image's boxes in the model's input pixels.
  std::vector<std::vector<runtime::Box>>
  imageBoxes(const torchref::ForwardResult &result) const {
    std::vector<at::Tensor> decoded;
    for (size_t l = 0; l < s.levels.size(); ++l) {
      at::Tensor level = torchref::decodeYoloLevel(
          result.outputs[s.firstOutput + l], s.levels[l]);
      // [B, (k,) 3, H, W, A] -> [B, (k,) rows, A]
      int64_t lead = s.mixture ? 2 : 1;
      std::vector<int64_t> shape(level.sizes().begin(),
                                 level.sizes().begin() + lead);
      shape.push_back(-1);
      shape.push_back(level.size(-1));
      decoded.push_back(level.reshape(shape));
    }
    at::Tensor rows = at::cat(decoded, s.mixture ? 2 : 1).contiguous();
    int64_t width = rows.size(-1);
    at::Tensor weights;
    if (s.mixture)
      weights = routeWeights(result).detach().to(at::kDouble).contiguous();
    double side = double(s.imageSize);
    int64_t batch = rows.size(0);
    std::vector<std::vector<runtime::Box>> all(batch);
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<runtime::Box> &boxes = all[b];
      if (!s.mixture) {
        at::Tensor image = rows[b];
        boxes = runtime::nonMaxSuppression(image.data_ptr<float>(),
                                           image.size(0), width, s.nms);
      } else if (!s.fuseByWbf) {
        at::Tensor pooled = rows[b].reshape({-1, width}).contiguous();
        boxes = runtime::nonMaxSuppression(pooled.data_ptr<float>(),
                                           pooled.size(0), width, s.nms);
      } else {
        int64_t k = rows.size(1);
        std::vector<std::vector<runtime::Box>> experts(k);
        std::vector<double> w(k);
        for (int64_t j = 0; j < k; ++j) {
          at::Tensor expert = rows[b][j];
          experts[j] = runtime::nonMaxSuppression(
              expert.data_ptr<float>(), expert.size(0), width, s.nms);
          for (runtime::Box &box : experts[j]) {
            box.x1 /= side, box.x2 /= side, box.y1 /= side, box.y2 /= side;
          }
          w[j] = weights.data_ptr<double>()[b * k + j];
        }
        boxes = runtime::weightedBoxesFusion(experts, w, s.wbf);
        if ((int64_t)boxes.size() > s.nms.maxDetections)
          boxes.resize(s.nms.maxDetections);
        for (runtime::Box &box : boxes) {
          box.x1 *= side, box.x2 *= side, box.y1 *= side, box.y2 *= side;
        }
      }
    }
    return all;
  }

  /// Adds each image's boxes (imageBoxes) as detections of images
  /// nextImage...
  void addDetections(const torchref::ForwardResult &result, int64_t batch) {
    std::vector<std::vector<runtime::Box>> all = imageBoxes(result);
    for (int64_t b = 0; b < batch; ++b) {
      for (const runtime::Box &box : all[b]) {
        data::CocoBox d;
        d.imageId = nextImage + b;
        d.categoryId = box.label;
        d.x = box.x1;
        d.y = box.y1;
        d.w = box.x2 - box.x1;
        d.h = box.y2 - box.y1;
        d.score = box.score;
        eval.detections.push_back(d);
      }
    }
    nextImage += batch;
  }

  YoloSetup s;
  torchref::YoloLossOptions lossOptions;
  data::CocoEvalInput eval;
  int64_t nextImage = 0;
};

// --- Set-up: the levels from the spec, the outputs from the plan ----------

runtime::Status fail(const std::string &message) {
  return runtime::invalidArgument("objective yolo: " + message);
}

/// The spec's detect layers, in order; all in one module.
runtime::Status findLevels(const spec::Spec &spec, YoloSetup &out) {
  std::string holder;
  for (const spec::Module &module : spec.modules)
    for (const spec::Layer &layer : module.layers) {
      if (layer.op != spec::ops::detectOp.name)
        continue;
      if (!holder.empty() && holder != module.name)
        return fail("detect layers are in modules '" + holder + "' and '" +
                    module.name + "'; it trains one head module");
      holder = module.name;
      spec::ops::DetectParams p = spec::ops::detectParams(layer);
      if (out.classes && p.classes != out.classes)
        return fail("the detect layers disagree on nc (" +
                    std::to_string(out.classes) + " and " +
                    std::to_string(p.classes) + ")");
      out.classes = p.classes;
      YoloLevel level;
      level.stride = p.stride;
      for (int a = 0; a < 3; ++a)
        level.anchors[a] = {double(p.anchors[a][0]), double(p.anchors[a][1])};
      out.levels.push_back(level);
    }
  if (out.levels.empty())
    return fail("the spec has no detect layer");
  return runtime::okStatus();
}

/// The square image side, from the spec's f32 [3, S, S] input.
runtime::Status findImageSize(const spec::Spec &spec, YoloSetup &out) {
  for (const spec::Input &input : spec.inputs)
    if (!input.isInt && input.shape.size() == 3 && input.shape[0] == 3 &&
        input.shape[1] == input.shape[2])
      out.imageSize = input.shape[1];
  if (!out.imageSize)
    return fail("the spec has no square image input [3, S, S]");
  return runtime::okStatus();
}

/// Whether outputs i, i + 1, ... of `types` are the detect levels in order.
bool levelsAt(const std::vector<spec::TensorInfo> &types, size_t i,
              const YoloSetup &out) {
  bool matches = i + out.levels.size() <= types.size();
  for (size_t l = 0; matches && l < out.levels.size(); ++l) {
    int64_t cells = out.imageSize / out.levels[l].stride;
    matches = types[i + l].shape == spec::Shape{3, cells, cells, out.classes + 5};
  }
  return matches;
}

/// A training stage's loss (Stages.h): the outputs it selected, which must
/// be the detect levels in order (a head node, or a k = 1 dispatch of
/// heads); a mixture's combine is not a stage loss.
runtime::Status findStageLevels(const ObjectiveSetup &setup, YoloSetup &out) {
  if (setup.outputTypes.size() != out.levels.size() ||
      !levelsAt(setup.outputTypes, 0, out))
    return fail("a training stage's loss must be the detect levels in order "
                "([3, S/stride, S/stride, nc + 5] each), as a head node "
                "gives them");
  out.firstOutput = 0;
  out.outputName = setup.outputNames[0];
  out.compiledOutputs = setup.outputNames;
  return runtime::okStatus();
}

/// The plan outputs that carry the levels: a wbf or nms combine (mixture), or
/// consecutive outputs shaped as the levels (dense).
runtime::Status findOutputs(const spec::GraphPlan &plan, YoloSetup &out) {
  size_t position = 0; // in ForwardResult::outputs
  for (size_t i = 0; i < plan.outputs.size(); ++i) {
    const spec::PlanNode *boxesNode = nullptr;
    for (const spec::PlanNode &node : plan.nodes)
      if (node.node->name == plan.outputs[i].node &&
          node.kind == spec::PlanNode::Combine &&
          node.combine->readsHeadLevels)
        boxesNode = &node;
    if (boxesNode) {
      out.mixture = true;
      out.firstOutput = position;
      out.outputName = plan.outputNames[i];
      out.compiledOutputs = {out.outputName};
      out.route = boxesNode->route;
      const ParamValues &p = boxesNode->params;
      out.nms.confThreshold = p.at("nms_conf");
      out.nms.iouThreshold = p.at("nms_iou");
      out.nms.maxDetections = int64_t(p.at("max_det"));
      out.fuseByWbf = boxesNode->combine->kind == CombineKind::Wbf;
      if (!out.fuseByWbf)
        return runtime::okStatus();
      out.wbf.iouThreshold = p.at("iou");
      out.wbf.skipBoxThreshold = p.at("skip_box_thr");
      out.wbf.confType = runtime::WbfConfType(int(p.at("conf_type")));
      return runtime::okStatus();
    }
    // A dense head: the levels from here on.
    if (levelsAt(plan.outputTypes, i, out)) {
      out.firstOutput = position;
      out.outputName = plan.outputNames[i];
      out.compiledOutputs.assign(plan.outputNames.begin() + i,
                                 plan.outputNames.begin() + i +
                                     out.levels.size());
      return runtime::okStatus();
    }
    ++position;
  }
  return fail("no output is a wbf or nms combine or the detect levels in order "
              "([3, S/stride, S/stride, nc + 5] each)");
}

runtime::StatusOr<std::unique_ptr<Objective>>
create(const ObjectiveSetup &setup) {
  YoloSetup s;
  s.target = setup.target;
  GOE_RETURN_IF_ERROR(findLevels(*setup.plan->spec, s));
  GOE_RETURN_IF_ERROR(findImageSize(*setup.plan->spec, s));
  // A stage selects its own outputs (StageLoop.cpp); a run reads the spec's.
  bool stage = setup.outputNames != setup.plan->outputNames;
  GOE_RETURN_IF_ERROR(stage ? findStageLevels(setup, s)
                            : findOutputs(*setup.plan, s));
  bool boxesField = false;
  for (const data::Field &field : setup.dataset->fields())
    boxesField |= field.name == s.target && field.spec.dtype ==
                      runtime::DType::F32 && field.spec.shape.size() == 2 &&
                  field.spec.shape[1] == 5;
  if (!boxesField)
    return fail("dataset '" + setup.dataset->kind() + "' has no box field '" +
                s.target + "' [M, 5] (class, cx, cy, w, h): train on a "
                "detection dataset (--dataset yolo or coco)");
  return std::unique_ptr<Objective>(new YoloObjective(std::move(s)));
}

} // namespace

extern const ObjectiveKind kYoloObjective = {
    "yolo",
    "YOLOv7's loss on the detect levels (router-weighted per expert for a "
    "wbf or nms mixture); validation by COCO mAP",
    "boxes", create, /*readsEveryOutput=*/true};

} // namespace goe::train
