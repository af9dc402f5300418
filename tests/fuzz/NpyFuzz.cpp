//===- NpyFuzz.cpp - fuzz target: the .npy reader ------------------------===//
//
// parseNpy on arbitrary bytes must give a tensor whose size matches its
// shape or an error; a tensor read back must encode and parse again to the
// same shape (for the dtypes the writer has).
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "goe/Runtime/Npy.h"

#include <cstdlib>

using namespace goe::runtime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StatusOr<Tensor> tensor = parseNpy(goe::fuzz::asText(data, size), "fuzz.npy");
  if (!tensor.ok())
    return 0;
  StatusOr<std::string> encoded = encodeNpy(tensor->view());
  if (!encoded.ok())
    return 0;
  StatusOr<Tensor> again = parseNpy(*encoded, "re-encoded");
  if (!again.ok() || again->shape() != tensor->shape() ||
      again->dtype() != tensor->dtype())
    std::abort(); // what the writer writes, the reader must read
  return 0;
}
