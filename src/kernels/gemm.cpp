#include "kernels/gemm.h"

#include <cblas.h>

namespace convnet::kernels {
namespace {

// OpenBLAS wakes its threads for every call; below a few tens of millions of multiply-adds the
// wake-up costs more than the second core saves (LeNet-5 trains twice as fast on one thread).
constexpr int64_t kThreadedMinMacs = int64_t(1) << 25;

void choose_threads(int64_t macs) {
  static const int all = openblas_get_num_threads();
  static int current = all;
  const int want = macs < kThreadedMinMacs ? 1 : all;
  if (want != current) {
    openblas_set_num_threads(want);
    current = want;
  }
}

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  choose_threads(M * N * K);
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, int(M), int(N), int(K), alpha, A, int(lda), B,
              int(ldb), beta, C, int(ldc));
}

void gemm_ref(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
              const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
              int64_t ldc) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double acc = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        acc += double(a) * b;
      }
      float& c = C[i * ldc + j];
      c = float(alpha * acc + (beta == 0.0f ? 0.0 : double(beta) * c));
    }
}

}  // namespace convnet::kernels
