//===- CApi.cpp - the C API of the goe runtime --------------------------===//
//
// Thin wrappers: every C handle owns the C++ object it stands for, and every
// entry point converts a Status into a heap status (NULL when OK). No C++
// exception may cross the C boundary, so each entry point catches.
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/goe_runtime.h"

#include "goe/Runtime/Model.h"
#include "goe/Runtime/Session.h"

#include <new>

using namespace goe::runtime;

struct goe_status_s {
  goe_status_code_t code;
  std::string message;
};
struct goe_model_s {
  std::shared_ptr<const Model> model;
};
struct goe_session_s {
  std::unique_ptr<Session> session;
};
struct goe_result_s {
  RunResult result;
};

namespace {

/// Returned when even a status cannot be allocated; never freed.
goe_status_s outOfMemoryStatus{GOE_STATUS_RESOURCE_EXHAUSTED,
                               "out of memory"};

goe_status_t toC(const Status &status) {
  if (status.ok())
    return nullptr;
  try {
    return new goe_status_s{static_cast<goe_status_code_t>(status.code()),
                            status.message()};
  } catch (const std::bad_alloc &) {
    return &outOfMemoryStatus;
  }
}

goe_status_t nullArgument(const char *what) {
  return toC(invalidArgument(std::string(what) + " is NULL"));
}

/// Runs `body`, turning an escaping exception into a status.
template <typename Body> goe_status_t guarded(Body body) {
  try {
    return toC(body());
  } catch (const std::bad_alloc &) {
    return toC(resourceExhausted("out of memory"));
  } catch (const std::exception &e) {
    return toC(internalError(e.what()));
  }
}

goe_status_t loadWith(StatusOr<std::shared_ptr<const Model>> loaded,
                      goe_model_t **out) {
  if (!loaded.ok())
    return toC(loaded.status());
  *out = new goe_model_t{std::move(loaded).value()};
  return nullptr;
}

goe_status_t describe(const std::string &name, const TensorSpec &spec,
                      const char **out_name, goe_dtype_t *out_dtype,
                      const int64_t **out_shape, size_t *out_rank) {
  if (out_name)
    *out_name = name.c_str();
  if (out_dtype)
    *out_dtype = static_cast<goe_dtype_t>(spec.dtype);
  if (out_shape)
    *out_shape = spec.shape.data();
  if (out_rank)
    *out_rank = spec.shape.size();
  return nullptr;
}


} // namespace

