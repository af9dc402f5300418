/*===- goe_runtime.h - the C API of the goe runtime ---------------*- C -*-===*
 *
 * A C interface over Model and Session for other languages and for hosts
 * that cannot take C++ types across their boundary.
 *
 * Conventions:
 *  - Every fallible call returns a goe_status_t: NULL means success; a
 *    non-NULL status carries a code and a message and must be released with
 *    goe_status_free. Nothing aborts on bad input.
 *  - Handles are opaque. Whoever receives a handle through an out-parameter
 *    owns it and frees it with the matching *_free (NULL is accepted).
 *  - A session keeps its model alive: goe_model_free may be called while
 *    sessions of that model still exist.
 *  - Views returned by accessors point into the result and stay valid until
 *    goe_result_free.
 *
 * Thread safety: a model may be shared by any number of threads and
 * sessions. goe_session_run may be called concurrently on one session; each
 * call produces its own result. A result and a status are not synchronised:
 * use each from one thread at a time.
 *
 *===----------------------------------------------------------------------===*/

#ifndef GOE_RUNTIME_GOE_RUNTIME_H
#define GOE_RUNTIME_GOE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes; the values equal goe::runtime::StatusCode. */
typedef enum goe_status_code_e {
  GOE_STATUS_OK = 0,
  GOE_STATUS_INVALID_ARGUMENT = 1,
  GOE_STATUS_NOT_FOUND = 2,
  GOE_STATUS_DATA_LOSS = 3,
  GOE_STATUS_FAILED_PRECONDITION = 4,
  GOE_STATUS_OUT_OF_RANGE = 5,
  GOE_STATUS_UNIMPLEMENTED = 6,
  GOE_STATUS_RESOURCE_EXHAUSTED = 7,
  GOE_STATUS_INTERNAL = 8,
} goe_status_code_t;

typedef enum goe_dtype_e {
  GOE_DTYPE_F32 = 0,
  GOE_DTYPE_I64 = 1,
} goe_dtype_t;

typedef struct goe_status_s *goe_status_t;
typedef struct goe_model_s goe_model_t;
typedef struct goe_session_s goe_session_t;
typedef struct goe_result_s goe_result_t;

/* A dense row-major tensor, batch first. Not owning. */
typedef struct goe_tensor_view_s {
  goe_dtype_t dtype;
  const void *data;
  const int64_t *shape;
  size_t rank;
} goe_tensor_view_t;

typedef struct goe_session_options_s {
  uint64_t random_seed; /* see SessionOptions::randomSeed */
  /* Threads a run computes on, the caller's included; 0 = every core this
   * process may use. More than the cores is allowed but slower, and the
   * session reports a warning (goe_session_warning). At most 1024. Outputs
   * are bit-identical for any count. */
  uint32_t threads;
} goe_session_options_t;

/* ---- status ------------------------------------------------------------ */

/* GOE_STATUS_OK for NULL. */
goe_status_code_t goe_status_code(goe_status_t status);
/* The message ("" for NULL); valid until goe_status_free. */
const char *goe_status_message(goe_status_t status);
void goe_status_free(goe_status_t status);

/* ---- model ------------------------------------------------------------- */

/* Reads, validates and loads an artifact; weights_path may be NULL. */
goe_status_t goe_model_load(const char *path, const char *weights_path,
                            goe_model_t **out_model);
/* The same from the bytes of a whole artifact file. */
goe_status_t goe_model_load_from_memory(const void *data, size_t size,
                                        goe_model_t **out_model);
void goe_model_free(goe_model_t *model);

size_t goe_model_input_count(const goe_model_t *model);
size_t goe_model_output_count(const goe_model_t *model);
/* The model's name; valid while the model lives ("" for NULL). */
const char *goe_model_name(const goe_model_t *model);
/* Input or output `index`: its name, dtype and per-sample shape (the batch
 * left out). Pointers stay valid while the model lives. Outputs carry the
 * spec's names ("logits"); "output<index>" in artifacts without names. */
goe_status_t goe_model_input(const goe_model_t *model, size_t index,
                             const char **out_name, goe_dtype_t *out_dtype,
                             const int64_t **out_shape, size_t *out_rank);
goe_status_t goe_model_output(const goe_model_t *model, size_t index,
                              const char **out_name, goe_dtype_t *out_dtype,
                              const int64_t **out_shape, size_t *out_rank);
/* Cumulative execution counters of a named function since load. */
goe_status_t goe_model_function_stats(const goe_model_t *model,
                                      const char *function, uint64_t *calls,
                                      uint64_t *samples);

/* ---- session ----------------------------------------------------------- */

/* options may be NULL (defaults). */
goe_status_t goe_session_create(goe_model_t *model,
                                const goe_session_options_t *options,
                                goe_session_t **out_session);
void goe_session_free(goe_session_t *session);

/* The threads a run of this session computes on. */
size_t goe_session_threads(const goe_session_t *session);
/* Warnings found when the session was created (more threads than cores),
 * to pass on to the user; each valid while the session lives, NULL past
 * the last. */
size_t goe_session_warning_count(const goe_session_t *session);
const char *goe_session_warning(const goe_session_t *session, size_t index);

/* Runs one batch; inputs follow the model's inputs in order. */
goe_status_t goe_session_run(goe_session_t *session,
                             const goe_tensor_view_t *inputs,
                             size_t input_count, goe_result_t **out_result);

/* ---- results ----------------------------------------------------------- */

size_t goe_result_output_count(const goe_result_t *result);
goe_status_t goe_result_output(const goe_result_t *result, size_t index,
                               goe_tensor_view_t *out_view);
/* ROUTE steps in order: out_choices and out_weights point to batch * k
 * values (row-major [batch][k]). */
size_t goe_result_route_count(const goe_result_t *result);
/* The router a ROUTE step ran; valid until goe_result_free. */
const char *goe_result_route_router(const goe_result_t *result, size_t index);
goe_status_t goe_result_route(const goe_result_t *result, size_t index,
                              int64_t *out_batch, int64_t *out_k,
                              const int64_t **out_choices,
                              const float **out_weights);
/* DISPATCH steps in order: samples per path. */
size_t goe_result_dispatch_count(const goe_result_t *result);
goe_status_t goe_result_dispatch(const goe_result_t *result, size_t index,
                                 size_t *out_num_paths,
                                 const int64_t **out_samples_per_path);
void goe_result_free(goe_result_t *result);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* GOE_RUNTIME_GOE_RUNTIME_H */
