//===- _goe_train.cpp - the goe training library as a Python extension ----===//
//
// pybind11 over the training library's one call, goe::train::runTraining
// (goe/Training/Training.h): goe.train. The option structs are bound field
// by field (TrainOptions.h stays the one place that lists them);
// goe/training.py maps keywords to fields and checks values. A module of
// its own, loaded on first use, so that `import goe` loads no LibTorch.
//
// The GIL is released while training. SIGINT and SIGTERM stop the run
// between steps (Interrupt.h replaces Python's handlers for the call and
// restores them after); the result's `signal` says which one it was, and
// training.py raises KeyboardInterrupt for SIGINT. A failed run raises
// goe._goe_train.Error(message).
//
//===----------------------------------------------------------------------===//

#include "goe/Training/Training.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <utility>

namespace py = pybind11;
using namespace goe::train;

namespace {

struct TrainError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Runs one training: the result, and the library's message when a signal
/// stopped it. A failure that is not an interruption throws.
std::pair<TrainResult, std::string> train(const TrainOptions &options) {
  TrainResult result;
  goe::runtime::Status status = goe::runtime::okStatus();
  {
    py::gil_scoped_release release;
    status = runTraining(options, &result);
  }
  if (!status.ok() && !result.signal)
    throw TrainError(status.message());
  return {std::move(result), status.message()};
}

} // namespace

PYBIND11_MODULE(_goe_train, m) {
  m.doc() = "goe's training library (use goe.train instead)";
  static py::exception<TrainError> error(m, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const TrainError &e) {
      PyErr_SetString(error.ptr(), e.what());
    }
  });

  py::class_<OptimizerOptions>(m, "OptimizerOptions")
      .def_readwrite("kind", &OptimizerOptions::kind)
      .def_readwrite("lr", &OptimizerOptions::lr)
      .def_readwrite("momentum", &OptimizerOptions::momentum)
      .def_readwrite("nesterov", &OptimizerOptions::nesterov)
      .def_readwrite("weight_decay", &OptimizerOptions::weightDecay);
  py::class_<ScheduleOptions>(m, "ScheduleOptions")
      .def_readwrite("kind", &ScheduleOptions::kind)
      .def_readwrite("step_epochs", &ScheduleOptions::stepEpochs)
      .def_readwrite("gamma", &ScheduleOptions::gamma)
      .def_readwrite("min_factor", &ScheduleOptions::minFactor)
      .def_readwrite("warmup_epochs", &ScheduleOptions::warmupEpochs);
  py::class_<TrainOptions>(m, "TrainOptions")
      .def(py::init<>())
      .def_readwrite("spec_path", &TrainOptions::specPath)
      .def_readwrite("vars", &TrainOptions::vars)
      .def_readwrite("dataset", &TrainOptions::dataset)
      .def_readwrite("data_dir", &TrainOptions::dataDir)
      .def_readwrite("seed_sizes", &TrainOptions::seedSizes)
      .def_readwrite("max_train", &TrainOptions::maxTrain)
      .def_readwrite("max_val", &TrainOptions::maxVal)
      .def_readwrite("augment", &TrainOptions::augment)
      .def_readwrite("max_boxes", &TrainOptions::maxBoxes)
      .def_readwrite("input_fields", &TrainOptions::inputFields)
      .def_readwrite("objective", &TrainOptions::objective)
      .def_readwrite("output", &TrainOptions::output)
      .def_readwrite("target", &TrainOptions::target)
      .def_readwrite("router", &TrainOptions::router)
      .def_readwrite("router_epochs", &TrainOptions::routerEpochs)
      .def_readwrite("balance_weight", &TrainOptions::balanceWeight)
      .def_readwrite("z_loss_weight", &TrainOptions::zLossWeight)
      .def_readwrite("ema_decay", &TrainOptions::emaDecay)
      .def_readwrite("ema_tau", &TrainOptions::emaTau)
      .def_readwrite("optimizer", &TrainOptions::optimizer)
      .def_readwrite("schedule", &TrainOptions::schedule)
      .def_readwrite("epochs", &TrainOptions::epochs)
      .def_readwrite("stages", &TrainOptions::stages)
      .def_readwrite("stage_epochs", &TrainOptions::stageEpochs)
      .def_readwrite("patience", &TrainOptions::patience)
      .def_readwrite("batch", &TrainOptions::batch)
      .def_readwrite("seed", &TrainOptions::seed)
      .def_readwrite("threads", &TrainOptions::threads)
      .def_readwrite("world_size", &TrainOptions::worldSize)
      .def_readwrite("rank", &TrainOptions::rank)
      .def_readwrite("master", &TrainOptions::master)
      .def_readwrite("dist_timeout", &TrainOptions::distTimeout)
      .def_readwrite("out", &TrainOptions::out)
      .def_readwrite("checkpoint", &TrainOptions::checkpoint)
      .def_readwrite("csv", &TrainOptions::csv)
      .def_readwrite("resume", &TrainOptions::resume)
      .def_readwrite("export_split", &TrainOptions::exportSplit)
      .def_readwrite("export_dir", &TrainOptions::exportDir)
      .def_readwrite("test_output", &TrainOptions::testOutput);

  py::class_<EpochProgress>(m, "EpochProgress")
      .def_readonly("epoch", &EpochProgress::epoch)
      .def_readonly("loss", &EpochProgress::loss)
      .def_readonly("accuracy", &EpochProgress::accuracy)
      .def_readonly("images_per_second", &EpochProgress::imagesPerSecond)
      .def_readonly("lr", &EpochProgress::lr)
      .def_readonly("val_loss", &EpochProgress::valLoss)
      .def_readonly("val_accuracy", &EpochProgress::valAccuracy)
      .def_readonly("best", &EpochProgress::best)
      .def_readonly("router_report", &EpochProgress::routerReport)
      .def_property_readonly(
          "parts",
          [](const EpochProgress &p) {
            std::map<std::string, double> parts;
            for (const auto &[name, sum] : p.train.partSums)
              parts[name] = p.train.part(name);
            return parts;
          })
      .def_property_readonly(
          "val_metrics", [](const EpochProgress &p) { return p.val.metrics; });
  py::class_<StageResult>(m, "StageResult")
      .def_readonly("name", &StageResult::name)
      .def_readonly("epochs", &StageResult::epochs)
      .def_readonly("best_epoch", &StageResult::bestEpoch)
      .def_readonly("test_accuracy", &StageResult::testAccuracy)
      .def_readonly("test_correct", &StageResult::testCorrect)
      .def_readonly("test_count", &StageResult::testCount)
      .def_readonly("group_correct", &StageResult::groupCorrect)
      .def_readonly("group_count", &StageResult::groupCount);
  py::class_<TrainResult>(m, "TrainResult")
      .def_readonly("epochs", &TrainResult::epochs)
      .def_readonly("best_epoch", &TrainResult::bestEpoch)
      .def_readonly("best_val_loss", &TrainResult::bestValLoss)
      .def_readonly("test_loss", &TrainResult::testLoss)
      .def_readonly("test_accuracy", &TrainResult::testAccuracy)
      .def_readonly("test_correct", &TrainResult::testCorrect)
      .def_readonly("test_count", &TrainResult::testCount)
      .def_readonly("test_metrics", &TrainResult::testMetrics)
      .def_readonly("seconds", &TrainResult::seconds)
      .def_readonly("signal", &TrainResult::signal)
      .def_readonly("stages", &TrainResult::stages);

  m.def("train", &train, py::arg("options"));
}
