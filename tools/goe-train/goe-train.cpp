//===- goe-train.cpp - train a goe spec's experts -------------------------===//
//
//   goe-train SPEC.yaml --data DIR [--dataset KIND] [options]   (see --help)
//   goe-train SPEC.yaml --import-torchscript MODEL.pt --out W.goew
//             [--var p=8] [--router NAME]
//   goe-train SPEC.yaml --list-weights [--var p=8] [--router NAME]
//
// Flag parsing over the training library (goe/Training/Training.h) and
// WeightImport.h. Every error is `goe-train: error: <message>` on stderr and
// exit 1 (a malformed spec is first reported as `file:line:col: error:
// ...`); a run stopped by SIGINT or SIGTERM exits 128 + the signal, with
// nothing written.
//
//===----------------------------------------------------------------------===//

#include "Flags.h"
#include "WeightImport.h"

#include "goe/Data/Dataset.h"
#include "goe/Training/Interrupt.h"
#include "goe/Training/Training.h"
#include "goe/Runtime/Session.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using goe::runtime::Status;
using goe::runtime::invalidArgument;
using goe::runtime::okStatus;

namespace {

const char *kUsage = R"(usage: goe-train SPEC.yaml --data DIR [options]
       goe-train SPEC.yaml --import-torchscript MODEL.pt --out W.goew
       goe-train SPEC.yaml --list-weights

Trains a spec with LibTorch on a registered dataset: the objective (by
default cross-entropy on the spec's first output) plus the router's
auxiliary loss, keeps the weights with the best validation loss and writes
them as a weight bundle for goe-compile --weights.

data:
  --data PATH            the dataset's directory (`make deps` fetches MNIST
                         to data/mnist); fashion_mnist defaults to Debian's
                         /usr/share/datasets/fashion-mnist
  --dataset KIND         the dataset kind (default rotated_mnist): %DATASETS%
  --input-field IN=FIELD feed spec input IN from dataset field FIELD
                         (repeatable; default: by name, then by type)
  --seed-sizes           rotated_mnist: the reference implementation's split
                         sizes (8,400 / 2,400 / 1,200 images)
  --max-train N          train on the first N training samples only
  --max-val N            validate on the first N validation samples only
  --augment SPEC         yolo, coco: the training split's augmentation,
                         yolov7-tiny's by default (mosaic 1, mixup 0.05,
                         translate 0.1, scale 0.5, hsv_h 0.015, hsv_s 0.7,
                         hsv_v 0.4, fliplr 0.5); "none", or overrides by
                         those names: --augment mosaic=0,mixup=0
  --max-boxes M          yolo, coco: box rows per sample (default 128)
  --var NAME=INT         override a spec variable (repeatable): --var p=8

what is learned:
  --objective KIND       %OBJECTIVES% (default cross_entropy)
  --output NAME          the spec output the objective reads (default: the
                         first)
  --target FIELD         the dataset field of the targets (default: the
                         objective's, label or boxes)
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
                         N*sum(f_i*P_i) (default: the router's balance_weight)
  --z-loss W             a topk gate's router z-loss, W * mean(logsumexp(
                         logits)^2), which keeps its logits from growing
                         until one expert takes every input (default 0;
                         ST-MoE uses 0.001)

