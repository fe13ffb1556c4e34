// IDX files, the format of MNIST and Fashion-MNIST: a big-endian header of two zero bytes, a type
// code (0x08: unsigned byte, the only one supported), the number of dimensions d, then d uint32
// sizes, followed by the data in C order. Images use magic 0x00000803 ([N, H, W]), labels
// 0x00000801 ([N]). Gzip-compressed files are recognized by their content, whatever their name.
//
// Reading is strict: a wrong magic, a header that promises more than 2^31 elements or more than the
// file can hold (checked before allocating), a short or over-long file, or a gzip stream whose
// decompressed size disagrees with the header throws std::runtime_error naming the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/tensor.h"

namespace convnet::io {

struct IdxArray {
  std::vector<int64_t> dims;  // outermost first
  std::vector<uint8_t> data;  // product(dims) bytes
};

// Any unsigned-byte IDX file of 1 to 4 dimensions.
IdxArray read_idx(const std::string& path);
// Magic 0x00000803 -> [N, 1, H, W], bytes / 255.
Tensor read_idx_images(const std::string& path);
// Magic 0x00000801 -> N labels.
std::vector<int32_t> read_idx_labels(const std::string& path);

}  // namespace convnet::io
