/*===- capi_test.c - the C API, used from C ----------------------------------===*
 *
 * Compiled as C so that the header is proven usable without C++. Returns 0 on
 * success, or writes what failed into `error`.
 *
 *===----------------------------------------------------------------------===*/

#include "goe/Runtime/goe_runtime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int goe_c_api_test(const char *model_path, char *error, size_t error_size);

#define FAIL(...)                                                              \
  do {                                                                         \
    snprintf(error, error_size, __VA_ARGS__);                                  \
    goto done;                                                                 \
  } while (0)

static float expected(int64_t path, float x) {
  return path == 0 ? 2 * x + 1 : path == 1 ? x - 3 : 2 * x - 2;
}

int goe_c_api_test(const char *model_path, char *error, size_t error_size) {
  int rc = 1;
  goe_model_t *model = NULL;
  goe_session_t *session = NULL;
  goe_result_t *result = NULL;
  goe_status_t status = NULL;

  /* A missing file is a NOT_FOUND status with a message. */
  status = goe_model_load("/nonexistent/model.goe", NULL, &model);
  if (goe_status_code(status) != GOE_STATUS_NOT_FOUND ||
      !strstr(goe_status_message(status), "model.goe"))
    FAIL("missing file: code %d, message '%s'", (int)goe_status_code(status),
         goe_status_message(status));
  goe_status_free(status);
  status = NULL;

  status = goe_model_load(model_path, NULL, &model);
  if (status)
    FAIL("load: %s", goe_status_message(status));
  if (goe_model_input_count(model) != 2 || goe_model_output_count(model) != 1)
    FAIL("model has %zu inputs, %zu outputs", goe_model_input_count(model),
         goe_model_output_count(model));

  status = goe_session_create(model, NULL, &session);
  if (status)
    FAIL("session: %s", goe_status_message(status));
  /* The session keeps the model alive. */
  goe_model_free(model);
  model = NULL;

  {
    float x[12];
    int64_t labels[3] = {2, 0, 1};
    int64_t xShape[2] = {3, 4};
    int64_t labelShape[1] = {3};
    goe_tensor_view_t inputs[2];
    goe_tensor_view_t out;
    int64_t batch = 0, k = 0;
    const int64_t *choices = NULL;
    const float *weights = NULL;
    size_t numPaths = 0;
    const int64_t *perPath = NULL;
    int i;
    for (i = 0; i < 12; ++i)
      x[i] = (float)i;
    inputs[0].dtype = GOE_DTYPE_F32;
    inputs[0].data = x;
    inputs[0].shape = xShape;
    inputs[0].rank = 2;
    inputs[1].dtype = GOE_DTYPE_I64;
    inputs[1].data = labels;
    inputs[1].shape = labelShape;
    inputs[1].rank = 1;

    status = goe_session_run(session, inputs, 2, &result);
    if (status)
      FAIL("run: %s", goe_status_message(status));
    if (goe_result_output_count(result) != 1)
      FAIL("%zu outputs", goe_result_output_count(result));
    status = goe_result_output(result, 0, &out);
    if (status || out.dtype != GOE_DTYPE_F32 || out.rank != 2 ||
        out.shape[0] != 3 || out.shape[1] != 4)
      FAIL("output view is wrong");
    for (i = 0; i < 12; ++i) {
      float want = expected(labels[i / 4], x[i]);
      if (fabsf(((const float *)out.data)[i] - want) > 1e-6f)
        FAIL("output %d is %f, expected %f", i, ((const float *)out.data)[i],
             want);
    }
    if (goe_result_route_count(result) != 1)
      FAIL("%zu routes", goe_result_route_count(result));
    status = goe_result_route(result, 0, &batch, &k, &choices, &weights);
    if (status || batch != 3 || k != 1 || choices[0] != 2 || choices[2] != 1 ||
        weights[1] != 1.0f)
      FAIL("route accessors are wrong");
    status = goe_result_dispatch(result, 0, &numPaths, &perPath);
    if (status || numPaths != 3 || perPath[0] != 1 || perPath[1] != 1 ||
        perPath[2] != 1)
      FAIL("dispatch accessors are wrong");
    status = goe_result_output(result, 5, &out);
    if (goe_status_code(status) != GOE_STATUS_OUT_OF_RANGE)
      FAIL("output 5 should be out of range");
    goe_status_free(status);
    status = NULL;
    goe_result_free(result);
    result = NULL;

    /* A wrong shape: an INVALID_ARGUMENT naming both shapes; no result. */
    xShape[1] = 3;
    status = goe_session_run(session, inputs, 2, &result);
    if (goe_status_code(status) != GOE_STATUS_INVALID_ARGUMENT ||
        !strstr(goe_status_message(status), "[3]") ||
        !strstr(goe_status_message(status), "expects [4]") || result)
      FAIL("bad shape: '%s'", goe_status_message(status));
    goe_status_free(status);
    status = NULL;
  }
  rc = 0;

done:
  goe_status_free(status);
  goe_result_free(result);
  goe_session_free(session);
  goe_model_free(model);
  return rc;
}
