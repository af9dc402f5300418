//===- CudaCodegen.cpp - expert functions to a CUDA code object -----------===//
//
// MLIR's gpu-module-to-binary can call ptxas itself, but then a missing or
// failing ptxas surfaces as a generic serialization error. goe asks MLIR
// for PTX only and runs ptxas here, so that a missing toolkit is one clear
// message and `ptxas -v`'s per-kernel report can be shown.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CudaCodegen.h"
#include "goe/Passes/Pipelines.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

namespace {

/// Removes the listed files when it goes out of scope.
struct TempFiles {
  llvm::SmallVector<std::string> paths;
  ~TempFiles() {
    for (const std::string &path : paths)
      llvm::sys::fs::remove(path);
  }
};

std::string toolkitOf(const goe::CudaCodegenOptions &options) {
  return options.toolkitPath.empty() ? goe::defaultCudaToolkitPath()
                                     : options.toolkitPath;
}

/// Runs the CUDA pipeline and returns the PTX of the one gpu.binary.
FailureOr<std::string> lowerAndGetPtx(ModuleOp module,
                                      const goe::CudaCodegenOptions &options,
                                      int64_t &blockSize) {
  goe::CudaPipelineOptions pipeline;
  pipeline.chip = options.chip;
  pipeline.cudaToolkitPath = toolkitOf(options);
  blockSize = pipeline.blockSize;
  PassManager pm(module.getContext());
  goe::buildCudaLoweringPipeline(pm, pipeline);
  if (failed(pm.run(module)))
    return failure();
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
  TempFiles temps;
  llvm::SmallString<128> ptxPath, cubinPath, logPath;
  if (llvm::sys::fs::createTemporaryFile("goe-kernels", "ptx", ptxPath) ||
      llvm::sys::fs::createTemporaryFile("goe-kernels", "cubin", cubinPath) ||
      llvm::sys::fs::createTemporaryFile("goe-ptxas", "log", logPath))
    return emitError(module.getLoc(), "cannot create temporary files for ptxas");
  temps.paths = {ptxPath.str().str(), cubinPath.str().str(),
                 logPath.str().str()};
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(ptxPath, ec);
    if (ec)
      return emitError(module.getLoc(), "cannot write ") << ptxPath << ": "
                                               << ec.message();
    out << ptx;
  }
  std::string arch = ("-arch=" + chip).str();
  llvm::SmallVector<StringRef> args = {ptxas, arch, "-v", "-O3", "-o",
                                       cubinPath, ptxPath};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                          StringRef(logPath)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 600,
                                     0, &message);
  if (auto log = llvm::MemoryBuffer::getFile(logPath))
    report = (*log)->getBuffer().str();
  if (rc != 0)
    return emitError(module.getLoc(), "ptxas rejected the kernels for ")
           << chip << " (exit " << rc
           << (message.empty() ? "" : ", " + message) << "):\n"
           << report;
  auto cubin = llvm::MemoryBuffer::getFile(cubinPath);
  if (!cubin)
    return emitError(module.getLoc(), "cannot read the cubin ptxas wrote");
  return (*cubin)->getBuffer().str();
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

FailureOr<std::string> goe::lowerToPtx(ModuleOp module,
                                       const CudaCodegenOptions &options) {
  int64_t blockSize;
  return lowerAndGetPtx(module, options, blockSize);
}

FailureOr<goe::artifact::CodeObject>
goe::compileForCuda(ModuleOp module, const CudaCodegenOptions &options) {
  // Checked first: without ptxas no cubin, and the whole compile is moot.
  std::string ptxas =
      options.ptxasPath.empty() ? defaultPtxasPath() : options.ptxasPath;
  if (ptxas.empty() || !llvm::sys::fs::can_execute(ptxas))
    return emitError(module.getLoc(), "--target=cuda needs the CUDA toolkit's ptxas to "
                            "build the cubin, and none was found")
           << (ptxas.empty() ? std::string()
                             : " (" + ptxas + " is not executable)")
           << "; install the CUDA toolkit at /usr/local/cuda or set GOE_PTXAS";

  int64_t blockSize = 0;
  FailureOr<std::string> ptx = lowerAndGetPtx(module, options, blockSize);
  if (failed(ptx))
    return failure();
  artifact::CodeObject object;
  object.set_target("cuda-" + options.chip);
  object.set_chip(options.chip);
  object.set_plan_version(1);
  object.set_block_size(static_cast<uint32_t>(blockSize));
  if (failed(buildCudaLaunchPlans(module, blockSize, object)))
    return failure();
  std::string report;
  FailureOr<std::string> cubin =
      assemble(module, *ptx, options.chip, ptxas, report);
  if (failed(cubin))
    return failure();
  if (options.ptxasReport)
    *options.ptxasReport = report;
  object.set_ptx(std::move(*ptx));
  object.set_cubin(std::move(*cubin));
  return object;
}
