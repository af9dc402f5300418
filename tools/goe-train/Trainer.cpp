//===- Trainer.cpp - training a goe spec's experts on rotated MNIST -------===//
//
// See Trainer.h. The only file of goe-train that includes LibTorch.
//
//===----------------------------------------------------------------------===//

#include "Trainer.h"
#include "LatentRouterTraining.h"
#include "TopkGate.h"

#include "goe/Data/DataDirectory.h"
#include "goe/Data/RotatedMnist.h"
#include "goe/Dialect/Goe/RouterKinds.h"
#include "goe/Frontends/Spec/MLIRGen.h"
#include "goe/Frontends/Spec/SpecReader.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Router/RandomRouting.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Npy.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace goe::train {

using runtime::Status;
namespace fs = std::filesystem;

namespace {

/// Whether `router` is of `kind`: kinds are spelled once, by the dialect's
/// descriptors (goe/Dialect/Goe/RouterKinds.h).
bool isKind(const spec::Router *router, RouterKind kind) {
  const RouterKindInfo *info = router ? findRouterKind(router->kind) : nullptr;
  return info && info->kind == kind;
}

/// `--router random`: random routing, whatever routers the spec declares.
std::string randomRouting() {
  return stringifyRouterKind(RouterKind::Random).str();
}

Status error(const std::string &message) {
  return runtime::invalidArgument(message);
}

/// A seed for (seed, stream, epoch): SplitMix64 over the three.
uint64_t mixSeed(uint64_t seed, uint64_t stream, uint64_t epoch) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (1 + stream * 0x10001 + epoch);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// An output file must be creatable: its directory exists and is writable,
/// and it is not itself a directory. Checked before training so that a bad
/// path fails in a second, not after the last epoch.
Status checkWritable(const std::string &flag, const std::string &path) {
  fs::path p(path);
  fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  std::error_code ec;
  if (fs::is_directory(p, ec))
    return error("cannot write " + flag + " '" + path + "': it is a directory");
  if (!fs::is_directory(dir, ec))
    return error("cannot write " + flag + " '" + path + "': no directory '" +
                 dir.string() + "'");
  if (::access(dir.c_str(), W_OK) != 0)
    return error("cannot write " + flag + " '" + path + "': directory '" +
                 dir.string() + "' is not writable");
  return runtime::okStatus();
}

struct SplitTensors {
  int64_t size = 0;
  at::Tensor images, groups, classes;
  at::Tensor paths; // a vqvae_hclust router's path per image
};

SplitTensors toTensors(const data::RotatedMnistSplit &split, int64_t limit) {
  SplitTensors t;
  t.size = limit > 0 ? std::min(limit, split.size) : split.size;
  int64_t side = split.side;
  t.images = torch::from_blob(const_cast<float *>(split.images.data()),
                              {split.size, 1, side, side}, at::kFloat)
                 .slice(0, 0, t.size)
                 .clone();
  t.groups = torch::from_blob(const_cast<int64_t *>(split.groups.data()),
                              {split.size}, at::kLong)
                 .slice(0, 0, t.size)
                 .clone();
  t.classes = torch::from_blob(const_cast<int64_t *>(split.classes.data()),
                               {split.size}, at::kLong)
                  .slice(0, 0, t.size)
                  .clone();
  return t;
}

Status exportSplit(const data::RotatedMnistSplit &split,
                   const std::string &dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir))
    return error("cannot create --export-dir '" + dir + "'" +
                 (ec ? ": " + ec.message() : std::string()));
  using runtime::DType;
  using runtime::TensorView;
  GOE_RETURN_IF_ERROR(runtime::writeNpy(
      (fs::path(dir) / "image.npy").string(),
      TensorView{DType::F32, {split.size, 1, split.side, split.side},
                 split.images.data()}));
  GOE_RETURN_IF_ERROR(runtime::writeNpy(
      (fs::path(dir) / "group.npy").string(),
      TensorView{DType::I64, {split.size}, split.groups.data()}));
  GOE_RETURN_IF_ERROR(runtime::writeNpy(
      (fs::path(dir) / "labels.npy").string(),
      TensorView{DType::I64, {split.size}, split.classes.data()}));
  return runtime::okStatus();
}

