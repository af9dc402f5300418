//===- CudaSessionTest.cpp - CUDA sessions: errors and GPU parity ---------===//
//
// The error paths run everywhere. The parity tests run every example on
// the GPU and on the CPU backend with the same inputs and routing and
// compare (relative error <= 1e-4); without a driver or a device they skip,
// saying so.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"

#include "Program.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Random.h"
#include "goe/Runtime/Session.h"

#include <gtest/gtest.h>

#include <cmath>
#include <dlfcn.h>

namespace goe::cuda_test {
namespace {

using runtime::Device;
using runtime::Model;
using runtime::Session;
using runtime::SessionOptions;
using runtime::StatusCode;

std::shared_ptr<const Model> load(const std::string &path) {
  auto model = Model::load(path);
  EXPECT_TRUE(model.ok()) << model.status().toString();
  return model.ok() ? *model : nullptr;
}

/// A CPU-only artifact of the MNIST GoE: compiling it needs no ptxas.
std::string cpuArtifact() {
  std::string log;
  std::string path = compileExample(allExamples()[0], "cpu", log);
  EXPECT_FALSE(path.empty()) << log;
  return path;
}

TEST(CudaSession, ModelWithoutCudaCodeIsRefusedWithReason) {
  auto model = load(cpuArtifact());
  ASSERT_TRUE(model);
  SessionOptions options;
  options.device = Device::Cuda;
  auto session = Session::create(model, options);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::FailedPrecondition);
  EXPECT_NE(session.status().message().find("--target=cuda"), std::string::npos)
      << session.status().toString();
}

TEST(CudaSession, MissingDriverIsAStatusNotACrash) {
  if (ptxasPath().empty())
    GTEST_SKIP() << "no ptxas: cannot build a CUDA artifact to load";
  std::string log;
  std::string path = compileExample(allExamples()[0], "cuda", log);
  ASSERT_FALSE(path.empty()) << log;
  auto model = load(path);
  ASSERT_TRUE(model);
  SessionOptions options;
  options.device = Device::Cuda;
  options.cudaDriverLibrary = "/nonexistent/libcuda.so.1";
  auto session = Session::create(model, options);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::FailedPrecondition);
  EXPECT_NE(session.status().message().find("no CUDA driver"), std::string::npos)
      << session.status().toString();
}

TEST(CudaSession, CudaOnlyModelLoadsButRefusesCpuSessions) {
  if (ptxasPath().empty())
    GTEST_SKIP() << "no ptxas: cannot build a CUDA artifact to load";
  std::string log;
  std::string path = compileExample(allExamples()[0], "cuda", log);
  ASSERT_FALSE(path.empty()) << log;
  auto model = load(path);
  ASSERT_TRUE(model);
  auto session = Session::create(model);
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.status().message().find("no CPU code"), std::string::npos)
      << session.status().toString();
}

TEST(CudaSession, UnknownPlanVersionIsRefused) {
  if (ptxasPath().empty())
    GTEST_SKIP() << "no ptxas: cannot build a CUDA artifact to load";
  std::string log;
  std::string path = compileExample(allExamples()[0], "cuda", log);
  ASSERT_FALSE(path.empty()) << log;
  auto proto = runtime::readModel(path);
  ASSERT_TRUE(proto.ok());
  for (auto &code : *proto->mutable_code())
    code.mutable_cuda()->set_plan_version(99);
  auto model = Model::fromProto(*proto);
  ASSERT_TRUE(model.ok()) << model.status().toString();
  SessionOptions options;
  options.device = Device::Cuda;
  auto session = Session::create(*model, options);
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.status().message().find("launch-plan version 99"),
            std::string::npos)
      << session.status().toString();
}

TEST(CudaSession, PlanWithOutOfRangeArgumentIsRefused) {
  if (ptxasPath().empty())
    GTEST_SKIP() << "no ptxas: cannot build a CUDA artifact to load";
  std::string log;
  std::string path = compileExample(allExamples()[0], "cuda", log);
  ASSERT_FALSE(path.empty()) << log;
  auto proto = runtime::readModel(path);
  ASSERT_TRUE(proto.ok());
  auto *launch = proto->mutable_code(0)
                     ->mutable_cuda()
                     ->mutable_functions(0)
                     ->mutable_launches(0);
  launch->mutable_arguments(0)->set_kind(artifact::CudaArgument::TEMPORARY);
  launch->mutable_arguments(0)->set_index(100000);
  auto model = Model::fromProto(*proto);
  ASSERT_TRUE(model.ok());
  SessionOptions options;
  options.device = Device::Cuda;
  auto session = Session::create(*model, options);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::DataLoss);
  EXPECT_NE(session.status().message().find("out of range"), std::string::npos)
      << session.status().toString();
}

