//===- ResourceBounds.cpp - a model's total size, checked up front --------===//
//
// Shape inference bounds every tensor (2^31 elements), which keeps the
// arithmetic exact but lets through models no machine compiles or runs: one
// layer of 1,000,000 channels, or a hundred modest experts. Once the plan
// knows every instance's shapes, and before any IR is built, this check
// adds up what compiling and running the model will hold and refuses a
// model past goe's limits or past this machine's memory, at the layer that
// tips it over (docs/spec.md, "Limits"):
//
//   - weights: every weight tensor of every instance and the routers'
//     learned tables, as f32. A model file (and a weights file) keeps them
//     in one protobuf message, which cannot pass 2 GiB; kMaxWeightBytes
//     leaves room for the code and tables beside them.
//   - activations per sample: the most one layer holds at once, its inputs
//     and its result. The compiled code runs a sample at a time through
//     every layer of an instance, so this is what one sample costs at the
//     least; a batch of B holds about B times its instances' results.
//   - memory: compiling holds about kCompileCopies copies of the weights
//     (as drawn or read, bound into the IR, folded and prepacked, the
//     artifact message and its bytes), running them once plus a sample's
//     activations; both must fit in what this process may use.
//
//===----------------------------------------------------------------------===//

#include "Planner.h"
#include "PrintableText.h"

#include "goe/Frontends/Spec/LayerOp.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