/// Everything a pass over the data needs to know about the graph.
struct GraphInfo {
  std::string imageInput, groupInput;
  struct RouterNode {
    std::string name, router;
    int64_t choices = 0, k = 1;
  };
  std::vector<RouterNode> routers;
  // The router trained or used, after --router; its kind decides the mode.
  const spec::Router *active = nullptr;
};

Status inspectSpec(const spec::Spec &spec, GraphInfo &info) {
  for (const spec::Input &input : spec.inputs) {
    if (!input.isInt && input.shape == std::vector<int64_t>{1, 28, 28})
      info.imageInput = input.name;
    else if (input.isInt && input.shape.empty())
      info.groupInput = input.name;
    else
      return error("spec input '" + input.name +
                   "' is neither an f32 [1, 28, 28] image nor an i64 scalar "
                   "group: goe-train trains on rotated MNIST");
  }
  if (info.imageInput.empty())
    return error("the spec has no f32 [1, 28, 28] image input: goe-train "
                 "trains on rotated MNIST");
  for (const spec::Node &node : spec.graph) {
    if (node.kind != spec::Node::RouterNode)
      continue;
    const spec::Router *router = spec.findRouter(node.target);
    if (!router)
      return error("router node '" + node.name + "' uses unknown router '" +
                   node.target + "'");
    info.routers.push_back({node.name, node.target, router->choices,
                            router->k});
  }
  if (spec.outputs.empty())
    return error("the spec has no outputs");
  return runtime::okStatus();
}

/// Random paths for every router node, `batch` inputs: router/'s random
/// routing rule, the runtime's random router's (k distinct uniform choices,
/// weight 1/k). One seed per batch from `rng`, mixed with the node's index;
/// a sample's key is its index in the batch.
std::map<std::string, torchref::Routing>
randomRouting(const GraphInfo &info, int64_t batch, std::mt19937_64 &rng) {
  uint64_t batchSeed = rng();
  std::map<std::string, torchref::Routing> routing;
  for (size_t n = 0; n < info.routers.size(); ++n) {
    const GraphInfo::RouterNode &node = info.routers[n];
    torchref::Routing r; // empty weights: 1/k each, as the rule says
    r.k = node.k;
    r.paths.resize(static_cast<size_t>(batch * node.k));
    router::randomRoutes(router::mixRandomSeed(batchSeed, n), batch,
                         node.choices, node.k, r.paths.data());
    routing[node.name] = std::move(r);
  }
  return routing;
}

class Trainer {
public:
  Trainer(const TrainOptions &options, torchref::Model &model,
          const GraphInfo &info)
      : options(options), model(model), info(info),
        random(options.router == randomRouting()),
        latent(isKind(info.active, RouterKind::VqvaeHclust)),
        gate(isKind(info.active, RouterKind::TopK)) {
    if (gate) {
      gateInstance = info.active->name + "." + info.active->body;
      balanceWeight = options.balanceWeight >= 0
                          ? options.balanceWeight
                          : spec::floatField(info.active->params,
                                             "balance_weight", 0.01);
    }
  }

  /// Logits of the first output for a batch, under the router in use;
  /// `paths` are the latent router's choices for the batch.
  at::Tensor logits(const at::Tensor &images, const at::Tensor &groups,
                    const at::Tensor &paths, std::mt19937_64 &rng) {
    std::map<std::string, at::Tensor> inputs{{info.imageInput, images}};
    if (!info.groupInput.empty())
      inputs[info.groupInput] = groups;
    std::map<std::string, torchref::Routing> routing;
    if (random)
      routing = randomRouting(info, images.size(0), rng);
    if (latent) {
      torchref::Routing given;
      given.paths.assign(paths.data_ptr<int64_t>(),
                         paths.data_ptr<int64_t>() + paths.numel());
      routing[info.routers[0].name] = given;
    }
    torchref::ForwardResult result = model.forward(inputs, routing);
    TORCH_CHECK(result.ok(), result.error);
    for (const auto &[node, report] : result.routes) {
      std::vector<int64_t> &counts = routeCounts[node];
      counts.resize(report.counts.size(), 0);
      for (size_t p = 0; p < counts.size(); ++p)
        counts[p] += report.counts[p];
    }
    at::Tensor out = result.outputs[0];
    TORCH_CHECK(out.dim() == 2, "the spec's first output must be [B, classes]"
                ", got ", out.sizes());
    return out;
  }