/// Why a GPU test cannot run here, or "" when a driver and device exist.
std::string noGpuReason() {
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver)
    return "no GPU: the CUDA driver libcuda.so.1 is not installed";
  using GetCount = int (*)(int *);
  using Init = int (*)(unsigned);
  auto init = reinterpret_cast<Init>(dlsym(driver, "cuInit"));
  auto count = reinterpret_cast<GetCount>(dlsym(driver, "cuDeviceGetCount"));
  int devices = 0;
  std::string reason;
  if (!init || !count || init(0) != 0 || count(&devices) != 0 || devices == 0)
    reason = "no GPU: the CUDA driver reports no device";
  dlclose(driver);
  return reason;
}

/// Random inputs for `model`: floats in [0, 1), labels in [0, choices).
std::vector<runtime::Tensor> randomInputs(const Model &model, int64_t batch,
                                          int64_t choices) {
  std::vector<runtime::Tensor> inputs;
  runtime::SplitMix64 gen{12345};
  for (size_t i = 0; i < model.numInputs(); ++i) {
    const runtime::TensorSpec &spec = model.inputSpec(i);
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
    auto tensor = runtime::Tensor::zeros(spec.dtype, shape);
    EXPECT_TRUE(tensor.ok());
    if (spec.dtype == runtime::DType::F32)
      for (int64_t k = 0; k < tensor->numel(); ++k)
        tensor->f32()[k] = gen.unitFloat();
    else
      for (int64_t k = 0; k < tensor->numel(); ++k)
        tensor->i64()[k] = static_cast<int64_t>(gen.below(choices));
    inputs.push_back(std::move(tensor).value());
  }
  return inputs;
}

class CudaParity : public ::testing::TestWithParam<Example> {};

TEST_P(CudaParity, EveryPathMatchesTheCpuBackend) {
  std::string reason = noGpuReason();
  if (!reason.empty())
    GTEST_SKIP() << reason << "; GPU parity not checked";
  if (ptxasPath().empty())
    GTEST_SKIP() << "no ptxas: cannot build the CUDA artifact";
  std::string log;
  std::string path = compileExample(GetParam(), "cpu,cuda", log);
  ASSERT_FALSE(path.empty()) << log;
  auto model = load(path);
  ASSERT_TRUE(model);
  SessionOptions gpuOptions;
  gpuOptions.device = Device::Cuda;
  auto gpu = Session::create(model, gpuOptions);
  ASSERT_TRUE(gpu.ok()) << gpu.status().toString();
  auto cpu = Session::create(model);
  ASSERT_TRUE(cpu.ok()) << cpu.status().toString();

  // Oracle labels drawn from the smallest router's choices: with 64
  // samples every path of an oracle-routed graph gets a group.
  int64_t choices = 0;
  for (const auto &router : model->program().routers)
    if (router.choices > 0 && (choices == 0 || router.choices < choices))
      choices = router.choices;
  auto inputs = randomInputs(*model, 64, choices > 0 ? choices : 1);
  runtime::RunOptions run;
  run.seed = 7;
  runtime::RunResult onCpu, onGpu;
  ASSERT_TRUE((*cpu)->run(inputs, onCpu, run).ok());
  auto status = (*gpu)->run(inputs, onGpu, run);
  ASSERT_TRUE(status.ok()) << status.toString();
  ASSERT_EQ(onCpu.outputs.size(), onGpu.outputs.size());
  for (size_t o = 0; o < onCpu.outputs.size(); ++o) {
    const runtime::Tensor &a = onCpu.outputs[o], &b = onGpu.outputs[o];
    ASSERT_EQ(a.shape(), b.shape());
    if (a.dtype() != runtime::DType::F32)
      continue;
    double maxAbs = 0, maxDiff = 0;
    for (int64_t k = 0; k < a.numel(); ++k) {
      maxAbs = std::max(maxAbs, std::fabs(double(a.f32()[k])));
      maxDiff = std::max(maxDiff, std::fabs(double(a.f32()[k]) - b.f32()[k]));
    }
    EXPECT_LE(maxDiff, 1e-4 * std::max(maxAbs, 1e-6))
        << "output " << o << ": max |cpu - gpu| " << maxDiff
        << " against max |cpu| " << maxAbs;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, CudaParity, ::testing::ValuesIn(allExamples()),
    [](const ::testing::TestParamInfo<Example> &info) { return info.param.name; });

} // namespace
} // namespace goe::cuda_test
