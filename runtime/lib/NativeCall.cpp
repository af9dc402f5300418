//===- NativeCall.cpp - calling compiled functions ----------------------===//
//
// C++ cannot build a call with a run-time number of arguments, and every
// argument here is a pointer; so a table holds one caller per argument
// count, each casting the entry point to `void (*)(void *, ..., void *)`
// with exactly that many parameters. Calling through the exact arity keeps
// the call well-defined under the System V ABI without libffi.
//
//===----------------------------------------------------------------------===//

#include "NativeCall.h"
#include "TensorOps.h"
#include "goe/Runtime/QuoteText.h"

#include <array>
#include <cstring>
#include <utility>

namespace goe::runtime::detail {
namespace {

using Caller = void (*)(void *entry, void *const *args);

template <size_t I> using VoidPtr = void *;

// The entry points are LLVM's code from MLIR, not clang's: they carry no
// type signature for UBSan's -fsanitize=function check to compare with, so
// that check would report every call; the arity table above is what keeps
// these calls well-typed.
template <size_t... I>
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
void callWith(void *entry, void *const *args, std::index_sequence<I...>) {
  using Fn = void (*)(VoidPtr<I>...);
  reinterpret_cast<Fn>(entry)(args[I]...);
}

template <size_t N> void callArity(void *entry, void *const *args) {
  callWith(entry, args, std::make_index_sequence<N>{});
}

template <size_t... N>
constexpr std::array<Caller, sizeof...(N)> makeCallers(std::index_sequence<N...>) {
  return {&callArity<N>...};
}

constexpr auto kCallers = makeCallers(std::make_index_sequence<kMaxNativeArgs + 1>{});

/// A rank-R descriptor as 3 + 2R 8-byte words; on LP64 this is exactly the
/// layout of MLIR's StridedMemRefType<T, R>.
static_assert(sizeof(void *) == sizeof(int64_t), "LP64 only");

void fillDescriptor(std::vector<int64_t> &words, const void *data,
                    const std::vector<int64_t> &shape) {
  size_t rank = shape.size();
  words.assign(3 + 2 * rank, 0);
  int64_t pointer;
  std::memcpy(&pointer, &data, sizeof(pointer));
  words[0] = pointer; // allocated
  words[1] = pointer; // aligned
  words[2] = 0;       // offset
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    words[3 + i] = shape[i];
    words[3 + rank + i] = stride;
    stride *= shape[i];
  }
}

} // namespace

Status prepareCall(const LoadedFunction &fn, int64_t batch,
                   const std::vector<const Tensor *> &inputs,
                   std::vector<Tensor> &outputs) {
  if (!fn.entry)
    return internalError("function " + quoteText(fn.name) +
                         " has no bound code");
  if (inputs.size() != fn.inputs.size())
    return internalError("function " + quoteText(fn.name) + " called with " +
                         std::to_string(inputs.size()) + " inputs, takes " +
                         std::to_string(fn.inputs.size()));
  if (fn.inputs.size() + fn.weights.size() + fn.outputs.size() >
      kMaxNativeArgs)
    return internalError("function " + quoteText(fn.name) +
                         " takes too many arguments");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor &in = *inputs[i];
    // The program was type-checked at load; this guards the interpreter.
    if (in.dtype() != fn.inputs[i].dtype || in.shape().empty() ||
        in.shape()[0] != batch ||
        !std::equal(in.shape().begin() + 1, in.shape().end(),
                    fn.inputs[i].shape.begin(), fn.inputs[i].shape.end()))
      return internalError("function " + quoteText(fn.name) + " input " +
                           std::to_string(i) + " is " + dtypeName(in.dtype()) +
                           shapeToString(in.shape()) + ", expected batch " +
                           std::to_string(batch) + " of " +
                           specToString(fn.inputs[i]));
  }
  outputs.clear();
  outputs.reserve(fn.outputs.size());
  for (const TensorSpec &spec : fn.outputs) {
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
    // Compiled functions write every element of their outputs (results
    // bufferized to out-parameters, each sample's slice written by the
    // sample loop), so the outputs need no zeroing first.
    StatusOr<Tensor> out = outputTensor(spec.dtype, std::move(shape));
    if (!out.ok())
      return out.status().withContext("function " + quoteText(fn.name));
    outputs.push_back(std::move(out).value());
  }
  return okStatus();
}

void callNative(const Program &program, const LoadedFunction &fn,
                int64_t begin, int64_t count,
                const std::vector<const Tensor *> &inputs,
                std::vector<Tensor> &outputs) {
  size_t numArgs = fn.inputs.size() + fn.weights.size() + fn.outputs.size();
  std::vector<std::vector<int64_t>> descriptors(numArgs);
  size_t arg = 0;
  // Samples [begin, begin + count) of a batch-first tensor: its shape with
  // the batch replaced, starting `begin` samples in. The compiled code
  // already addresses every sample at such offsets (SampleLoop), so a chunk
  // computes exactly the bits the whole batch would.
  auto chunk = [&](const Tensor &t) {
    std::vector<int64_t> shape = t.shape();
    size_t perSample = t.byteSize() / static_cast<size_t>(shape[0]);
    shape[0] = count;
    const char *data = static_cast<const char *>(t.data()) +
                       static_cast<size_t>(begin) * perSample;
    fillDescriptor(descriptors[arg++], data, shape);
  };
  for (const Tensor *in : inputs)
    chunk(*in);
  for (int w : fn.weights) {
    const Tensor &weight = program.weights[w].tensor;
    fillDescriptor(descriptors[arg++], weight.data(), weight.shape());
  }
  for (Tensor &out : outputs)
    chunk(out);

  std::vector<void *> args(numArgs);
  for (size_t i = 0; i < numArgs; ++i)
    args[i] = descriptors[i].data();
  kCallers[numArgs](fn.entry, args.data());
}

void countCall(const LoadedFunction &fn, int64_t batch) {
  fn.calls.fetch_add(1, std::memory_order_relaxed);
  fn.samples.fetch_add(static_cast<uint64_t>(batch), std::memory_order_relaxed);
}

} // namespace goe::runtime::detail