  struct Eval {
    double loss = 0, accuracy = 0;
    int64_t correct = 0, count = 0;
  };

  /// Loss and accuracy over a split; with `all`, its logits too.
  Eval evaluate(const SplitTensors &split, at::Tensor *all = nullptr) {
    torch::NoGradGuard noGrad;
    model.train(false);
    std::mt19937_64 rng(mixSeed(options.seed, 2, 0));
    routeCounts.clear();
    if (gate)
      usage = GateUsage(info.active->choices, info.active->k);
    Eval e;
    double lossSum = 0;
    std::vector<at::Tensor> outs;
    for (int64_t start = 0; start < split.size; start += 1000) {
      int64_t end = std::min(split.size, start + 1000);
      at::Tensor images = split.images.slice(0, start, end);
      at::Tensor out = logits(images, split.groups.slice(0, start, end),
                              latent ? split.paths.slice(0, start, end)
                                     : at::Tensor(),
                              rng);
      if (gate)
        usage.add(model.runInstance(gateInstance, {images})[0]);
      at::Tensor y = split.classes.slice(0, start, end);
      lossSum += torch::nn::functional::cross_entropy(
                     out, y,
                     torch::nn::functional::CrossEntropyFuncOptions()
                         .reduction(torch::kSum))
                     .item<double>();
      e.correct += out.argmax(1).eq(y).sum().item<int64_t>();
      if (all)
        outs.push_back(out);
    }
    if (all && !outs.empty())
      *all = torch::cat(outs, 0).contiguous();
    e.count = split.size;
    e.loss = split.size ? lossSum / (double)split.size : 0;
    e.accuracy = split.size ? (double)e.correct / (double)split.size : 0;
    return e;
  }

  struct EpochStats {
    double loss = 0, accuracy = 0, imagesPerSecond = 0;
  };

  EpochStats trainEpoch(const SplitTensors &train, torch::optim::Adam &adam,
                        int64_t epoch) {
    model.train(true);
    at::Generator gen =
        at::detail::createCPUGenerator(mixSeed(options.seed, 0, epoch));
    at::Tensor perm = torch::randperm(train.size, gen, at::kLong);
    std::mt19937_64 rng(mixSeed(options.seed, 1, epoch));
    bool tty = ::isatty(STDOUT_FILENO);
    int64_t batches = (train.size + options.batch - 1) / options.batch;
    int64_t every = std::max<int64_t>(1, batches / 100);
    double lossSum = 0;
    int64_t correct = 0, seen = 0;
    auto start = std::chrono::steady_clock::now();
    for (int64_t b = 0; b < batches; ++b) {
      at::Tensor index = perm.slice(0, b * options.batch,
                                    std::min(train.size, (b + 1) * options.batch));
      at::Tensor x = train.images.index_select(0, index);
      at::Tensor g = train.groups.index_select(0, index);
      at::Tensor y = train.classes.index_select(0, index);
      at::Tensor out = logits(
          x, g, latent ? train.paths.index_select(0, index) : at::Tensor(),
          rng);
      at::Tensor loss = torch::nn::functional::cross_entropy(out, y);
      if (gate && balanceWeight > 0)
        loss = loss + balanceWeight *
                          loadBalanceLoss(
                              model.runInstance(gateInstance, {x})[0],
                              info.active->k);
      adam.zero_grad();
      loss.backward();
      adam.step();
      int64_t n = index.size(0);
      lossSum += loss.item<double>() * (double)n;
      correct += out.detach().argmax(1).eq(y).sum().item<int64_t>();
      seen += n;
      if (tty && (b % every == 0 || b + 1 == batches)) {
        int width = 30, filled = (int)(width * (b + 1) / batches);
        std::printf("\r  epoch %" PRId64 "/%" PRId64 " [%s%s] %3d%% loss %.4f "
                    "acc %.4f",
                    epoch, options.epochs, std::string(filled, '=').c_str(),
                    std::string(width - filled, ' ').c_str(),
                    (int)(100 * (b + 1) / batches), lossSum / (double)seen,
                    (double)correct / (double)seen);
        std::fflush(stdout);
      }
    }
    if (tty)
      std::printf("\r\033[K");
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    EpochStats s;
    s.loss = seen ? lossSum / (double)seen : 0;
    s.accuracy = seen ? (double)correct / (double)seen : 0;
    s.imagesPerSecond = seconds > 0 ? (double)seen / seconds : 0;
    return s;
  }

