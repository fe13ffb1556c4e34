// Image retrieval with CNN features (the lecture's "similar images have close features"): embed a
// collection with one layer of a trained network, then find a query's nearest neighbours.
//
//   Tensor index = embed(model, data.test.images, "dense_1");          // [N, D]
//   auto hits = knn_search(index, embed(model, query, "dense_1"), {.k = 5});
//   double p5 = precision_at_k(index, data.test.labels, {.k = 5});
//
// The search is exact: the distances of a batch of queries to every indexed item come from one
// matrix product (BLAS sgemm), [B, D] x [D, N], then the k smallest of each row are kept.
//   cosine:  distance = 1 - <q, x> / (|q| |x|)   (an all-zero vector has distance 1 to everything)
//   l2:      distance = |q - x|: ranked by sqrt(max(|q|^2 + |x|^2 - 2 <q, x>, 0)), which the
//            product gives, and the distances of the k hits then summed directly (the expansion
//            loses the digits of near duplicates)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/model.h"
#include "convnet/tensor.h"

namespace convnet {

enum class Metric { cosine, l2 };
// "cosine" | "l2"; throws std::invalid_argument for anything else.
Metric metric_from_name(const std::string& name);
std::string metric_name(Metric m);

// The output of `layer` for images [N, ...input_shape], eval mode, `batch_size` images per forward,
// flattened to [N, D]. Throws std::invalid_argument for an unknown layer.
Tensor embed(Model& model, const Tensor& images, const std::string& layer,
             int64_t batch_size = 256);

struct Neighbor {
  int64_t index = 0;     // row of the index
  float distance = 0.f;  // in the metric of the search
};

struct SearchOptions {
  int64_t k = 5;                   // neighbours per query (fewer when the index is smaller)
  Metric metric = Metric::cosine;  // cosine | l2
  int64_t batch_size = 512;        // queries per matrix product
  // Leave-one-out: query i skips index row i (for queries that are the index itself).
  bool exclude_self = false;
};

// For each query row of `queries` [Q, D], its k nearest rows of `index` [N, D], nearest first
// (equal distances: lower index first). Throws std::invalid_argument when the widths differ, the
// tensors are not 2-D, k < 1, or exclude_self is set and Q != N.
std::vector<std::vector<Neighbor>> knn_search(const Tensor& index, const Tensor& queries,
                                              const SearchOptions& options = {});

// Mean over the items of `features` [N, D] of the fraction of their k nearest other items (leave
// one out) that share their label. Throws std::invalid_argument unless labels has N entries and
// N > k.
double precision_at_k(const Tensor& features, const std::vector<int32_t>& labels,
                      const SearchOptions& options = {});

}  // namespace convnet
