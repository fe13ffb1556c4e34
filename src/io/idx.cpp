#include "convnet/io/idx.h"

#include <cstdio>

#include "io/byte_reader.h"
#include "kernels/image.h"

namespace convnet::io {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
// Tensors index with int64 but kernels use int32 offsets within a plane; 2^31 also stops a corrupt
// header from asking for a huge allocation.
constexpr uint64_t kMaxElements = uint64_t(1) << 31;

uint32_t big_endian_u32(const unsigned char* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

// Reads the header and the data; `expected_magic` 0 accepts any unsigned-byte array.
IdxArray read_idx_checked(const std::string& path, uint32_t expected_magic, const char* kind) {
  ByteReader in(path, "IDX file");
  unsigned char magic_bytes[4];
  in.read_exact(magic_bytes, 4, "the magic number");
  const uint32_t magic = big_endian_u32(magic_bytes);
  if (expected_magic != 0 && magic != expected_magic)
    in.fail("wrong magic " + hex32(magic) + ", expected " + hex32(expected_magic) + " (" + kind +
            ")");
  const int rank = magic_bytes[3];
  if (magic_bytes[0] != 0 || magic_bytes[1] != 0 || magic_bytes[2] != kUnsignedByte || rank < 1 ||
      rank > 4)
    in.fail("wrong magic " + hex32(magic) +
            ", expected 0x000008NN (unsigned bytes, NN = 1 to 4 dimensions)");

  unsigned char dim_bytes[16];
  in.read_exact(dim_bytes, size_t(4 * rank), "the header's " + std::to_string(rank) + " sizes");
  IdxArray a;
  uint64_t count = 1;
  std::string shape;
  for (int i = 0; i < rank; ++i) {
    const uint32_t d = big_endian_u32(dim_bytes + 4 * i);
    a.dims.push_back(d);
    shape += (i ? " x " : "") + std::to_string(d);
    // Each factor is below 2^32 and count stays <= 2^31 here, so the product cannot overflow.
    count *= d;
    if (count > kMaxElements)
      in.fail("header size " + shape + "... exceeds the limit of 2^31 elements");
  }
  const uint64_t header_bytes = 4 + 4 * uint64_t(rank);
  if (header_bytes + count > in.max_content_size())
    in.fail("header says " + shape + " = " + std::to_string(count) + " bytes of data, more than " +
            (in.compressed() ? "a gzip file of this size can hold" : "the file holds") +
            " (truncated file or corrupt header)");

  a.data.resize(count);
  const size_t got = in.read(a.data.data(), count);
  if (got != count)
    in.fail("truncated: header says " + shape + " = " + std::to_string(count) +
            " bytes of data, found " + std::to_string(got));
  if (!in.at_end())
    in.fail("more data than the header's " + shape + " (" + std::to_string(count) +
            " bytes); corrupt header or wrong file");
  return a;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  return read_idx_checked(path, 0, "");
}

Tensor read_idx_images(const std::string& path) {
  IdxArray a = read_idx_checked(path, kImagesMagic, "unsigned-byte images [N, H, W]");
  Tensor t({a.dims[0], 1, a.dims[1], a.dims[2]});
  kernels::bytes_to_unit(a.data.data(), int64_t(a.data.size()), t.data());
  return t;
}

std::vector<int32_t> read_idx_labels(const std::string& path) {
  IdxArray a = read_idx_checked(path, kLabelsMagic, "unsigned-byte labels [N]");
  return std::vector<int32_t>(a.data.begin(), a.data.end());
}

}  // namespace convnet::io
