//===- InferJson.cpp - Open Inference Protocol (KServe v2) JSON -----------===//

#include "InferJson.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace goe::serve {
namespace {

using json = nlohmann::json;
using runtime::DType;
using runtime::Status;

// Binary tensor data is little-endian, the host's order, copied as is.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "goe-serve's binary tensor data assumes a little-endian host");

const char *datatype(DType dtype) { return dtype == DType::I64 ? "INT64" : "FP32"; }

/// Appends the numbers of a (possibly nested) array in row-major order.
Status flatten(const json &data, DType dtype, const std::string &input,
               std::vector<double> &floats, std::vector<int64_t> &ints,
               int depth = 0) {
  if (depth > 64)
    return runtime::invalidArgument("input '" + input + "': data is nested too deeply");
  for (const json &value : data) {
    if (value.is_array()) {
      GOE_RETURN_IF_ERROR(flatten(value, dtype, input, floats, ints, depth + 1));
      continue;
    }
    if (!value.is_number())
      return runtime::invalidArgument("input '" + input + "': data holds " +
                                      std::string(value.type_name()) +
                                      ", not a number");
    if (dtype == DType::I64) {
      if (!value.is_number_integer())
        return runtime::invalidArgument("input '" + input +
                                        "' is INT64; data holds " + value.dump());
      ints.push_back(value.get<int64_t>());
    } else {
      floats.push_back(value.get<double>());
    }
  }
  return runtime::okStatus();
}

/// The numbers of a JSON input's "data" into its tensor.
Status readJsonData(const json &input, const std::string &name, runtime::Tensor &tensor) {
  if (!input.contains("data") || !input["data"].is_array())
    return runtime::invalidArgument("input '" + name + "' needs 'data' (an array), or "
                                    "binary data (parameters.binary_data_size)");
  std::vector<double> floats;
  std::vector<int64_t> ints;
  GOE_RETURN_IF_ERROR(flatten(input["data"], tensor.dtype(), name, floats, ints));
  size_t have = tensor.dtype() == DType::I64 ? ints.size() : floats.size();
  if ((int64_t)have != tensor.numel())
    return runtime::invalidArgument("input '" + name + "' has " + std::to_string(have) +
                                    " values for shape " +
                                    runtime::shapeToString(tensor.shape()) + " (" +
                                    std::to_string(tensor.numel()) + ")");
  if (tensor.dtype() == DType::I64)
    std::copy(ints.begin(), ints.end(), tensor.i64());
  else
    for (size_t i = 0; i < floats.size(); ++i)
      tensor.f32()[i] = float(floats[i]);
  return runtime::okStatus();
}

/// parameters[name] of a request, input or output: null when absent.
runtime::StatusOr<const json *> parameter(const json &object, const char *name,
                                          const std::string &owner) {
  auto parameters = object.find("parameters");
  if (parameters == object.end())
    return nullptr;
  if (!parameters->is_object())
    return runtime::invalidArgument(owner + ": 'parameters' must be an object");
  auto it = parameters->find(name);
  return it == parameters->end() ? nullptr : &*it;
}

/// The raw tensor bytes after a binary request's JSON header, handed out to
/// the inputs that declare binary_data_size, in request order.
class BinarySection {
public:
  BinarySection(const std::string &body, size_t begin) : body_(body), next_(begin), begin_(begin) {}

  Status read(const json &size, const json &input, const std::string &name,
              runtime::Tensor &tensor) {
    if (!size.is_number_unsigned())
      return runtime::invalidArgument("input '" + name + "': binary_data_size must be a "
                                      "non-negative integer, got " + size.dump());
    if (input.contains("data"))
      return runtime::invalidArgument("input '" + name + "' has both 'data' and "
                                      "binary_data_size; give one");
    uint64_t bytes = size.get<uint64_t>();
    if (bytes != tensor.byteSize())
      return runtime::invalidArgument(
          "input '" + name + "': binary_data_size is " + std::to_string(bytes) +
          " bytes, but shape " + runtime::shapeToString(tensor.shape()) + " of " +
          datatype(tensor.dtype()) + " is " + std::to_string(tensor.byteSize()) + " bytes");
    size_t left = body_.size() - next_;
    if (bytes > left)
      return runtime::invalidArgument(
          "input '" + name + "': binary_data_size " + std::to_string(bytes) +
          " runs past the end of the body (" + std::to_string(left) + " of its " +
          std::to_string(body_.size() - begin_) + " binary bytes left)");
    std::memcpy(tensor.data(), body_.data() + next_, bytes);
    next_ += bytes;
    return runtime::okStatus();
  }

