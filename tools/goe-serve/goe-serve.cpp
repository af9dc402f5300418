//===- goe-serve.cpp - serve compiled models over KServe v2 ---------------===//
//
//   goe-serve MODEL_DIR [--host 127.0.0.1] [--port 8000] [--max-batch 32]
//             [--max-delay-us 2000] [--max-body-mb 64] [--http-threads 64]
//
// Argument parsing and signal handling over Server.h. SIGINT and SIGTERM
// stop it gracefully: readiness goes false, requests in flight and queued
// are answered, then it exits 0.
//
//===----------------------------------------------------------------------===//

#include "Server.h"

#include "../common/Flags.h"

#include <csignal>
#include <iostream>
#include <thread>

namespace {

constexpr const char *kUsage =
    "usage: goe-serve MODEL_DIR [options]\n"
    "  serves every MODEL_DIR/<name>.goe as model <name> (KServe v2 over HTTP)\n"
    "  --host H            address to listen on (default 127.0.0.1)\n"
    "  --port P            port (default 8000; 0: any free port)\n"
    "  --max-batch N       samples batched into one run (default 32; 1: no batching)\n"
    "  --max-delay-us U    wait for more requests after the first (default 2000)\n"
    "  --max-body-mb M     largest request body (default 64)\n"
    "  --http-threads T    requests in flight (default 64)\n";

int fail(const std::string &message) {
  std::cerr << "goe-serve: error: " << message << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  goe::serve::ServerOptions options;
  std::string host = "127.0.0.1";
  long long port = 8000;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (args[i].rfind("--", 0) != 0) {
      if (!options.modelDir.empty())
        return fail("one model directory, got '" + options.modelDir + "' and '" +
                    args[i] + "'");
      options.modelDir = args[i];
      continue;
    }
    std::string flag, value;
    auto status = goe::tools::readFlag(
        args, i,
        {"--host", "--port", "--max-batch", "--max-delay-us", "--max-body-mb",
         "--http-threads"},
        flag, value);
    if (!status.ok())
      return fail(status.message());
    if (flag == "--host") {
      host = value;
      continue;
    }
    char *end = nullptr;
    long long number = std::strtoll(value.c_str(), &end, 10);
    if (*end != '\0' || number < 0 || number > (1LL << 31))
      return fail(flag + " wants a non-negative integer, got '" + value + "'");
    if (flag == "--port")
      port = number;
    else if (flag == "--max-batch")
      options.batching.maxBatch = number;
    else if (flag == "--max-delay-us")
      options.batching.maxDelay = std::chrono::microseconds(number);
    else if (flag == "--max-body-mb")
      options.maxBodyBytes = size_t(number) << 20;
    else
      options.httpThreads = size_t(number);
  }
  if (options.modelDir.empty())
    return fail(std::string("give the model directory\n") + kUsage);
  if (port > 65535)
    return fail("--port must be at most 65535");

  // Signals go to one thread that stops the server, not to whichever
  // thread they happen to hit.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = goe::serve::Server::create(options);
  if (!server.ok())
    return fail(server.status().message());
  int bound = (*server)->bind(host, (int)port);
  if (bound < 0)
    return fail("cannot listen on " + host + ":" + std::to_string(port));
  std::thread waiter([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::cerr << "goe-serve: signal " << signal << ", finishing requests\n";
    (*server)->stop();
  });
  waiter.detach();
  std::cout << "goe-serve: " << (*server)->models().size() << " model(s) on http://"
            << host << ":" << bound << " (max batch " << options.batching.maxBatch
            << ", max delay " << options.batching.maxDelay.count() << " us)"
            << std::endl;
  bool ok = (*server)->serve();
  (*server)->stop();
  std::cout << "goe-serve: stopped" << std::endl;
  return ok ? 0 : 1;
}
