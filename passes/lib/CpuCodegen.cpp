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

#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
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

  // Heap buffers go through the support code's cache (KernelSupport.cpp).
  for (auto [from, to] : {std::pair{"malloc", "goe_buffer_alloc"},
                          std::pair{"free", "goe_buffer_free"}})
    if (llvm::Function *fn = llvmModule->getFunction(from))
      fn->setName(to);

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

  // A tap here asks for the `llvm` stage (`kernels` returned above): the
  // whole module optimised, as text. No code object is wanted then.
  if (tap) {
    optimizeKernels(*llvmModule, *machine);
    tap->reached("llvm", [&](llvm::raw_ostream &os) {
      llvmModule->print(os, nullptr);
    });
    return CpuCodeObject{};
  }

  // Owned by TempFiles: removed on every return, and on SIGINT/SIGTERM
  // (with cc killed first, so that it cannot write them again).
  std::vector<runtime::StatusOr<runtime::TempFile>> objects;
  for (unsigned i = 0; i < kCodegenPieces; ++i)
    objects.push_back(runtime::TempFile::inTempDir("goe-kernels", ".o"));
  auto library = runtime::TempFile::inTempDir("goe-kernels", ".so");
  auto support = runtime::TempFile::inTempDir("goe-support", ".c");
  std::vector<runtime::StatusOr<runtime::TempFile> *> temps = {&library,
                                                               &support};
  for (auto &object : objects)
    temps.push_back(&object);
  for (auto *temp : temps)
    if (!temp->ok())
      return module.emitError("cannot create temporary files for linking: ")
             << temp->status().message();
  runtime::Status wrote = support->write(std::string(kKernelSupportSource) +
                                         kConvMicrokernelSource);
  if (!wrote.ok())
    return module.emitError(wrote.message());
  for (auto *temp : temps) {
    runtime::Status closed = (*temp)->closeFd();
    if (!closed.ok())
      return module.emitError(closed.message());
  }
  std::vector<std::string> objectPaths;
  for (auto &object : objects)
    objectPaths.push_back(object->path());
  llvm::Expected<std::vector<std::string>> written =
      emitObjectsInPieces(*llvmModule, cpu, objectPaths);
  if (!written)
    return module.emitError("compiling the kernels failed: ")
           << llvm::toString(written.takeError());

  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return module.emitError("no C compiler driver 'cc' on PATH to link the "
                            "kernels into a shared library");
  // The support C (the convolution microkernel above all) is compiled for
  // the CPU the kernels target: -march takes the same names as --cpu.
  std::string march = "-march=" + cpu.requested;
  llvm::SmallVector<llvm::StringRef> args = {
      *cc, "-shared", "-fPIC", "-O2", march, "-o", library->path()};
  for (const std::string &object : *written)
    args.push_back(object);
  args.push_back(support->path());
  args.push_back("-lm");
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
