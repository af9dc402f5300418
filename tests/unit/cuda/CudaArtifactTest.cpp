//===- CudaArtifactTest.cpp - every example compiles for CUDA -------------===//
//
// No GPU needed: each example graph is compiled with --target=cuda, and the
// artifact must hold a cuda-sm_90 code object whose PTX ptxas accepts for
// sm_90, a cubin, and a launch plan for every function whose kernels are
// all entry points of that PTX.
//
//===----------------------------------------------------------------------===//

#include "CudaTestUtil.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <unistd.h>

namespace goe::cuda_test {
namespace {

class CudaCompile : public ::testing::TestWithParam<Example> {};

const artifact::CudaCode *cudaCode(const artifact::Model &model) {
  for (const artifact::CodeObject &code : model.code())
    if (code.target() == "cuda-sm_90" && code.has_cuda())
      return &code.cuda();
  return nullptr;
}

TEST_P(CudaCompile, ArtifactHasPtxasCheckedKernelsForEveryFunction) {
  if (ptxasPath().empty())
    GTEST_SKIP() << "no ptxas (CUDA toolkit) found at configure time: the "
                    "CUDA compile tests need it";
  std::string log;
  std::string path = compileExample(GetParam(), "cuda", log);
  ASSERT_FALSE(path.empty()) << "goe-compile --target=cuda failed:\n" << log;

  auto model = runtime::readModel(path);
  ASSERT_TRUE(model.ok()) << model.status().toString();
  const artifact::CudaCode *code = cudaCode(*model);
  ASSERT_NE(code, nullptr) << "no cuda-sm_90 code object";
  for (const artifact::CodeObject &other : model->code())
    EXPECT_FALSE(other.has_cpu())
        << "--target=cuda alone must not emit CPU code";
  EXPECT_EQ(code->chip(), "sm_90");
  EXPECT_EQ(code->plan_version(), 1u);
  EXPECT_GT(code->block_size(), 0u);
  ASSERT_FALSE(code->cubin().empty());
  EXPECT_EQ(code->cubin().compare(0, 4, "\x7f" "ELF"), 0) << "cubin is not ELF";
  ASSERT_FALSE(code->ptx().empty());
  EXPECT_NE(code->ptx().find(".target sm_90"), std::string::npos);

  // Every function has a plan, every plan launches kernels the PTX defines.
  std::set<std::string> planned;
  for (const artifact::CudaFunction &fn : code->functions())
    planned.insert(fn.name());
  ASSERT_GT(model->functions_size(), 0);
  size_t launches = 0;
  for (const artifact::Function &fn : model->functions())
    EXPECT_TRUE(planned.count(fn.name())) << "no launch plan for " << fn.name();
  for (const artifact::CudaFunction &fn : code->functions()) {
    EXPECT_GT(fn.launches_size(), 0) << fn.name() << " launches nothing";
    for (const artifact::CudaLaunch &launch : fn.launches()) {
      ++launches;
      EXPECT_NE(code->ptx().find(".entry " + launch.kernel() + "("),
                std::string::npos)
          << "kernel " << launch.kernel() << " of " << fn.name()
          << " is not an entry point of the PTX";
      EXPECT_TRUE(launch.threads().per_sample() > 0 || launch.threads().fixed() > 0)
          << launch.kernel() << " has no work";
    }
  }

  // ptxas, independently of the compiler's own run.
  std::string ptxFile = path + ".ptx";
  {
    std::ofstream out(ptxFile, std::ios::binary);
    out << code->ptx();
  }
  std::string output;
  int rc = runCommand(ptxasPath() + " -arch=sm_90 -o /dev/null " + ptxFile,
                      output);
  std::remove(ptxFile.c_str());
  EXPECT_EQ(rc, 0) << "ptxas rejected the PTX:\n" << output;
  RecordProperty("kernel_launches", static_cast<int>(launches));
}

TEST(CudaCompile, CpuAndCudaTogetherKeepBoth) {
  if (ptxasPath().empty())
    GTEST_SKIP() << "no ptxas (CUDA toolkit): skipped";
  std::string log;
  std::string path = compileExample(allExamples()[0], "cpu,cuda", log);
  ASSERT_FALSE(path.empty()) << log;
  auto model = runtime::readModel(path);
  ASSERT_TRUE(model.ok()) << model.status().toString();
  bool cpu = false;
  for (const artifact::CodeObject &code : model->code())
    cpu |= code.target().rfind("cpu-", 0) == 0 &&
           !code.cpu().shared_object().empty();
  EXPECT_TRUE(cpu);
  EXPECT_NE(cudaCode(*model), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, CudaCompile, ::testing::ValuesIn(allExamples()),
    [](const ::testing::TestParamInfo<Example> &info) { return info.param.name; });

} // namespace
} // namespace goe::cuda_test