  /// Bytes no input took are a malformed request, not padding.
  Status checkAllRead() const {
    if (next_ == body_.size())
      return runtime::okStatus();
    return runtime::invalidArgument(
        "the request has " + std::to_string(body_.size() - begin_) +
        " bytes of binary data after its JSON header, but its inputs' "
        "binary_data_size add up to " + std::to_string(next_ - begin_));
  }

private:
  const std::string &body_;
  size_t next_, begin_;
};

} // namespace

std::string renderError(const std::string &message) {
  return json{{"error", message}}.dump();
}

runtime::StatusOr<ParsedRequest> parseInferRequest(const std::string &body,
                                                   size_t jsonLength,
                                                   const runtime::Model &model) {
  json root = json::parse(body.begin(), body.begin() + std::min(jsonLength, body.size()),
                          nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded())
    return runtime::invalidArgument(jsonLength < body.size()
                                        ? "the request's JSON header (the first " +
                                              std::to_string(jsonLength) +
                                              " bytes) is not valid JSON"
                                        : "the request body is not valid JSON");
  if (!root.is_object() || !root.contains("inputs") || !root["inputs"].is_array())
    return runtime::invalidArgument("the request needs an 'inputs' array");
  ParsedRequest request;
  if (root.contains("id") && root["id"].is_string())
    request.id = root["id"].get<std::string>();
  BinarySection binary{body, std::min(jsonLength, body.size())};
  std::vector<bool> given(model.numInputs(), false);
  request.inputs.resize(model.numInputs());
  int64_t batch = -1;
  for (const json &input : root["inputs"]) {
    if (!input.is_object() || !input.contains("name") || !input["name"].is_string())
      return runtime::invalidArgument("every input needs a 'name'");
    std::string name = input["name"].get<std::string>();
    size_t index = model.numInputs();
    for (size_t i = 0; i < model.numInputs(); ++i)
      if (model.inputName(i) == name)
        index = i;
    if (index == model.numInputs())
      return runtime::invalidArgument("the model has no input '" + name + "'");
    if (given[index])
      return runtime::invalidArgument("input '" + name + "' is given twice");
    given[index] = true;
    const runtime::TensorSpec &spec = model.inputSpec(index);
    if (!input.contains("datatype") || !input["datatype"].is_string() ||
        input["datatype"].get<std::string>() != datatype(spec.dtype))
      return runtime::invalidArgument(
          "input '" + name + "' must have datatype " + datatype(spec.dtype) +
          (input.contains("datatype") ? ", got " + input["datatype"].dump() : ""));
    if (!input.contains("shape") || !input["shape"].is_array())
      return runtime::invalidArgument("input '" + name + "' needs a 'shape'");
    std::vector<int64_t> shape;
    for (const json &d : input["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        return runtime::invalidArgument("input '" + name +
                                        "': shape entries are non-negative integers");
      shape.push_back(d.get<int64_t>());
    }
    std::vector<int64_t> perSample(shape.begin() + (shape.empty() ? 0 : 1), shape.end());
    if (shape.empty() || perSample != spec.shape || shape[0] < 1)
      return runtime::invalidArgument(
          "input '" + name + "' has shape " + runtime::shapeToString(shape) +
          "; the model wants [batch >= 1] + " + runtime::shapeToString(spec.shape));
    if (batch >= 0 && shape[0] != batch)
      return runtime::invalidArgument("input '" + name + "' has batch " +
                                      std::to_string(shape[0]) +
                                      ", another input " + std::to_string(batch));
    batch = shape[0];
    auto tensor = runtime::Tensor::uninitialized(spec.dtype, shape);
    if (!tensor.ok())
      return tensor.status();
    auto binarySize = parameter(input, "binary_data_size", "input '" + name + "'");
    if (!binarySize.ok())
      return binarySize.status();
    if (*binarySize)
      GOE_RETURN_IF_ERROR(binary.read(**binarySize, input, name, *tensor));
    else
      GOE_RETURN_IF_ERROR(readJsonData(input, name, *tensor));
    request.inputs[index] = std::move(tensor).value();
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i])
      return runtime::invalidArgument("input '" + model.inputName(i) + "' is missing");
  GOE_RETURN_IF_ERROR(binary.checkAllRead());

  auto binaryOutputs = parameter(root, "binary_data_output", "the request");
  if (!binaryOutputs.ok())
    return binaryOutputs.status();
  if (*binaryOutputs) {
    if (!(*binaryOutputs)->is_boolean())
      return runtime::invalidArgument("the request's binary_data_output must be "
                                      "true or false, got " + (*binaryOutputs)->dump());
    request.binaryOutputs = (*binaryOutputs)->get<bool>();
  }
  if (root.contains("outputs") && root["outputs"].is_array())
    for (const json &output : root["outputs"]) {
      if (!output.is_object() || !output.contains("name") || !output["name"].is_string())
        return runtime::invalidArgument("every requested output needs a 'name'");
      RequestedOutput requested{output["name"].get<std::string>(), request.binaryOutputs};
      bool known = false;
      for (size_t o = 0; o < model.numOutputs(); ++o)
        known |= model.outputName(o) == requested.name;
      if (!known)
        return runtime::invalidArgument("the model has no output '" + requested.name + "'");
      auto binaryData = parameter(output, "binary_data", "output '" + requested.name + "'");
      if (!binaryData.ok())
        return binaryData.status();
      if (*binaryData) {
        if (!(*binaryData)->is_boolean())
          return runtime::invalidArgument("output '" + requested.name +
                                          "': binary_data must be true or false, got " +
                                          (*binaryData)->dump());
        requested.binary = (*binaryData)->get<bool>();
      }
      request.outputs.push_back(std::move(requested));
    }
  return request;
}

