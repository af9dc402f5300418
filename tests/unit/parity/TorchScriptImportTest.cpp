//===- TorchScriptImportTest.cpp - weights from PyTorch's torch.jit.save -===//
//
// A user who trained in PyTorch hands goe a TorchScript file. Without a
// Python torch here, the tests write such files from C++
// (TorchScriptWriter.h).
//
// The round trip: a LibTorch reference model with random weights (batch
// norm included, so buffers are exercised) -> TorchScript file -> import ->
// compiled artifact -> runtime, whose outputs must equal the reference's.
// Then every way the file can be wrong.
//
//===----------------------------------------------------------------------===//

#include "goe/Compiler/Compile.h"
#include "goe/Frontends/Torch/TorchModel.h"
#include "goe/Frontends/Torch/TorchScriptImport.h"
#include "goe/Frontends/Torch/WeightExport.h"
#include "goe/Runtime/Model.h"
#include "goe/Runtime/Session.h"

#include "TorchScriptWriter.h"

#include "mlir/IR/MLIRContext.h"

#include <torch/torch.h>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rt = goe::runtime;
namespace fs = std::filesystem;

namespace {

// Two paths behind an oracle router, batch norm in the shared stage, and a
// declared latent router the graph does not route with (its encoder is
// compiled but never run).
const char *kSpec = R"(goe: 1
name: torchscript_import
inputs:
  image: [1, 8, 8]
  group: {shape: [], dtype: i64}
modules:
  stem:
    layers:
      - {op: conv2d, out: 4, kernel: 3, padding: 1}
      - {op: batchnorm}
      - {op: relu}
  head:
    layers:
      - {op: flatten}
      - {op: linear, out: 3}
  encoder:
    layers:
      - {op: conv2d, out: 2, kernel: 4, stride: 4}
routers:
  oracle: {kind: oracle, choices: 2, from: group}
  latent: {kind: vqvae_hclust, choices: 2, from: image, encoder: encoder, codes: 4, code_dim: 2}
graph:
  - {name: route, router: oracle}
  - {name: paths, dispatch: route, tree: [stem, head], from: image}
  - {name: logits, combine: select, from: paths}
outputs: [logits]
)";

/// Batch norm's running statistics are buffers in PyTorch.
bool isRunningStat(const std::string &name) {
  return name.find(".running_mean") != std::string::npos ||
         name.find(".running_var") != std::string::npos;
}

