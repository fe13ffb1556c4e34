#include "convnet/vision/retrieval.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "kernels/gemm.h"

namespace convnet {
namespace {

// Rows of x [R, D] scaled to unit length (all-zero rows stay zero).
Tensor unit_rows(const Tensor& x) {
  Tensor out = x.clone();
  const int64_t R = x.dim(0), D = x.dim(1);
  for (int64_t r = 0; r < R; ++r) {
    float* row = out.data() + r * D;
    double sq = 0.0;
    for (int64_t d = 0; d < D; ++d) sq += double(row[d]) * row[d];
    if (sq == 0.0) continue;
    const float scale = float(1.0 / std::sqrt(sq));
    for (int64_t d = 0; d < D; ++d) row[d] *= scale;
  }
  return out;
}

std::vector<float> squared_norms(const float* x, int64_t R, int64_t D) {
  std::vector<float> n(static_cast<size_t>(R), 0.f);
  for (int64_t r = 0; r < R; ++r) {
    double s = 0.0;
    for (int64_t d = 0; d < D; ++d) s += double(x[r * D + d]) * x[r * D + d];
    n[size_t(r)] = float(s);
  }
  return n;
}

float l2_distance(const float* a, const float* b, int64_t D) {
  double sq = 0.0;
  for (int64_t d = 0; d < D; ++d) sq += (double(a[d]) - b[d]) * (double(a[d]) - b[d]);
  return float(std::sqrt(sq));
}

}  // namespace

Metric metric_from_name(const std::string& name) {
  if (name == "cosine") return Metric::cosine;
  if (name == "l2") return Metric::l2;
  throw std::invalid_argument("unknown metric '" + name + "' (known: cosine, l2)");
}

std::string metric_name(Metric m) {
  return m == Metric::cosine ? "cosine" : "l2";
}

Tensor embed(Model& model, const Tensor& images, const std::string& layer, int64_t batch_size) {
  if (images.rank() < 2 || images.dim(0) == 0)
    throw std::invalid_argument("embed: expected images [N, ...], got " + images.shape().str());
  batch_size = std::max<int64_t>(batch_size, 1);
  const int64_t N = images.dim(0), row = images.numel() / N;
  Tensor out;
  for (int64_t b = 0; b < N; b += batch_size) {
    const int64_t e = std::min(N, b + batch_size);
    Shape shape = images.shape();
    shape[0] = e - b;
    const Tensor y = model.forward_to(Tensor::from(shape, images.data() + b * row), layer);
    const int64_t D = y.numel() / y.dim(0);
    if (out.empty()) out = Tensor({N, D});
    std::memcpy(out.data() + b * D, y.data(), sizeof(float) * size_t(y.numel()));
  }
  return out;
}

std::vector<std::vector<Neighbor>> knn_search(const Tensor& index, const Tensor& queries,
                                              const SearchOptions& o) {
  if (index.rank() != 2 || queries.rank() != 2 || index.dim(1) != queries.dim(1))
    throw std::invalid_argument("knn_search: expected index [N, D] and queries [Q, D], got " +
                                index.shape().str() + " and " + queries.shape().str());
  if (o.k < 1) throw std::invalid_argument("knn_search: k must be >= 1");
  const int64_t N = index.dim(0), Q = queries.dim(0), D = index.dim(1);
  if (o.exclude_self && Q != N)
    throw std::invalid_argument("knn_search: exclude_self needs the index as queries");
  const bool cosine = o.metric == Metric::cosine;
  const Tensor x = cosine ? unit_rows(index) : index;
  const Tensor q = cosine ? unit_rows(queries) : queries;
  const std::vector<float> x_norms = cosine ? std::vector<float>() : squared_norms(x.data(), N, D);
  const std::vector<float> q_norms = cosine ? std::vector<float>() : squared_norms(q.data(), Q, D);
  const int64_t k = std::min(o.k, N - (o.exclude_self ? 1 : 0));
  const int64_t B = std::max<int64_t>(1, o.batch_size);

  std::vector<std::vector<Neighbor>> result(static_cast<size_t>(Q));
  std::vector<float> dots(static_cast<size_t>(std::min(B, Q) * N));
  std::vector<int64_t> order(static_cast<size_t>(N));
  for (int64_t b = 0; b < Q; b += B) {
    const int64_t rows = std::min(B, Q - b);
    // dots[r, n] = <q_{b+r}, x_n>: the one product per batch.
    kernels::gemm(false, true, rows, N, D, 1.0f, q.data() + b * D, D, x.data(), D, 0.0f,
                  dots.data(), N);
    for (int64_t r = 0; r < rows; ++r) {
      float* dist = dots.data() + r * N;
      for (int64_t n = 0; n < N; ++n)
        dist[n] = cosine ? std::max(1.0f - dist[n], 0.f)  // rounding can put a twin below 0
                         : std::sqrt(std::max(
                               q_norms[size_t(b + r)] + x_norms[size_t(n)] - 2.0f * dist[n], 0.f));
      if (o.exclude_self) dist[b + r] = std::numeric_limits<float>::infinity();
      auto nearer = [dist](int64_t a, int64_t c) {
        return dist[a] < dist[c] || (dist[a] == dist[c] && a < c);
      };
      std::iota(order.begin(), order.end(), 0);
      std::nth_element(order.begin(), order.begin() + (k - 1), order.end(), nearer);
      std::sort(order.begin(), order.begin() + k, nearer);
      auto& hits = result[size_t(b + r)];
      for (int64_t i = 0; i < k; ++i) {
        const int64_t n = order[size_t(i)];
        // The expansion |q|^2 + |x|^2 - 2 <q, x> cancels badly for near neighbours (a duplicate
        // came out 1e-3 away), so the hits' L2 distances are summed directly.
        hits.push_back(
            {n, cosine ? dist[n] : l2_distance(q.data() + (b + r) * D, x.data() + n * D, D)});
      }
      if (!cosine)
        std::stable_sort(hits.begin(), hits.end(), [](const Neighbor& a, const Neighbor& c) {
          return a.distance < c.distance;
        });
    }
  }
  return result;
}

double precision_at_k(const Tensor& features, const std::vector<int32_t>& labels,
                      const SearchOptions& options) {
  if (features.rank() != 2 || int64_t(labels.size()) != features.dim(0))
    throw std::invalid_argument("precision_at_k: " + std::to_string(labels.size()) +
                                " labels for features " + features.shape().str());
  if (features.dim(0) <= options.k)
    throw std::invalid_argument("precision_at_k: needs more than k = " + std::to_string(options.k) +
                                " items");
  SearchOptions o = options;
  o.exclude_self = true;
  const auto hits = knn_search(features, features, o);
  double sum = 0.0;
  for (size_t i = 0; i < hits.size(); ++i) {
    int64_t same = 0;
    for (const Neighbor& h : hits[i]) same += labels[size_t(h.index)] == labels[i];
    sum += double(same) / double(o.k);
  }
  return sum / double(hits.size());
}

}  // namespace convnet
