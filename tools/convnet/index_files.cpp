#include "index_files.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "convnet/io/atomic_file.h"

namespace convnet::cli {

std::string index_sidecar(const std::string& index_path, const std::string& suffix) {
  const std::string ext = ".npy";
  const bool has_ext = index_path.size() > ext.size() &&
                       index_path.compare(index_path.size() - ext.size(), ext.size(), ext) == 0;
  return (has_ext ? index_path.substr(0, index_path.size() - ext.size()) : index_path) + suffix;
}

void write_index_info(const std::string& index_path, const IndexInfo& info) {
  const nlohmann::json j{
      {"model", info.model}, {"layer", info.layer}, {"data", info.data}, {"split", info.split}};
  io::write_file_atomically(index_sidecar(index_path, ".json"), j.dump(2) + "\n");
}

IndexInfo read_index_info(const std::string& index_path) {
  const std::string path = index_sidecar(index_path, ".json");
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": missing (written by convnet embed beside the index)");
  std::stringstream text;
  text << in.rdbuf();
  try {
    const nlohmann::json j = nlohmann::json::parse(text.str());
    return {j.at("model").get<std::string>(), j.at("layer").get<std::string>(),
            j.at("data").get<std::string>(), j.at("split").get<std::string>()};
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(path + ": not an index description (" + e.what() + ")");
  }
}

}  // namespace convnet::cli
