//===- Server.h - goe-serve's HTTP front ----------------------------------===//
//
// Every `<name>.goe` of a directory is loaded at start and served under
// <name> through the Open Inference Protocol (KServe v2) over HTTP/JSON
// (cpp-httplib): /v2, /v2/health/{live,ready}, /v2/models/{name},
// /v2/models/{name}/ready, POST /v2/models/{name}/infer, plus Prometheus'
// /metrics. Status codes: 400 for a bad request (the message names the
// input), 404 for an unknown model or path, 413 for a body over the limit,
// 503 while shutting down or with a full queue, 500 for a model failure.
// stop() is graceful: readiness turns false, the listener closes after the
// requests in flight are answered, then each model drains its queue.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_SERVE_SERVER_H
#define GOE_SERVE_SERVER_H

#include "ServedModel.h"

#include <atomic>
#include <map>
#include <mutex>

namespace httplib {
class Server;
}

namespace goe::serve {

struct ServerOptions {
  std::string modelDir;
  BatchingOptions batching;
  size_t maxBodyBytes = size_t(64) << 20;
  /// HTTP worker threads: each waits while its request is batched, so
  /// this bounds the requests in flight.
  size_t httpThreads = 64;
};

class Server {
public:
  static runtime::StatusOr<std::unique_ptr<Server>> create(const ServerOptions &options);
  ~Server();

  /// Binds `host`:`port` (0: any free port) and returns the port, or -1.
  int bind(const std::string &host, int port);
  /// Serves until stop(); returns false if the listener failed.
  bool serve();
  /// Graceful stop; safe to call from another thread, more than once.
  void stop();

  const std::map<std::string, std::unique_ptr<ServedModel>> &models() const {
    return models_;
  }

private:
  Server() = default;
  void routes();

  ServerOptions options_;
  Metrics metrics_;
  std::map<std::string, std::unique_ptr<ServedModel>> models_;
  std::unique_ptr<httplib::Server> http_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> stopped_{false};
  std::mutex stopping_; // a second stop() waits until the first has drained
};

} // namespace goe::serve

#endif // GOE_SERVE_SERVER_H
