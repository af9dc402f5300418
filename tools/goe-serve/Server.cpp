//===- Server.cpp - goe-serve's HTTP front --------------------------------===//

#include "Server.h"

#include "InferJson.h"

#include <httplib.h>

#include <filesystem>

namespace goe::serve {
namespace {

constexpr const char *kJson = "application/json";

int httpStatus(const runtime::Status &status) {
  switch (status.code()) {
  case runtime::StatusCode::InvalidArgument:
  case runtime::StatusCode::OutOfRange:
    return 400;
  case runtime::StatusCode::NotFound:
    return 404;
  case runtime::StatusCode::FailedPrecondition:
    return 503;
  default:
    return 500;
  }
}

/// How many bytes of the body are JSON: all of it, or what the binary
/// extension's Inference-Header-Content-Length says.
runtime::StatusOr<size_t> jsonLength(const httplib::Request &req) {
  if (!req.has_header(kInferenceHeaderLength))
    return req.body.size();
  std::string value = req.get_header_value(kInferenceHeaderLength);
  size_t length = 0;
  bool digits = !value.empty() && value.size() <= 18 &&
                value.find_first_not_of("0123456789") == std::string::npos;
  if (digits)
    length = std::stoull(value);
  if (!digits || length > req.body.size())
    return runtime::invalidArgument(
        std::string(kInferenceHeaderLength) + " must be the JSON header's length in bytes, "
        "at most the body's " + std::to_string(req.body.size()) + ", got '" + value + "'");
  return length;
}

} // namespace

runtime::StatusOr<std::unique_ptr<Server>> Server::create(const ServerOptions &options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(options.modelDir, ec))
    return runtime::notFound("model directory '" + options.modelDir +
                             "' does not exist or is not a directory");
  std::unique_ptr<Server> server(new Server());
  server->options_ = options;
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(options.modelDir, ec))
    if (entry.path().extension() == ".goe")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty())
    return runtime::notFound("model directory '" + options.modelDir +
                             "' holds no .goe model");
  for (const fs::path &file : files) {
    std::string name = file.stem().string();
    auto model = ServedModel::load(name, file.string(), options.batching, server->metrics_);
    if (!model.ok())
      return model.status().withContext("model '" + name + "'");
    server->models_[name] = std::move(model).value();
  }
  server->http_ = std::make_unique<httplib::Server>();
  server->http_->set_payload_max_length(options.maxBodyBytes);
  size_t threads = std::max<size_t>(1, options.httpThreads);
  server->http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Clients that keep their connection (every benchmark and SDK does) should
  // not be cut off every 5 requests, httplib's default.
  server->http_->set_keep_alive_max_count(100000);
  // Small JSON responses must not wait for delayed ACKs (Nagle).
  server->http_->set_tcp_nodelay(true);
  server->routes();
  return server;
}

Server::~Server() { stop(); }

int Server::bind(const std::string &host, int port) {
  if (port == 0)
    return http_->bind_to_any_port(host);
  return http_->bind_to_port(host, port) ? port : -1;
}

bool Server::serve() {
  ready_ = true;
  bool ok = http_->listen_after_bind();
  ready_ = false;
  return ok || stopped_;
}

void Server::stop() {
  // goe-serve's signal thread and its main thread (once serve() returns)
  // both stop the server; the second must not return, and let the server be
  // destroyed, while the first is still draining the models.
  std::lock_guard<std::mutex> lock(stopping_);
  if (stopped_.exchange(true))
    return;
  ready_ = false;
  if (http_)
    http_->stop(); // answers the requests in flight, then returns from serve()
  for (auto &[name, model] : models_)
    model->drain();
}

void Server::routes() {
  httplib::Server &http = *http_;
  auto json = [](httplib::Response &res, int status, const std::string &body) {
    res.status = status;
    res.set_content(body, kJson);
  };
  http.Get("/v2/health/live", [](const httplib::Request &, httplib::Response &res) {
    res.status = 200;
  });
  http.Get("/v2/health/ready", [this](const httplib::Request &, httplib::Response &res) {
    res.status = ready_ ? 200 : 503;
  });
  http.Get("/v2", [json](const httplib::Request &, httplib::Response &res) {
    json(res, 200, R"({"name":"goe-serve","version":"1","extensions":["binary_tensor_data","goe_routes"]})");
  });
  http.Get(R"(/v2/models/([^/]+))", [this, json](const httplib::Request &req,
                                                 httplib::Response &res) {
    auto it = models_.find(req.matches[1]);
    if (it == models_.end())
      return json(res, 404, renderError("unknown model '" + std::string(req.matches[1]) + "'"));
    json(res, 200, renderModelMetadata(it->first, it->second->model()));
  });
  http.Get(R"(/v2/models/([^/]+)/ready)", [this](const httplib::Request &req,
                                                 httplib::Response &res) {
    res.status = models_.count(req.matches[1]) ? (ready_ ? 200 : 503) : 404;
  });
  http.Post(R"(/v2/models/([^/]+)/infer)", [this, json](const httplib::Request &req,
                                                       httplib::Response &res) {
    std::string name = req.matches[1];
    auto it = models_.find(name);
    if (it == models_.end()) {
      metrics_.request(name, 404);
      return json(res, 404, renderError("unknown model '" + name + "'"));
    }
    ServedModel &model = *it->second;
    auto length = jsonLength(req);
    auto request = length.ok() ? parseInferRequest(req.body, *length, model.model())
                               : runtime::StatusOr<ParsedRequest>(length.status());
    if (!request.ok()) {
      metrics_.request(name, 400);
      return json(res, 400, renderError(request.status().message()));
    }
    InferResult result = model.submit(std::move(request->inputs)).get();
    if (!result.status.ok()) {
      int status = httpStatus(result.status);
      metrics_.request(name, status);
      return json(res, status, renderError(result.status.message()));
    }
    metrics_.request(name, 200);
    InferResponse response = renderInferResponse(name, *request, model.model(), result);
    if (!response.binary)
      return json(res, 200, response.body);
    res.status = 200;
    res.set_header(kInferenceHeaderLength, std::to_string(response.jsonLength));
    res.set_content(response.body, "application/octet-stream");
  });
  http.Get("/metrics", [this](const httplib::Request &, httplib::Response &res) {
    res.set_content(metrics_.render(), "text/plain; version=0.0.4");
  });
  // 413 for bodies over the limit, a JSON 404 elsewhere.
  http.set_error_handler([this, json](const httplib::Request &, httplib::Response &res) {
    if (!res.body.empty())
      return; // a handler's own error, already worded
    if (res.status == 413)
      return json(res, 413, renderError("the request body is over the " +
                                        std::to_string(options_.maxBodyBytes) +
                                        "-byte limit"));
    if (res.status == 404)
      return json(res, 404, renderError("no such endpoint"));
  });
}

} // namespace goe::serve