  /// Per router node: (input, choice) pairs per path in the last
  /// evaluate(), as goe-run counts them.
  std::map<std::string, std::vector<int64_t>> routeCounts;
  /// A topk gate's usage in the last evaluate().
  GateUsage usage{1, 1};
  bool gate;

private:
  const TrainOptions &options;
  torchref::Model &model;
  const GraphInfo &info;
  bool random, latent;
  std::string gateInstance;
  double balanceWeight = 0;
};

/// Weights in a stable order (by name) with their names.
std::vector<std::pair<std::string, at::Tensor>>
orderedWeights(const torchref::Model &model) {
  std::map<std::string, at::Tensor> all = model.parameters();
  return {all.begin(), all.end()};
}

std::map<std::string, at::Tensor> cloneWeights(const torchref::Model &model) {
  std::map<std::string, at::Tensor> copy;
  for (auto &[name, tensor] : model.parameters())
    copy[name] = tensor.detach().clone();
  return copy;
}

struct CheckpointState {
  int64_t epoch = 0, bestEpoch = 0;
  double bestValLoss = std::numeric_limits<double>::infinity();
  std::map<std::string, at::Tensor> best;
};

Status saveCheckpoint(const std::string &path, const torchref::Model &model,
                      const torch::optim::Adam &adam,
                      const CheckpointState &state) {
  try {
    torch::serialize::OutputArchive archive;
    archive.write("format", torch::tensor(int64_t{1}), /*is_buffer=*/true);
    archive.write("epoch", torch::tensor(state.epoch), true);
    archive.write("best_epoch", torch::tensor(state.bestEpoch), true);
    archive.write("best_val_loss", torch::tensor(state.bestValLoss, at::kDouble),
                  true);
    // Archive keys are indices (weight names contain dots); the order is
    // the stable order of the names, and shapes are checked on load.
    auto weights = orderedWeights(model);
    archive.write("count", torch::tensor((int64_t)weights.size()), true);
    for (size_t i = 0; i < weights.size(); ++i) {
      archive.write("weights_" + std::to_string(i), weights[i].second.detach(),
                    true);
      const at::Tensor &best = state.best.count(weights[i].first)
                                   ? state.best.at(weights[i].first)
                                   : weights[i].second.detach();
      archive.write("best_" + std::to_string(i), best, true);
    }
    torch::serialize::OutputArchive optimizer;
    adam.save(optimizer);
    archive.write("optimizer", optimizer);
    std::string temp = path + ".tmp";
    archive.save_to(temp);
    std::error_code ec;
    fs::rename(temp, path, ec);
    if (ec) {
      fs::remove(temp, ec);
      return error("cannot write checkpoint '" + path + "'");
    }
  } catch (const c10::Error &e) {
    return error("cannot write checkpoint '" + path +
                 "': " + e.what_without_backtrace());
  }
  return runtime::okStatus();
}