extern "C" {

goe_status_code_t goe_status_code(goe_status_t status) {
  return status ? status->code : GOE_STATUS_OK;
}
const char *goe_status_message(goe_status_t status) {
  return status ? status->message.c_str() : "";
}
void goe_status_free(goe_status_t status) {
  if (status != &outOfMemoryStatus)
    delete status;
}

goe_status_t goe_model_load(const char *path, const char *weights_path,
                            goe_model_t **out_model) {
  if (!path)
    return nullArgument("path");
  if (!out_model)
    return nullArgument("out_model");
  *out_model = nullptr;
  try {
    ModelOptions options;
    if (weights_path)
      options.weightsPath = weights_path;
    return loadWith(Model::load(path, options), out_model);
  } catch (const std::exception &e) {
    return toC(internalError(e.what()));
  }
}

goe_status_t goe_model_load_from_memory(const void *data, size_t size,
                                        goe_model_t **out_model) {
  if (!data && size)
    return nullArgument("data");
  if (!out_model)
    return nullArgument("out_model");
  *out_model = nullptr;
  try {
    return loadWith(Model::loadFromMemory(
                        std::string_view(static_cast<const char *>(data), size)),
                    out_model);
  } catch (const std::exception &e) {
    return toC(internalError(e.what()));
  }
}

void goe_model_free(goe_model_t *model) { delete model; }

size_t goe_model_input_count(const goe_model_t *model) {
  return model ? model->model->numInputs() : 0;
}
size_t goe_model_output_count(const goe_model_t *model) {
  return model ? model->model->numOutputs() : 0;
}

const char *goe_model_name(const goe_model_t *model) {
  return model ? model->model->name().c_str() : "";
}


goe_status_t goe_model_input(const goe_model_t *model, size_t index,
                             const char **out_name, goe_dtype_t *out_dtype,
                             const int64_t **out_shape, size_t *out_rank) {
  if (!model)
    return nullArgument("model");
  if (index >= model->model->numInputs())
    return toC(outOfRange("input " + std::to_string(index) + " of " +
                          std::to_string(model->model->numInputs())));
  return describe(model->model->inputName(index), model->model->inputSpec(index),
                  out_name, out_dtype, out_shape, out_rank);
}

goe_status_t goe_model_output(const goe_model_t *model, size_t index,
                              const char **out_name, goe_dtype_t *out_dtype,
                              const int64_t **out_shape, size_t *out_rank) {
  if (!model)
    return nullArgument("model");
  if (index >= model->model->numOutputs())
    return toC(outOfRange("output " + std::to_string(index) + " of " +
                          std::to_string(model->model->numOutputs())));
  return describe(model->model->outputName(index), model->model->outputSpec(index),
                  out_name, out_dtype, out_shape, out_rank);
}

goe_status_t goe_model_function_stats(const goe_model_t *model,
                                      const char *function, uint64_t *calls,
                                      uint64_t *samples) {
  if (!model || !function)
    return nullArgument(!model ? "model" : "function");
  return guarded([&]() -> Status {
    StatusOr<FunctionStats> stats = model->model->functionStats(function);
    if (!stats.ok())
      return stats.status();
    if (calls)
      *calls = stats->calls;
    if (samples)
      *samples = stats->samples;
    return okStatus();
  });
}

goe_status_t goe_session_create(goe_model_t *model,
                                const goe_session_options_t *options,
                                goe_session_t **out_session) {
  if (!model)
    return nullArgument("model");
  if (!out_session)
    return nullArgument("out_session");
  *out_session = nullptr;
  return guarded([&]() -> Status {
    SessionOptions sessionOptions;
    if (options) {
      sessionOptions.randomSeed = options->random_seed;
      if (options->threads > static_cast<uint32_t>(kMaxSessionThreads))
        return invalidArgument(
            "threads = " + std::to_string(options->threads) +
            ": a session runs on 1 to " + std::to_string(kMaxSessionThreads) +
            " threads (0 = every core)");
      sessionOptions.threads = static_cast<int>(options->threads);
    }
    StatusOr<std::unique_ptr<Session>> session =
        Session::create(model->model, sessionOptions);
    if (!session.ok())
      return session.status();
    *out_session = new goe_session_t{std::move(session).value()};
    return okStatus();
  });
}

void goe_session_free(goe_session_t *session) { delete session; }

size_t goe_session_threads(const goe_session_t *session) {
  return session ? static_cast<size_t>(session->session->threads()) : 0;
}

size_t goe_session_warning_count(const goe_session_t *session) {
  return session ? session->session->warnings().size() : 0;
}

const char *goe_session_warning(const goe_session_t *session, size_t index) {
  if (!session || index >= session->session->warnings().size())
    return nullptr;
  return session->session->warnings()[index].c_str();
}

goe_status_t goe_session_run(goe_session_t *session,
                             const goe_tensor_view_t *inputs,
                             size_t input_count, goe_result_t **out_result) {
  if (!session)
    return nullArgument("session");
  if (!out_result)
    return nullArgument("out_result");
  if (!inputs && input_count)
    return nullArgument("inputs");
  *out_result = nullptr;
  return guarded([&]() -> Status {
    std::vector<TensorView> views(input_count);
    for (size_t i = 0; i < input_count; ++i) {
      const goe_tensor_view_t &in = inputs[i];
      if (in.dtype != GOE_DTYPE_F32 && in.dtype != GOE_DTYPE_I64)
        return invalidArgument("input #" + std::to_string(i) +
                               " has unknown dtype " +
                               std::to_string(static_cast<int>(in.dtype)));
      if (!in.shape && in.rank)
        return invalidArgument("input #" + std::to_string(i) +
                               " has rank " + std::to_string(in.rank) +
                               " but no shape");
      views[i].dtype = static_cast<DType>(in.dtype);
      views[i].shape.assign(in.shape, in.shape + in.rank);
      views[i].data = in.data;
    }
    auto result = std::make_unique<goe_result_t>();
    GOE_RETURN_IF_ERROR(session->session->run(views, result->result));
    *out_result = result.release();
    return okStatus();
  });
}

size_t goe_result_output_count(const goe_result_t *result) {
  return result ? result->result.outputs.size() : 0;
}

goe_status_t goe_result_output(const goe_result_t *result, size_t index,
                               goe_tensor_view_t *out_view) {
  if (!result || !out_view)
    return nullArgument(!result ? "result" : "out_view");
  if (index >= result->result.outputs.size())
    return toC(outOfRange("output " + std::to_string(index) + " of " +
                          std::to_string(result->result.outputs.size())));
  const Tensor &t = result->result.outputs[index];
  out_view->dtype = static_cast<goe_dtype_t>(t.dtype());
  out_view->data = t.data();
  out_view->shape = t.shape().data();
  out_view->rank = t.shape().size();
  return nullptr;
}

size_t goe_result_route_count(const goe_result_t *result) {
  return result ? result->result.routes.size() : 0;
}

goe_status_t goe_result_route(const goe_result_t *result, size_t index,
                              int64_t *out_batch, int64_t *out_k,
                              const int64_t **out_choices,
                              const float **out_weights) {
  if (!result)
    return nullArgument("result");
  if (index >= result->result.routes.size())
    return toC(outOfRange("route " + std::to_string(index) + " of " +
                          std::to_string(result->result.routes.size())));
  const RouteDecision &r = result->result.routes[index];
  if (out_batch)
    *out_batch = r.batch;
  if (out_k)
    *out_k = r.k;
  if (out_choices)
    *out_choices = r.choices.data();
  if (out_weights)
    *out_weights = r.weights.data();
  return nullptr;
}

const char *goe_result_route_router(const goe_result_t *result, size_t index) {
  if (!result || index >= result->result.routes.size())
    return "";
  return result->result.routes[index].router.c_str();
}

size_t goe_result_dispatch_count(const goe_result_t *result) {
  return result ? result->result.dispatches.size() : 0;
}

goe_status_t goe_result_dispatch(const goe_result_t *result, size_t index,
                                 size_t *out_num_paths,
                                 const int64_t **out_samples_per_path) {
  if (!result)
    return nullArgument("result");
  if (index >= result->result.dispatches.size())
    return toC(outOfRange("dispatch " + std::to_string(index) + " of " +
                          std::to_string(result->result.dispatches.size())));
  const DispatchCounts &d = result->result.dispatches[index];
  if (out_num_paths)
    *out_num_paths = d.samplesPerPath.size();
  if (out_samples_per_path)
    *out_samples_per_path = d.samplesPerPath.data();
  return nullptr;
}

void goe_result_free(goe_result_t *result) { delete result; }

} // extern "C"
