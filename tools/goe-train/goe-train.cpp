//===- goe-train.cpp - train a goe spec's experts on rotated MNIST --------===//
//
//   goe-train SPEC.yaml --data DIR [--var p=8] [--router NAME|random]
//             [--router-epochs N] [--balance-weight W]
//             [--epochs N] [--patience N] [--batch B] [--lr 0.005] [--seed S] [--seed-sizes]
//             [--max-train N] [--threads T] [--out W.goew]
//             [--checkpoint FILE] [--resume FILE]
//             [--export-split train|val|test --export-dir DIR]
//             [--test-output LOGITS.npy]
//   goe-train SPEC.yaml --import-torchscript MODEL.pt --out W.goew
//             [--var p=8] [--router NAME]
//   goe-train SPEC.yaml --list-weights [--var p=8] [--router NAME]
//
// A thin driver over Trainer (Trainer.h) and WeightImport.h: option
// parsing here, the work there. Every error is `goe-train: error: <message>` on stderr and exit 1
// (a malformed spec is first reported as `file:line:col: error: ...`).
//
//===----------------------------------------------------------------------===//

#include "Trainer.h"
#include "WeightImport.h"
#include "Flags.h"
#include "goe/Runtime/Session.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

using goe::runtime::Status;
using goe::runtime::invalidArgument;
using goe::runtime::okStatus;

namespace {

const char *kUsage = R"(usage: goe-train SPEC.yaml --data DIR [options]
       goe-train SPEC.yaml --import-torchscript MODEL.pt --out W.goew
       goe-train SPEC.yaml --list-weights

Trains the experts of a Graph-of-Experts spec on rotated MNIST with Adam and
cross-entropy on the spec's first output, keeps the weights with the best
validation loss and writes them as a weight bundle for goe-compile --weights.

options:
  --data DIR             MNIST IDX files (train-images-idx3-ubyte, ...;
                         `make deps` fetches them to data/mnist). Required.
  --var NAME=INT         override a spec variable (repeatable): --var p=8
  --router NAME|random   the router to train with: one the spec declares,
                         in place of the graph's (as goe-compile --router;
                         default: the graph's own), or random (a uniform
                         random path per input, seeded; the ablation).
                         oracle: the group label picks the path; topk: the
                         gate trains with the experts and the Switch
                         load-balancing loss; vqvae_hclust (e.g. latent): a
                         VQ-VAE, k-means and a 2-means tree are trained on
                         the training images first, then the experts on the
                         paths it picks; the weights file then carries its
                         codebook and centres for goe-compile --router NAME
  --router-epochs N      VQ-VAE epochs of a vqvae_hclust router (default 10)
  --balance-weight W     coefficient of a topk gate's load-balancing loss
                         N*sum(f_i*P_i) (default: the router's balance_weight,
                         0.01 if unset)
  --epochs N             epochs in all (default 10; a resumed run continues
                         up to N)
  --patience N           stop early once N epochs in a row have not
                         improved the validation loss (default 0: never)
  --batch B              batch size (default 64)
  --lr LR                Adam learning rate (default 0.005)
  --seed S               seed of the data split, the initial weights, the
                         batch order and random routing (default 0)
  --seed-sizes           the reference implementation's split sizes
                         (8,400 / 2,400 / 1,200 images)
  --max-train N          train on the first N training images only
  --threads T            LibTorch intra-op threads (default 1: deterministic)
  --out W.goew           write the chosen weights (best validation loss)
  --checkpoint FILE      save weights, Adam state and epoch after every epoch
  --resume FILE          continue from a checkpoint (same options)
  --export-split SPLIT   with --export-dir DIR: write the split (train, val
                         or test) as DIR/image.npy (f32 [N,1,28,28]),
                         DIR/group.npy and DIR/labels.npy (i64 [N]) for
                         goe-run
  --export-dir DIR
  --test-output FILE.npy write the test split's first output under the
                         chosen weights (f32 [N, classes]), to compare with
                         goe-run --output

weights trained in PyTorch (no --data, no training):
  --import-torchscript MODEL.pt
                         take the spec's weights by name from a TorchScript
                         file (torch.jit.save): its parameters and buffers,
                         PyTorch's dotted names (paths.level0.0.0.weight),
                         must include every weight the spec needs with its
                         exact shape (floating point, converted to f32);
                         others are ignored with a note. Writes --out for
                         goe-compile --weights. With --var and --router as
                         for training (--router latent also needs
                         latent.codebook and latent.centres).
  --list-weights         print the weights the spec needs, `name [shape]`
                         per line: the names the PyTorch module must use
  --help                 print this text

Errors print `goe-train: error: ...` and exit 1.
)";

int fail(const std::string &message) {
  std::fprintf(stderr, "goe-train: error: %s\n", message.c_str());
  return 1;
}

