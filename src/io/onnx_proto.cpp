#include "onnx_proto.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace convnet::io::onnx_detail {
namespace {

static_assert(std::endian::native == std::endian::little, "ONNX raw data is little-endian");

using TP = onnx::TensorProto;

// Bytes per element of the types we read, 0 for the others.
size_t element_size(int32_t type) {
  switch (type) {
    case TP::FLOAT: case TP::INT32: case TP::UINT32: return 4;
    case TP::DOUBLE: case TP::INT64: return 8;
    case TP::INT16: case TP::UINT16: return 2;
    case TP::INT8: case TP::UINT8: case TP::BOOL: return 1;
    default: return 0;
  }
}

bool is_float_type(int32_t type) { return type == TP::FLOAT || type == TP::DOUBLE; }

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Element k of raw data of the given type, widened.
double raw_float(const std::string& raw, int32_t type, int64_t k) {
  return type == TP::FLOAT ? load<float>(&raw[size_t(k) * 4]) : load<double>(&raw[size_t(k) * 8]);
}

int64_t raw_int(const std::string& raw, int32_t type, int64_t k) {
  const char* p = &raw[size_t(k) * element_size(type)];
  switch (type) {
    case TP::INT64: return load<int64_t>(p);
    case TP::INT32: return load<int32_t>(p);
    case TP::UINT32: return load<uint32_t>(p);
    case TP::INT16: return load<int16_t>(p);
    case TP::UINT16: return load<uint16_t>(p);
    case TP::INT8: return load<int8_t>(p);
    default: return load<uint8_t>(p);  // UINT8, BOOL
  }
}

}  // namespace

int64_t Constant::numel() const { return int64_t(is_int ? i.size() : f.size()); }

double Constant::at(int64_t k) const { return is_int ? double(i[size_t(k)]) : f[size_t(k)]; }

std::vector<int64_t> Constant::ints(const std::string& what) const {
  if (is_int) return i;
  std::vector<int64_t> out;
  for (float v : f) {
    if (v != std::floor(v)) throw std::runtime_error(what + ": expected integers, found " +
                                                     std::to_string(v));
    out.push_back(int64_t(v));
  }
  return out;
}

Tensor Constant::tensor() const {
  Tensor t{Shape(dims)};
  for (int64_t k = 0; k < t.numel(); ++k) t[k] = float(at(k));
  return t;
}

std::string data_type_name(int32_t type) {
  return TP::DataType_IsValid(type) ? TP::DataType_Name(TP::DataType(type))
                                    : "unknown (" + std::to_string(type) + ")";
}

Constant read_tensor(const TP& t, const std::string& what) {
  const int32_t type = t.data_type();
  if (element_size(type) == 0)
    throw std::runtime_error(what + ": data type " + data_type_name(type) +
                             " is not supported (supported: FLOAT, DOUBLE, INT8..INT64, UINT8.."
                             "UINT32, BOOL)");
  if (t.data_location() == TP::EXTERNAL)
    throw std::runtime_error(what + ": external data is not supported (save the model with "
                             "its weights inside the file)");
  Constant c;
  c.is_int = !is_float_type(type);
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > (int64_t(1) << 40) / d))
      throw std::runtime_error(what + ": invalid dimension " + std::to_string(d));
    n *= d;
    c.dims.push_back(d);
  }
  int64_t stored = 0;
  if (t.has_raw_data()) {
    stored = int64_t(t.raw_data().size() / element_size(type));
    if (t.raw_data().size() % element_size(type)) stored = -1;
  } else if (type == TP::FLOAT) {
    stored = t.float_data_size();
  } else if (type == TP::DOUBLE) {
    stored = t.double_data_size();
  } else if (type == TP::INT64) {
    stored = t.int64_data_size();
  } else if (type == TP::UINT32) {
    stored = t.uint64_data_size();
  } else {
    stored = t.int32_data_size();
  }
  if (stored != n)
    throw std::runtime_error(what + ": holds " + std::to_string(stored) + " values of type " +
                             data_type_name(type) + ", its dimensions need " + std::to_string(n));
  if (c.is_int) c.i.resize(size_t(n)); else c.f.resize(size_t(n));
  for (int64_t k = 0; k < n; ++k) {
    if (t.has_raw_data()) {
      if (c.is_int) c.i[size_t(k)] = raw_int(t.raw_data(), type, k);
      else c.f[size_t(k)] = float(raw_float(t.raw_data(), type, k));
    } else if (type == TP::FLOAT) {
      c.f[size_t(k)] = t.float_data(int(k));
    } else if (type == TP::DOUBLE) {
      c.f[size_t(k)] = float(t.double_data(int(k)));
    } else if (type == TP::INT64) {
      c.i[size_t(k)] = t.int64_data(int(k));
    } else if (type == TP::UINT32) {
      c.i[size_t(k)] = int64_t(t.uint64_data(int(k)));
    } else {
      c.i[size_t(k)] = t.int32_data(int(k));
    }
  }
  return c;
}

void write_tensor(TP& t, const std::string& name, const std::vector<int64_t>& dims,
                  const float* values) {
  t.set_name(name);
  t.set_data_type(TP::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) {
    t.add_dims(d);
    n *= d;
  }
  t.set_raw_data(values, size_t(n) * sizeof(float));
}

void write_ints(TP& t, const std::string& name, const std::vector<int64_t>& dims,
                const std::vector<int64_t>& values) {
  t.set_name(name);
  t.set_data_type(TP::INT64);
  for (int64_t d : dims) t.add_dims(d);
  t.set_raw_data(values.data(), values.size() * sizeof(int64_t));
}

}  // namespace convnet::io::onnx_detail
