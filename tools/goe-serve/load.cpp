//===- load.cpp - goe-serve-load: a bounded loopback load test ------------===//
//
//   goe-serve-load --port P --model NAME [--clients 16] [--requests 100]
//                  [--batch 1] [--seed 0] [--binary]
//
// Reads the model's metadata, builds random requests of `batch` samples
// (i64 inputs get values in [0, 2): the oracle groups of the test models),
// as JSON numbers or, with --binary, as the binary tensor extension's raw
// bytes (outputs asked for as binary too),
// sends `requests` per client from `clients` threads over loopback, and
// prints requests/s, samples/s and the p50/p99 latency. Bounded in count; a
// failed request stops it with the server's message.
//
//===----------------------------------------------------------------------===//

#include "../common/Flags.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

using json = nlohmann::json;

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string model, host = "127.0.0.1";
  long long port = 8000, clients = 16, requests = 100, batch = 1, seed = 0;
  bool binary = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--binary") {
      binary = true;
      continue;
    }
    std::string flag, value;
    auto status = goe::tools::readFlag(
        args, i, {"--host", "--port", "--model", "--clients", "--requests", "--batch", "--seed"},
        flag, value);
    if (!status.ok()) {
      std::cerr << "goe-serve-load: error: " << status.message() << "\n";
      return 1;
    }
    if (flag == "--model")
      model = value;
    else if (flag == "--host")
      host = value;
    else {
      long long n = std::atoll(value.c_str());
      if (n < 0 || (flag != "--seed" && flag != "--port" && n < 1)) {
        std::cerr << "goe-serve-load: error: " << flag << " wants a positive integer\n";
        return 1;
      }
      (flag == "--port" ? port : flag == "--clients" ? clients
                         : flag == "--requests" ? requests
                         : flag == "--batch"    ? batch
                                                : seed) = n;
    }
  }
  if (model.empty()) {
    std::cerr << "goe-serve-load: error: --model is required\n";
    return 1;
  }
  httplib::Client meta(host, (int)port);
  auto info = meta.Get("/v2/models/" + model);
  if (!info || info->status != 200) {
    std::cerr << "goe-serve-load: error: no metadata for model '" << model << "'\n";
    return 1;
  }
  json metadata = json::parse(info->body);
  std::mt19937_64 rng(seed);
  struct Body {
    std::string text;
    size_t jsonLength;
  };
  std::vector<Body> bodies;
  for (int variant = 0; variant < 16; ++variant) {
    json inputs = json::array();
    std::string bytes; // --binary: the inputs' raw data, in order
    for (const json &input : metadata["inputs"]) {
      std::vector<int64_t> shape = input["shape"];
      shape[0] = batch;
      int64_t count = 1;
      for (int64_t d : shape)
        count *= d;
      json data = json::array();
      bool isInt = input["datatype"] == "INT64";
      size_t start = bytes.size();
      for (int64_t e = 0; e < count; ++e) {
        int64_t i = int64_t(rng() % 2);
        float f = std::uniform_real_distribution<float>(0, 1)(rng);
        if (binary)
          bytes.append(isInt ? reinterpret_cast<const char *>(&i)
                             : reinterpret_cast<const char *>(&f),
                       isInt ? sizeof i : sizeof f);
        else
          data.push_back(isInt ? json(i) : json(f));
      }
      json entry{{"name", input["name"]}, {"datatype", input["datatype"]}, {"shape", shape}};
      if (binary)
        entry["parameters"] = {{"binary_data_size", bytes.size() - start}};
      else
        entry["data"] = std::move(data);
      inputs.push_back(std::move(entry));
    }
    json request{{"inputs", inputs}};
    if (binary)
      request["parameters"] = {{"binary_data_output", true}};
    std::string text = request.dump();
    bodies.push_back({text + bytes, text.size()});
  }

  std::vector<double> latencies;
  std::mutex mutex;
  std::atomic<bool> failed{false};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (long long c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      httplib::Client client(host, (int)port);
      client.set_read_timeout(60);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      std::vector<double> mine;
      for (long long r = 0; r < requests && !failed; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        const Body &body = bodies[(c + r) % bodies.size()];
        httplib::Headers headers;
        if (binary)
          headers.emplace("Inference-Header-Content-Length", std::to_string(body.jsonLength));
        auto res = client.Post("/v2/models/" + model + "/infer", headers, body.text,
                               binary ? "application/octet-stream" : "application/json");
        if (!res || res->status != 200) {
          if (!failed.exchange(true))
            std::cerr << "goe-serve-load: error: request failed: "
                      << (res ? res->body : httplib::to_string(res.error())) << "\n";
          return;
        }
        mine.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  for (std::thread &t : threads)
    t.join();
  if (failed)
    return 1;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies[size_t(p * (latencies.size() - 1))] * 1e3; };
  std::printf("model %s: %lld clients x %lld %srequests of batch %lld: %.0f requests/s, "
              "%.0f samples/s, latency p50 %.2f ms, p99 %.2f ms\n",
              model.c_str(), clients, requests, binary ? "binary " : "", batch,
              latencies.size() / seconds,
              latencies.size() * batch / seconds, pct(0.5), pct(0.99));
  return 0;
}
