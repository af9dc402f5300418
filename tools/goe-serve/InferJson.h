//===- InferJson.h - Open Inference Protocol (KServe v2) JSON -------------===//
//
// The request and response bodies of POST /v2/models/{name}/infer, and the
// model metadata of GET /v2/models/{name}. Tensors travel as JSON: shape,
// datatype ("FP32" or "INT64", the model's types) and data, flat or nested
// in row-major order. Each request is checked against the model's inputs
// before it is queued, so a bad request fails alone with a message naming
// the input. The response carries, besides the outputs, goe's extension
// field "goe": {"routes": [{router, choices, weights}, ...]}: the paths
// each of the request's samples took.
//
// The binary tensor extension (Triton's, "binary_tensor_data"): a body may
// be a JSON header of Inference-Header-Content-Length bytes followed by
// raw little-endian tensor bytes. An input with parameters
// {"binary_data_size": N} and no "data" takes the next N bytes of that
// section, inputs in request order. Outputs come back binary when asked
// (output parameter "binary_data": true, or request parameter
// "binary_data_output": true for all outputs without their own): they carry
// "binary_data_size" instead of "data", and their bytes follow the JSON
// header of the response, in output order.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_SERVE_INFERJSON_H
#define GOE_SERVE_INFERJSON_H

#include "ServedModel.h"

namespace goe::serve {

/// The HTTP header that gives the JSON part's length in a binary body.
inline constexpr const char *kInferenceHeaderLength = "Inference-Header-Content-Length";

struct RequestedOutput {
  std::string name;
  bool binary = false;
};

struct ParsedRequest {
  std::string id;
  std::vector<runtime::Tensor> inputs;  // in the model's input order
  std::vector<RequestedOutput> outputs; // as requested; empty: all
  bool binaryOutputs = false;           // the default for outputs not listed
};

/// `body` is the whole request body; its first `jsonLength` bytes are the
/// JSON (all of it without the binary extension), the rest the inputs'
/// binary data.
runtime::StatusOr<ParsedRequest> parseInferRequest(const std::string &body,
                                                   size_t jsonLength,
                                                   const runtime::Model &model);

struct InferResponse {
  std::string body;
  size_t jsonLength = 0; // bytes of JSON at the start of body
  bool binary = false;   // binary output data follows the JSON
};

InferResponse renderInferResponse(const std::string &modelName,
                                  const ParsedRequest &request,
                                  const runtime::Model &model,
                                  const InferResult &result);

std::string renderModelMetadata(const std::string &modelName,
                                const runtime::Model &model);

/// {"error": message}, the v2 error body.
std::string renderError(const std::string &message);

} // namespace goe::serve

#endif // GOE_SERVE_INFERJSON_H
