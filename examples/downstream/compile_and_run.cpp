// compile_and_run SPEC OUT.goe: compiles the graph spec SPEC with goe's
// compile library (random weights from seed 1), writes the artifact to
// OUT.goe, runs it in memory on a batch of 8 inputs with the runtime's C++
// API and prints each output's shape and how many inputs took each path.
// Float inputs are random; integer inputs (an oracle router's group) are
// b % 2.

#include "goe/Compiler/Compile.h"
#include "goe/Runtime/Artifact.h"
#include "goe/Runtime/Session.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdio>
#include <random>

namespace rt = goe::runtime;

static int fail(const std::string &message) {
  std::fprintf(stderr, "compile_and_run: %s\n", message.c_str());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3)
    return fail("usage: compile_and_run SPEC.yaml OUT.goe");

  mlir::DialectRegistry registry;
  goe::registerCompileDialects(registry);
  mlir::MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::FailureOr<goe::artifact::Model> artifact =
      goe::compileFile(argv[1], /*vars=*/{}, /*build=*/{},
                       goe::WeightSource::random(1), /*options=*/{}, &context);
  if (mlir::failed(artifact))
    return 1; // the diagnostics said why
  if (rt::Status written = rt::writeModel(argv[2], *artifact); !written.ok())
    return fail(written.message());

  rt::StatusOr<std::shared_ptr<const rt::Model>> model = rt::Model::fromProto(*artifact);
  if (!model.ok())
    return fail(model.status().message());
  auto session = rt::Session::create(*model);
  if (!session.ok())
    return fail(session.status().message());

  const int64_t batch = 8;
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  std::vector<rt::Tensor> inputs;
  for (size_t i = 0; i < (*model)->numInputs(); ++i) {
    const rt::TensorSpec &spec = (*model)->inputSpec(i);
    std::vector<int64_t> shape = {batch};
    shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
    auto tensor = rt::Tensor::zeros(spec.dtype, shape);
    if (!tensor.ok())
      return fail(tensor.status().message());
    for (int64_t e = 0; e < tensor->numel(); ++e) {
      if (float *f = tensor->f32())
        f[e] = uniform(rng);
      else
        tensor->i64()[e] = (e * batch / tensor->numel()) % 2;
    }
    std::printf("input %s %s\n", (*model)->inputName(i).c_str(),
                rt::shapeToString(shape).c_str());
    inputs.push_back(std::move(*tensor));
  }

  rt::RunResult result;
  if (rt::Status ran = (*session)->run(inputs, result); !ran.ok())
    return fail(ran.message());
  for (size_t i = 0; i < result.outputs.size(); ++i)
    std::printf("output %s %s\n", (*model)->outputName(i).c_str(),
                rt::shapeToString(result.outputs[i].shape()).c_str());
  for (const rt::DispatchCounts &dispatch : result.dispatches) {
    std::printf("inputs per path:");
    for (int64_t n : dispatch.samplesPerPath)
      std::printf(" %lld", static_cast<long long>(n));
    std::printf("\n");
  }
  return 0;
}
