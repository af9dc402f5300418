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
//===----------------------------------------------------------------------===//

#ifndef GOE_SERVE_INFERJSON_H
#define GOE_SERVE_INFERJSON_H

#include "ServedModel.h"

namespace goe::serve {

struct ParsedRequest {
  std::string id;
  std::vector<runtime::Tensor> inputs; // in the model's input order
  std::vector<std::string> outputs;    // requested names; empty: all
};

runtime::StatusOr<ParsedRequest> parseInferRequest(const std::string &body,
                                                   const runtime::Model &model);

std::string renderInferResponse(const std::string &modelName,
                                const ParsedRequest &request,
                                const runtime::Model &model,
                                const InferResult &result);

std::string renderModelMetadata(const std::string &modelName,
                                const runtime::Model &model);

/// {"error": message}, the v2 error body.
std::string renderError(const std::string &message);

} // namespace goe::serve

#endif // GOE_SERVE_INFERJSON_H
