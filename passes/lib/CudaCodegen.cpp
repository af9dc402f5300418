//===- CudaCodegen.cpp - the CUDA target: kernels to a CudaCode -----------===//
//
// MLIR's gpu-module-to-binary can call ptxas itself, but then a missing or
// failing ptxas surfaces as a generic serialization error. goe asks MLIR
// for PTX only and runs ptxas here, so that a missing toolkit is one clear
// message and `ptxas -v`'s per-kernel report can be shown.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CudaCodegen.h"
#include "goe/Compiler/Subprocess.h"
#include "goe/Passes/Pipelines.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/TempFile.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

namespace {

std::string toolkitOf(const goe::CudaCodegenOptions &options) {
  return options.toolkitPath.empty() ? goe::defaultCudaToolkitPath()
                                     : options.toolkitPath;
}

/// The PTX of the one gpu.binary the CUDA pipeline made.
FailureOr<std::string> ptxOf(ModuleOp module) {
  auto binaries = llvm::to_vector(module.getOps<gpu::BinaryOp>());
  if (binaries.size() != 1)
    return emitError(module.getLoc(), "the CUDA pipeline made ")
           << binaries.size() << " kernel binaries, expected one";
  for (Attribute attr : binaries.front().getObjects()) {
    auto object = dyn_cast<gpu::ObjectAttr>(attr);
    if (object && object.getFormat() == gpu::CompilationTarget::Assembly) {
      // The serializer keeps the C string's terminator; ptxas reads a NUL
      // as an unexpected end of file.
      return object.getObject().getValue().rtrim('\0').str();
    }
  }
  return emitError(module.getLoc(), "the kernel binary holds no PTX");
}

/// ptxas PTX -> cubin for `chip`; `report` gets ptxas -v's output.
FailureOr<std::string> assemble(ModuleOp module, StringRef ptx,
                                StringRef chip, StringRef ptxas,
                                std::string &report) {
  // Owned by TempFiles: removed on every return, and on SIGINT/SIGTERM
  // (with ptxas killed first).
  auto ptxFile = goe::runtime::TempFile::inTempDir("goe-kernels", ".ptx");
  auto cubinFile = goe::runtime::TempFile::inTempDir("goe-kernels", ".cubin");
  auto logFile = goe::runtime::TempFile::inTempDir("goe-ptxas", ".log");
  for (auto *temp : {&ptxFile, &cubinFile, &logFile})
    if (!temp->ok())
      return emitError(module.getLoc(),
                       "cannot create temporary files for ptxas: ")
             << temp->status().message();
  goe::runtime::Status wrote = ptxFile->write(ptx);
  for (auto *temp : {&ptxFile, &cubinFile, &logFile})
    if (wrote.ok())
      wrote = (*temp)->closeFd();
  if (!wrote.ok())
    return emitError(module.getLoc(), wrote.message());
  std::string arch = ("-arch=" + chip).str();
  llvm::SmallVector<StringRef> args = {
      ptxas, arch, "-v", "-O3", "-o", cubinFile->path(), ptxFile->path()};
  std::string message;
  int rc =
      goe::runSubprocess(ptxas, args, StringRef(logFile->path()), 600, message);
  if (auto log = goe::runtime::readFileBytes(logFile->path()); log.ok())
    report = std::move(log).value();
  if (rc != 0)
    return emitError(module.getLoc(), "ptxas rejected the kernels for ")
           << chip << " (" << (rc > 0 ? "exit " + std::to_string(rc) : message)
           << "):\n"
           << report;
  auto cubin = goe::runtime::readFileBytes(cubinFile->path());
  if (!cubin.ok())
    return emitError(module.getLoc(), "cannot read the cubin ptxas wrote: ")
           << cubin.status().message();
  return std::move(cubin).value();
}

} // namespace

std::string goe::defaultPtxasPath() {
  if (const char *env = std::getenv("GOE_PTXAS"))
    return env;
#ifdef GOE_PTXAS
  if (llvm::sys::fs::can_execute(GOE_PTXAS))
    return GOE_PTXAS;
#endif
  if (auto found = llvm::sys::findProgramByName("ptxas"))
    return *found;
  return "";
}

namespace {

class CudaTarget : public goe::Target {
public:
  explicit CudaTarget(goe::CudaCodegenOptions options)
      : options_(std::move(options)) {}

  llvm::StringRef name() const override { return "cuda"; }

  std::vector<goe::StageInfo> stages() const override {
    return {{"kernels", "the kernels in NVVM and their host functions of "
                        "gpu.launch_func (CUDA)"},
            {"ptx", "the PTX ptxas assembles into the cubin (CUDA)"}};
  }

  std::string describe() const override {
    return "cuda " + options_.chip + ", cubin and PTX";
  }

  LogicalResult compile(ModuleOp module, goe::artifact::CodeObject &code,
                        goe::StageTap *tap,
                        llvm::raw_ostream *report) const override {
    // Checked first, unless only the kernels or PTX are asked for: without
    // ptxas no cubin, and the whole compile is moot.
    std::string ptxas = options_.ptxasPath.empty() ? goe::defaultPtxasPath()
                                                   : options_.ptxasPath;
    bool needsCubin = !tap || (tap->stopAfter() != "kernels" &&
                               tap->stopAfter() != "ptx");
    if (needsCubin && (ptxas.empty() || !llvm::sys::fs::can_execute(ptxas)))
      return emitError(module.getLoc(),
                       "--target=cuda needs the CUDA toolkit's ptxas to "
                       "build the cubin, and none was found")
             << (ptxas.empty() ? std::string()
                               : " (" + ptxas + " is not executable)")
             << "; install the CUDA toolkit at /usr/local/cuda or set "
                "GOE_PTXAS";

    goe::CudaPipelineOptions pipeline;
    pipeline.chip = options_.chip;
    pipeline.cudaToolkitPath = toolkitOf(options_);
    PassManager pm(module.getContext());
    goe::buildCudaKernelPipeline(pm, pipeline);
    if (failed(pm.run(module)))
      return failure();
    if (tap && tap->reached("kernels", module))
      return success();
    FailureOr<std::string> ptx = ptxOf(module);
    if (failed(ptx))
      return failure();
    if (tap && tap->reached("ptx", [&](llvm::raw_ostream &os) { os << *ptx; }))
      return success();

    goe::artifact::CudaCode &cuda = *code.mutable_cuda();
    cuda.set_chip(options_.chip);
    cuda.set_plan_version(1);
    cuda.set_block_size(static_cast<uint32_t>(pipeline.blockSize));
    if (failed(goe::buildCudaLaunchPlans(module, pipeline.blockSize, cuda)))
      return failure();
    std::string log;
    FailureOr<std::string> cubin =
        assemble(module, *ptx, options_.chip, ptxas, log);
    if (failed(cubin))
      return failure();
    if (report)
      *report << log;
    code.set_target("cuda-" + options_.chip);
    cuda.set_ptx(std::move(*ptx));
    cuda.set_cubin(std::move(*cubin));
    return success();
  }

private:
  goe::CudaCodegenOptions options_;
};

} // namespace

std::shared_ptr<const goe::Target>
goe::createCudaTarget(const CudaCodegenOptions &options) {
  return std::make_shared<CudaTarget>(options);
}
