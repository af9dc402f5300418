//===- CpuCodegen.cpp - LLVM-dialect kernels to a shared object -----------===//
//
// The runtime loads code with dlopen and links no compiler, so the compiler
// hands it a finished shared library. Linking goes through the system `cc`
// driver: it knows where the platform's linker and C runtime live, which a
// hand-built ld command line would have to guess.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CpuCodegen.h"
#include "goe/Compiler/Subprocess.h"
#include "goe/Runtime/FileIO.h"
#include "goe/Runtime/TempFile.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace {

std::unique_ptr<llvm::Module> toLLVM(ModuleOp module,
                                     llvm::LLVMContext &context) {
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  return translateModuleToLLVMIR(module, context, "goe_kernels");
}

} // namespace

FailureOr<goe::CpuCodeObject>
goe::compileToSharedObject(ModuleOp module, const CpuChoice &cpu,
                           StageTap *tap) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule = toLLVM(module, context);
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");

  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError("no LLVM target for ") << triple << ": " << error;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu.cpu, cpu.llvmFeatures, llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Default));
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);
  // As clang does: every function names its CPU, so that the IR says what
  // it is compiled for (--emit=llvm); the values are the machine's own.
  for (llvm::Function &fn : *llvmModule) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", cpu.cpu);
    if (!cpu.llvmFeatures.empty())
      fn.addFnAttr("target-features", cpu.llvmFeatures);
  }

  // O2: on MoE-YOLOv7-tiny's 10 MB of kernel IR, O3 doubles the LLVM time
  // (40 s against 23 s here) for loops that are not yet tiled or vectorised
  // by goe itself.
  auto optimize = makeOptimizingTransformer(2, 0, machine.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return module.emitError("LLVM optimisation failed: ")
           << llvm::toString(std::move(err));
  if (tap && tap->reached("llvm", [&](llvm::raw_ostream &os) {
        llvmModule->print(os, nullptr);
      }))
    return CpuCodeObject{};

  // Owned by TempFiles: removed on every return, and on SIGINT/SIGTERM
  // (with cc killed first, so that it cannot write them again).
  auto object = runtime::TempFile::inTempDir("goe-kernels", ".o");
  auto library = runtime::TempFile::inTempDir("goe-kernels", ".so");
  auto support = runtime::TempFile::inTempDir("goe-support", ".c");
  for (auto *temp : {&object, &library, &support})
    if (!temp->ok())
      return module.emitError("cannot create temporary files for linking: ")
             << temp->status().message();
  runtime::Status wrote = support->write(kKernelSupportSource);
  if (!wrote.ok())
    return module.emitError(wrote.message());
  {
    llvm::raw_fd_ostream stream(object->fd(), /*shouldClose=*/false);
    llvm::legacy::PassManager passes;
    if (machine->addPassesToEmitFile(passes, stream, nullptr,
                                     llvm::CodeGenFileType::ObjectFile))
      return module.emitError("the target cannot emit object files");
    passes.run(*llvmModule);
    stream.flush();
    if (stream.has_error())
      return module.emitError("cannot write ")
             << object->path() << ": " << stream.error().message();
  }
  for (auto *temp : {&object, &library, &support}) {
    runtime::Status closed = (*temp)->closeFd();
    if (!closed.ok())
      return module.emitError(closed.message());
  }

  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return module.emitError("no C compiler driver 'cc' on PATH to link the "
                            "kernels into a shared library");
  llvm::SmallVector<llvm::StringRef> args = {
      *cc,  "-shared",       "-fPIC",        "-O2",
      "-o", library->path(), object->path(), support->path(),
      "-lm"};
  std::string message;
  int rc = runSubprocess(*cc, args, std::nullopt, 120, message);
  if (rc != 0)
    return module.emitError("linking the kernels failed (")
           << (rc > 0 ? "cc exit " + std::to_string(rc) : message) << ")";
  auto linked = runtime::readFileBytes(library->path());
  if (!linked.ok())
    return module.emitError("cannot read the linked library: ")
           << linked.status().message();
  llvm::Triple parsed(triple);
  return CpuCodeObject{"cpu-" + parsed.getArchName().str(),
                       std::move(linked).value()};
}
