//===- TargetRegistry.cpp - the targets of this compiler ------------------===//
//
// A plain table: adding a target is one entry here (docs/architecture.md,
// "Adding a target"). Each entry turns the tools' parameters into its
// target's own options.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/CpuCodegen.h"
#include "goe/Compiler/CudaCodegen.h"
#include "goe/Compiler/Target.h"

namespace {

std::string param(const goe::TargetParams &params, const std::string &key,
                  const std::string &otherwise) {
  auto it = params.find(key);
  return it == params.end() ? otherwise : it->second;
}

} // namespace

const std::vector<goe::TargetKind> &goe::targetKinds() {
  static const std::vector<TargetKind> kinds = {
      {"cpu",
       "x86-64 code in a shared library, for the CPU --cpu names",
       [](const TargetParams &params)
           -> llvm::Expected<std::shared_ptr<const Target>> {
         llvm::Expected<CpuChoice> cpu =
             chooseCpu(param(params, "cpu", "native"));
         if (!cpu)
           return cpu.takeError();
         return createCpuTarget(*cpu);
       }},
      {"cuda", "PTX and an sm_90 cubin with launch plans (needs ptxas)",
       [](const TargetParams &)
           -> llvm::Expected<std::shared_ptr<const Target>> {
         return createCudaTarget();
       }},
  };
  return kinds;
}

llvm::Expected<std::shared_ptr<const goe::Target>>
goe::createTarget(llvm::StringRef name, const TargetParams &params) {
  for (const TargetKind &kind : targetKinds())
    if (kind.name == name)
      return kind.create(params);
  std::string known;
  for (const TargetKind &kind : targetKinds())
    known += (known.empty() ? "" : ", ") + kind.name;
  return llvm::createStringError("unknown target '" + name + "' (expected " +
                                 known + ")");
}
