// Helpers for the data tests: a temporary folder, small files written byte by byte, and running a
// Python reference script with /usr/bin/python3 (which must exist: the tests fail, not skip).
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace convnet::testing {

// A fresh folder under the system's temp directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "convnet-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("TempDir: mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path()/name as a string, creating the parent folders.
  std::string file(const std::string& name) const {
    const std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

// Replaces `path` by a new file: truncating an existing one would make ext4 flush it on close,
// which slows loops over many small files tenfold.
inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::filesystem::remove(path);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("write_bytes: cannot write " + path);
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_gzip(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("write_gzip: cannot open " + path);
  if (!bytes.empty()) gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
}

// An IDX header: 0, 0, type 0x08, rank, then big-endian sizes.
inline std::vector<uint8_t> idx_header(const std::vector<uint32_t>& dims, uint8_t type = 0x08) {
  std::vector<uint8_t> h{0, 0, type, uint8_t(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) h.push_back(uint8_t(d >> shift));
  return h;
}

inline std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Runs `script` with /usr/bin/python3 in `dir` and returns its exit status (0 on success).
inline int run_python(const TempDir& dir, const std::string& script) {
  if (!std::filesystem::exists("/usr/bin/python3")) {
    ADD_FAILURE() << "/usr/bin/python3 is required for this test";
    return -1;
  }
  const std::string path = dir.file("script.py");
  std::ofstream(path) << "import os\nos.chdir(" << dir.path() << ")\n" << script;
  return std::system(("/usr/bin/python3 " + path).c_str());
}

}  // namespace convnet::testing
