// Image retrieval: exact k-NN against a brute-force reference, precision@k, embedding, and the
// embed/search commands on Fashion-MNIST.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <regex>

#include "convnet/data.h"
#include "convnet/io/model_file.h"
#include "convnet/io/npy.h"
#include "convnet/optim.h"
#include "convnet/train.h"
#include "convnet/vision/retrieval.h"
#include "convnet/zoo.h"
#include "support/test_files.h"

namespace convnet {
namespace {

Tensor random_matrix(int64_t rows, int64_t cols, uint64_t seed) {
  Tensor t({rows, cols});
  Rng rng(seed);
  for (float& v : t) v = rng.normal();
  return t;
}

// Distances in double precision, one pair at a time.
double reference_distance(const Tensor& a, int64_t i, const Tensor& b, int64_t j, Metric m) {
  const int64_t D = a.dim(1);
  double dot = 0, na = 0, nb = 0, sq = 0;
  for (int64_t d = 0; d < D; ++d) {
    const double x = a[i * D + d], y = b[j * D + d];
    dot += x * y;
    na += x * x;
    nb += y * y;
    sq += (x - y) * (x - y);
  }
  return m == Metric::cosine ? 1.0 - dot / std::sqrt(na * nb) : std::sqrt(sq);
}

TEST(Retrieval, KnnSearchMatchesBruteForce) {
  const Tensor index = random_matrix(97, 12, 1), queries = random_matrix(23, 12, 2);
  for (Metric m : {Metric::cosine, Metric::l2})
    for (int64_t batch : {1, 5, 1000}) {
      const auto hits = knn_search(index, queries, {.k = 7, .metric = m, .batch_size = batch});
      ASSERT_EQ(hits.size(), 23u);
      for (int64_t q = 0; q < 23; ++q) {
        std::vector<int64_t> order(97);
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
          return reference_distance(queries, q, index, a, m) <
                 reference_distance(queries, q, index, b, m);
        });
        ASSERT_EQ(hits[size_t(q)].size(), 7u);
        for (size_t r = 0; r < 7; ++r) {
          EXPECT_EQ(hits[size_t(q)][r].index, order[r]) << metric_name(m) << " query " << q;
          EXPECT_NEAR(hits[size_t(q)][r].distance,
                      reference_distance(queries, q, index, order[r], m), 1e-4);
        }
      }
    }
}

TEST(Retrieval, ExcludeSelfAndTies) {
  // Points on a line: 1 and 2 are both at distance 1 from 0, and 3 lies far away.
  const Tensor x = Tensor::from({4, 1}, {0.f, 1.f, -1.f, 5.f});
  const auto self = knn_search(x, x, {.k = 2, .metric = Metric::l2});
  EXPECT_EQ(self[0][0].index, 0);
  EXPECT_EQ(self[0][0].distance, 0.f);
  const auto others = knn_search(x, x, {.k = 2, .metric = Metric::l2, .exclude_self = true});
  EXPECT_EQ(others[0][0].index, 1);  // equal distances: the lower index first
  EXPECT_EQ(others[0][1].index, 2);
  EXPECT_EQ(others[3][0].index, 1);
  // k larger than the index: every other item, once.
  EXPECT_EQ(knn_search(x, x, {.k = 10, .exclude_self = true})[0].size(), 3u);
  EXPECT_THROW(knn_search(x, random_matrix(2, 3, 1)), std::invalid_argument);
  EXPECT_THROW(knn_search(x, random_matrix(2, 1, 1), {.exclude_self = true}),
               std::invalid_argument);
}

TEST(Retrieval, PrecisionAtK) {
  // Two tight clusters of 5 with their own labels: every neighbour among the 4 others agrees.
  Tensor f({10, 2});
  std::vector<int32_t> labels;
  Rng rng(3);
  for (int64_t i = 0; i < 10; ++i) {
    f[2 * i] = (i < 5 ? 10.f : -10.f) + rng.normal(0.f, 0.1f);
    f[2 * i + 1] = rng.normal(0.f, 0.1f);
    labels.push_back(i < 5 ? 0 : 1);
  }
  EXPECT_DOUBLE_EQ(precision_at_k(f, labels, {.k = 4, .metric = Metric::l2}), 1.0);
  // At k = 5 the fifth neighbour lies in the other cluster: 4/5.
  EXPECT_DOUBLE_EQ(precision_at_k(f, labels, {.k = 5, .metric = Metric::l2}), 0.8);
  // Relabelling item 4: items 0..3 lose a hit (3/4), item 4 finds none (0/4), 5..9 keep 4/4.
  labels[4] = 1;
  EXPECT_DOUBLE_EQ(precision_at_k(f, labels, {.k = 4, .metric = Metric::l2}),
                   (4 * 0.75 + 0.0 + 5 * 1.0) / 10.0);
}

