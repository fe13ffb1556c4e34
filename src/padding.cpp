#include "convnet/padding.h"

#include <algorithm>
#include <stdexcept>

namespace convnet {
namespace {

// TensorFlow's 'same': output ceil(in / stride), total padding split with the extra pixel after.
void same_padding(int64_t in, int64_t kernel, int64_t stride, int64_t& before, int64_t& after) {
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + kernel - in, 0);
  before = total / 2;
  after = total - before;
}

}  // namespace

std::string Padding::mode_name() const {
  switch (mode) {
    case PaddingMode::valid: return "valid";
    case PaddingMode::same: return "same";
    case PaddingMode::explicit_: return "explicit";
  }
  return "?";
}

PaddingMode Padding::mode_from_name(const std::string& name) {
  if (name == "valid") return PaddingMode::valid;
  if (name == "same") return PaddingMode::same;
  if (name == "explicit") return PaddingMode::explicit_;
  throw std::invalid_argument("unknown padding '" + name + "' (known: valid, same, explicit)");
}

Pads resolve_padding(const Padding& p, Size2 input, Size2 kernel, Size2 stride) {
  Pads pads;
  switch (p.mode) {
    case PaddingMode::valid: break;
    case PaddingMode::same:
      same_padding(input.h, kernel.h, stride.h, pads.top, pads.bottom);
      same_padding(input.w, kernel.w, stride.w, pads.left, pads.right);
      break;
    case PaddingMode::explicit_: pads = {p.top, p.bottom, p.left, p.right}; break;
  }
  return pads;
}

}  // namespace convnet
