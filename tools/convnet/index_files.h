// The files of a retrieval index, as `convnet embed` writes them and `convnet search` reads them:
//   INDEX.npy          float32 [N, D], the features
//   INDEX.labels.npy   int32 [N], the labels (when the data set has them)
//   INDEX.json         {"model": ..., "layer": ..., "data": ..., "split": ...}: how to embed a
//                      query the same way, and where the indexed images are
#pragma once

#include <string>

namespace convnet::cli {

struct IndexInfo {
  std::string model, layer, data, split;
};

// "index.npy" -> "index" + suffix (".labels.npy", ".json").
std::string index_sidecar(const std::string& index_path, const std::string& suffix);

void write_index_info(const std::string& index_path, const IndexInfo& info);
// Throws std::runtime_error naming the file when it is missing or malformed.
IndexInfo read_index_info(const std::string& index_path);

}  // namespace convnet::cli
