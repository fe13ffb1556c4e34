// Weight initializers, as Keras and PyTorch define them. fan_in = inputs per output unit
// (in_channels/groups * KH * KW for a convolution), fan_out = outputs per input unit.
#pragma once

#include <cstdint>

#include "convnet/random.h"
#include "convnet/tensor.h"

namespace convnet {

// He (Kaiming) normal: N(0, 2 / fan_in), for layers followed by a ReLU.
void he_normal(Tensor& w, int64_t fan_in, Rng& rng);
// Glorot (Xavier) uniform: U(-a, a), a = sqrt(6 / (fan_in + fan_out)), Keras' default.
void glorot_uniform(Tensor& w, int64_t fan_in, int64_t fan_out, Rng& rng);

}  // namespace convnet
