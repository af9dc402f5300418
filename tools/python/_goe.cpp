//===- _goe.cpp - the goe runtime as a Python extension -------------------===//
//
// pybind11 over the runtime's C API (goe_runtime.h), its only door into the
// runtime. The friendly layer (dicts, dtype checks, docstrings) is
// goe/__init__.py; this file only moves buffers and statuses:
//   - inputs go in zero-copy: the caller passes C-contiguous NumPy arrays
//     of the model's dtypes and the runtime reads their memory;
//   - the GIL is released while the model runs, so Python threads run
//     batches concurrently;
//   - a failed call raises goe._goe.Error(code, message).
//
//===----------------------------------------------------------------------===//

#include "goe/Runtime/goe_runtime.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace py = pybind11;

namespace {

/// Raised for every failed C call; goe/__init__.py maps it to its classes.
struct GoeError : std::runtime_error {
  GoeError(int code, const std::string &message)
      : std::runtime_error(message), code(code) {}
  int code;
};

void check(goe_status_t status) {
  if (!status)
    return;
  int code = goe_status_code(status);
  std::string message = goe_status_message(status);
  goe_status_free(status);
  throw GoeError(code, message);
}

py::dtype numpyType(goe_dtype_t dtype) {
  return dtype == GOE_DTYPE_I64 ? py::dtype::of<int64_t>() : py::dtype::of<float>();
}

py::dict describe(const char *name, goe_dtype_t dtype, const int64_t *shape,
                  size_t rank) {
  py::dict info;
  info["name"] = name;
  info["dtype"] = dtype == GOE_DTYPE_I64 ? "int64" : "float32";
  info["shape"] = py::tuple(py::cast(std::vector<int64_t>(shape, shape + rank)));
  return info;
}

class Model {
public:
  Model(const std::string &path, const std::string &weights, uint32_t threads) {
    goe_model_t *model = nullptr;
    check(goe_model_load(path.c_str(), weights.empty() ? nullptr : weights.c_str(),
                         &model));
    start(model, threads);
  }

  /// From the bytes of a whole artifact (goe.compile's result).
  Model(const py::bytes &artifact, uint32_t threads) {
    std::string_view data = artifact;
    goe_model_t *model = nullptr;
    check(goe_model_load_from_memory(data.data(), data.size(), &model));
    start(model, threads);
  }

  size_t threads() const { return goe_session_threads(session_.get()); }

  std::vector<std::string> warnings() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < goe_session_warning_count(session_.get()); ++i)
      out.push_back(goe_session_warning(session_.get(), i));
    return out;
  }

  std::string name() const { return goe_model_name(model_.get()); }

  py::list inputs() const { return signature(true); }
  py::list outputs() const { return signature(false); }

  /// Runs one batch: `arrays` in the model's input order, each C-contiguous
  /// and of the model's dtype (goe/__init__.py sees to that).
  py::dict run(const std::vector<py::array> &arrays) const {
    std::vector<goe_tensor_view_t> views;
    std::vector<std::vector<int64_t>> shapes(arrays.size());
    for (size_t i = 0; i < arrays.size(); ++i) {
      const py::array &a = arrays[i];
      if (!(a.flags() & py::array::c_style))
        throw std::invalid_argument("input " + std::to_string(i) +
                                    " is not C-contiguous");
      shapes[i].assign(a.shape(), a.shape() + a.ndim());
      goe_dtype_t dtype = a.dtype().is(py::dtype::of<int64_t>()) ? GOE_DTYPE_I64
                                                                 : GOE_DTYPE_F32;
      views.push_back({dtype, a.data(), shapes[i].data(), shapes[i].size()});
    }
    goe_result_t *raw = nullptr;
    goe_status_t status;
    {
      py::gil_scoped_release release;
      status = goe_session_run(session_.get(), views.data(), views.size(), &raw);
    }
    check(status);
    std::unique_ptr<goe_result_t, decltype(&goe_result_free)> result(raw, goe_result_free);
    return collect(result.get());
  }

