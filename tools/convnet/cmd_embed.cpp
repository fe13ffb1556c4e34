// convnet embed: the features of one layer for every image of a data set split, written as a
// retrieval index for `convnet search`; reports precision@k of the index on its own labels.
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/data.h"
#include "convnet/io/npy.h"
#include "convnet/vision/retrieval.h"
#include "index_files.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, layer, data = "fashion-mnist", split = "test", out = "index.npy";
  std::string metric = "cosine";
  int64_t k = 5, batch_size = 256;
};

void run_embed(const Args& a) {
  auto model = open_model(a.model);
  const DataSplits splits = load_dataset(a.data);
  const Dataset& d = a.split == "train" ? splits.train : splits.test;
  if (d.size() == 0) throw std::invalid_argument(a.data + " has no " + a.split + " split");
  const Tensor features = embed(*model, d.images, a.layer, a.batch_size);
  io::write_npy(a.out, features);
  if (!d.labels.empty()) io::write_npy_labels(index_sidecar(a.out, ".labels.npy"), d.labels);
  const std::string model_path =
      is_model_file(a.model) ? std::filesystem::absolute(a.model).string() : a.model;
  write_index_info(a.out, {model_path, a.layer, a.data, a.split});
  std::cout << "embedded " << d.size() << " images (" << a.data << ", " << a.split
            << "): " << features.shape().str() << " features of layer " << a.layer << " -> "
            << a.out << "\n";
  if (!d.labels.empty() && d.size() > a.k) {
    const double p =
        precision_at_k(features, d.labels, {.k = a.k, .metric = metric_from_name(a.metric)});
    std::cout << "precision@" << a.k << " (" << a.metric
              << ", each image against the others): " << std::fixed << std::setprecision(4) << p
              << "\n";
  }
}

}  // namespace

void add_embed(CLI::App& app) {
  auto* cmd = app.add_subcommand("embed", "Index a data set by the features of one layer");
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "Model file or zoo name")->required();
  cmd->add_option("data", a->data, "Data set name or folder")->capture_default_str();
  cmd->add_option("--layer", a->layer, "The layer whose output is the feature vector")->required();
  cmd->add_option("--split", a->split, "Which split to index")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "test"}));
  cmd->add_option("-o,--out", a->out, "The index (.npy); .labels.npy and .json go beside it")
      ->capture_default_str();
  cmd->add_option("--k", a->k, "k of the precision@k report")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--metric", a->metric, "cosine | l2")
      ->capture_default_str()
      ->check(CLI::IsMember({"cosine", "l2"}));
  cmd->add_option("--batch-size", a->batch_size, "Images per forward pass")->capture_default_str();
  cmd->callback([a] { run_embed(*a); });
}

}  // namespace convnet::cli
