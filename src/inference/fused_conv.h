// Inference-time fusion: in Mode::eval the models run
//
//   [ZeroPadding2D ->] Conv2D | DepthwiseConv2D [-> BatchNorm2D] [-> activation layer]
//
// as one convolution whenever each intermediate output feeds only the next layer and nothing else
// needs it (no other reader, not a model output, not the layer forward_to stops at). The padding
// moves into the convolution's geometry; the batch norm's running statistics fold into a
// per-channel scale and shift,
//
//   scale = gamma / sqrt(running_var + eps),   shift = beta + (bias - running_mean) * scale,
//
// applied with the activation in the convolution's output loop (kernels/epilogue.h):
// y = act(scale * conv(x, W) + shift), equal to the unfused layers within float rounding.
//
// Nothing is cached: the plan (which layers fuse) and the scale and shift (O(channels)) are
// recomputed at every eval forward from the layers as they are then, so training steps, loaded
// weights, replaced heads or weights written by hand can never leave a stale fusion behind.
// Training mode never fuses.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "convnet/layer.h"

namespace convnet {
class ZeroPadding2D;
class BatchNorm2D;
class ActivationLayer;
}  // namespace convnet

namespace convnet::inference {

struct FusedConv {
  ZeroPadding2D* pad = nullptr;    // optional
  Layer* conv = nullptr;           // a Conv2D or DepthwiseConv2D with a linear activation when
                                   // a batch norm or activation layer follows
  BatchNorm2D* bn = nullptr;       // optional
  ActivationLayer* act = nullptr;  // optional; never softmax

  // The number of layers it covers (2 to 4).
  size_t size() const { return (pad ? 1 : 0) + 1 + (bn ? 1 : 0) + (act ? 1 : 0); }
};

// The longest fusion starting at chain[0] whose layers are chain[0], chain[1], ... in order;
// the caller guarantees that each chain[i + 1] reads chain[i]'s output and only it, and that
// nothing else needs chain[i]'s output. nullopt when fewer than two layers would fuse.
std::optional<FusedConv> match_fused_conv(const std::vector<Layer*>& chain);

// What a model computes in eval mode for x, the input of the fusion's first layer: the output of
// its last layer.
Tensor fused_conv_forward(const FusedConv& f, const Tensor& x);

// A model's layers as a graph, for planning: node i runs `layer` (null for a model input) on the
// nodes `inputs` (all before i); `needed` marks the nodes whose values must exist afterwards.
struct PlanNode {
  Layer* layer = nullptr;
  std::vector<int> inputs;
  bool needed = false;
};

// A fusion found by plan_fusions: it runs where node `head` would, on head's input, and gives the
// value of node `tail`; the nodes after head up to tail that it covers are not run.
struct PlannedFusion {
  size_t head = 0, tail = 0;
  FusedConv conv;
};

// The fusions of an eval forward over `nodes`, in node order; `skip[i]` is set for every node a
// fusion covers except its head (skip is resized to nodes.size()).
std::vector<PlannedFusion> plan_fusions(const std::vector<PlanNode>& nodes,
                                        std::vector<bool>& skip);
// The same for layers that each read the one before (Sequential), numbered by layer; the last
// layer's output is the one needed.
std::vector<PlannedFusion> plan_fusions(const std::vector<Layer*>& layers, std::vector<bool>& skip);

}  // namespace convnet::inference
