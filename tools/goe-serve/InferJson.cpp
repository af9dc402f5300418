//===- InferJson.cpp - Open Inference Protocol (KServe v2) JSON -----------===//

#include "InferJson.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace goe::serve {
namespace {

using json = nlohmann::json;
using runtime::DType;
using runtime::Status;

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

} // namespace

std::string renderError(const std::string &message) {
  return json{{"error", message}}.dump();
}

runtime::StatusOr<ParsedRequest> parseInferRequest(const std::string &body,
                                                   const runtime::Model &model) {
  json root = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded())
    return runtime::invalidArgument("the request body is not valid JSON");
  if (!root.is_object() || !root.contains("inputs") || !root["inputs"].is_array())
    return runtime::invalidArgument("the request needs an 'inputs' array");
  ParsedRequest request;
  if (root.contains("id") && root["id"].is_string())
    request.id = root["id"].get<std::string>();
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
    if (!input.contains("data") || !input["data"].is_array())
      return runtime::invalidArgument("input '" + name + "' needs 'data' (an array)");
    std::vector<double> floats;
    std::vector<int64_t> ints;
    GOE_RETURN_IF_ERROR(flatten(input["data"], spec.dtype, name, floats, ints));
    auto count = runtime::checkedNumel(shape);
    if (!count.ok())
      return count.status();
    size_t have = spec.dtype == DType::I64 ? ints.size() : floats.size();
    if ((int64_t)have != *count)
      return runtime::invalidArgument("input '" + name + "' has " +
                                      std::to_string(have) + " values for shape " +
                                      runtime::shapeToString(shape) + " (" +
                                      std::to_string(*count) + ")");
    auto tensor = runtime::Tensor::uninitialized(spec.dtype, shape);
    if (!tensor.ok())
      return tensor.status();
    if (spec.dtype == DType::I64)
      std::copy(ints.begin(), ints.end(), tensor->i64());
    else
      for (size_t i = 0; i < floats.size(); ++i)
        tensor->f32()[i] = float(floats[i]);
    request.inputs[index] = std::move(tensor).value();
  }
  for (size_t i = 0; i < given.size(); ++i)
    if (!given[i])
      return runtime::invalidArgument("input '" + model.inputName(i) + "' is missing");
  if (root.contains("outputs") && root["outputs"].is_array())
    for (const json &output : root["outputs"]) {
      if (!output.is_object() || !output.contains("name") || !output["name"].is_string())
        return runtime::invalidArgument("every requested output needs a 'name'");
      std::string name = output["name"].get<std::string>();
      bool known = false;
      for (size_t o = 0; o < model.numOutputs(); ++o)
        known |= model.outputName(o) == name;
      if (!known)
        return runtime::invalidArgument("the model has no output '" + name + "'");
      request.outputs.push_back(name);
    }
  return request;
}

std::string renderInferResponse(const std::string &modelName,
                                const ParsedRequest &request,
                                const runtime::Model &model,
                                const InferResult &result) {
  json out{{"model_name", modelName}, {"model_version", "1"}};
  if (!request.id.empty())
    out["id"] = request.id;
  json outputs = json::array();
  for (size_t o = 0; o < result.outputs.size() && o < model.numOutputs(); ++o) {
    std::string name = model.outputName(o);
    if (!request.outputs.empty() &&
        std::find(request.outputs.begin(), request.outputs.end(), name) ==
            request.outputs.end())
      continue;
    const runtime::Tensor &t = result.outputs[o];
    json data = json::array();
    if (t.dtype() == DType::I64)
      data = std::vector<int64_t>(t.i64(), t.i64() + t.numel());
    else
      data = std::vector<float>(t.f32(), t.f32() + t.numel());
    outputs.push_back({{"name", name}, {"datatype", datatype(t.dtype())},
                       {"shape", t.shape()}, {"data", std::move(data)}});
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
  return out.dump();
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
