//===- Metrics.h - what goe-serve counts, in Prometheus' text format -------===//
//
// Counters and histograms for /metrics: requests and errors by model and
// status, queue and run time, batch sizes, and per-path sample counts. All
// updates take one mutex: a few per request, far below the model's cost.
//
//===----------------------------------------------------------------------===//

#ifndef GOE_SERVE_METRICS_H
#define GOE_SERVE_METRICS_H

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace goe::serve {

class Histogram {
public:
  explicit Histogram(std::vector<double> bounds) : bounds(std::move(bounds)),
                                                   counts(this->bounds.size() + 1) {}
  void observe(double value);
  /// Prometheus lines for `name{labels,le=...}`, _sum and _count.
  std::string render(const std::string &name, const std::string &labels) const;

private:
  std::vector<double> bounds;
  std::vector<uint64_t> counts;
  double sum = 0;
  uint64_t count = 0;
};

class Metrics {
public:
  void request(const std::string &model, int status);
  void batch(const std::string &model, int64_t samples, double queueSeconds,
             double runSeconds);
  void pathSamples(const std::string &model, int dispatch, size_t path,
                   int64_t samples);
  std::string render() const;

private:
  struct PerModel {
    std::map<int, uint64_t> requests; // by HTTP status
    Histogram queue{{1e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.5, 1}};
    Histogram run{{1e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.5, 1}};
    Histogram batchSize{{1, 2, 4, 8, 16, 32, 64, 128, 256}};
    std::map<std::pair<int, size_t>, uint64_t> paths;
  };
  mutable std::mutex mutex;
  std::map<std::string, PerModel> models;
};

} // namespace goe::serve

#endif // GOE_SERVE_METRICS_H
