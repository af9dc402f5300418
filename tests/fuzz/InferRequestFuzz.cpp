//===- InferRequestFuzz.cpp - fuzz target: goe-serve's infer requests ----===//
//
// The body of POST /v2/models/tiny/infer as goe-serve handles it, less the
// HTTP: parseInferRequest against the fixture model tiny.goe (an f32
// [1, 4, 4] image and an i64 group: an oracle over two experts), and a
// request that parses is queued on the model's batcher, run, and its
// response rendered. Every body must end in a response or an error (bad
// group values included); a crash or sanitizer report is a bug.
// A body with a NUL byte is a binary-extension request: the JSON header is
// what comes before the first NUL (Inference-Header-Content-Length), the
// binary tensor data what comes after it.
//
//===----------------------------------------------------------------------===//

#include "FuzzScratch.h"

#include "InferJson.h"
#include "ServedModel.h"

#include <cstdio>
#include <cstdlib>

using namespace goe::serve;

namespace {

ServedModel &servedModel() {
  // Never destroyed: its batching thread lives as long as the process.
  static ServedModel *model = [] {
    static Metrics metrics;
    BatchingOptions options;
    options.maxDelay = std::chrono::microseconds(0);
    auto loaded = ServedModel::load(
        "tiny", std::string(GOE_FUZZ_FIXTURES) + "/tiny.goe", options, metrics);
    if (!loaded.ok()) {
      std::fprintf(stderr, "fuzz fixture: %s\n",
                   loaded.status().message().c_str());
      std::abort();
    }
    return loaded->release();
  }();
  return *model;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ServedModel &served = servedModel();
  std::string body(goe::fuzz::asText(data, size));
  size_t jsonLength = body.find('\0');
  if (jsonLength == std::string::npos)
    jsonLength = body.size();
  else
    body.erase(jsonLength, 1);
  goe::runtime::StatusOr<ParsedRequest> request =
      parseInferRequest(body, jsonLength, served.model());
  if (!request.ok()) {
    (void)renderError(request.status().message());
    return 0;
  }
  InferResult result = served.submit(std::move(request->inputs)).get();
  if (result.status.ok())
    (void)renderInferResponse("tiny", *request, served.model(), result);
  return 0;
}