TEST(Retrieval, EmbedFlattensTheLayerOutput) {
  auto m = zoo::lenet5({.seed = 1});
  Tensor x({5, 1, 28, 28});
  Rng rng(4);
  for (float& v : x) v = rng.uniform();
  const Tensor e = embed(*m, x, "avg_pool2d_1", 2);
  ASSERT_EQ(e.shape(), Shape({5, 400}));
  const Tensor direct = m->forward_to(x, "avg_pool2d_1");
  // Batches of 2 and of 5 may round differently inside the matrix products.
  for (int64_t i = 0; i < e.numel(); ++i)
    ASSERT_NEAR(e[i], direct[i], 1e-5f * (1 + std::abs(direct[i])));
}

// LeNet-5 trained for one epoch, as `convnet train --epochs 1` does; its 84 penultimate features
// index the test set.
TEST(RetrievalCli, LeNet5FeaturesRetrieveTheSameClass) {
  testing::TempDir dir;
  const DataSplits fashion = load_dataset("fashion-mnist");
  auto lenet = zoo::lenet5({.seed = 1});
  lenet->compile(std::make_unique<Adam>(lenet->params(), AdamOptions{.lr = 1e-3}),
                 std::make_unique<SoftmaxCrossEntropy>());
  lenet->fit(fashion.train,
             {.epochs = 1, .batch_size = 64, .seed = 1, .verbose = Verbosity::quiet});
  const std::string model = dir.file("lenet5.safetensors");
  io::save_model(*lenet, model);

  int status = 0;
  const std::string index = dir.file("index.npy");
  const std::string out = testing::run_command(
      std::string(CONVNET_CLI) + " embed " + model + " fashion-mnist --layer dense_1 -o " + index,
      status);
  ASSERT_EQ(status, 0) << out;
  std::cout << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex("precision@5 \\(cosine[^)]*\\): ([0-9.]+)")))
      << out;
  EXPECT_GT(std::stod(m[1]), 0.8);
  EXPECT_EQ(io::read_npy_info(index).shape, (std::vector<int64_t>{10000, 84}));
  EXPECT_EQ(io::read_npy_labels(dir.file("index.labels.npy")).size(), 10000u);

  // Test image 1234 as a PNG (Fashion-MNIST pixels are k/255, so the PNG holds them exactly).
  const Dataset& test = fashion.test;
  write_png(dir.file("query.png"), Tensor::from({1, 28, 28}, test.images.data() + 1234 * 784));
  const std::string grid = dir.file("hits.png");
  const std::string found =
      testing::run_command(std::string(CONVNET_CLI) + " search " + index + " " +
                               dir.file("query.png") + " --k 3 --metric l2 -o " + grid,
                           status);
  ASSERT_EQ(status, 0) << found;
  std::cout << found;
  EXPECT_NE(found.find("1. #1234  label " + std::to_string(test.labels[1234])), std::string::npos)
      << found;
  EXPECT_NE(found.find("distance 0.0000"), std::string::npos) << found;
  // Query and 3 neighbours side by side, each 28 pixels enlarged 3 times, 2-pixel gaps.
  EXPECT_EQ(read_image(grid).shape(), Shape({3, 84, 4 * 84 + 3 * 2}));
  // An indexed image as the query: the same search without a file.
  const std::string by_item = testing::run_command(
      std::string(CONVNET_CLI) + " search " + index + " --item 1234 --k 3 --metric l2", status);
  ASSERT_EQ(status, 0) << by_item;
  EXPECT_EQ(by_item.substr(0, by_item.find('\n')), "#1234");
  const std::string hits_by_item = by_item.substr(by_item.find('\n'));  // the same neighbours
  EXPECT_EQ(found.substr(found.find('\n'), hits_by_item.size()), hits_by_item);
}

}  // namespace
}  // namespace convnet
