//===- TorchScriptImport.cpp - weights from a TorchScript file by name ----===//

#include "goe/Frontends/Torch/TorchScriptImport.h"
#include "goe/Frontends/Torch/WeightExport.h"

#include <torch/script.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace goe::torchref {
namespace {

using runtime::Status;

std::string shapeText(const std::vector<int64_t> &shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

/// "a, b, c and 4 more": long lists stay readable in one error line.
std::string listSome(const std::vector<std::string> &items, size_t shown = 6) {
  std::string text;
  for (size_t i = 0; i < items.size() && i < shown; ++i)
    text += (i ? ", " : "") + items[i];
  if (items.size() > shown)
    text += " and " + std::to_string(items.size() - shown) + " more";
  return text;
}

/// The first line of a LibTorch error: the rest is a C++ backtrace or the
/// serialized code's context, noise for a user.
std::string firstLine(const std::string &text) {
  return text.substr(0, text.find('\n'));
}

} // namespace

runtime::StatusOr<TorchScriptWeights>
importTorchScript(const std::string &path, const WeightShapes &expected,
                  const WeightShapes &idle) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return runtime::notFound("cannot read TorchScript file '" + path + "': " +
                             (std::filesystem::exists(path, ec)
                                  ? "not a regular file"
                                  : "no such file"));

  // Parameters and buffers by their PyTorch names (recursive, dotted).
  std::map<std::string, at::Tensor> found;
  try {
    torch::jit::Module module = torch::jit::load(path, at::kCPU);
    for (const auto &item : module.named_parameters(/*recurse=*/true))
      found[item.name] = item.value;
    for (const auto &item : module.named_buffers(/*recurse=*/true))
      found[item.name] = item.value;
  } catch (const std::exception &e) {
    // c10::Error derives from std::exception; a zip reader or unpickler
    // failure can surface as either.
    return runtime::dataLoss(
        "cannot read TorchScript file '" + path +
        "': not a TorchScript archive written by torch.jit.save (" +
        firstLine(e.what()) + ")");
  }

  TorchScriptWeights result;
  std::vector<std::string> missing, problems;
  WeightShapes wanted = expected;
  wanted.insert(idle.begin(), idle.end());
  for (const auto &[name, shape] : wanted) {
    auto it = found.find(name);
    if (it == found.end() && !expected.count(name)) {
      result.zeroFilled.push_back(name);
      result.weights[name] = toArtifactTensor(name, torch::zeros(shape));
      continue;
    }
    if (it == found.end()) {
      missing.push_back("'" + name + "' " + shapeText(shape));
      continue;
    }
    const at::Tensor &value = it->second;
    std::vector<int64_t> actual(value.sizes().begin(), value.sizes().end());
    if (!at::isFloatingType(value.scalar_type())) {
      problems.push_back("'" + name + "' has dtype " +
                         std::string(c10::toString(value.scalar_type())) +
                         ", goe wants floating point");
      continue;
    }
    if (actual != shape) {
      problems.push_back("'" + name + "' has shape " + shapeText(actual) +
                         ", the spec needs " + shapeText(shape));
      continue;
    }
    if (value.scalar_type() != at::kFloat)
      result.converted.push_back(name + " (" +
                                 c10::toString(value.scalar_type()) + ")");
    result.weights[name] = toArtifactTensor(name, value);
  }
  if (!missing.empty() || !problems.empty()) {
    std::string message = "TorchScript file '" + path + "' does not fit the spec:";
    if (!missing.empty())
      message += " " + std::to_string(missing.size()) + " of " +
                 std::to_string(expected.size()) +
                 " weight(s) missing: " + listSome(missing) + ";";
    if (!problems.empty())
      message += " " + listSome(problems) + ";";
    message.pop_back();
    if (!missing.empty() && !found.empty())
      message += " (the file's first name is '" + found.begin()->first +
                 "'; goe's names are listed by `goe-train SPEC "
                 "--list-weights`)";
    return runtime::invalidArgument(message);
  }
  for (const auto &[name, value] : found)
    if (!wanted.count(name))
      result.ignored.push_back(name);
  return result;
}

} // namespace goe::torchref