class TorchScriptImport : public ::testing::Test {
protected:
  void SetUp() override {
    goe::registerCompileDialects(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    auto parsed = goe::spec::readSpec(kSpec, "import.yaml", {}, context.get());
    ASSERT_TRUE(mlir::succeeded(parsed));
    spec = *parsed;
    reference = goe::torchref::Model::build(spec, {}, context.get());
    ASSERT_TRUE(reference);
    reference->initRandom(11);
    dir = fs::path(::testing::TempDir()) /
          ("goe-torchscript-" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  /// The reference's weights as PyTorch would hold them, without the
  /// unused router's encoder (a model trained with the oracle has none).
  std::map<std::string, goe::test::TorchScriptEntry> pytorchEntries() const {
    std::map<std::string, goe::test::TorchScriptEntry> entries;
    for (const auto &[name, value] : reference->parameters())
      if (name.rfind("latent.", 0) != 0)
        entries[name] = {value.detach().clone(), isRunningStat(name)};
    return entries;
  }

  /// What goe needs: the oracle graph's weights, the latent encoder idle.
  goe::torchref::WeightShapes required() const {
    goe::torchref::WeightShapes shapes;
    for (const auto &[name, shape] : reference->parameterShapes())
      if (name.rfind("latent.", 0) != 0)
        shapes[name] = shape;
    return shapes;
  }
  goe::torchref::WeightShapes idle() const {
    goe::torchref::WeightShapes shapes;
    for (const auto &[name, shape] : reference->parameterShapes())
      if (name.rfind("latent.", 0) == 0)
        shapes[name] = shape;
    return shapes;
  }

  std::string file(const std::string &name) const {
    return (dir / name).string();
  }

  mlir::DialectRegistry registry;
  std::unique_ptr<mlir::MLIRContext> context;
  goe::spec::Spec spec;
  std::unique_ptr<goe::torchref::Model> reference;
  fs::path dir;
};

TEST_F(TorchScriptImport, CompiledModelEqualsTheReference) {
  std::map<std::string, goe::test::TorchScriptEntry> entries = pytorchEntries();
  ASSERT_TRUE(entries.count("paths.level0.0.1.running_mean"))
      << "the spec's batch norm should give buffers";
  // What a real PyTorch file also holds: batch norm's step counter, a
  // parameter the spec does not use, and a weight saved in double.
  entries["paths.level0.0.1.num_batches_tracked"] = {
      torch::tensor(int64_t{42}), true};
  entries["aux.weight"] = {torch::ones({2, 2}), false};
  entries["paths.level1.0.1.bias"].value =
      entries["paths.level1.0.1.bias"].value.to(at::kDouble);
  goe::test::saveTorchScript(file("model.pt"), entries);

  auto imported =
      goe::torchref::importTorchScript(file("model.pt"), required(), idle());
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported->ignored,
            (std::vector<std::string>{"aux.weight",
                                      "paths.level0.0.1.num_batches_tracked"}));
  EXPECT_EQ(imported->converted,
            (std::vector<std::string>{"paths.level1.0.1.bias (Double)"}));
  EXPECT_EQ(imported->zeroFilled.size(), idle().size());

  // The imported tensors are the reference's, bit for bit.
  goe::WeightMap expected = goe::torchref::exportWeights(*reference);
  for (const auto &[name, tensor] : imported->weights) {
    ASSERT_TRUE(expected.count(name)) << name;
    EXPECT_EQ(std::vector<int64_t>(tensor.shape().begin(), tensor.shape().end()),
              std::vector<int64_t>(expected[name].shape().begin(),
                                   expected[name].shape().end()))
        << name;
    if (name.rfind("latent.", 0) != 0)
      EXPECT_EQ(tensor.data(), expected[name].data()) << name;
  }

  // Compiled with the imported weights, the model computes what the
  // reference computes on every path.
  auto artifact = goe::compile(spec, {},
                               goe::WeightSource::given(imported->weights),
                               goe::CompileOptions(), context.get());
  ASSERT_TRUE(mlir::succeeded(artifact));
  auto model = rt::Model::fromProto(*artifact);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto session = rt::Session::create(model.value());
  ASSERT_TRUE(session.ok()) << session.status().message();

  torch::manual_seed(3);
  at::Tensor images = torch::rand({6, 1, 8, 8});
  at::Tensor groups = torch::tensor({0, 1, 1, 0, 1, 0}, at::kLong);
  rt::RunResult result;
  rt::Status status = session.value()->run(
      {goe::torchref::viewOf(images), goe::torchref::viewOf(groups)}, result);
  ASSERT_TRUE(status.ok()) << status.message();
  goe::torchref::ForwardResult want =
      reference->forward({{"image", images}, {"group", groups}});
  ASSERT_TRUE(want.ok()) << want.error;
  ASSERT_EQ(result.outputs.size(), 1u);
  at::Tensor got = torch::from_blob(const_cast<void *>(result.outputs[0].data()),
                                    want.outputs[0].sizes(), at::kFloat);
  double scale = want.outputs[0].abs().max().item<double>();
  EXPECT_LE((got - want.outputs[0]).abs().max().item<double>(), 1e-5 * scale);
}

TEST_F(TorchScriptImport, MissingWeightIsNamedWithTheFile) {
  std::map<std::string, goe::test::TorchScriptEntry> entries = pytorchEntries();
  entries.erase("paths.level1.1.1.weight");
  entries.erase("paths.level0.0.1.running_var");
  goe::test::saveTorchScript(file("missing.pt"), entries);
  auto imported =
      goe::torchref::importTorchScript(file("missing.pt"), required(), idle());
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), rt::StatusCode::InvalidArgument);
  const std::string &message = imported.status().message();
  EXPECT_NE(message.find(file("missing.pt")), std::string::npos) << message;
  EXPECT_NE(message.find("2 of"), std::string::npos) << message;
  EXPECT_NE(message.find("'paths.level1.1.1.weight' [3, 256]"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("'paths.level0.0.1.running_var' [4]"),
            std::string::npos)
      << message;
}

TEST_F(TorchScriptImport, WrongShapeAndDtypeAreNamed) {
  std::map<std::string, goe::test::TorchScriptEntry> entries = pytorchEntries();
  entries["paths.level0.0.0.weight"].value = torch::zeros({4, 1, 5, 5});
  entries["paths.level1.1.1.bias"].value = torch::zeros({3}, at::kLong);
  goe::test::saveTorchScript(file("shape.pt"), entries);
  auto imported =
      goe::torchref::importTorchScript(file("shape.pt"), required(), idle());
  ASSERT_FALSE(imported.ok());
  const std::string &message = imported.status().message();
  EXPECT_NE(message.find("'paths.level0.0.0.weight' has shape [4, 1, 5, 5], "
                         "the spec needs [4, 1, 3, 3]"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("'paths.level1.1.1.bias' has dtype Long"),
            std::string::npos)
      << message;
}

TEST_F(TorchScriptImport, IdleWeightsAreTakenWhenPresent) {
  std::map<std::string, goe::test::TorchScriptEntry> entries = pytorchEntries();
  for (const auto &[name, value] : reference->parameters())
    if (name.rfind("latent.", 0) == 0)
      entries[name] = {torch::full(value.sizes(), 0.5), false};
  goe::test::saveTorchScript(file("idle.pt"), entries);
  auto imported =
      goe::torchref::importTorchScript(file("idle.pt"), required(), idle());
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_TRUE(imported->zeroFilled.empty());
  const goe::artifact::Tensor &bias = imported->weights.at("latent.encoder.0.bias");
  ASSERT_EQ(bias.data().size(), 2 * sizeof(float));
  EXPECT_EQ(reinterpret_cast<const float *>(bias.data().data())[1], 0.5f);
}

TEST_F(TorchScriptImport, MissingFile) {
  auto imported = goe::torchref::importTorchScript(file("absent.pt"), required());
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), rt::StatusCode::NotFound);
  EXPECT_EQ(imported.status().message(),
            "cannot read TorchScript file '" + file("absent.pt") +
                "': no such file");
  auto directory = goe::torchref::importTorchScript(dir.string(), required());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.status().message().find("not a regular file"),
            std::string::npos);
}

TEST_F(TorchScriptImport, CorruptAndTruncatedFiles) {
  std::ofstream(file("garbage.pt")) << "this is not a zip archive";
  auto garbage = goe::torchref::importTorchScript(file("garbage.pt"), required());
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().code(), rt::StatusCode::DataLoss);
  EXPECT_NE(garbage.status().message().find(
                "cannot read TorchScript file '" + file("garbage.pt") +
                "': not a TorchScript archive"),
            std::string::npos)
      << garbage.status().message();
  EXPECT_EQ(garbage.status().message().find('\n'), std::string::npos)
      << "one line, no LibTorch backtrace";

  // A real archive cut in half.
  goe::test::saveTorchScript(file("whole.pt"), pytorchEntries());
  std::ifstream whole(file("whole.pt"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(whole)),
                    std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100u);
  std::ofstream(file("half.pt"), std::ios::binary)
      << bytes.substr(0, bytes.size() / 2);
  auto half = goe::torchref::importTorchScript(file("half.pt"), required());
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().code(), rt::StatusCode::DataLoss);
}

} // namespace
