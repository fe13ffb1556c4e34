// convnet search: the k nearest indexed images of query images, by the features of the layer the
// index was made with (exact search, one matrix product per batch of queries). Queries are image
// files, or indexed images given by their number (--item).
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/data.h"
#include "convnet/io/npy.h"
#include "convnet/vision/retrieval.h"
#include "index_files.h"
#include "tiles.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string index, model, layer, metric = "cosine", out;
  std::vector<std::string> queries;
  std::vector<int64_t> items;
  int64_t k = 5;
};

// The split the index was made from. Without -o or --item it only gives class names, so a data
// set that cannot be loaded any more then leaves the labels as numbers.
Dataset indexed_images(const IndexInfo& info, int64_t rows, bool required) {
  Dataset d;
  try {
    const DataSplits splits = load_dataset(info.data);
    d = info.split == "train" ? splits.train : splits.test;
  } catch (const std::runtime_error&) {
    if (required) throw;
    return d;
  }
  if (d.size() != rows)
    throw std::runtime_error(info.data + " (" + info.split + ") has " + std::to_string(d.size()) +
                             " images, the index " + std::to_string(rows) + " rows");
  return d;
}

void run_search(const Args& a) {
  const IndexInfo info = read_index_info(a.index);
  const Tensor index = io::read_npy(a.index);
  const std::string labels_path = index_sidecar(a.index, ".labels.npy");
  const std::vector<int64_t> labels = std::filesystem::exists(labels_path)
                                          ? io::read_npy_labels(labels_path)
                                          : std::vector<int64_t>();
  if (a.queries.empty() && a.items.empty())
    throw std::invalid_argument("give query images or --item N");
  const bool need_images = !a.out.empty() || !a.items.empty();
  const Dataset indexed =
      need_images || !labels.empty() ? indexed_images(info, index.dim(0), need_images) : Dataset();

  auto model = open_model(a.model.empty() ? info.model : a.model);
  const Shape in = model->input_shape();
  std::vector<std::string> names;
  Tensor queries(in.with_batch(int64_t(a.queries.size() + a.items.size())));
  for (size_t i = 0; i < a.queries.size(); ++i) {
    const Tensor img =
        read_image(a.queries[i], {.channels = in[0], .height = in[1], .width = in[2]});
    std::copy(img.begin(), img.end(), queries.data() + int64_t(i) * in.numel());
    names.push_back(a.queries[i]);
  }
  if (!a.items.empty() && !(indexed.sample_shape() == in))
    throw std::invalid_argument("--item: the indexed images are " + indexed.sample_shape().str() +
                                ", the model takes " + in.str());
  for (int64_t item : a.items) {
    if (item < 0 || item >= indexed.size())
      throw std::invalid_argument("--item " + std::to_string(item) + " is not in [0, " +
                                  std::to_string(indexed.size()) + ")");
    std::copy_n(indexed.images.data() + item * in.numel(), in.numel(),
                queries.data() + int64_t(names.size()) * in.numel());
    names.push_back("#" + std::to_string(item));
  }
  const auto hits =
      knn_search(index, embed(*model, queries, a.layer.empty() ? info.layer : a.layer),
                 {.k = a.k, .metric = metric_from_name(a.metric)});

  std::vector<Tensor> tiles;
  const Shape sample = indexed.sample_shape();
  for (size_t q = 0; q < hits.size(); ++q) {
    std::cout << names[q] << "\n";
    if (!a.out.empty()) tiles.push_back(Tensor::from(in, queries.data() + int64_t(q) * in.numel()));
    for (size_t r = 0; r < hits[q].size(); ++r) {
      const Neighbor& h = hits[q][r];
      std::cout << "  " << r + 1 << ". #" << h.index;
      if (!labels.empty()) {
        const int64_t label = labels[size_t(h.index)];
        std::cout << "  label " << label;
        if (!indexed.class_names.empty()) std::cout << " (" << indexed.class_name(label) << ")";
      }
      std::cout << "  distance " << std::fixed << std::setprecision(4) << h.distance << "\n";
      if (!a.out.empty())
        tiles.push_back(Tensor::from(sample, indexed.images.data() + h.index * sample.numel()));
    }
  }
  if (!a.out.empty()) {
    write_png(a.out, tile_images(tiles, a.k + 1, 3));
    std::cout << "queries and their neighbours, one query a row -> " << a.out << "\n";
  }
}

}  // namespace

void add_search(CLI::App& app) {
  auto* cmd = app.add_subcommand("search", "Find the indexed images nearest to query images");
  auto a = std::make_shared<Args>();
  cmd->add_option("index", a->index, "Index written by convnet embed (.npy)")->required();
  cmd->add_option("queries", a->queries, "Query images (PNG, JPEG, BMP)");
  cmd->add_option("--item", a->items, "Query with indexed image N (repeatable)");
  cmd->add_option("--k", a->k, "Neighbours per query")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--metric", a->metric, "cosine | l2")
      ->capture_default_str()
      ->check(CLI::IsMember({"cosine", "l2"}));
  cmd->add_option("--model", a->model, "Model (default: the one the index was made with)");
  cmd->add_option("--layer", a->layer, "Layer (default: the one the index was made with)");
  cmd->add_option("-o,--out", a->out, "PNG of each query followed by its neighbours");
  cmd->callback([a] { run_search(*a); });
}

}  // namespace convnet::cli
