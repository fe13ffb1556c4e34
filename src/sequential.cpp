#include "convnet/sequential.h"

#include <stdexcept>

#include "bench/layer_timer.h"
#include "inference/fused_conv.h"

namespace convnet {

Sequential::Sequential(Shape input_shape, SequentialOptions options)
    : input_shape_(std::move(input_shape)), rng_(options.seed) {
  name_ = options.name;
  for (int64_t d : input_shape_)
    if (d < 1) throw ShapeError("Sequential: input shape " + input_shape_.str() + " has a dimension < 1");
}

std::string Sequential::unique_name(const std::string& base) const {
  auto taken = [&](const std::string& n) {
    for (const auto& l : layers_)
      if (l->name() == n) return true;
    return false;
  };
  if (!taken(base)) return base;
  for (int i = 1;; ++i)
    if (!taken(base + "_" + std::to_string(i))) return base + "_" + std::to_string(i);
}

Layer& Sequential::add(std::unique_ptr<Layer> layer) {
  if (layer->name().empty()) {
    layer->set_name(unique_name(layer->default_name()));
  } else if (unique_name(layer->name()) != layer->name()) {
    throw std::invalid_argument("Sequential: a layer named '" + layer->name() + "' exists already");
  }
  layer->build(output_shape(), rng_);
  layers_.push_back(std::move(layer));
  return *layers_.back();
}

Shape Sequential::output_shape() const {
  return layers_.empty() ? input_shape_ : layers_.back()->built_output_shape();
}

Tensor Sequential::forward(const Tensor& x, Mode mode) {
  return forward_below(layers_.size(), x, mode);
}

Tensor Sequential::forward_to(const Tensor& x, const std::string& layer, Mode mode) {
  const Layer* target = &this->layer(layer);  // throws, listing the names
  size_t end = 0;
  while (layers_[end].get() != target) ++end;
  return forward_below(end + 1, x, mode);
}

Tensor Sequential::forward_below(size_t end, const Tensor& x, Mode mode) {
  if (x.rank() != input_shape_.rank() + 1)
    throw ShapeError(name_ + ": received batch of shape " + x.shape().str() + ", expected " +
                     "[N" +
                     (input_shape_.rank() ? ", " : "") + input_shape_.str().substr(1));
  // In eval mode convolutions run fused with the batch norm and activation after them.
  std::vector<bool> skip(end, false);
  std::vector<inference::PlannedFusion> fusions;
  if (mode == Mode::eval) {
    std::vector<Layer*> run = layers();
    run.resize(end);
    fusions = inference::plan_fusions(run, skip);
  }
  auto fusion = fusions.begin();
  Tensor h = x;
  for (size_t i = 0; i < end; ++i) {
    if (skip[i]) continue;
    const bool fused = fusion != fusions.end() && fusion->head == i;
    const bench::LayerTimer timer(fused ? *fusion->conv.conv : *layers_[i], false);
    h = fused ? inference::fused_conv_forward((fusion++)->conv, h) : layers_[i]->forward(h, mode);
  }
  return h;
}

Tensor Sequential::backward(const Tensor& dy) { return backward_below(layers_.size(), dy); }

Tensor Sequential::backward_from_logits(const Tensor& dlogits) {
  if (!ends_in_softmax()) throw std::logic_error(name_ + ": the model does not end in a softmax");
  Tensor dx;
  {
    const bench::LayerTimer timer(*layers_.back(), true);
    layers_.back()->set_needs_input_grad(layers_.size() > 1 || needs_input_grad_);
    dx = layers_.back()->backward_from_logits(dlogits);
  }
  return backward_below(layers_.size() - 1, dx);
}

Tensor Sequential::backward_below(size_t end, const Tensor& dy) {
  Tensor g = dy;
  for (size_t i = end; i-- > 0;) {
    const bench::LayerTimer timer(*layers_[i], true);
    layers_[i]->set_needs_input_grad(i > 0 || needs_input_grad_);
    g = layers_[i]->backward(g);
  }
  return g;
}

std::vector<Layer*> Sequential::layers() {
  std::vector<Layer*> v;
  for (auto& l : layers_) v.push_back(l.get());
  return v;
}

}  // namespace convnet
