#include <stdexcept>

#include "config_keys.h"
#include "convnet/loss.h"

namespace convnet {

Tensor Loss::backward() {
  if (grad_.empty()) throw std::logic_error(name() + ": backward() before forward()");
  return grad_;
}

std::unique_ptr<Loss> make_loss(const std::string& name, const Config& c) {
  if (name == "softmax_cross_entropy" || name == "categorical_crossentropy") {
    check_config_keys(c, {"label_smoothing"}, "loss " + name);
    const CrossEntropyOptions o{.label_smoothing = float(c.get_float("label_smoothing", 0.0))};
    if (name == "softmax_cross_entropy") return std::make_unique<SoftmaxCrossEntropy>(o);
    return std::make_unique<CategoricalCrossEntropy>(o);
  }
  if (name == "binary_crossentropy") {
    check_config_keys(c, {"from_logits", "label_smoothing"}, "loss " + name);
    return std::make_unique<BinaryCrossEntropy>(
        BinaryCrossEntropyOptions{.from_logits = c.get_bool("from_logits", true),
                                  .label_smoothing = float(c.get_float("label_smoothing", 0.0))});
  }
  if (name == "mse") {
    check_config_keys(c, {}, "loss mse");
    return std::make_unique<MeanSquaredError>();
  }
  throw std::invalid_argument("unknown loss '" + name +
                              "' (known: softmax_cross_entropy, categorical_crossentropy, "
                              "binary_crossentropy, mse)");
}

}  // namespace convnet
