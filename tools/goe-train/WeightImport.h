//===- WeightImport.h - goe-train's non-training commands -------*- C++ -*-===//
//
// Two commands of goe-train that need the spec's LibTorch model but no data:
//
//   goe-train SPEC --list-weights [--var N=V] [--router R]
//       prints every weight the spec needs, `name [shape]` per line: the
//       names a PyTorch module must use for its parameters and buffers.
//   goe-train SPEC --import-torchscript MODEL.pt --out W.goew [--var] [--router]
//       takes those weights by name from a TorchScript file (torch.jit.save)
//       and writes the weight bundle goe-compile --weights reads
//       (goe/Frontends/Torch/TorchScriptImport.h). Extras are ignored with
//       a note. With a vqvae_hclust router (--router latent) the file must
//       also hold its tables, `<router>.codebook` [codes, code_dim] and
//       `<router>.centres` [choices, positions * code_dim]. The encoders
//       of declared routers the graph does not route with (latent's while
//       it routes with oracle) are compiled but never run: goe-compile
//       needs them, a PyTorch model trained without them has none, so
//       absent ones are written as zeros (with a note).
//
// This file holds no LibTorch include: the import itself lives in
// frontends/torch.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_TOOLS_GOE_TRAIN_WEIGHTIMPORT_H
#define GOE_TOOLS_GOE_TRAIN_WEIGHTIMPORT_H

#include "goe/Runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>

namespace goe::train {

/// What the two commands read (goe-train's flags of the same names).
struct ImportOptions {
  std::string specPath;
  std::map<std::string, int64_t> vars;
  std::string router;
  std::string importTorchScript; // the TorchScript file
  std::string out;
};

/// Prints the spec's weights (specPath, vars, router).
runtime::Status listWeights(const ImportOptions &options);

/// Imports options.importTorchScript into options.out. Nothing is written on
/// failure.
runtime::Status importTorchScriptWeights(const ImportOptions &options);

} // namespace goe::train

#endif // GOE_TOOLS_GOE_TRAIN_WEIGHTIMPORT_H
