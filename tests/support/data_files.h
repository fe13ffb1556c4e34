// Helpers for the data tests (on top of support/test_files.h): byte vectors, gzip and IDX files,
// and running a Python reference script with /usr/bin/python3 (which must exist: the tests fail,
// not skip).
#pragma once

#include <gtest/gtest.h>
#include <zlib.h>

#include "support/test_files.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace convnet::testing {

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_bytes(path, std::string(bytes.begin(), bytes.end()));
}

inline std::vector<uint8_t> read_byte_vector(const std::string& path) {
  const std::string s = read_bytes(path);
  return std::vector<uint8_t>(s.begin(), s.end());
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
