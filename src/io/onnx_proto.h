// What ONNX import and export share: the generated protobuf classes (Debian's libonnx-dev, built
// with ONNX_ML) and constants, the small arrays that initializers and folded shape computations
// hold. Private to src/io: no public header sees protobuf.
#pragma once

#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h (ONNX_ML)

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/tensor.h"

namespace convnet::io::onnx_detail {

// A tensor known at import time. Floating types are held as float, integer types as int64; `dims`
// is the full ONNX shape (batch included where there is one).
struct Constant {
  std::vector<int64_t> dims;
  bool is_int = false;
  std::vector<float> f;
  std::vector<int64_t> i;

  int64_t numel() const;
  // Element k as a double, of either kind.
  double at(int64_t k) const;
  // The values as integers (shape vectors, axes); throws std::runtime_error naming `what` when
  // they are floats that are not whole.
  std::vector<int64_t> ints(const std::string& what) const;
  Tensor tensor() const;  // float values as a convnet Tensor of shape dims
};

// Reads an initializer or a Constant's value. Accepts float, double, float16-free integer types
// (int8..int64, uint8..uint32, bool); checks that the stored data matches the dims. Throws
// std::runtime_error "<what>: ..." for another type, external data or inconsistent sizes.
Constant read_tensor(const onnx::TensorProto& t, const std::string& what);

// Fills a TensorProto with float32 values (raw little-endian data) or int64 values.
void write_tensor(onnx::TensorProto& t, const std::string& name, const std::vector<int64_t>& dims,
                  const float* values);
void write_ints(onnx::TensorProto& t, const std::string& name, const std::vector<int64_t>& dims,
                const std::vector<int64_t>& values);

// The name of an ONNX TensorProto data type ("FLOAT", "INT64", ...).
std::string data_type_name(int32_t type);

}  // namespace convnet::io::onnx_detail
