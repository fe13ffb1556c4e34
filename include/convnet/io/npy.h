// .npy files, NumPy's array format (versions 1.0, 2.0 and 3.0): a magic string, a header holding a
// Python dict {'descr': ..., 'fortran_order': False, 'shape': (...)}, then the raw data.
//
// Reading supports little-endian, C-order arrays of float32, float64, uint8, int32 and int64; other
// types, big-endian or Fortran-order data, a malformed header and a file whose size disagrees with
// the header throw std::runtime_error naming the file. Gzipped .npy files are read too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/tensor.h"

namespace convnet::io {

// The header of a .npy file: NumPy's dtype name ("float32", "float64", "uint8", "int32", "int64")
// and the shape. The same checks as read_npy, except that the data is not read.
struct NpyInfo {
  std::string dtype;
  std::vector<int64_t> shape;
};
NpyInfo read_npy_info(const std::string& path);

// Any supported array, converted to float32 (uint8 is NOT rescaled to [0, 1]).
Tensor read_npy(const std::string& path);
// An integer array of shape [N] or [N, 1] (floats are accepted when every value is integral).
std::vector<int64_t> read_npy_labels(const std::string& path);

// float32 ('<f4') with the tensor's shape; int32 ('<i4') of shape [N]. Both write a temporary file
// next to `path` and rename it, so readers never see a half-written file.
void write_npy(const std::string& path, const Tensor& t);
void write_npy_labels(const std::string& path, const std::vector<int32_t>& labels);

}  // namespace convnet::io