namespace goe::spec::plan {
namespace {

constexpr int64_t kMiB = int64_t(1) << 20, kGiB = int64_t(1) << 30;
constexpr int64_t kMaxWeightBytes = 2 * kGiB - 64 * kMiB;
constexpr int64_t kMaxSampleActivationBytes = kGiB;
/// Peak resident memory of goe-compile over its weights' bytes, measured:
/// 2.1 GB for 416 MB of weights (docs/spec.md, "Limits").
constexpr int64_t kCompileCopies = 5;

int64_t saturatingAdd(int64_t a, int64_t b) {
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int64_t saturatingMul(int64_t a, int64_t b) {
  return b != 0 && a > INT64_MAX / b ? INT64_MAX : a * b;
}

/// Bytes of a tensor of `shape` with `elementBytes`-byte elements.
int64_t tensorBytes(const Shape &shape, int64_t elementBytes) {
  int64_t bytes = elementBytes;
  for (int64_t d : shape)
    bytes = saturatingMul(bytes, d);
  return bytes;
}

int64_t valueBytes(const TensorInfo &value) {
  return tensorBytes(value.shape, value.isInt ? 8 : 4);
}

std::string formatBytes(int64_t bytes) {
  char text[32];
  if (bytes >= kGiB)
    std::snprintf(text, sizeof(text), "%.1f GiB", double(bytes) / kGiB);
  else if (bytes >= kMiB)
    std::snprintf(text, sizeof(text), "%.1f MiB", double(bytes) / kMiB);
  else if (bytes >= 1024)
    std::snprintf(text, sizeof(text), "%.1f KiB", double(bytes) / 1024);
  else
    std::snprintf(text, sizeof(text), "%lld bytes", (long long)bytes);
  return text;
}

/// "weights to 2.9 GiB (1.9 GiB before it), over the ... a model file
/// holds".
std::string overLimit(int64_t weights, int64_t before) {
  return "weights to " + formatBytes(weights) +
         (before ? " (" + formatBytes(before) + " before it)" : "") +
         ", over the " + formatBytes(kMaxWeightBytes) + " a model file holds";
}

/// What this process may still allocate: the machine's physical memory,
/// or less when an address-space limit (ulimit -v) leaves less room above
/// what the process has mapped already.
int64_t availableMemory(std::string &what) {
  int64_t memory = saturatingMul(sysconf(_SC_PHYS_PAGES), sysconf(_SC_PAGE_SIZE));
  what = "this machine has " + formatBytes(memory) + " of memory";
  struct rlimit limit;
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return memory;
  int64_t mapped = 0; // the process's virtual size, in pages
  std::ifstream("/proc/self/statm") >> mapped;
  int64_t left = int64_t(limit.rlim_cur) -
                 saturatingMul(mapped, sysconf(_SC_PAGE_SIZE));
  if (left >= memory)
    return memory;
  what = "its address-space limit (ulimit -v) leaves this process " +
         formatBytes(std::max<int64_t>(left, 0));
  return std::max<int64_t>(left, 0);
}

} // namespace

LogicalResult Planner::checkResources() {
  // Where the weights pass what compiling them may hold: the layer (or
  // router tables) and the total there.
  std::string where;
  Loc whereLoc;
  int64_t whereWeights = 0;
  int64_t weights = 0, peak = 0;
  std::string peakWhere;
  Loc peakLoc;
  std::string machine;
  int64_t memory = availableMemory(machine);
  for (const PlanInstance &instance : plan.instances) {
    const ResolvedModule &resolved = instance.resolved;
    for (const ResolvedLayer &layer : resolved.layers) {
      std::string name = "layer " + std::to_string(layer.layer->index) +
                         " of module '" + resolved.module->name +
                         "' (instance '" + instance.name + "')";
      LayerShapes shapes = layerShapes(resolved, layer);
      const LayerOp &op = layerOpOf(*layer.layer);
      if (op.weights) {
        int64_t before = weights;
        for (const Shape &shape : op.weights(shapes))
          weights = saturatingAdd(weights, tensorBytes(shape, 4));
        if (weights > kMaxWeightBytes)
          return error(layer.layer->loc,
                       name + ": " + layer.layer->op + " brings the model's " +
                           overLimit(weights, before));
        if (saturatingMul(weights, kCompileCopies) > memory &&
            saturatingMul(before, kCompileCopies) <= memory) {
          where = name + ": with this " + layer.layer->op;
          whereLoc = layer.layer->loc;
          whereWeights = weights;
        }
      }
      int64_t held = valueBytes(layer.result);
      for (int id : layer.inputs)
        held = saturatingAdd(held, valueBytes(resolved.valueType(id)));
      if (held > kMaxSampleActivationBytes) {
        std::string inputs;
        for (const Shape &in : shapes.inputs)
          inputs += (inputs.empty() ? "" : ", ") + formatShape(in);
        return error(layer.layer->loc,
                     name + ": " + layer.layer->op + " holds " +
                         formatBytes(held) + " of activations per sample (" +
                         inputs + " in, " + formatShape(layer.result.shape) +
                         " out), over the limit of " +
                         formatBytes(kMaxSampleActivationBytes) +
                         " per sample");
      }
      if (held > peak) {
        peak = held;
        peakWhere = name + ": " + layer.layer->op;
        peakLoc = layer.layer->loc;
      }
    }
  }
  for (const PlanRouter &router : plan.routers) {
    if (!router.kind->stateShapes || router.body < 0)
      continue;
    const Router &spec = *router.router;
    int64_t before = weights;
    for (const Shape &shape : router.kind->stateShapes(
             spec.choices, paramValues(spec.params, router.kind->params),
             plan.instances[router.body].resolved.outputTypes[0].shape))
      weights = saturatingAdd(weights, tensorBytes(shape, 4));
    std::string name = "router '" + spec.name + "'";
    if (weights > kMaxWeightBytes)
      return error(spec.loc, name + ": its learned tables bring the model's " +
                                 overLimit(weights, before));
    if (saturatingMul(weights, kCompileCopies) > memory &&
        saturatingMul(before, kCompileCopies) <= memory) {
      where = name + ": with its learned tables";
      whereLoc = spec.loc;
      whereWeights = weights;
    }
  }
  int64_t compiling = saturatingMul(weights, kCompileCopies);
  if (compiling > memory)
    return error(whereLoc, where + " the model's weights reach " +
                               formatBytes(whereWeights) + " of " +
                               formatBytes(weights) + "; compiling holds "
                               "about " + std::to_string(kCompileCopies) +
                               " times its weights, " +
                               formatBytes(compiling) + ", but " + machine);
  int64_t running = saturatingAdd(weights, peak);
  if (running > memory)
    return error(peakLoc, peakWhere + " holds " + formatBytes(peak) +
                              " of activations per sample; running one "
                              "sample with the model's " +
                              formatBytes(weights) + " of weights needs " +
                              formatBytes(running) + ", but " + machine);
  return success();
}

} // namespace goe::spec::plan
