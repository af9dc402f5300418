/* Times the convolution microkernel (passes/lib/ConvMicrokernel.cpp) alone
   on MoE-YOLOv7-tiny's layer shapes at 320x320, one thread, and checks each
   against a plain loop first. Built and run by run.sh, which extracts the C
   sources from the compiler's strings. Prints per layer GMAC/s and, given
   one core's FMA peak (GMAC/s) as argv[1], the % of it; then the total over
   the layers weighted by their MACs. The weights are registered as the
   runtime registers a model's (KernelSupport.c), so the timed calls read
   packed copies made by the first call, as a loaded model's do. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  float *allocated, *aligned;
  int64_t offset, sizes[4], strides[4];
} memref4;
void _mlir_ciface_goe_conv2d_nhwc_hwcf_f32(const memref4 *, const memref4 *,
                                           const memref4 *, const memref4 *,
                                           int64_t, int64_t, int64_t, int64_t,
                                           int64_t, float);
void goe_register_weights(const void *data, int64_t bytes);

static memref4 tensor(int64_t a, int64_t b, int64_t c, int64_t d) {
  memref4 m = {0};
  m.allocated = m.aligned = malloc((size_t)(a * b * c * d) * sizeof(float));
  int64_t sizes[4] = {a, b, c, d};
  for (int i = 0; i < 4; ++i)
    m.sizes[i] = sizes[i];
  m.strides[3] = 1, m.strides[2] = d, m.strides[1] = c * d, m.strides[0] = b * c * d;
  for (int64_t i = 0; i < a * b * c * d; ++i)
    m.aligned[i] = (float)rand() / RAND_MAX - 0.5f;
  return m;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Output size, input channels, output channels, window, stride; times it
   occurs in one image's path (backbone + two heads). */
static const int kLayers[][6] = {
    {160, 3, 32, 3, 2, 1},   {80, 32, 64, 3, 2, 1},  {80, 64, 32, 1, 1, 2},
    {80, 32, 32, 3, 1, 2},   {80, 128, 64, 1, 1, 1}, {40, 64, 64, 1, 1, 2},
    {40, 64, 64, 3, 1, 2},   {40, 256, 128, 1, 1, 1}, {20, 128, 128, 1, 1, 2},
    {20, 128, 128, 3, 1, 2}, {20, 512, 256, 1, 1, 1}, {10, 256, 256, 1, 1, 2},
    {10, 256, 256, 3, 1, 2}, {10, 1024, 512, 1, 1, 1}, {10, 512, 256, 1, 1, 4},
    {20, 256, 128, 1, 1, 6}, {40, 128, 64, 1, 1, 6},  {40, 64, 64, 3, 1, 4},
    {20, 64, 128, 3, 2, 2},  {10, 128, 256, 3, 2, 2}, {40, 64, 128, 3, 1, 2},
    {20, 128, 256, 3, 1, 2}, {10, 256, 512, 3, 1, 2}, {40, 128, 255, 1, 1, 2},
    {20, 256, 255, 1, 1, 2}, {10, 512, 255, 1, 1, 2},
};

int main(int argc, char **argv) {
  double peak = argc > 1 ? atof(argv[1]) : 0;
  double allMacs = 0, allSeconds = 0;
  printf("%-34s %9s %8s %7s\n", "layer (out, in->out ch, k, s)", "MMAC",
         "GMAC/s", "% peak");
  for (size_t l = 0; l < sizeof kLayers / sizeof kLayers[0]; ++l) {
    int out = kLayers[l][0], c = kLayers[l][1], f = kLayers[l][2];
    int k = kLayers[l][3], s = kLayers[l][4], times = kLayers[l][5];
    int in = (out - 1) * s + k; /* the padded input */
    memref4 x = tensor(1, in, in, c), w = tensor(k, k, c, f);
    /* Registered weights must stay unchanged while the code is loaded:
       w is never freed, so its address cannot come back as another's. */
    goe_register_weights(w.aligned, (int64_t)k * k * c * f * sizeof(float));
    memref4 y = tensor(1, out, out, f);
    /* The sums start from the bias, read in place (pixel strides 0), as
       in a compiled model whose convolutions have biases. */
    memref4 bias = tensor(1, 1, 1, f);
    bias.sizes[1] = bias.sizes[2] = out;
    bias.strides[0] = bias.strides[1] = bias.strides[2] = 0;
    _mlir_ciface_goe_conv2d_nhwc_hwcf_f32(&x, &w, &y, &bias, s, s, 1, 1, 0,
                                          0.0f);
    double worst = 0, scale = 1e-12;
    for (int oh = 0; oh < out; ++oh)
      for (int ow = 0; ow < out; ++ow)
        for (int o = 0; o < f; ++o) {
          double sum = bias.aligned[o];
          for (int kh = 0; kh < k; ++kh)
            for (int kw = 0; kw < k; ++kw)
              for (int i = 0; i < c; ++i)
                sum += (double)x.aligned[((oh * s + kh) * in + ow * s + kw) * c + i] *
                       w.aligned[((kh * k + kw) * c + i) * f + o];
          double got = y.aligned[(oh * out + ow) * f + o];
          worst = fmax(worst, fabs(got - sum));
          scale = fmax(scale, fabs(sum));
        }
    if (worst / scale > 1e-5) {
      printf("layer %zu: relative error %.3g\n", l, worst / scale);
      return 1;
    }
    double macs = (double)out * out * f * k * k * c;
    int reps = (int)(2e9 / macs) + 1;
    double best = 1e30;
    for (int r = 0; r < 3; ++r) {
      double start = now();
      for (int i = 0; i < reps; ++i)
        _mlir_ciface_goe_conv2d_nhwc_hwcf_f32(&x, &w, &y, &bias, s, s, 1, 1,
                                              0, 0.0f);
      best = fmin(best, (now() - start) / reps);
    }
    char name[64];
    snprintf(name, sizeof name, "%dx%d, %d->%d, %dx%d, /%d (x%d)", out, out, c,
             f, k, k, s, times);
    printf("%-34s %9.1f %8.1f %6.0f%%\n", name, macs * 1e-6, macs / best * 1e-9,
           peak > 0 ? 100 * macs / best * 1e-9 / peak : 0);
    allMacs += macs * times;
    allSeconds += best * times;
    free(x.allocated), free(y.allocated), free(bias.allocated);
  }
  printf("all layers, weighted by MACs (%.0f MMAC per image): %.1f GMAC/s",
         allMacs * 1e-6, allMacs / allSeconds * 1e-9);
  if (peak > 0)
    printf(", %.0f%% of %.1f", 100 * allMacs / allSeconds * 1e-9 / peak, peak);
  printf("\n");
  return 0;
}