Status loadCheckpoint(const std::string &path, torchref::Model &model,
                      torch::optim::Adam &adam, CheckpointState &state) {
  if (!fs::is_regular_file(path))
    return error("cannot read checkpoint '" + path + "': no such file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    at::Tensor format, epoch, bestEpoch, bestLoss, count;
    archive.read("format", format, true);
    if (format.item<int64_t>() != 1)
      return error("checkpoint '" + path + "' has an unknown format");
    archive.read("epoch", epoch, true);
    archive.read("best_epoch", bestEpoch, true);
    archive.read("best_val_loss", bestLoss, true);
    archive.read("count", count, true);
    auto weights = orderedWeights(model);
    if (count.item<int64_t>() != (int64_t)weights.size())
      return error("checkpoint '" + path + "' holds " +
                   std::to_string(count.item<int64_t>()) +
                   " weights, the model has " + std::to_string(weights.size()) +
                   " (another spec or --var?)");
    std::map<std::string, at::Tensor> current;
    for (size_t i = 0; i < weights.size(); ++i) {
      at::Tensor w, b;
      archive.read("weights_" + std::to_string(i), w, true);
      archive.read("best_" + std::to_string(i), b, true);
      std::string why;
      if (!model.setParameter(weights[i].first, w, &why))
        return error("checkpoint '" + path + "' does not fit the model: " +
                     why);
      state.best[weights[i].first] = b.clone();
    }
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    adam.load(optimizer);
    state.epoch = epoch.item<int64_t>();
    state.bestEpoch = bestEpoch.item<int64_t>();
    state.bestValLoss = bestLoss.item<double>();
  } catch (const c10::Error &e) {
    return error("cannot read checkpoint '" + path +
                 "': " + e.what_without_backtrace());
  }
  return runtime::okStatus();
}

