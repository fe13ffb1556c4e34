// Merge layers for graph models: several inputs, one output.
//
//   Add:          y = x_1 + x_2 + ... (equal shapes);       dx_i = dy
//   Multiply:     y = x_1 * x_2 * ... (element-wise);       dx_i = dy * prod_{j != i} x_j
//   Concatenate:  y = [x_1, x_2, ...] along `axis` of the sample shape (0 = channels for [C, H, W]);
//                 dx_i = the slice of dy that x_i filled
#pragma once

#include <vector>

#include "convnet/layer.h"

namespace convnet {

// A layer with several inputs. Its single-input entry points exist for uniformity (they treat the
// one input as a list of one); models call the list versions.
class MergeLayer : public Layer {
 public:
  virtual Shape output_shape(const std::vector<Shape>& inputs) const = 0;
  virtual Tensor forward(const std::vector<Tensor>& xs, Mode mode) = 0;
  // Gradients for each input of the last training forward, in input order.
  virtual std::vector<Tensor> backward_all(const Tensor& dy) = 0;
  Shape build(const std::vector<Shape>& inputs, Rng& rng);

  Shape output_shape(const Shape& input) const override { return output_shape(std::vector{input}); }
  Tensor forward(const Tensor& x, Mode mode) override { return forward(std::vector{x}, mode); }
  Tensor backward(const Tensor& dy) override { return backward_all(dy).at(0); }

 protected:
  // Throws ShapeError listing all input shapes.
  [[noreturn]] void shapes_error(const std::vector<Shape>& got, const std::string& expected) const;
  // The one shape of two or more equally shaped inputs (Add, Multiply).
  Shape common_shape(const std::vector<Shape>& inputs) const;
  static std::vector<Shape> shapes_of(const std::vector<Tensor>& xs);
};

class Add : public MergeLayer {
 public:
  static std::unique_ptr<Layer> from_config(const Config&) { return std::make_unique<Add>(); }
  std::string type() const override { return "Add"; }
  using MergeLayer::forward;
  using MergeLayer::output_shape;
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  Tensor forward(const std::vector<Tensor>& xs, Mode mode) override;
  std::vector<Tensor> backward_all(const Tensor& dy) override;

 private:
  size_t count_ = 0;
};

class Multiply : public MergeLayer {
 public:
  static std::unique_ptr<Layer> from_config(const Config&) { return std::make_unique<Multiply>(); }
  std::string type() const override { return "Multiply"; }
  using MergeLayer::forward;
  using MergeLayer::output_shape;
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  Tensor forward(const std::vector<Tensor>& xs, Mode mode) override;
  std::vector<Tensor> backward_all(const Tensor& dy) override;

 private:
  std::vector<Tensor> xs_;
};

struct ConcatenateOptions {
  int64_t axis = 0;  // axis of the sample shape (0: channels of [C, H, W]; -1: the last)
};

class Concatenate : public MergeLayer {
 public:
  explicit Concatenate(ConcatenateOptions o = {}) : opt_(o) {}
  static std::unique_ptr<Layer> from_config(const Config& c);
  std::string type() const override { return "Concatenate"; }
  using MergeLayer::forward;
  using MergeLayer::output_shape;
  Shape output_shape(const std::vector<Shape>& inputs) const override;
  Tensor forward(const std::vector<Tensor>& xs, Mode mode) override;
  std::vector<Tensor> backward_all(const Tensor& dy) override;
  Config config() const override { return Config().set("axis", opt_.axis); }

 private:
  ConcatenateOptions opt_;
  std::vector<Shape> shapes_;  // input batch shapes of the last forward
};

}  // namespace convnet
