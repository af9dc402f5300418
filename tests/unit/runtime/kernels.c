/*===- kernels.c - stand-ins for compiled expert functions ------------------===*
 *
 * The runtime tests need native code with the exact calling convention the
 * code generator emits (MLIR's C interface: memref descriptors, inputs, then
 * weights, then caller-allocated outputs) but must not depend on the
 * compiler. These hand-written functions are built into a shared library
 * whose bytes the tests embed in artifacts.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} MemRef1;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
} MemRef2;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[4];
  int64_t strides[4];
} MemRef4;

typedef struct {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[5];
  int64_t strides[5];
} MemRef5;

static float *at2(MemRef2 *m, int64_t i, int64_t j) {
  return m->aligned + m->offset + i * m->strides[0] + j * m->strides[1];
}

/* y = 2x + 1 on [B, 4]. */
void _mlir_ciface_affine_a(MemRef2 *x, MemRef2 *y) {
  for (int64_t b = 0; b < x->sizes[0]; ++b)
    for (int64_t i = 0; i < x->sizes[1]; ++i)
      *at2(y, b, i) = 2.0f * *at2(x, b, i) + 1.0f;
}

/* y = x - 3 on [B, 4]. */
void _mlir_ciface_affine_b(MemRef2 *x, MemRef2 *y) {
  for (int64_t b = 0; b < x->sizes[0]; ++b)
    for (int64_t i = 0; i < x->sizes[1]; ++i)
      *at2(y, b, i) = *at2(x, b, i) - 3.0f;
}

/* y = x W^T + bias: x [B, in], W [out, in], bias [out], y [B, out]. */
void _mlir_ciface_linear(MemRef2 *x, MemRef2 *w, MemRef1 *bias, MemRef2 *y) {
  for (int64_t b = 0; b < x->sizes[0]; ++b)
    for (int64_t o = 0; o < w->sizes[0]; ++o) {
      float acc = bias->aligned[bias->offset + o * bias->strides[0]];
      for (int64_t i = 0; i < w->sizes[1]; ++i)
        acc += *at2(x, b, i) * *at2(w, o, i);
      *at2(y, b, o) = acc;
    }
}

/* Router logits: the first C features of x [B, F] for logits [B, C]. */
void _mlir_ciface_gate(MemRef2 *x, MemRef2 *logits) {
  for (int64_t b = 0; b < x->sizes[0]; ++b)
    for (int64_t c = 0; c < logits->sizes[1]; ++c)
      *at2(logits, b, c) = *at2(x, b, c);
}

/* A detection head stand-in: every sample gets the weight H [3, Hy, Wx, F]
 * as its head level y [B, 3, Hy, Wx, F]. */
void _mlir_ciface_head(MemRef2 *x, MemRef4 *h, MemRef5 *y) {
  int64_t n = h->sizes[0] * h->sizes[1] * h->sizes[2] * h->sizes[3];
  for (int64_t b = 0; b < x->sizes[0]; ++b)
    for (int64_t i = 0; i < n; ++i)
      y->aligned[y->offset + b * y->strides[0] + i] = h->aligned[h->offset + i];
}

/* A latent-router encoder stand-in: x [B, 4] becomes the channels-last
 * latent z [B, 2, 1, 2] (two positions, code_dim 2) element for element. */
void _mlir_ciface_latent(MemRef2 *x, MemRef4 *z) {
  for (int64_t b = 0; b < x->sizes[0]; ++b)
    for (int64_t i = 0; i < 4; ++i)
      z->aligned[z->offset + b * z->strides[0] + (i / 2) * z->strides[1] +
                 (i % 2) * z->strides[3]] = *at2(x, b, i);
}