Status run(const TrainOptions &options) {
  if (!options.out.empty())
    GOE_RETURN_IF_ERROR(checkWritable("--out", options.out));
  if (!options.checkpoint.empty())
    GOE_RETURN_IF_ERROR(checkWritable("--checkpoint", options.checkpoint));
  if (!options.testOutput.empty())
    GOE_RETURN_IF_ERROR(checkWritable("--test-output", options.testOutput));
  if (!options.exportSplit.empty() && options.exportSplit != "train" &&
      options.exportSplit != "val" && options.exportSplit != "test")
    return error("--export-split must be train, val or test, got '" +
                 options.exportSplit + "'");
  if (options.exportSplit.empty() != options.exportDir.empty())
    return error("--export-split and --export-dir go together");

  torch::manual_seed(options.seed);
  torch::set_num_threads(options.threads);

  // The spec and its LibTorch model.
  mlir::DialectRegistry registry;
  spec::registerSpecDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  auto spec = spec::readSpecFile(options.specPath, options.vars, &context);
  if (mlir::failed(spec))
    return error("cannot read the spec '" + options.specPath + "'");
  GraphInfo info;
  GOE_RETURN_IF_ERROR(inspectSpec(*spec, info));
  torchref::BuildOptions buildOptions;
  std::string routerName = options.router;
  if (!routerName.empty() && !spec->findRouter(routerName) &&
      routerName != randomRouting()) {
    std::string declared;
    for (const spec::Router &r : spec->routers)
      declared += (declared.empty() ? "" : ", ") + r.name;
    return error("--router " + routerName + ": the spec declares no router "
                 "of that name (it declares " + declared + ", and random "
                 "routing is --router random)");
  }
  if (routerName.empty() && !info.routers.empty())
    routerName = info.routers[0].router;
  if (options.router != randomRouting() && !options.router.empty())
    buildOptions.routers[""] = options.router;
  info.active = spec->findRouter(routerName);
  if (isKind(info.active, RouterKind::Random) && options.router == routerName)
    routerName = randomRouting(); // a declared random router: the same ablation
  bool latent = isKind(info.active, RouterKind::VqvaeHclust) &&
                routerName != randomRouting();
  if (routerName == randomRouting())
    info.active = nullptr;
  if (isKind(info.active, RouterKind::TopK)) {
    if (info.active->from.name != info.imageInput)
      return error("router '" + info.active->name + "': goe-train trains "
                   "topk gates that read the image input '" +
                   info.imageInput + "', this one reads '" +
                   info.active->from.name + "'");
    if (spec::floatField(info.active->params, "capacity_factor", 0) > 0)
      return error("router '" + info.active->name + "': capacity_factor is "
                   "not supported by goe-train yet (set it to 0)");
  }
  if (latent && !options.resume.empty())
    return error("--resume with a vqvae_hclust router (--router " +
                 routerName + ") is not supported: its codebook and centres "
                 "are not in the checkpoint");
  if (latent && info.routers.size() != 1)
    return error("--router " + routerName + ": goe-train trains a "
                 "vqvae_hclust router for a graph with one router node");
  std::unique_ptr<torchref::Model> model =
      torchref::Model::build(*spec, buildOptions, &context);
  if (!model)
    return error("cannot build the model of '" + options.specPath + "'");
  model->initRandom(options.seed);

  // The data.
  if (Status status = data::checkDataDirectory(options.dataDir); !status.ok())
    return error(status.message() +
                 (status.code() == runtime::StatusCode::NotFound
                      ? " (`make deps` fetches MNIST to data/mnist)"
                      : ""));
  auto digits = data::loadMnistDirectory(options.dataDir);
  if (!digits.ok())
    return digits.status();
  data::RotatedMnistOptions dataOptions;
  dataOptions.seed = options.seed;
  dataOptions.seedSizes = options.seedSizes;
  auto mnist = data::buildRotatedMnist(*digits, dataOptions);
  if (!mnist.ok())
    return mnist.status();
  if (!options.exportSplit.empty()) {
    const data::RotatedMnistSplit &split =
        options.exportSplit == "train" ? mnist->train
        : options.exportSplit == "val" ? mnist->val
                                       : mnist->test;
    GOE_RETURN_IF_ERROR(exportSplit(split, options.exportDir));
    std::printf("exported the %s split (%" PRId64 " images) to %s\n",
                options.exportSplit.c_str(), split.size,
                options.exportDir.c_str());
  }
  SplitTensors train = toTensors(mnist->train, options.maxTrain);
  SplitTensors val = toTensors(mnist->val, 0);
  SplitTensors test = toTensors(mnist->test, 0);

  int64_t paramCount = 0;
  std::vector<at::Tensor> trainable = model->trainableParameters();
  for (const at::Tensor &t : trainable)
    paramCount += t.numel();
  std::string vars;
  for (const auto &[name, value] : spec->vars)
    vars += (vars.empty() ? "" : ", ") + name + "=" + std::to_string(value);
  std::printf("goe-train: %s (%s), %" PRId64 " parameters, router %s; "
              "train %" PRId64 ", val %" PRId64 ", test %" PRId64
              " images; Adam lr %g, batch %" PRId64 ", seed %" PRIu64 "\n",
              spec->name.c_str(), vars.c_str(), paramCount,
              routerName.c_str(), train.size, val.size, test.size,
              options.lr, options.batch, options.seed);
  std::fflush(stdout);

  try {
    router::LatentRouterTables latentTables;
    if (latent) {
      LatentRouterOptions routerOptions;
      routerOptions.epochs = options.routerEpochs;
      routerOptions.batch = options.batch;
      routerOptions.seed = options.seed;
      std::vector<LatentSplit> splits{
          {"train", train.images, train.groups, &train.paths},
          {"val", val.images, val.groups, &val.paths},
          {"test", test.images, test.groups, &test.paths}};
      GOE_RETURN_IF_ERROR(trainLatentRouter(*model, *info.active,
                                            routerOptions, splits,
                                            latentTables));
    }
    torch::optim::Adam adam(trainable, torch::optim::AdamOptions(options.lr));
    CheckpointState state;
    if (!options.resume.empty()) {
      GOE_RETURN_IF_ERROR(loadCheckpoint(options.resume, *model, adam, state));
      std::printf("resumed from %s after epoch %" PRId64 "\n",
                  options.resume.c_str(), state.epoch);
    }
    Trainer trainer(options, *model, info);
    auto begin = std::chrono::steady_clock::now();
    for (int64_t epoch = state.epoch + 1; epoch <= options.epochs; ++epoch) {
      // Early stopping, checked from the state alone so that a resumed run
      // stops where an uninterrupted one would.
      if (options.patience > 0 && state.bestEpoch > 0 &&
          state.epoch - state.bestEpoch >= options.patience) {
        std::printf("stopped early after epoch %" PRId64 ": no better "
                    "validation loss for %" PRId64 " epochs\n",
                    state.epoch, options.patience);
        break;
      }
      Trainer::EpochStats s = trainer.trainEpoch(train, adam, epoch);
      Trainer::Eval v = trainer.evaluate(val);
      bool better = v.loss < state.bestValLoss;
      if (better) {
        state.bestValLoss = v.loss;
        state.bestEpoch = epoch;
        state.best = cloneWeights(*model);
      }
      state.epoch = epoch;
      std::printf("epoch %" PRId64 "/%" PRId64 ": loss %.4f acc %.4f "
                  "(%.0f img/s) | val loss %.4f acc %.4f%s\n",
                  epoch, options.epochs, s.loss, s.accuracy,
                  s.imagesPerSecond, v.loss, v.accuracy,
                  better ? " (best)" : "");
      if (trainer.gate)
        std::printf("  gate on val: %s\n", trainer.usage.report().c_str());
      std::fflush(stdout);
      if (!options.checkpoint.empty())
        GOE_RETURN_IF_ERROR(
            saveCheckpoint(options.checkpoint, *model, adam, state));
    }
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - begin)
                         .count();

    // The chosen weights: the best validation loss (the current ones if no
    // epoch ran).
    if (!state.best.empty()) {
      for (const auto &[name, tensor] : state.best) {
        std::string why;
        if (!model->setParameter(name, tensor, &why))
          return error("restoring the best weights: " + why);
      }
    }
    at::Tensor testLogits;
    Trainer::Eval t = trainer.evaluate(test, &testLogits);
    if (state.bestEpoch > 0)
      std::printf("chosen: epoch %" PRId64 " (val loss %.4f); trained in "
                  "%.1f s\n",
                  state.bestEpoch, state.bestValLoss, seconds);
    std::printf("test: loss %.4f accuracy %.4f (%" PRId64 "/%" PRId64 ")\n",
                t.loss, t.accuracy, t.correct, t.count);
    if (info.active) { // the routing goe-run must reproduce, in its format
      for (const auto &[node, counts] : trainer.routeCounts) {
        std::string line;
        for (size_t p = 0; p < counts.size(); ++p)
          line += (p ? ", path " : "path ") + std::to_string(p) + ": " +
                  std::to_string(counts[p]);
        std::printf("test routing: route %s: %s\n", info.active->name.c_str(),
                    line.c_str());
      }
    }
    if (trainer.gate)
      std::printf("gate '%s' on the test split: %s\n",
                  info.active->name.c_str(), trainer.usage.report().c_str());

    if (!options.testOutput.empty() && testLogits.defined()) {
      GOE_RETURN_IF_ERROR(runtime::writeNpy(
          options.testOutput,
          runtime::TensorView{runtime::DType::F32,
                              testLogits.sizes().vec(),
                              testLogits.data_ptr<float>()}));
      std::printf("wrote the test logits to %s\n", options.testOutput.c_str());
    }
    if (!options.out.empty()) {
      artifact::WeightBundle bundle;
      for (auto &[name, tensor] : torchref::exportWeights(*model))
        *bundle.add_tensors() = tensor;
      if (latent)
        for (artifact::Tensor &tensor :
             latentRouterTensors(info.active->name, latentTables))
          *bundle.add_tensors() = std::move(tensor);
      GOE_RETURN_IF_ERROR(runtime::writeWeightBundle(options.out, bundle));
      std::printf("wrote %s (%d tensors)\n", options.out.c_str(),
                  bundle.tensors_size());
    }
  } catch (const c10::Error &e) {
    return error(e.what_without_backtrace());
  }
  return runtime::okStatus();
}

} // namespace

Status runTraining(const TrainOptions &options) { return run(options); }

} // namespace goe::train
