#include "zoo/common.h"

#include <stdexcept>

namespace convnet::zoo::detail {

Shape input_shape(const ZooOptions& o, const std::string& model, const Shape& fallback,
                  int64_t min_size) {
  if (o.input_shape.rank() == 0) return fallback;
  const Shape& s = o.input_shape;
  if (s.rank() != 3 || s[0] < 1 || s[1] < min_size || s[2] < min_size)
    throw std::invalid_argument(model + ": input shape " + s.str() +
                                " is not [C, H, W] with H, W >= " + std::to_string(min_size));
  return s;
}

int64_t classes(const ZooOptions& o, int64_t fallback) {
  if (o.classes < 0)
    throw std::invalid_argument("classes must be >= 1 (0: the default), got " +
                                std::to_string(o.classes));
  return o.classes ? o.classes : fallback;
}

void require_unit_alpha(const ZooOptions& o, const std::string& model) {
  if (o.alpha != 1.0f)
    throw std::invalid_argument(model + " has no width multiplier: alpha must be 1, got " +
                                std::to_string(o.alpha));
}

std::unique_ptr<Sequential> start(const ZooOptions& o, const std::string& model,
                                  const Shape& fallback, int64_t min_size, bool takes_alpha) {
  if (!takes_alpha) require_unit_alpha(o, model);
  return std::make_unique<Sequential>(input_shape(o, model, fallback, min_size),
                                      SequentialOptions{.name = model, .seed = o.seed});
}

}  // namespace convnet::zoo::detail
