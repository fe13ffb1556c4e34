// ByteReader: sequential reads from a file that may be gzip-compressed (zlib detects it from the
// content), with the bounds the format readers need to reject absurd headers before allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace convnet::io {

class ByteReader {
 public:
  // `format` names the file kind in error messages ("IDX file", ".npy file").
  ByteReader(std::string path, std::string format);
  ~ByteReader();
  ByteReader(const ByteReader&) = delete;
  ByteReader& operator=(const ByteReader&) = delete;

  // Reads up to n bytes; fewer only at the end of the data. Throws on a read or gzip error.
  size_t read(void* dst, size_t n);
  // Reads exactly n bytes or throws "truncated" naming `what` (e.g. "the header").
  void read_exact(void* dst, size_t n, const std::string& what);
  // True when no byte is left (consumes one byte otherwise).
  bool at_end();

  bool compressed() const { return compressed_; }
  // The most bytes the whole (decompressed) content can hold: the file size for a raw file, the
  // deflate's maximum expansion (1032:1) of the file size for a gzipped one.
  uint64_t max_content_size() const;
  // Bytes of content read so far.
  uint64_t position() const { return position_; }

  // Throws std::runtime_error("<format> '<path>': <problem>").
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::string path_, format_;
  void* file_ = nullptr;  // gzFile, kept opaque so that zlib.h stays out of this header
  uint64_t file_size_ = 0;
  uint64_t position_ = 0;
  bool compressed_ = false;
};

// Writes `header` then `bytes` bytes of `data` to a temporary file beside `path` and renames it
// onto `path`. Throws std::runtime_error naming `format` and the path on failure (removing the
// temporary).
void write_file_atomically(const std::string& path, const std::string& format,
                           const std::string& header, const void* data, size_t bytes);

}  // namespace convnet::io
