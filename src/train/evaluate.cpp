// Model::evaluate and Model::predict.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "convnet/train.h"
#include "train/step.h"

namespace convnet {
namespace {

// Rows [begin, end) of a batch-first tensor, copied.
Tensor rows(const Tensor& t, int64_t begin, int64_t end) {
  const int64_t row = t.numel() / t.dim(0);
  std::vector<int64_t> dims = t.shape().dims();
  dims[0] = end - begin;
  return Tensor::from(Shape(dims), t.data() + begin * row);
}

void fill_class_metrics(Evaluation& e) {
  const size_t C = e.confusion_matrix.size();
  e.per_class.assign(C, {});
  for (size_t c = 0; c < C; ++c) {
    int64_t tp = e.confusion_matrix[c][c], predicted = 0, actual = 0;
    for (size_t k = 0; k < C; ++k) {
      predicted += e.confusion_matrix[k][c];
      actual += e.confusion_matrix[c][k];
    }
    ClassMetrics& m = e.per_class[c];
    m.support = actual;
    m.precision = predicted ? double(tp) / double(predicted) : 0.0;
    m.recall = actual ? double(tp) / double(actual) : 0.0;
    m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  }
}

}  // namespace

Tensor Model::predict(const Tensor& images, int64_t batch_size) {
  if (images.rank() < 1 || images.dim(0) == 0) throw std::invalid_argument("predict: no images");
  batch_size = std::max<int64_t>(batch_size, 1);
  Tensor out;
  int64_t row = 0;
  for (int64_t b = 0; b < images.dim(0); b += batch_size) {
    const int64_t e = std::min(images.dim(0), b + batch_size);
    const Tensor y = forward(rows(images, b, e), Mode::eval);
    if (out.empty()) {
      row = y.numel() / y.dim(0);
      out = Tensor(y.shape().without_batch().with_batch(images.dim(0)));
    }
    std::memcpy(out.data() + b * row, y.data(), size_t(y.numel()) * sizeof(float));
  }
  return out;
}

Evaluation Model::evaluate(const Dataset& data, const EvaluateOptions& o) {
  if (data.size() == 0) throw std::invalid_argument("evaluate: the data set is empty");
  Evaluation e;
  e.top_k = o.top_k;
  const int64_t classes = output_shape().rank() == 1 ? output_shape()[0] : 0;
  const bool classify = classes > 0 && !data.labels.empty();
  if (classify) {
    e.confusion_matrix.assign(size_t(classes), std::vector<int64_t>(size_t(classes), 0));
    for (int64_t c = 0; c < classes; ++c)
      e.class_names.push_back(c < int64_t(data.class_names.size()) ? data.class_names[size_t(c)]
                                                                   : std::to_string(c));
  }
  double loss_sum = 0.0;
  int64_t correct = 0, top_k = 0;
  const int64_t N = data.size();
  for (int64_t b = 0; b < N; b += o.batch_size) {
    const int64_t end = std::min(N, b + o.batch_size);
    Batch batch;
    batch.images = rows(data.images, b, end);
    if (!data.labels.empty())
      batch.labels.assign(data.labels.begin() + b, data.labels.begin() + end);
    if (!data.targets.empty()) batch.targets = rows(data.targets, b, end);
    const Tensor y = forward(batch.images, Mode::eval);
    if (loss_) loss_sum += batch_loss(*this, *loss_, y, batch, nullptr, nullptr) * double(end - b);
    if (!classify) continue;
    correct += count_top_k(y, batch.labels, 1);
    top_k += count_top_k(y, batch.labels, o.top_k);
    for (int64_t n = 0; n < end - b; ++n) {
      const float* row = y.data() + n * classes;
      const int64_t pred = std::max_element(row, row + classes) - row;
      const int32_t t = batch.labels[size_t(n)];
      if (t >= 0 && t < classes) ++e.confusion_matrix[size_t(t)][size_t(pred)];
    }
  }
  if (loss_) e.loss = loss_sum / double(N);
  if (classify) {
    e.accuracy = double(correct) / double(N);
    e.top_k_accuracy = double(top_k) / double(N);
    fill_class_metrics(e);
  }
  return e;
}

}  // namespace convnet