how:
  --optimizer adam|sgd   (default adam)
  --lr LR                base learning rate (default 0.005)
  --momentum M           sgd momentum (default 0.9)
  --nesterov             sgd with Nesterov momentum
  --weight-decay W       L2 weight decay (default 0)
  --schedule KIND        constant (default), step (x gamma every
                         --step-epochs) or cosine (down to --min-lr-factor)
  --step-epochs N        (default 10)
  --gamma G              (default 0.1)
  --min-lr-factor F      cosine's last rate over the base (default 0)
  --warmup-epochs E      linear warm-up over E epochs (fractions allowed)
  --ema DECAY            keep yolov7's exponential moving average of the
                         weights, d = DECAY * (1 - exp(-steps / tau)) after
                         every step; validation, the kept weights and --out
                         use it (default 0: off; yolov7: 0.9999)
  --ema-tau STEPS        the average's warm-up (default 2000)
  --epochs N             epochs in all (default 10; a resumed run continues
                         up to N; 0 writes the untrained weights, with a
                         warning)
  --patience N           stop early once N epochs in a row have not
                         improved the validation loss (default 0: never;
                         in a staged run it ends the stage)
  --stages LIST          the spec's training stages to run, by name, in
                         the spec's order (default: all it declares);
                         `none` trains everything as one stage
  --stage-epochs S=N     epochs of stage S (repeatable, or S=N,T=M),
                         overriding the spec's
  --batch B              batch size (default 64)
  --seed S               seed of the data split, the initial weights, the
                         batch order and random routing (default 0)
  --threads T            LibTorch intra-op threads (default 1: deterministic)

data parallelism (docs/training.md; scripts/train-parallel.sh N starts N
local processes):
  --world-size N         train as N processes, each on its share of every
                         global --batch, gradients summed over the processes
                         (LibTorch's c10d, Gloo); the same weights as one
                         process with the same --batch (default 1)
  --rank R               this process's rank, 0 to N-1; rank 0 listens at
                         --master and alone prints and writes files
  --master HOST:PORT     rank 0's address (for a local run 127.0.0.1 and a
                         free port); every rank is given the same
  --dist-timeout S       seconds a rank waits for the others before it stops
                         with an error (default 60)

files:
  --out W.goew           write the chosen weights (best validation loss;
                         for yolo the best fitness, 0.1 mAP50 + 0.9 mAP)
  --checkpoint FILE      save weights, optimiser and router state and the
                         epoch after every epoch
  --resume FILE          continue from a checkpoint (same options)
  --init-weights W.goew  start a new run from these weights instead of the
                         random init (matched by name, shapes checked; the
                         unmatched ones are listed), e.g. a staged run's
                         later stages: --stages expert,gate --init-weights
                         general.goew
  --export-split SPLIT   with --export-dir DIR: write the split (train, val
                         or test) as DIR/<field>.npy per dataset field
                         (the target as DIR/labels.npy) for goe-run
  --export-dir DIR
  --csv FILE             append a row per epoch (losses and their parts,
                         images/s, validation loss and metrics such as
                         mAP50) to FILE
  --check-compiled M.goe yolo: run the val split through the artifact M
                         (goe-compile --weights with the weights this run
                         keeps; with --resume of a finished run nothing is
                         trained) and through LibTorch, and compare every
                         image's boxes: same class, corners within 1e-3 of
                         the image size; exit 1 if any box differs
  --test-output FILE.npy write the objective's output on the test split
                         under the chosen weights, to compare with goe-run
                         --output

Training that diverges (a non-finite loss or weight) stops with an error
naming the epoch and step; SIGINT/SIGTERM stop it cleanly (exit 128 + the
signal); neither writes weights or leaves temporary files.

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

/// A finite number; `positiveOnly`: > 0, else >= 0.
Status number(const std::string &flag, const std::string &text, double &out,
              bool positiveOnly) {
  errno = 0;
  char *end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v) ||
      !(positiveOnly ? v > 0 : v >= 0))
    return invalidArgument(flag + " wants a " +
                           (positiveOnly ? "positive" : "non-negative") +
                           " number, got '" + text + "'");
  out = v;
  return okStatus();
}

/// "NAME=VALUE" split at the first '='.
bool splitPair(const std::string &text, std::string &name,
               std::string &value) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    return false;
  name = text.substr(0, eq);
  value = text.substr(eq + 1);
  return true;
}

struct Command {
  goe::train::TrainOptions train;
  goe::train::ImportOptions import;
  bool listWeights = false, help = false;
};

