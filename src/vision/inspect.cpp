#include "convnet/vision/inspect.h"

#include <stdexcept>

namespace convnet {
namespace {

// The layer's rank-4 weight, or null.
Tensor* kernels_of(Layer& layer) {
  for (const Param& p : layer.params())
    if (p.name == "weight" && p.value && p.value->rank() == 4) return p.value;
  return nullptr;
}

}  // namespace

Layer& conv_layer(Model& model, const std::string& name) {
  if (!name.empty()) {
    Layer& l = model.layer(name);
    if (!kernels_of(l))
      throw std::invalid_argument("layer '" + name + "' (" + l.type() +
                                  ") has no convolution kernels (a rank-4 weight)");
    return l;
  }
  if (Layer* first = first_conv_layer(model)) return *first;
  throw std::invalid_argument("model '" + model.name() + "' has no convolution layer");
}

Layer* first_conv_layer(Model& model) {
  for (Layer* l : model.layers())
    if (kernels_of(*l)) return l;
  return nullptr;
}

Tensor filter_grid(Model& model, const std::string& layer, GridOptions options) {
  const Tensor& w = *kernels_of(conv_layer(model, layer));
  const int64_t K = w.dim(0), C = w.dim(1), KH = w.dim(2), KW = w.dim(3);
  const Tensor stretched = normalize_each(w);  // per filter, all channels together
  if (C == 3) return tile_images(stretched, options);
  if (C > 1 && options.columns == 0) options.columns = C;
  return tile_images(stretched.reshape({K * C, 1, KH, KW}), options);
}

Tensor feature_grid(Model& model, const Tensor& image, const std::string& layer,
                    GridOptions options) {
  if (image.rank() != 3)
    throw std::invalid_argument("feature_grid: expected one image [C, H, W], got " +
                                image.shape().str());
  const Tensor y = model.forward_to(image.reshape(image.shape().with_batch(1)), layer);
  if (y.rank() == 4) {
    const int64_t K = y.dim(1), H = y.dim(2), W = y.dim(3);
    return tile_images(normalize_each(y.reshape({K, 1, H, W})), options);
  }
  if (y.rank() == 2) {
    const int64_t F = y.dim(1);
    return tile_images(normalize_each(y).reshape({F, 1, 1, 1}), options);
  }
  throw std::invalid_argument("feature_grid: layer '" + layer + "' outputs " +
                              y.shape().without_batch().str() +
                              ", expected feature maps [K, H, W] or a vector [F]");
}

ReceptiveField receptive_field(Model& model, const std::string& layer) {
  model.layer(layer);  // throws, listing the names
  for (const LayerSummary& row : model.summary_info().layers)
    if (row.name == layer)
      return {.layer = row.name,
              .output_shape = row.output_shape,
              .size = row.receptive_field,
              .jump = row.jump,
              .top = row.field_top,
              .left = row.field_left};
  throw std::logic_error("receptive_field: layer '" + layer + "' missing from the summary");
}

}  // namespace convnet
