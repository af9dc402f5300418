//===- CpuObjects.cpp - optimise and emit kernels in parallel pieces -------===//
//
// LLVM optimises and compiles one module on one thread. The kernels of a
// model are independent functions, so the module is cut into a fixed
// number of pieces of about equal size (largest function first into the
// lightest piece), each optimised (optimizeKernels) and emitted as an
// object file on a thread of its own, with its own LLVMContext and
// TargetMachine (neither is shared across threads). The pieces link back together in the shared library.
// Their number is fixed, not the core count, so the code is the same on
// every machine; only how many are compiled at once depends on the cores.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CpuCodegen.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <atomic>
#include <mutex>
#include <thread>

namespace {

/// Pieces a module is cut into: enough for up to four cores, few enough
/// that the per-piece set-up (a context, a machine, an object) stays small.
constexpr unsigned kPieces = goe::kCodegenPieces;

size_t instructionCount(const llvm::Function &fn) {
  size_t count = 0;
  for (const llvm::BasicBlock &block : fn)
    count += block.size();
  return count;
}

/// Which piece defines each function: largest first into the piece with
/// the fewest instructions so far; names break ties, so the cut is stable.
/// The first functions go to the empty pieces in order, so pieces
/// 0 .. min(kPieces, functions) - 1 are the ones used.
llvm::DenseMap<const llvm::GlobalValue *, unsigned>
assignPieces(llvm::Module &module) {
  std::vector<std::pair<size_t, llvm::Function *>> sized;
  for (llvm::Function &fn : module)
    if (!fn.isDeclaration())
      sized.push_back({instructionCount(fn), &fn});
  std::sort(sized.begin(), sized.end(), [](const auto &a, const auto &b) {
    return a.first != b.first ? a.first > b.first
                              : a.second->getName() < b.second->getName();
  });
  std::vector<size_t> load(kPieces, 0);
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> pieceOf;
  for (auto &[size, fn] : sized) {
    unsigned lightest = std::min_element(load.begin(), load.end()) -
                        load.begin();
    load[lightest] += size;
    pieceOf[fn] = lightest;
  }
  return pieceOf;
}

} // namespace

void goe::optimizeKernels(llvm::Module &module, llvm::TargetMachine &machine) {
  llvm::PipelineTuningOptions tuning;
  // goe's kernels arrive tiled, vectorised and unrolled to register tiles
  // already. LLVM's unrollers then only multiply code: on MoE-YOLOv7-tiny
  // they took 8.5 of opt's 14.6 s, doubled the object code and took llc
  // from 5.7 to 28.6 s (bench/results/compile-time.txt).
  tuning.LoopUnrolling = false;
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);
  llvm::ModulePassManager passes =
      builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  passes.run(module, modules);
}

llvm::Expected<std::vector<std::string>>
goe::emitObjectsInPieces(llvm::Module &module, const CpuChoice &cpu,
                         const std::vector<std::string> &objectPaths) {
  // Every definition becomes visible to the other pieces (hidden: not
  // outside the library); variables stay in piece 0.
  for (llvm::GlobalValue &value : module.global_values()) {
    if (value.isDeclaration() || !value.hasLocalLinkage())
      continue;
    value.setLinkage(llvm::GlobalValue::ExternalLinkage);
    value.setVisibility(llvm::GlobalValue::HiddenVisibility);
  }
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> pieceOf =
      assignPieces(module);
  size_t used = std::min<size_t>(kPieces, pieceOf.size());
  if (used > objectPaths.size())
    return llvm::createStringError("emitObjectsInPieces: " +
                                   std::to_string(used) + " pieces, " +
                                   std::to_string(objectPaths.size()) +
                                   " object paths");
  std::vector<llvm::SmallVector<char, 0>> bitcode;
  for (unsigned piece = 0; piece < used; ++piece) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> part = llvm::CloneModule(
        module, map, [&](const llvm::GlobalValue *value) {
          auto it = pieceOf.find(value);
          return it == pieceOf.end() ? piece == 0 : it->second == piece;
        });
    llvm::raw_svector_ostream os(bitcode.emplace_back());
    llvm::WriteBitcodeToFile(*part, os);
  }

  std::string triple = module.getTargetTriple();
  std::mutex errorMutex;
  std::string firstError;
  auto compilePiece = [&](size_t index) {
    auto fail = [&](const std::string &message) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (firstError.empty())
        firstError = "piece " + std::to_string(index) + ": " + message;
    };
    llvm::LLVMContext context;
    llvm::StringRef bytes(bitcode[index].data(), bitcode[index].size());
    llvm::Expected<std::unique_ptr<llvm::Module>> part =
        llvm::parseBitcodeFile(llvm::MemoryBufferRef(bytes, "piece"),
                               context);
    if (!part)
      return fail(llvm::toString(part.takeError()));
    std::string error;
    const llvm::Target *target =
        llvm::TargetRegistry::lookupTarget(triple, error);
    if (!target)
      return fail("no LLVM target for " + triple + ": " + error);
    std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
        triple, cpu.cpu, cpu.llvmFeatures, llvm::TargetOptions(),
        llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Default));
    optimizeKernels(**part, *machine);
    std::error_code code;
    llvm::raw_fd_ostream stream(objectPaths[index], code);
    if (code)
      return fail("cannot write " + objectPaths[index] + ": " +
                  code.message());
    llvm::legacy::PassManager passes;
    if (machine->addPassesToEmitFile(passes, stream, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return fail("the target cannot emit object files");
    passes.run(**part);
    stream.flush();
    if (stream.has_error())
      fail("cannot write " + objectPaths[index] + ": " +
           stream.error().message());
  };

  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, bitcode.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (size_t i = next++; i < bitcode.size(); i = next++)
        compilePiece(i);
    });
  for (std::thread &worker : workers)
    worker.join();
  if (!firstError.empty())
    return llvm::createStringError(firstError);
  return std::vector<std::string>(objectPaths.begin(),
                                  objectPaths.begin() + bitcode.size());
}
