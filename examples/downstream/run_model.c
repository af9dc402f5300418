/* run_model MODEL.goe: loads a compiled model with goe's C API, prints its
 * inputs and outputs, runs a batch of 4 zero inputs and prints the first
 * output's first row and the path each input took at the first route.
 *
 *   cc run_model.c $(pkg-config --cflags --libs goe-runtime) -o run_model
 */
#include "goe/Runtime/goe_runtime.h"

#include <stdio.h>
#include <stdlib.h>

#define BATCH 4
#define MAX_INPUTS 16

static int check(goe_status_t status) {
  if (!status)
    return 0;
  fprintf(stderr, "run_model: %s\n", goe_status_message(status));
  goe_status_free(status);
  return 1;
}

static void print_signature(const char *what, const char *name, goe_dtype_t dtype,
                            const int64_t *shape, size_t rank) {
  printf("%s %s %s [N", what, name, dtype == GOE_DTYPE_I64 ? "i64" : "f32");
  for (size_t d = 0; d < rank; ++d)
    printf(", %lld", (long long)shape[d]);
  printf("]\n");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: run_model MODEL.goe\n");
    return 1;
  }
  goe_model_t *model = NULL;
  if (check(goe_model_load(argv[1], NULL, &model)))
    return 1;
  printf("model %s\n", goe_model_name(model));

  size_t count = goe_model_input_count(model);
  if (count > MAX_INPUTS) {
    fprintf(stderr, "run_model: %zu inputs, at most %d supported\n", count, MAX_INPUTS);
    return 1;
  }
  goe_tensor_view_t inputs[MAX_INPUTS];
  int64_t shapes[MAX_INPUTS][8];
  void *buffers[MAX_INPUTS] = {0};
  int status = 0;
  for (size_t i = 0; i < count && !status; ++i) {
    const char *name;
    goe_dtype_t dtype;
    const int64_t *shape;
    size_t rank;
    status = check(goe_model_input(model, i, &name, &dtype, &shape, &rank));
    if (status || rank + 1 > 8) {
      status = 1;
      break;
    }
    print_signature("input", name, dtype, shape, rank);
    size_t elements = BATCH;
    shapes[i][0] = BATCH;
    for (size_t d = 0; d < rank; ++d) {
      shapes[i][d + 1] = shape[d];
      elements *= (size_t)shape[d];
    }
    buffers[i] = calloc(elements, 8); /* zeros, room for either dtype */
    inputs[i] = (goe_tensor_view_t){dtype, buffers[i], shapes[i], rank + 1};
  }
  for (size_t i = 0; i < goe_model_output_count(model) && !status; ++i) {
    const char *name;
    goe_dtype_t dtype;
    const int64_t *shape;
    size_t rank;
    status = check(goe_model_output(model, i, &name, &dtype, &shape, &rank));
    if (!status)
      print_signature("output", name, dtype, shape, rank);
  }

  goe_session_t *session = NULL;
  goe_result_t *result = NULL;
  if (!status)
    status = check(goe_session_create(model, NULL, &session));
  if (!status)
    status = check(goe_session_run(session, inputs, count, &result));
  if (!status && goe_result_output_count(result) > 0) {
    goe_tensor_view_t out;
    status = check(goe_result_output(result, 0, &out));
    if (!status && out.dtype == GOE_DTYPE_F32) {
      size_t row = 1;
      for (size_t d = 1; d < out.rank; ++d)
        row *= (size_t)out.shape[d];
      printf("first row:");
      for (size_t e = 0; e < row && e < 8; ++e)
        printf(" %.4f", ((const float *)out.data)[e]);
      printf("\n");
    }
  }
  if (!status && goe_result_route_count(result) > 0) {
    int64_t batch, k;
    const int64_t *choices;
    const float *weights;
    status = check(goe_result_route(result, 0, &batch, &k, &choices, &weights));
    if (!status) {
      printf("route %s:", goe_result_route_router(result, 0));
      for (int64_t b = 0; b < batch; ++b)
        printf(" %lld", (long long)choices[b * k]);
      printf("\n");
    }
  }
  goe_result_free(result);
  goe_session_free(session);
  goe_model_free(model);
  for (size_t i = 0; i < count; ++i)
    free(buffers[i]);
  return status;
}
