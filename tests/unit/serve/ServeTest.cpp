//===- ServeTest.cpp - goe-serve in-process over loopback -----------------===//
//
// A real server on a free loopback port, driven by an HTTP client: the v2
// endpoints, every bad-request case, batching across concurrent requests,
// a bad request failing alone inside a batch, and a graceful stop.
//
//===----------------------------------------------------------------------===//

#include "Server.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <future>

using json = nlohmann::json;
namespace fs = std::filesystem;
using namespace goe::serve;

namespace {

/// Compiles the tools' tiny model (oracle over two linear experts) once.
std::string modelDir() {
  static std::string dir = [] {
    fs::path d = fs::temp_directory_path() / ("goe-serve-test-" + std::to_string(getpid()));
    fs::create_directories(d);
    std::string cmd = std::string(GOE_COMPILE) + " " + GOE_TOOLS_INPUTS +
                      "/tiny.yaml --seed 1 -o " + (d / "tiny.goe").string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return d.string();
  }();
  return dir;
}

class ServeTest : public ::testing::Test {
protected:
  void start(ServerOptions options = {}) {
    options.modelDir = modelDir();
    auto created = Server::create(options);
    ASSERT_TRUE(created.ok()) << created.status().message();
    server = std::move(created).value();
    port = server->bind("127.0.0.1", 0);
    ASSERT_GT(port, 0);
    serving = std::async(std::launch::async, [this] { return server->serve(); });
    httplib::Client probe("127.0.0.1", port);
    for (int i = 0; i < 200; ++i) {
      auto res = probe.Get("/v2/health/ready");
      if (res && res->status == 200)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the server did not become ready";
  }
  void TearDown() override {
    if (server) {
      server->stop();
      EXPECT_TRUE(serving.get());
    }
  }

  static std::string body(const std::vector<float> &image, const std::vector<int64_t> &groups,
                          int64_t batch) {
    return json{{"id", "r"},
                {"inputs",
                 {{{"name", "image"}, {"datatype", "FP32"}, {"shape", {batch, 1, 4, 4}},
                   {"data", image}},
                  {{"name", "group"}, {"datatype", "INT64"}, {"shape", {batch}},
                   {"data", groups}}}}}
        .dump();
  }
  httplib::Result infer(const std::string &text) {
    httplib::Client client("127.0.0.1", port);
    return client.Post("/v2/models/tiny/infer", text, "application/json");
  }
  /// A binary-extension request: `header` then `binary`, with the header's
  /// length (or `length` when given) in Inference-Header-Content-Length.
  httplib::Result inferBinary(const json &header, const std::string &binary,
                              const std::string &length = "") {
    std::string text = header.dump();
    httplib::Headers headers{{"Inference-Header-Content-Length",
                              length.empty() ? std::to_string(text.size()) : length}};
    httplib::Client client("127.0.0.1", port);
    return client.Post("/v2/models/tiny/infer", headers, text + binary,
                       "application/octet-stream");
  }
  template <typename T> static std::string bytes(const std::vector<T> &values) {
    return std::string(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(T));
  }

  std::unique_ptr<Server> server;
  std::future<bool> serving;
  int port = 0;
};

TEST_F(ServeTest, EndpointsAndOneInference) {
  start();
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(client.Get("/v2/health/live")->status, 200);
  EXPECT_EQ(client.Get("/v2/models/tiny/ready")->status, 200);
  EXPECT_EQ(client.Get("/v2/models/other/ready")->status, 404);
  json meta = json::parse(client.Get("/v2/models/tiny")->body);
  EXPECT_EQ(meta["inputs"][0]["shape"], json({-1, 1, 4, 4}));
  EXPECT_EQ(meta["outputs"][0]["name"], "logits");

  auto res = infer(body(std::vector<float>(32, 0.5f), {1, 0}, 2));
  ASSERT_EQ(res->status, 200) << res->body;
  json out = json::parse(res->body);
  EXPECT_EQ(out["id"], "r");
  EXPECT_EQ(out["outputs"][0]["shape"], json({2, 3}));
  EXPECT_EQ(out["goe"]["routes"][0]["router"], "oracle");
  EXPECT_EQ(out["goe"]["routes"][0]["choices"], json({{1}, {0}}));
  // Same image, different experts: different logits.
  auto data = out["outputs"][0]["data"];
  EXPECT_NE(data[0], data[3]);
  std::string metrics = client.Get("/metrics")->body;
  EXPECT_NE(metrics.find("goe_requests_total{model=\"tiny\",code=\"200\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("goe_path_samples_total{model=\"tiny\""), std::string::npos);
}

TEST_F(ServeTest, BadRequestsGetClearMessages) {
  ServerOptions options;
  options.maxBodyBytes = 4096;
  start(options);
  std::vector<float> image(16, 0.f);
  struct Case {
    std::string text;
    int status;
    const char *message;
  } cases[] = {
      {"{not json", 400, "not valid JSON"},
      {R"({"inputs": 3})", 400, "needs an 'inputs' array"},
      {body(image, {0}, 1).replace(body(image, {0}, 1).find("FP32"), 4, "FP16"), 400,
       "must have datatype FP32"},
      {body(std::vector<float>(20, 0.f), {0}, 1).replace(
           body(std::vector<float>(20, 0.f), {0}, 1).find("[1,1,4,4]"), 9, "[1,1,4,5]"),
       400, "has shape [1, 1, 4, 5]; the model wants [batch >= 1] + [1, 4, 4]"},
      {body(std::vector<float>(15, 0.f), {0}, 1), 400, "has 15 values for shape [1, 1, 4, 4]"},
      {body(image, {0, 1}, 1).replace(body(image, {0, 1}, 1).find("[1]"), 3, "[2]"), 400,
       "has batch 2, another input 1"},
      {json{{"inputs", {{{"name", "image"}, {"datatype", "FP32"}, {"shape", {1, 1, 4, 4}},
                         {"data", image}}}}}.dump(),
       400, "input 'group' is missing"},
      {json{{"inputs", {{{"name", "pixels"}}}}}.dump(), 400, "no input 'pixels'"},
      {body(image, {7}, 1), 400, "outside"},
      {std::string(5000, ' '), 413, "over the 4096-byte limit"},
  };
  for (const Case &c : cases) {
    auto res = infer(c.text);
    ASSERT_TRUE(res) << c.text;
    EXPECT_EQ(res->status, c.status) << c.text << " -> " << res->body;
    EXPECT_NE(res->body.find(c.message), std::string::npos) << res->body;
  }
  httplib::Client client("127.0.0.1", port);
  auto unknown = client.Post("/v2/models/resnet/infer", "{}", "application/json");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(unknown->body.find("unknown model 'resnet'"), std::string::npos);
}

// The binary tensor extension: the same inputs as JSON numbers and as raw
// bytes give the same logits, as JSON numbers and as raw bytes.
TEST_F(ServeTest, BinaryTensorsInAndOut) {
  start();
  std::vector<float> image(32);
  for (size_t i = 0; i < image.size(); ++i)
    image[i] = 0.1f * float(i) - 1.f;
  std::vector<int64_t> groups{1, 0};
  auto plain = infer(body(image, groups, 2));
  ASSERT_EQ(plain->status, 200) << plain->body;
  std::vector<float> expected = json::parse(plain->body)["outputs"][0]["data"];
  ASSERT_EQ(expected.size(), 6u);

  json header{{"id", "b"},
              {"inputs",
               {{{"name", "image"}, {"datatype", "FP32"}, {"shape", {2, 1, 4, 4}},
                 {"parameters", {{"binary_data_size", 128}}}},
                {{"name", "group"}, {"datatype", "INT64"}, {"shape", {2}},
                 {"parameters", {{"binary_data_size", 16}}}}}},
              {"parameters", {{"binary_data_output", true}}}};
  auto res = inferBinary(header, bytes(image) + bytes(groups));
  ASSERT_EQ(res->status, 200) << res->body;
  ASSERT_TRUE(res->has_header("Inference-Header-Content-Length"));
  size_t length = std::stoul(res->get_header_value("Inference-Header-Content-Length"));
  ASSERT_LE(length, res->body.size());
  json out = json::parse(res->body.substr(0, length));
  EXPECT_EQ(out["id"], "b");
  EXPECT_EQ(out["outputs"][0]["parameters"]["binary_data_size"], 24);
  EXPECT_FALSE(out["outputs"][0].contains("data"));
  EXPECT_EQ(out["goe"]["routes"][0]["choices"], json({{1}, {0}}));
  ASSERT_EQ(res->body.size() - length, 24u);
  std::vector<float> logits(6);
  std::memcpy(logits.data(), res->body.data() + length, 24);
  EXPECT_EQ(logits, expected);

  // Binary in, JSON out: the output's own binary_data overrides the
  // request's binary_data_output; a JSON input beside a binary one.
  header["inputs"][1] = {{"name", "group"}, {"datatype", "INT64"}, {"shape", {2}},
                         {"data", groups}};
  header["outputs"] = {{{"name", "logits"}, {"parameters", {{"binary_data", false}}}}};
  res = inferBinary(header, bytes(image));
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_FALSE(res->has_header("Inference-Header-Content-Length"));
  EXPECT_EQ(json::parse(res->body)["outputs"][0]["data"].get<std::vector<float>>(), expected);
}

TEST_F(ServeTest, BinaryRequestsWithInconsistentSizesAreRefused) {
  start();
  std::string image = bytes(std::vector<float>(16, 0.5f));
  std::string group = bytes(std::vector<int64_t>{1});
  auto header = [](json imageSize, json groupSize = 8) {
    return json{{"inputs",
                 {{{"name", "image"}, {"datatype", "FP32"}, {"shape", {1, 1, 4, 4}},
                   {"parameters", {{"binary_data_size", imageSize}}}},
                  {{"name", "group"}, {"datatype", "INT64"}, {"shape", {1}},
                   {"parameters", {{"binary_data_size", groupSize}}}}}}};
  };
  json both = header(64);
  both["inputs"][0]["data"] = std::vector<float>(16, 0.f);
  json badOutput = header(64);
  badOutput["outputs"] = {{{"name", "logits"}, {"parameters", {{"binary_data", "yes"}}}}};
  struct Case {
    json header;
    std::string binary, length;
    const char *message;
  } cases[] = {
      {header(60), image + group, "",
       "input 'image': binary_data_size is 60 bytes, but shape [1, 1, 4, 4] of FP32 is 64 bytes"},
      {header(64), image, "", "input 'group': binary_data_size 8 runs past the end of the body "
                              "(0 of its 64 binary bytes left)"},
      {header(64), image + group + "x", "",
       "73 bytes of binary data after its JSON header, but its inputs' binary_data_size add up to 72"},
      {header(-1), image + group, "", "input 'image': binary_data_size must be a non-negative integer"},
      {header(64), image + group, "abc", "Inference-Header-Content-Length must be the JSON header's length"},
      {header(64), image + group, "100000", "at most the body's"},
      {header(64), image + group, "10", "JSON header (the first 10 bytes) is not valid JSON"},
      {both, image + group, "", "input 'image' has both 'data' and binary_data_size"},
      {badOutput, image + group, "", "output 'logits': binary_data must be true or false"},
  };
  for (const Case &c : cases) {
    auto res = inferBinary(c.header, c.binary, c.length);
    ASSERT_TRUE(res) << c.header.dump();
    EXPECT_EQ(res->status, 400) << c.header.dump() << " -> " << res->body;
    EXPECT_NE(res->body.find(c.message), std::string::npos) << res->body;
  }
}

TEST_F(ServeTest, ConcurrentRequestsAreBatchedAndABadOneFailsAlone) {
  ServerOptions options;
  options.batching.maxBatch = 64;
  options.batching.maxDelay = std::chrono::milliseconds(100);
  start(options);
  std::vector<std::future<httplib::Result>> futures;
  for (int i = 0; i < 12; ++i)
    futures.push_back(std::async(std::launch::async, [this, i] {
      // Request 5 carries an oracle label outside [0, 2).
      return infer(body(std::vector<float>(16, 0.1f * i), {i == 5 ? 9 : i % 2}, 1));
    }));
  for (int i = 0; i < 12; ++i) {
    auto res = futures[i].get();
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, i == 5 ? 400 : 200) << i << ": " << res->body;
  }
  httplib::Client client("127.0.0.1", port);
  std::string metrics = client.Get("/metrics")->body;
  // Fewer runs than requests: requests were batched together.
  size_t at = metrics.find("goe_batch_size_count{model=\"tiny\"} ");
  ASSERT_NE(at, std::string::npos) << metrics;
  int runs = std::stoi(metrics.substr(at + 35));
  EXPECT_LT(runs, 12) << metrics;
}

TEST_F(ServeTest, StopAnswersWhatIsInFlight) {
  ServerOptions options;
  options.batching.maxDelay = std::chrono::milliseconds(300);
  start(options);
  auto pending = std::async(std::launch::async, [this] {
    return infer(body(std::vector<float>(16, 0.f), {0}, 1));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  server->stop();
  auto res = pending.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
}

TEST(ServeCreate, MissingOrEmptyDirectory) {
  ServerOptions options;
  options.modelDir = "/nonexistent/models";
  EXPECT_NE(Server::create(options).status().message().find("does not exist"),
            std::string::npos);
  fs::path empty = fs::temp_directory_path() / ("goe-serve-empty-" + std::to_string(getpid()));
  fs::create_directories(empty);
  options.modelDir = empty.string();
  EXPECT_NE(Server::create(options).status().message().find("holds no .goe model"),
            std::string::npos);
  fs::remove_all(empty);
}

} // namespace
