// TensorBudget: while one lives, the Tensors created on its thread may allocate at most `elements`
// elements in all; the Tensor that would exceed it throws std::runtime_error before allocating.
// Loaders of untrusted files (model files, ONNX) rebuild models under a budget that the file's own
// tensors bound, so that an architecture claiming a 10^12-unit layer fails cleanly instead of
// exhausting memory. Budgets nest: the innermost one counts. Private to the library.
#pragma once

#include <cstdint>

namespace convnet {

class TensorBudget {
 public:
  explicit TensorBudget(int64_t elements);
  ~TensorBudget();
  TensorBudget(const TensorBudget&) = delete;
  TensorBudget& operator=(const TensorBudget&) = delete;

  int64_t left() const { return left_; }
  // Called by Tensor before each allocation.
  static void charge(int64_t elements);

 private:
  int64_t left_;
  TensorBudget* outer_;
};

}  // namespace convnet
