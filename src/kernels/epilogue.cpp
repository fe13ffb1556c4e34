#include "kernels/epilogue.h"

#include <algorithm>
#include <stdexcept>

#include "kernels/activation.h"
#include "kernels/parallel.h"

namespace convnet::kernels {

void epilogue_plane(const Epilogue& ep, int64_t c, float* plane, int64_t P) {
  const float s = ep.scale ? ep.scale[c] : 1.0f, b = ep.shift ? ep.shift[c] : 0.0f;
  // One pass, written so that it vectorizes; std::max(v, 0) keeps a NaN, as activation_forward.
  switch (ep.act) {
    case Activation::relu:
      for (int64_t p = 0; p < P; ++p) plane[p] = std::max(plane[p] * s + b, 0.0f);
      return;
    case Activation::relu6:
      for (int64_t p = 0; p < P; ++p) plane[p] = std::min(std::max(plane[p] * s + b, 0.0f), 6.0f);
      return;
    case Activation::softmax:
      throw std::invalid_argument("epilogue: softmax mixes channels and cannot be fused");
    default:
      if (ep.scale || ep.shift)
        for (int64_t p = 0; p < P; ++p) plane[p] = plane[p] * s + b;
      if (ep.act != Activation::linear) activation_forward(ep.act, ep.alpha, plane, plane, P);
  }
}

void epilogue_forward(const Epilogue& ep, int64_t N, int64_t C, int64_t P, float* dst) {
  if (ep.identity()) return;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(P, 1));
  parallel_for(N * C, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) epilogue_plane(ep, i % C, dst + i * P, P);
  });
}

}  // namespace convnet::kernels