InferResponse renderInferResponse(const std::string &modelName,
                                  const ParsedRequest &request,
                                  const runtime::Model &model,
                                  const InferResult &result) {
  json out{{"model_name", modelName}, {"model_version", "1"}};
  if (!request.id.empty())
    out["id"] = request.id;
  json outputs = json::array();
  std::string binary; // the binary outputs' bytes, in output order
  for (size_t o = 0; o < result.outputs.size() && o < model.numOutputs(); ++o) {
    std::string name = model.outputName(o);
    bool asBinary = request.binaryOutputs;
    if (!request.outputs.empty()) {
      auto it = std::find_if(request.outputs.begin(), request.outputs.end(),
                             [&](const RequestedOutput &r) { return r.name == name; });
      if (it == request.outputs.end())
        continue;
      asBinary = it->binary;
    }
    const runtime::Tensor &t = result.outputs[o];
    json entry{{"name", name}, {"datatype", datatype(t.dtype())}, {"shape", t.shape()}};
    if (asBinary) {
      entry["parameters"] = {{"binary_data_size", t.byteSize()}};
      binary.append(static_cast<const char *>(t.data()), t.byteSize());
    } else if (t.dtype() == DType::I64) {
      entry["data"] = std::vector<int64_t>(t.i64(), t.i64() + t.numel());
    } else {
      entry["data"] = std::vector<float>(t.f32(), t.f32() + t.numel());
    }
    outputs.push_back(std::move(entry));
  }
  out["outputs"] = std::move(outputs);
  json routes = json::array();
  for (const RouteSlice &route : result.routes) {
    json choices = json::array(), weights = json::array();
    for (size_t b = 0; route.k > 0 && b < route.choices.size() / route.k; ++b) {
      choices.push_back(std::vector<int64_t>(route.choices.begin() + b * route.k,
                                             route.choices.begin() + (b + 1) * route.k));
      weights.push_back(std::vector<float>(route.weights.begin() + b * route.k,
                                           route.weights.begin() + (b + 1) * route.k));
    }
    routes.push_back({{"router", route.router}, {"choices", choices}, {"weights", weights}});
  }
  out["goe"] = {{"routes", routes}};
  InferResponse response;
  response.body = out.dump();
  response.jsonLength = response.body.size();
  response.binary = !binary.empty();
  response.body += binary;
  return response;
}

std::string renderModelMetadata(const std::string &modelName,
                                const runtime::Model &model) {
  auto tensor = [](const std::string &name, const runtime::TensorSpec &spec) {
    std::vector<int64_t> shape{-1};
    shape.insert(shape.end(), spec.shape.begin(), spec.shape.end());
    return json{{"name", name}, {"datatype", datatype(spec.dtype)}, {"shape", shape}};
  };
  json inputs = json::array(), outputs = json::array();
  for (size_t i = 0; i < model.numInputs(); ++i)
    inputs.push_back(tensor(model.inputName(i), model.inputSpec(i)));
  for (size_t o = 0; o < model.numOutputs(); ++o)
    outputs.push_back(tensor(model.outputName(o), model.outputSpec(o)));
  return json{{"name", modelName}, {"versions", {"1"}}, {"platform", "goe"},
              {"inputs", inputs}, {"outputs", outputs}}
      .dump();
}

} // namespace goe::serve