bool parseInt(const std::string &text, long long &out) {
  if (text.empty())
    return false;
  errno = 0;
  char *end = nullptr;
  out = std::strtoll(text.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

Status positive(const std::string &flag, const std::string &text,
                int64_t &out, bool allowZero = false) {
  long long v;
  if (!parseInt(text, v) || v < (allowZero ? 0 : 1))
    return invalidArgument(flag + " wants a " +
                           (allowZero ? "non-negative" : "positive") +
                           " integer, got '" + text + "'");
  out = v;
  return okStatus();
}

Status parseArgs(int argc, char **argv, goe::train::TrainOptions &options,
                 bool &help) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::set<std::string> given; // the flags used, to refuse mixed commands
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      return okStatus();
    }
    if (arg == "--seed-sizes" || arg == "--list-weights") {
      (arg == "--seed-sizes" ? options.seedSizes : options.listWeights) = true;
      given.insert(arg);
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (!options.specPath.empty())
        return invalidArgument("unexpected argument '" + arg +
                               "': the spec is '" + options.specPath + "'");
      options.specPath = arg;
      continue;
    }
    std::string flag, value;
    GOE_RETURN_IF_ERROR(goe::tools::readFlag(
        args, i,
        {"--data", "--var", "--router", "--epochs", "--batch", "--lr",
         "--seed", "--max-train", "--threads", "--out", "--checkpoint",
         "--router-epochs", "--balance-weight", "--patience",
         "--resume", "--export-split", "--export-dir", "--test-output",
         "--import-torchscript"},
        flag, value));
    given.insert(flag);

    if (flag == "--data") {
      options.dataDir = value;
    } else if (flag == "--var") {
      size_t eq = value.find('=');
      long long number;
      if (eq == std::string::npos || eq == 0 ||
          !parseInt(value.substr(eq + 1), number))
        return invalidArgument("--var wants name=integer, got '" + value +
                               "'");
      options.vars[value.substr(0, eq)] = number;
    } else if (flag == "--router") {
      if (value.empty())
        return invalidArgument("--router wants a router name or random");
      options.router = value; // checked against the spec when it is read
    } else if (flag == "--router-epochs") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.routerEpochs));
    } else if (flag == "--balance-weight") {
      errno = 0;
      char *end = nullptr;
      double weight = std::strtod(value.c_str(), &end);
      if (errno != 0 || *end != '\0' || !(weight >= 0) || !std::isfinite(weight))
        return invalidArgument("--balance-weight wants a non-negative number, "
                               "got '" + value + "'");
      options.balanceWeight = weight;
    } else if (flag == "--epochs") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.epochs, true));
    } else if (flag == "--patience") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.patience, true));
    } else if (flag == "--batch") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.batch));
    } else if (flag == "--max-train") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.maxTrain));
    } else if (flag == "--threads") {
      int64_t threads;
      GOE_RETURN_IF_ERROR(positive(flag, value, threads));
      options.threads = static_cast<int>(threads);
      std::string warning =
          goe::runtime::oversubscriptionWarning(options.threads);
      if (!warning.empty())
        std::fprintf(stderr, "goe-train: warning: --threads: %s\n",
                     warning.c_str());
    } else if (flag == "--seed") {
      int64_t seed;
      GOE_RETURN_IF_ERROR(positive(flag, value, seed, true));
      options.seed = static_cast<uint64_t>(seed);
    } else if (flag == "--lr") {
      errno = 0;
      char *end = nullptr;
      double lr = std::strtod(value.c_str(), &end);
      if (errno != 0 || *end != '\0' || !(lr > 0))
        return invalidArgument("--lr wants a positive number, got '" + value +
                               "'");
      options.lr = lr;
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--checkpoint") {
      options.checkpoint = value;
    } else if (flag == "--resume") {
      options.resume = value;
    } else if (flag == "--export-split") {
      if (value != "train" && value != "val" && value != "test")
        return invalidArgument(
            "--export-split must be train, val or test, got '" + value + "'");
      options.exportSplit = value;
    } else if (flag == "--test-output") {
      options.testOutput = value;
    } else if (flag == "--import-torchscript") {
      if (value.empty())
        return invalidArgument("--import-torchscript wants a TorchScript file");
      options.importTorchScript = value;
    } else {
      options.exportDir = value;
    }
  }
  if (options.specPath.empty())
    return invalidArgument(
        "no spec given (usage: goe-train SPEC.yaml --data DIR; see --help)");
  if (options.listWeights || !options.importTorchScript.empty()) {
    // No training: a training option here is a mistake worth naming.
    const char *mode = options.listWeights ? "--list-weights"
                                           : "--import-torchscript";
    if (options.listWeights && !options.importTorchScript.empty())
      return invalidArgument(
          "--list-weights and --import-torchscript are separate commands");
    for (const std::string &flag : given)
      if (flag != mode && flag != "--var" && flag != "--router" &&
          (flag != "--out" || options.listWeights))
        return invalidArgument(flag + " does not go with " + mode +
                               " (it takes only --var, --router" +
                               (options.listWeights ? ")" : " and --out)"));
    return okStatus();
  }
  if (options.dataDir.empty())
    return invalidArgument("--data DIR is required (MNIST IDX files; `make "
                           "deps` fetches them to data/mnist)");
  if (options.exportSplit.empty() != options.exportDir.empty())
    return invalidArgument("--export-split and --export-dir go together");
  return okStatus();
}

} // namespace

int main(int argc, char **argv) {
  goe::train::TrainOptions options;
  bool help = false;
  if (Status status = parseArgs(argc, argv, options, help); !status.ok())
    return fail(status.message());
  if (help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  Status status = options.listWeights ? goe::train::listWeights(options)
                   : !options.importTorchScript.empty()
                       ? goe::train::importTorchScriptWeights(options)
                       : goe::train::runTraining(options);
  if (!status.ok())
    return fail(status.message());
  return 0;
}
