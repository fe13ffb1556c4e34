#include "io/byte_reader.h"

#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include <unistd.h>

namespace convnet::io {
namespace {

namespace fs = std::filesystem;

bool has_gzip_magic(const std::string& path) {
  unsigned char magic[2] = {0, 0};
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  const size_t got = std::fread(magic, 1, 2, f);
  std::fclose(f);
  return got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace

ByteReader::ByteReader(std::string path, std::string format)
    : path_(std::move(path)), format_(std::move(format)) {
  std::error_code ec;
  const fs::file_status st = fs::status(path_, ec);
  if (ec || !fs::exists(st)) fail("no such file");
  if (!fs::is_regular_file(st)) fail("not a regular file");
  file_size_ = fs::file_size(path_, ec);
  if (ec) fail("cannot read its size: " + ec.message());
  file_ = gzopen(path_.c_str(), "rb");
  if (!file_) fail(std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(static_cast<gzFile>(file_), 1 << 18);
  // gzdirect() only knows after the first read, so look at the magic ourselves.
  compressed_ = has_gzip_magic(path_);
}

ByteReader::~ByteReader() {
  if (file_) gzclose(static_cast<gzFile>(file_));
}

void ByteReader::fail(const std::string& problem) const {
  throw std::runtime_error(format_ + " '" + path_ + "': " + problem);
}

size_t ByteReader::read(void* dst, size_t n) {
  auto* f = static_cast<gzFile>(file_);
  auto* out = static_cast<unsigned char*>(dst);
  size_t done = 0;
  while (done < n) {
    // gzread takes an unsigned int length; stay well below its limit.
    const unsigned chunk = unsigned(std::min<size_t>(n - done, size_t(1) << 30));
    const int got = gzread(f, out + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(f, &code);
      fail(std::string(compressed_ ? "corrupt gzip data: " : "read error: ") + msg);
    }
    if (got == 0) {
      int code = 0;
      const char* msg = gzerror(f, &code);
      // zlib reports a gzip stream cut short as Z_BUF_ERROR ("unexpected end of file").
      if (code == Z_BUF_ERROR) fail("truncated gzip stream (" + std::string(msg) + ")");
      if (code != Z_OK) fail(std::string("read error: ") + msg);
      break;
    }
    done += size_t(got);
  }
  position_ += done;
  return done;
}

void ByteReader::read_exact(void* dst, size_t n, const std::string& what) {
  const uint64_t start = position_;
  const size_t got = read(dst, n);
  if (got != n)
    fail("truncated: " + what + " needs " + std::to_string(n) + " bytes at offset " +
         std::to_string(start) + ", only " + std::to_string(got) + " left");
}

bool ByteReader::at_end() {
  unsigned char byte;
  return read(&byte, 1) == 0;
}

uint64_t ByteReader::max_content_size() const {
  return compressed_ ? file_size_ * 1032 + 1024 : file_size_;
}

void write_file_atomically(const std::string& path, const std::string& format,
                           const std::string& header, const void* data, size_t bytes) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  auto fail = [&](const std::string& problem) {
    std::remove(tmp.c_str());
    throw std::runtime_error(format + " '" + path + "': " + problem);
  };
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) fail(std::string("cannot create ") + tmp + ": " + std::strerror(errno));
  bool ok = std::fwrite(header.data(), 1, header.size(), f) == header.size();
  ok = ok && (bytes == 0 || std::fwrite(data, 1, bytes, f) == bytes);
  const int saved_errno = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) fail(std::string("write failed: ") + std::strerror(saved_errno ? saved_errno : errno));
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    fail(std::string("cannot rename ") + tmp + ": " + std::strerror(errno));
}

}  // namespace convnet::io
