//===- TorchScriptWriter.h - TorchScript files for tests, from C++ -*- C++ -*-===//
//
// What torch.jit.save writes for a PyTorch module, without Python: a
// torch::jit::Module tree whose submodules and parameter/buffer names are
// PyTorch's (`paths.level0.0.0.weight` is submodule paths -> level0 -> 0 ->
// 0, parameter weight), saved with Module::save. Used by the import tests
// and by goe-test-write-torchscript (the lit tests' fixture maker).
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TESTS_UNIT_PARITY_TORCHSCRIPTWRITER_H
#define GOE_TESTS_UNIT_PARITY_TORCHSCRIPTWRITER_H

#include <torch/script.h>

#include <map>
#include <memory>
#include <string>

namespace goe::test {

struct TorchScriptEntry {
  at::Tensor value;
  bool buffer = false;
};

/// A TorchScript module tree holding `entries` under their dotted names.
inline torch::jit::Module moduleTree(const std::string &className,
                              const std::map<std::string, TorchScriptEntry> &entries,
                              const std::shared_ptr<torch::jit::CompilationUnit> &cu) {
  torch::jit::Module module(c10::QualifiedName("__torch__." + className), cu,
                            /*shouldMangle=*/true);
  std::map<std::string, std::map<std::string, TorchScriptEntry>> children;
  for (const auto &[name, entry] : entries) {
    size_t dot = name.find('.');
    if (dot != std::string::npos) {
      children[name.substr(0, dot)][name.substr(dot + 1)] = entry;
    } else if (entry.buffer) {
      module.register_buffer(name, entry.value);
    } else {
      module.register_parameter(name, entry.value, /*is_buffer=*/false);
    }
  }
  for (const auto &[child, sub] : children)
    module.register_module(child, moduleTree(className + "_" + child, sub, cu));
  return module;
}

inline void saveTorchScript(const std::string &path,
                     const std::map<std::string, TorchScriptEntry> &entries) {
  auto cu = std::make_shared<torch::jit::CompilationUnit>();
  moduleTree("Net", entries, cu).save(path);
}

} // namespace goe::test

#endif // GOE_TESTS_UNIT_PARITY_TORCHSCRIPTWRITER_H
