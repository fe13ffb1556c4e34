#include "convnet/io/npy.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "io/byte_reader.h"

namespace convnet::io {
namespace {

static_assert(std::endian::native == std::endian::little, ".npy I/O assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr uint64_t kMaxElements = uint64_t(1) << 31;
// numpy itself refuses headers over 10000 bytes by default; allow more, but not a corrupt length.
constexpr uint32_t kMaxHeaderSize = 1 << 20;

enum class DType { f4, f8, u1, i4, i8 };

struct DTypeInfo {
  const char* descr;  // as numpy writes it
  const char* alias;  // also accepted
  DType dtype;
  size_t size;
  const char* name;
};
constexpr DTypeInfo kDTypes[] = {{"<f4", "<f4", DType::f4, 4, "float32"},
                                 {"<f8", "<f8", DType::f8, 8, "float64"},
                                 {"|u1", "<u1", DType::u1, 1, "uint8"},
                                 {"<i4", "<i4", DType::i4, 4, "int32"},
                                 {"<i8", "<i8", DType::i8, 8, "int64"}};

struct NpyHeader {
  DType dtype;
  const char* dtype_name;
  size_t item_size;
  std::vector<int64_t> shape;
  uint64_t count;
};

// A tiny parser for the one dict literal numpy writes; values are checked, not evaluated.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const ByteReader& in) : s_(text), in_(in) {}

  NpyHeader parse() {
    bool have_descr = false, have_order = false, have_shape = false;
    std::string descr;
    expect('{');
    while (!peek('}')) {
      const std::string key = quoted();
      expect(':');
      if (key == "descr") {
        descr = quoted();
        have_descr = true;
      } else if (key == "fortran_order") {
        if (word() != "False") in_.fail("Fortran-order arrays are not supported (save in C order)");
        have_order = true;
      } else if (key == "shape") {
        shape_ = tuple();
        have_shape = true;
      } else {
        in_.fail("unexpected key '" + key + "' in header");
      }
      if (!peek('}')) expect(',');
    }
    if (!have_descr || !have_order || !have_shape)
      in_.fail("header lacks one of 'descr', 'fortran_order', 'shape': " + s_);
    NpyHeader h{};
    set_dtype(descr, h);
    h.shape = shape_;
    h.count = 1;
    for (int64_t d : shape_) {
      h.count *= uint64_t(d);
      if (h.count > kMaxElements) in_.fail("shape exceeds the limit of 2^31 elements");
    }
    return h;
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  [[noreturn]] void bad(const std::string& what) {
    in_.fail("malformed header (" + what + " at column " + std::to_string(pos_) + "): " + s_);
  }
  std::string quoted() {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) bad("expected a string");
    const char q = s_[pos_++];
    const size_t end = s_.find(q, pos_);
    if (end == std::string::npos) bad("unterminated string");
    std::string v = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return v;
  }
  std::string word() {
    skip_space();
    const size_t start = pos_;
    while (pos_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == start) bad("expected True or False");
    return s_.substr(start, pos_ - start);
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (!peek(')')) {
      skip_space();
      uint64_t v = 0;
      const size_t start = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        v = v * 10 + uint64_t(s_[pos_++] - '0');
        if (v > kMaxElements) in_.fail("shape dimension too large (over 2^31) in header: " + s_);
      }
      if (pos_ == start) bad("expected a dimension");
      // Python 2 era files write 3L.
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;
      dims.push_back(int64_t(v));
      if (!peek(')')) expect(',');
    }
    ++pos_;
    return dims;
  }
  void set_dtype(const std::string& descr, NpyHeader& h) {
    for (const DTypeInfo& k : kDTypes)
      if (descr == k.descr || descr == k.alias) {
        h.dtype = k.dtype;
        h.item_size = k.size;
        h.dtype_name = k.name;
        return;
      }
    in_.fail("unsupported dtype '" + descr +
             "': expected little-endian float32 '<f4', float64 '<f8', uint8 '|u1', int32 '<i4' "
             "or int64 '<i8'");
  }

