#include "kernels/gemm.h"

#include <cblas.h>

#include <algorithm>

#include "kernels/parallel.h"

namespace convnet::kernels {
namespace {

// Below this many multiply-adds a GEMM is one OpenBLAS call on the calling thread: waking the
// other threads would cost more than they save.
constexpr int64_t kParallelMinMacs = int64_t(1) << 19;
// Larger GEMMs are cut along M or N into at most kPieces stripes whose width is a multiple of
// kAlign (whole micro-kernel tiles), and the threads share the stripes.
constexpr int64_t kPieces = 16, kAlign = 64;

void sgemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
           const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
           int64_t ldc) {
  if (M == 1) {
    // One row (a Dense layer on one image): sgemv streams B once, where sgemm would first copy
    // (pack) all of it, doubling the memory traffic of a weight-bound product.
    const int incx = trans_a ? int(lda) : 1;
    if (beta == 0.0f) std::fill_n(C, N, 0.0f);  // BLAS may scale stale values, and 0 * NaN is NaN
    if (trans_b)  // B [N, K]: C = B * a
      cblas_sgemv(CblasRowMajor, CblasNoTrans, int(N), int(K), alpha, B, int(ldb), A, incx, beta,
                  C, 1);
    else  // B [K, N]: C = B^T * a
      cblas_sgemv(CblasRowMajor, CblasTrans, int(K), int(N), alpha, B, int(ldb), A, incx, beta, C,
                  1);
    return;
  }
  if (N == 1) {
    // One column (a 1x1 convolution on a 1x1 map, MobileNet's classifier): sgemv streams A once.
    if (beta == 0.0f)
      for (int64_t i = 0; i < M; ++i) C[i * ldc] = 0.0f;
    cblas_sgemv(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, int(trans_a ? K : M),
                int(trans_a ? M : K), alpha, A, int(lda), B, trans_b ? 1 : int(ldb), beta, C,
                int(ldc));
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, int(M), int(N), int(K), alpha, A, int(lda), B,
              int(ldb), beta, C, int(ldc));
}

}  // namespace

// OpenBLAS is kept on one thread (convnet/threads.h): its own pool would wake for every call and
// fight ours. OpenBLAS's rounding depends on the matrix sizes it is given, so the stripes depend on
// the shape only, never on the thread count or on the caller being parallel already: every thread
// count computes the same stripes and gets bit-identical results.
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
          int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  num_threads();  // the first use puts OpenBLAS on one thread
  if (M * N * K < kParallelMinMacs)
    return sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  const bool by_columns = N >= M;
  const int64_t len = by_columns ? N : M;
  const int64_t pieces_wanted = std::clamp<int64_t>(len / kAlign, 1, kPieces);
  const int64_t width = (len / pieces_wanted + kAlign - 1) / kAlign * kAlign;
  const int64_t pieces = (len + width - 1) / width;
  parallel_for(pieces, 1, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t b = p * width, n = std::min(width, len - b);
      if (by_columns)
        sgemm(trans_a, trans_b, M, n, K, alpha, A, lda, trans_b ? B + b * ldb : B + b, ldb, beta,
              C + b, ldc);
      else
        sgemm(trans_a, trans_b, n, N, K, alpha, trans_a ? A + b : A + b * lda, lda, B, ldb, beta,
              C + b * ldc, ldc);
    }
  });
}

void gemm_serial(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                 const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                 int64_t ldc) {
  if (M == 0 || N == 0) return;
  num_threads();  // the first use puts OpenBLAS on one thread
  sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
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