Status parseArgs(int argc, char **argv, Command &command) {
  goe::train::TrainOptions &options = command.train;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::set<std::string> given; // the flags used, to refuse mixed commands
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "--help" || arg == "-h") {
      command.help = true;
      return okStatus();
    }
    if (arg == "--seed-sizes" || arg == "--list-weights" ||
        arg == "--nesterov") {
      (arg == "--seed-sizes"     ? options.seedSizes
       : arg == "--list-weights" ? command.listWeights
                                 : options.optimizer.nesterov) = true;
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
        {"--data", "--dataset", "--input-field", "--var", "--router",
         "--epochs", "--batch", "--lr", "--seed", "--max-train", "--max-val",
         "--threads",
         "--out", "--checkpoint", "--router-epochs", "--balance-weight",
         "--ema", "--ema-tau", "--z-loss",
         "--patience", "--resume", "--init-weights", "--export-split", "--export-dir",
         "--test-output", "--check-compiled", "--import-torchscript",
         "--objective", "--output",
         "--target", "--optimizer", "--momentum", "--weight-decay",
         "--schedule", "--step-epochs", "--gamma", "--min-lr-factor",
         "--warmup-epochs", "--augment", "--max-boxes", "--csv", "--stages",
         "--stage-epochs", "--world-size", "--rank", "--master",
         "--dist-timeout"},
        flag, value));
    given.insert(flag);

    std::string name, field;
    long long number_;
    if (flag == "--data") {
      options.dataDir = value;
    } else if (flag == "--dataset") {
      options.dataset = value; // checked against the registry when opened
    } else if (flag == "--input-field") {
      if (!splitPair(value, name, field))
        return invalidArgument("--input-field wants INPUT=FIELD, got '" +
                               value + "'");
      options.inputFields[name] = field;
    } else if (flag == "--var") {
      if (!splitPair(value, name, field) || !parseInt(field, number_))
        return invalidArgument("--var wants name=integer, got '" + value +
                               "'");
      options.vars[name] = number_;
    } else if (flag == "--stages") {
      options.stages = value; // checked against the spec's stages
    } else if (flag == "--stage-epochs") {
      std::stringstream list(value);
      std::string item;
      while (std::getline(list, item, ',')) {
        if (!splitPair(item, name, field) || !parseInt(field, number_) ||
            number_ < 0)
          return invalidArgument("--stage-epochs wants STAGE=EPOCHS (epochs "
                                 ">= 0), got '" + item + "'");
        options.stageEpochs[name] = number_;
      }
    } else if (flag == "--router") {
      options.router = value; // checked against the spec when it is read
    } else if (flag == "--router-epochs") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.routerEpochs));
    } else if (flag == "--balance-weight") {
      GOE_RETURN_IF_ERROR(number(flag, value, options.balanceWeight, false));
    } else if (flag == "--z-loss") {
      GOE_RETURN_IF_ERROR(number(flag, value, options.zLossWeight, false));
    } else if (flag == "--ema") {
      GOE_RETURN_IF_ERROR(number(flag, value, options.emaDecay, false));
    } else if (flag == "--ema-tau") {
      GOE_RETURN_IF_ERROR(number(flag, value, options.emaTau, true));
    } else if (flag == "--epochs") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.epochs, true));
    } else if (flag == "--patience") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.patience, true));
    } else if (flag == "--batch") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.batch));
    } else if (flag == "--max-train") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.maxTrain));
    } else if (flag == "--max-val") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.maxVal));
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
      GOE_RETURN_IF_ERROR(number(flag, value, options.optimizer.lr, true));
    } else if (flag == "--optimizer") {
      options.optimizer.kind = value; // checked by checkTrainOptions
    } else if (flag == "--momentum") {
      GOE_RETURN_IF_ERROR(number(flag, value, options.optimizer.momentum, false));
    } else if (flag == "--weight-decay") {
      GOE_RETURN_IF_ERROR(
          number(flag, value, options.optimizer.weightDecay, false));
    } else if (flag == "--schedule") {
      options.schedule.kind = value;
    } else if (flag == "--step-epochs") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.schedule.stepEpochs));
    } else if (flag == "--gamma") {
      GOE_RETURN_IF_ERROR(number(flag, value, options.schedule.gamma, true));
    } else if (flag == "--min-lr-factor") {
      GOE_RETURN_IF_ERROR(
          number(flag, value, options.schedule.minFactor, false));
    } else if (flag == "--warmup-epochs") {
      GOE_RETURN_IF_ERROR(
          number(flag, value, options.schedule.warmupEpochs, false));
    } else if (flag == "--objective") {
      options.objective = value;
    } else if (flag == "--output") {
      options.output = value;
    } else if (flag == "--target") {
      options.target = value;
    } else if (flag == "--augment") {
      options.augment = value; // checked when the dataset opens
    } else if (flag == "--max-boxes") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.maxBoxes));
    } else if (flag == "--world-size") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.worldSize));
    } else if (flag == "--rank") {
      GOE_RETURN_IF_ERROR(positive(flag, value, options.rank, true));
    } else if (flag == "--master") {
      options.master = value; // checked by checkTrainOptions
    } else if (flag == "--dist-timeout") {
      GOE_RETURN_IF_ERROR(number(flag, value, options.distTimeout, true));
    } else if (flag == "--csv") {
      options.csv = value;
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--checkpoint") {
      options.checkpoint = value;
    } else if (flag == "--resume") {
      options.resume = value;
    } else if (flag == "--init-weights") {
      options.initWeights = value;
    } else if (flag == "--export-split") {
      if (value != "train" && value != "val" && value != "test")
        return invalidArgument(
            "--export-split must be train, val or test, got '" + value + "'");
      options.exportSplit = value;
    } else if (flag == "--test-output") {
      options.testOutput = value;
    } else if (flag == "--check-compiled") {
      options.checkCompiled = value;
    } else if (flag == "--import-torchscript") {
      command.import.importTorchScript = value;
    } else {
      options.exportDir = value;
    }
  }
  if (options.specPath.empty())
    return invalidArgument(
        "no spec given (usage: goe-train SPEC.yaml --data DIR; see --help)");
  command.import.specPath = options.specPath;
  command.import.vars = options.vars;
  command.import.router = options.router;
  command.import.out = options.out;
  if (command.listWeights || !command.import.importTorchScript.empty()) {
    // No training: a training option here is a mistake worth naming.
    const char *mode = command.listWeights ? "--list-weights"
                                           : "--import-torchscript";
    if (command.listWeights && !command.import.importTorchScript.empty())
      return invalidArgument(
          "--list-weights and --import-torchscript are separate commands");
    for (const std::string &flag : given)
      if (flag != mode && flag != "--var" && flag != "--router" &&
          (flag != "--out" || command.listWeights))
        return invalidArgument(flag + " does not go with " + mode +
                               " (it takes only --var, --router" +
                               (command.listWeights ? ")" : " and --out)"));
    return okStatus();
  }
  if (options.exportSplit.empty() != options.exportDir.empty())
    return invalidArgument("--export-split and --export-dir go together");
  return okStatus();
}

std::string usage() {
  std::string text = kUsage;
  auto put = [&](const std::string &key, const std::string &value) {
    text.replace(text.find(key), key.size(), value);
  };
  std::string datasets;
  for (const goe::data::DatasetKind *kind : goe::data::datasetKinds())
    datasets += (datasets.empty() ? "" : ", ") + std::string(kind->name);
  put("%DATASETS%", datasets);
  put("%OBJECTIVES%", goe::train::objectiveNames());
  return text;
}

} // namespace

int main(int argc, char **argv) {
  Command command;
  if (Status status = parseArgs(argc, argv, command); !status.ok())
    return fail(status.message());
  if (command.help) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  Status status =
      command.listWeights ? goe::train::listWeights(command.import)
      : !command.import.importTorchScript.empty()
          ? goe::train::importTorchScriptWeights(command.import)
          : goe::train::runTraining(command.train);
  if (!status.ok()) {
    fail(status.message());
    if (int signal = goe::train::interrupted())
      return 128 + signal;
    return 1;
  }
  return 0;
}
