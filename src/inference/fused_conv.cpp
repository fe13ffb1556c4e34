#include "inference/fused_conv.h"

#include <cmath>

#include "convnet/layers/activations.h"
#include "convnet/layers/batch_norm.h"
#include "convnet/layers/conv2d.h"
#include "convnet/layers/depthwise_conv2d.h"
#include "convnet/layers/zero_padding2d.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/epilogue.h"
#include "kernels/pointwise_conv2d.h"
#include "layers/geometry.h"

namespace convnet::inference {
namespace {

// The activation a convolution layer applies itself (Conv2D's and DepthwiseConv2D's options).
Activation own_activation(Layer* conv) {
  if (auto* c = dynamic_cast<Conv2D*>(conv)) return c->options().activation;
  return static_cast<DepthwiseConv2D*>(conv)->options().activation;
}

bool is_conv(Layer* l) {
  return dynamic_cast<Conv2D*>(l) != nullptr || dynamic_cast<DepthwiseConv2D*>(l) != nullptr;
}

// The per-channel scale and shift the fused layers apply after the convolution's sums.
struct Affine {
  std::vector<float> scale, shift;
};

Affine fold(const FusedConv& f, const Tensor& bias, int64_t channels) {
  Affine a;
  if (!bias.empty()) a.shift.assign(bias.begin(), bias.end());
  if (!f.bn) return a;
  BatchNorm2D& bn = *f.bn;
  const bool affine = bn.options().affine;
  a.scale.resize(size_t(channels));
  a.shift.resize(size_t(channels), 0.0f);
  for (int64_t c = 0; c < channels; ++c) {
    // The same float operations as BatchNorm's eval forward: invstd = 1 / sqrt(var + eps).
    const float invstd = 1.0f / std::sqrt(bn.running_var()[c] + bn.options().eps);
    const float s = affine ? bn.weight()[c] * invstd : invstd;
    const float beta = affine ? bn.bias()[c] : 0.0f;
    a.scale[size_t(c)] = s;
    a.shift[size_t(c)] = beta + (a.shift[size_t(c)] - bn.running_mean()[c]) * s;
  }
  return a;
}

}  // namespace

std::optional<FusedConv> match_fused_conv(const std::vector<Layer*>& chain) {
  FusedConv f;
  size_t k = 0;
  if (chain.size() > 1 && is_conv(chain[1]))
    if (auto* pad = dynamic_cast<ZeroPadding2D*>(chain[0])) f.pad = pad, k = 1;
  if (k >= chain.size() || !is_conv(chain[k])) return std::nullopt;
  f.conv = chain[k++];
  const Activation own = own_activation(f.conv);
  if (own == Activation::softmax) return std::nullopt;  // mixes channels: no epilogue
  if (own == Activation::linear) {
    if (k < chain.size())
      if (auto* bn = dynamic_cast<BatchNorm2D*>(chain[k]))
        if (bn->running_mean().numel() == f.conv->built_output_shape()[0]) f.bn = bn, ++k;
    if (k < chain.size())
      if (auto* act = dynamic_cast<ActivationLayer*>(chain[k]))
        if (act->kind() != Activation::softmax) f.act = act, ++k;
  }
  if (k < 2) return std::nullopt;
  return f;
}

Tensor fused_conv_forward(const FusedConv& f, const Tensor& x) {
  if (x.rank() != 4)
    throw ShapeError(f.conv->name() + " (fused): received batch of shape " + x.shape().str() +
                     ", expected [N, C, H, W]");
  const Shape in = x.shape().without_batch();
  const Pads pads = f.pad ? f.pad->pads() : Pads{};
  const Shape padded{in[0], in[1] + pads.top + pads.bottom, in[2] + pads.left + pads.right};
  const Shape out = f.conv->output_shape(padded);  // throws ShapeError on a wrong input
  const int64_t N = x.dim(0);
  kernels::ConvGeom g;
  Tensor *weight = nullptr, *bias = nullptr;
  Activation act = Activation::linear;
  float alpha = 0.0f;
  if (auto* c = dynamic_cast<Conv2D*>(f.conv)) {
    if (in[0] != c->weight().dim(1) * c->options().groups)
      throw ShapeError(c->name() + " (Conv2D): received input shape " + in.str() + ", expected [" +
                       std::to_string(c->weight().dim(1) * c->options().groups) +
                       ", H, W] (as built)");
    g = conv_geom(N, padded, out, c->options());
    weight = &c->weight(), bias = c->options().use_bias ? &c->bias() : nullptr;
    act = c->options().activation, alpha = c->options().activation_alpha;
  } else {
    auto* d = static_cast<DepthwiseConv2D*>(f.conv);
    const DepthwiseConv2DOptions& o = d->options();
    if (out[0] != d->weight().dim(0))
      throw ShapeError(d->name() + " (DepthwiseConv2D): received input shape " + in.str() +
                       ", expected [" + std::to_string(d->weight().dim(0) / o.depth_multiplier) +
                       ", H, W] (as built)");
    g = conv_geom(N, padded, out, o.kernel, o.stride, o.padding, o.dilation, padded[0]);
    weight = &d->weight(), bias = o.use_bias ? &d->bias() : nullptr;
    act = o.activation, alpha = o.activation_alpha;
  }
  // The padding layer's zeros become the convolution's own (bottom and right follow from OH, OW).
  g.IH = in[1], g.IW = in[2], g.PT += pads.top, g.PL += pads.left;
  if (f.act) act = f.act->kind(), alpha = f.act->alpha();

  const Affine a = fold(f, bias ? *bias : Tensor(), out[0]);
  const kernels::Epilogue ep{.scale = a.scale.empty() ? nullptr : a.scale.data(),
                             .shift = a.shift.empty() ? nullptr : a.shift.data(),
                             .act = act,
                             .alpha = alpha};
  Tensor y = Tensor::uninitialized(out.with_batch(N));  // every kernel below overwrites it
  if (!dynamic_cast<Conv2D*>(f.conv)) {
    kernels::depthwise_conv2d_forward(g, x.data(), weight->data(), ep, y.data());
  } else if (kernels::is_pointwise_ungrouped(g)) {
    kernels::pointwise_conv2d_forward(g, x.data(), weight->data(), ep, y.data());
  } else {
    kernels::conv2d_forward(g, x.data(), weight->data(), nullptr, y.data());
    kernels::epilogue_forward(ep, N, out[0], out[1] * out[2], y.data());
  }
  return y;
}

std::vector<PlannedFusion> plan_fusions(const std::vector<PlanNode>& nodes,
                                        std::vector<bool>& skip) {
  skip.assign(nodes.size(), false);
  std::vector<std::vector<size_t>> readers(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (int j : nodes[i].inputs) readers[size_t(j)].push_back(i);
  std::vector<PlannedFusion> plan;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (skip[i] || !nodes[i].layer || nodes[i].inputs.size() != 1) continue;
    // Follow the node's only reader while its value is needed by nothing else.
    std::vector<size_t> ids{i};
    std::vector<Layer*> chain{nodes[i].layer};
    while (chain.size() < 4) {
      const size_t cur = ids.back();
      if (nodes[cur].needed || readers[cur].size() != 1) break;
      const size_t r = readers[cur][0];
      if (!nodes[r].layer || nodes[r].inputs.size() != 1) break;
      ids.push_back(r);
      chain.push_back(nodes[r].layer);
    }
    const std::optional<FusedConv> f = match_fused_conv(chain);
    if (!f) continue;
    const size_t k = f->size();
    for (size_t m = 1; m < k; ++m) skip[ids[m]] = true;
    plan.push_back({i, ids[k - 1], *f});
  }
  return plan;
}

std::vector<PlannedFusion> plan_fusions(const std::vector<Layer*>& layers,
                                        std::vector<bool>& skip) {
  // Node 0 is the model input, node i + 1 layer i.
  std::vector<PlanNode> nodes(layers.size() + 1);
  for (size_t i = 0; i < layers.size(); ++i) nodes[i + 1] = {layers[i], {int(i)}, false};
  nodes.back().needed = true;
  std::vector<bool> node_skip;
  std::vector<PlannedFusion> plan = plan_fusions(nodes, node_skip);
  skip.assign(node_skip.begin() + 1, node_skip.end());
  for (PlannedFusion& f : plan) --f.head, --f.tail;
  return plan;
}

}  // namespace convnet::inference