  const std::string& s_;
  const ByteReader& in_;
  size_t pos_ = 0;
  std::vector<int64_t> shape_;
};

NpyHeader read_header(ByteReader& in) {
  char magic[kMagicSize + 2];
  in.read_exact(magic, sizeof magic, "the magic string and version");
  if (std::memcmp(magic, kMagic, kMagicSize) != 0)
    in.fail("not a .npy file (missing the \\x93NUMPY magic string)");
  const int major = magic[kMagicSize];
  uint32_t header_len = 0;
  if (major == 1) {
    unsigned char b[2];
    in.read_exact(b, 2, "the header length");
    header_len = uint32_t(b[0]) | uint32_t(b[1]) << 8;
  } else if (major == 2 || major == 3) {
    unsigned char b[4];
    in.read_exact(b, 4, "the header length");
    header_len = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  } else {
    in.fail("unsupported format version " + std::to_string(major) + " (expected 1, 2 or 3)");
  }
  if (header_len > kMaxHeaderSize || in.position() + header_len > in.max_content_size())
    in.fail("header length " + std::to_string(header_len) + " is larger than the file");
  std::string text(header_len, '\0');
  in.read_exact(text.data(), header_len, "the header");
  NpyHeader h = HeaderParser(text, in).parse();
  if (in.position() + h.count * h.item_size > in.max_content_size())
    in.fail("header promises " + std::to_string(h.count) + " elements of " +
            std::to_string(h.item_size) + " bytes, more than the file holds");
  return h;
}

template <typename T, typename Out>
void convert(const unsigned char* src, size_t n, Out* dst) {
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, src + i * sizeof(T), sizeof(T));
    dst[i] = Out(v);
  }
}

// Streams the data in chunks, converting each element to Out.
template <typename Out>
void read_data(ByteReader& in, const NpyHeader& h, Out* dst) {
  constexpr size_t kChunk = 1 << 16;
  std::vector<unsigned char> buf(kChunk * h.item_size);
  for (uint64_t done = 0; done < h.count;) {
    const size_t n = size_t(std::min<uint64_t>(kChunk, h.count - done));
    in.read_exact(buf.data(), n * h.item_size,
                  "the data (" + std::to_string(h.count) + " elements)");
    switch (h.dtype) {
      case DType::f4:
        convert<float>(buf.data(), n, dst + done);
        break;
      case DType::f8:
        convert<double>(buf.data(), n, dst + done);
        break;
      case DType::u1:
        convert<uint8_t>(buf.data(), n, dst + done);
        break;
      case DType::i4:
        convert<int32_t>(buf.data(), n, dst + done);
        break;
      case DType::i8:
        convert<int64_t>(buf.data(), n, dst + done);
        break;
    }
    done += n;
  }
  if (!in.at_end()) in.fail("more data than the header's shape holds");
}

std::string shape_tuple(const std::vector<int64_t>& dims) {
  std::string s = "(";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + (dims.size() == 1 ? ",)" : ")");
}

// Version 1.0 header, padded with spaces so that the data starts at a multiple of 64 bytes.
std::string make_header(const char* descr, const std::vector<int64_t>& dims) {
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': " + shape_tuple(dims) + ", }";
  const size_t unpadded = kMagicSize + 2 + 2 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string header(kMagic, kMagicSize);
  header += '\x01';
  header += '\x00';
  header += char(dict.size() & 0xff);
  header += char(dict.size() >> 8);
  return header + dict;
}

}  // namespace

NpyInfo read_npy_info(const std::string& path) {
  ByteReader in(path, ".npy file");
  const NpyHeader h = read_header(in);
  return {h.dtype_name, h.shape};
}

Tensor read_npy(const std::string& path) {
  ByteReader in(path, ".npy file");
  const NpyHeader h = read_header(in);
  Tensor t{Shape(h.shape)};
  read_data(in, h, t.data());
  return t;
}

std::vector<int64_t> read_npy_labels(const std::string& path) {
  ByteReader in(path, ".npy file");
  const NpyHeader h = read_header(in);
  if (!(h.shape.size() == 1 || (h.shape.size() == 2 && h.shape[1] == 1)))
    in.fail("labels must have shape (N,) or (N, 1), got " + shape_tuple(h.shape));
  std::vector<int64_t> labels(h.count);
  if (h.dtype == DType::f4 || h.dtype == DType::f8) {
    std::vector<double> values(h.count);
    read_data(in, h, values.data());
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] != std::floor(values[i]) || std::abs(values[i]) > 9.0e15)
        in.fail("label " + std::to_string(i) + " is not an integer");
      labels[i] = int64_t(values[i]);
    }
  } else {
    read_data(in, h, labels.data());
  }
  return labels;
}

void write_npy(const std::string& path, const Tensor& t) {
  if (t.numel() != t.shape().numel())
    throw std::invalid_argument("write_npy: '" + path + "': the tensor has no storage");
  write_file_atomically(path, ".npy file", make_header("<f4", t.shape().dims()), t.data(),
                        sizeof(float) * size_t(t.numel()));
}

void write_npy_labels(const std::string& path, const std::vector<int32_t>& labels) {
  write_file_atomically(path, ".npy file", make_header("<i4", {int64_t(labels.size())}),
                        labels.data(), sizeof(int32_t) * labels.size());
}

}  // namespace convnet::io
