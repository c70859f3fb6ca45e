/*
 * The input gradient of a 2-D convolution with few input channels, NHWC, for the wasm backend
 * (WebAssembly SIMD128):
 *
 *   dx[y, x, c] += sum over (i, j, ky, kx) with y = i*sh + ky*dh - top, x = j*sw + kx*dw - left
 *                  of sum over o of dy[i, j, o] * w[ky, kx, c, o]
 *
 * for a band of output rows of one image. With one to four input channels (an image's L or
 * L+ab entering the network: the critic's first conv, whose input gradient the gradient penalty
 * needs), tfjs's forms of this gradient are convolutions with one to four output channels,
 * which leave XNNPACK's 8-wide tiles mostly empty. Here each output position's contributions to
 * all its taps, p[ky, kx, c] = sum over o of dy[i, j, o] * w[ky, kx, c, o], are one product of
 * dy's co values with the filter transposed to [co, kp] (kp = fh*fw*ci rounded up to 4, zero
 * padded), vectorised over kp, and are then added into dx at the taps inside the image.
 *
 * Built with conv2d-backprop-filter.c by scripts/build-wasm-kernels.mjs into
 * training-kernels.wasm.ts.
 */
#include <wasm_simd128.h>

static int g_h, g_w, g_ci, g_ow, g_co, g_fh, g_fw, g_sh, g_sw, g_dh, g_dw, g_top, g_left, g_kp;

/* The convolution's geometry, for the input_gradient() calls that follow. */
void input_geometry(int h, int w, int ci, int ow, int co, int fh, int fw, int sh, int sw, int dh,
                    int dw, int top, int left) {
  g_h = h; g_w = w; g_ci = ci; g_ow = ow; g_co = co; g_fh = fh; g_fw = fw;
  g_sh = sh; g_sw = sw; g_dh = dh; g_dw = dw; g_top = top; g_left = left;
  g_kp = (fh * fw * ci + 3) / 4 * 4;
}

/* p[0 .. 4*VB) = sum over o of dy[o] * wt[o][0 .. 4*VB), wt rows kp apart. */
#define PRODUCT(VB)                                                                            \
  static void product_##VB(const float* dy, const float* wt, float* p) {                       \
    v128_t acc[VB];                                                                            \
    for (int v = 0; v < VB; v++) acc[v] = wasm_f32x4_splat(0.0f);                              \
    for (int o = 0; o < g_co; o++) {                                                           \
      const v128_t s = wasm_v128_load32_splat(dy + o);                                         \
      for (int v = 0; v < VB; v++)                                                             \
        acc[v] = wasm_f32x4_add(acc[v], wasm_f32x4_mul(s, wasm_v128_load(wt + 4 * v)));         \
      wt += g_kp;                                                                              \
    }                                                                                          \
    for (int v = 0; v < VB; v++) wasm_v128_store(p + 4 * v, acc[v]);                           \
  }

PRODUCT(8)
PRODUCT(4)
PRODUCT(2)
PRODUCT(1)

/*
 * Adds output rows [i0, i1) of one image to its dx ([h, w, ci], the whole image). dy holds those
 * rows ([i1 - i0, ow, co]); wt is the filter transposed to [co, kp]; p is scratch of kp floats.
 */
void input_gradient(const float* dy, int i0, int i1, const float* wt, float* dx, float* p) {
  for (int i = i0; i < i1; i++) {
    for (int j = 0; j < g_ow; j++, dy += g_co) {
      for (int k = 0; k < g_kp;) {
        const int left = (g_kp - k) / 4;
        if (left >= 8) { product_8(dy, wt + k, p + k); k += 32; }
        else if (left >= 4) { product_4(dy, wt + k, p + k); k += 16; }
        else if (left >= 2) { product_2(dy, wt + k, p + k); k += 8; }
        else { product_1(dy, wt + k, p + k); k += 4; }
      }
      for (int ky = 0; ky < g_fh; ky++) {
        const int y = i * g_sh + ky * g_dh - g_top;
        if (y < 0 || y >= g_h) continue;
        for (int kx = 0; kx < g_fw; kx++) {
          const int x = j * g_sw + kx * g_dw - g_left;
          if (x < 0 || x >= g_w) continue;
          float* d = dx + (y * g_w + x) * g_ci;
          const float* q = p + (ky * g_fw + kx) * g_ci;
          for (int c = 0; c < g_ci; c++) d[c] += q[c];
        }
      }
    }
  }
}
