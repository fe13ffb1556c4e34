// The JSON header of a safetensors file, parsed and checked as it streams in (a SAX parser), so
// that a hostile header costs memory in proportion to what it validly describes and fails at its
// first wrong token. Private to src/io.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace convnet::io::detail {

struct TensorEntry {
  std::string name;
  std::vector<int64_t> shape;   // every dimension >= 0
  uint64_t begin = 0, end = 0;  // data_offsets; end - begin == 4 * product(shape)
};

struct SafeTensorsHeader {
  std::vector<TensorEntry> tensors;  // in header order
  std::map<std::string, std::string> metadata;
};

// Checks every rule of read_safetensors that the header alone decides (all but the offsets'
// relation to the data section). Throws std::runtime_error with what is wrong, without the path.
SafeTensorsHeader parse_safetensors_header(std::string_view text);

}  // namespace convnet::io::detail