private:
  void start(goe_model_t *model, uint32_t threads) {
    model_.reset(model);
    goe_session_t *session = nullptr;
    goe_session_options_t options{};
    options.threads = threads;
    check(goe_session_create(model, &options, &session));
    session_.reset(session);
  }

  py::list signature(bool isInput) const {
    py::list out;
    size_t count = isInput ? goe_model_input_count(model_.get())
                           : goe_model_output_count(model_.get());
    for (size_t i = 0; i < count; ++i) {
      const char *name;
      goe_dtype_t dtype;
      const int64_t *shape;
      size_t rank;
      check(isInput ? goe_model_input(model_.get(), i, &name, &dtype, &shape, &rank)
                    : goe_model_output(model_.get(), i, &name, &dtype, &shape, &rank));
      out.append(describe(name, dtype, shape, rank));
    }
    return out;
  }

  static py::dict collect(const goe_result_t *result) {
    py::list outputs, routes, dispatches;
    for (size_t i = 0; i < goe_result_output_count(result); ++i) {
      goe_tensor_view_t view;
      check(goe_result_output(result, i, &view));
      std::vector<ssize_t> shape(view.shape, view.shape + view.rank);
      py::array copy(numpyType(view.dtype), shape);
      std::memcpy(copy.mutable_data(), view.data, copy.nbytes());
      outputs.append(copy);
    }
    for (size_t i = 0; i < goe_result_route_count(result); ++i) {
      int64_t batch, k;
      const int64_t *choices;
      const float *weights;
      check(goe_result_route(result, i, &batch, &k, &choices, &weights));
      py::array_t<int64_t> c({batch, k});
      py::array_t<float> w({batch, k});
      std::memcpy(c.mutable_data(), choices, sizeof(int64_t) * batch * k);
      std::memcpy(w.mutable_data(), weights, sizeof(float) * batch * k);
      py::dict route;
      route["router"] = goe_result_route_router(result, i);
      route["choices"] = c;
      route["weights"] = w;
      routes.append(route);
    }
    for (size_t i = 0; i < goe_result_dispatch_count(result); ++i) {
      size_t paths;
      const int64_t *samples;
      check(goe_result_dispatch(result, i, &paths, &samples));
      dispatches.append(std::vector<int64_t>(samples, samples + paths));
    }
    py::dict out;
    out["outputs"] = outputs;
    out["routes"] = routes;
    out["path_counts"] = dispatches;
    return out;
  }

  std::unique_ptr<goe_model_t, decltype(&goe_model_free)> model_{nullptr, goe_model_free};
  std::unique_ptr<goe_session_t, decltype(&goe_session_free)> session_{nullptr,
                                                                      goe_session_free};
};

} // namespace

PYBIND11_MODULE(_goe, m) {
  m.doc() = "goe's runtime through its C API (use the goe package instead)";
  static py::exception<GoeError> error(m, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const GoeError &e) {
      // A tuple value becomes the exception's args: (code, message).
      py::tuple args = py::make_tuple(e.code, std::string(e.what()));
      PyErr_SetObject(error.ptr(), args.ptr());
    }
  });
  py::class_<Model>(m, "Model")
      // Before the path overload: pybind11 would take bytes as a path.
      .def(py::init<const py::bytes &, uint32_t>(), py::arg("artifact"),
           py::arg("threads") = 0)
      .def(py::init<const std::string &, const std::string &, uint32_t>(),
           py::arg("path"), py::arg("weights") = "", py::arg("threads") = 0)
      .def_property_readonly("threads", &Model::threads)
      .def_property_readonly("warnings", &Model::warnings)
      .def_property_readonly("name", &Model::name)
      .def_property_readonly("inputs", &Model::inputs)
      .def_property_readonly("outputs", &Model::outputs)
      .def("run", &Model::run);
}
