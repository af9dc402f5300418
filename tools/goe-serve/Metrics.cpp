//===- Metrics.cpp - Prometheus text for goe-serve ------------------------===//

#include "Metrics.h"

#include <sstream>

namespace goe::serve {

void Histogram::observe(double value) {
  size_t i = 0;
  while (i < bounds.size() && value > bounds[i])
    ++i;
  ++counts[i];
  sum += value;
  ++count;
}

std::string Histogram::render(const std::string &name,
                              const std::string &labels) const {
  std::ostringstream out;
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += counts[i];
    out << name << "_bucket{" << labels << ",le=\"";
    if (i < bounds.size())
      out << bounds[i];
    else
      out << "+Inf";
    out << "\"} " << cumulative << "\n";
  }
  out << name << "_sum{" << labels << "} " << sum << "\n";
  out << name << "_count{" << labels << "} " << count << "\n";
  return out.str();
}

void Metrics::request(const std::string &model, int status) {
  std::lock_guard<std::mutex> lock(mutex);
  ++models[model].requests[status];
}

void Metrics::batch(const std::string &model, int64_t samples,
                    double queueSeconds, double runSeconds) {
  std::lock_guard<std::mutex> lock(mutex);
  PerModel &m = models[model];
  m.batchSize.observe(double(samples));
  m.queue.observe(queueSeconds);
  m.run.observe(runSeconds);
}

void Metrics::pathSamples(const std::string &model, int dispatch, size_t path,
                          int64_t samples) {
  std::lock_guard<std::mutex> lock(mutex);
  models[model].paths[{dispatch, path}] += uint64_t(samples);
}

std::string Metrics::render() const {
  std::lock_guard<std::mutex> lock(mutex);
  std::ostringstream out;
  out << "# HELP goe_requests_total Inference requests by model and HTTP status.\n"
         "# TYPE goe_requests_total counter\n";
  for (const auto &[model, m] : models)
    for (const auto &[status, n] : m.requests)
      out << "goe_requests_total{model=\"" << model << "\",code=\"" << status
          << "\"} " << n << "\n";
  out << "# HELP goe_request_errors_total Requests answered with a 4xx or 5xx.\n"
         "# TYPE goe_request_errors_total counter\n";
  for (const auto &[model, m] : models) {
    uint64_t errors = 0;
    for (const auto &[status, n] : m.requests)
      errors += status >= 400 ? n : 0;
    out << "goe_request_errors_total{model=\"" << model << "\"} " << errors << "\n";
  }
  // The three histograms, each with its help line.
  struct Family {
    const char *name, *help;
    Histogram PerModel::*histogram;
  } histograms[] = {
      {"goe_queue_seconds", "Time a batch's first request waited.", &PerModel::queue},
      {"goe_run_seconds", "Time the model ran a batch.", &PerModel::run},
      {"goe_batch_size", "Samples per run (requests batched together).",
       &PerModel::batchSize}};
  for (const Family &family : histograms) {
    out << "# HELP " << family.name << " " << family.help << "\n# TYPE "
        << family.name << " histogram\n";
    for (const auto &[model, m] : models)
      out << (m.*family.histogram).render(family.name, "model=\"" + model + "\"");
  }
  out << "# HELP goe_path_samples_total Samples each routed path ran.\n"
         "# TYPE goe_path_samples_total counter\n";
  for (const auto &[model, m] : models)
    for (const auto &[key, n] : m.paths)
      out << "goe_path_samples_total{model=\"" << model << "\",dispatch=\""
          << key.first << "\",path=\"" << key.second << "\"} " << n << "\n";
  return out.str();
}

} // namespace goe::serve
