// AtomicFile: a file that appears at its path complete or not at all, so that a crash or a full
// disk in the middle of saving a checkpoint never destroys the previous one.
//
//   AtomicFile f(path);      // creates "<path>.tmp.<pid>" in the same directory
//   f.write(bytes, n);       // ... as often as needed
//   f.commit();              // fsync, rename over path, fsync the directory
//
// Destroying it without commit() (an exception on the way) removes the temporary file; `path`
// keeps whatever it held before. Failures throw std::runtime_error "<path>: cannot <step>: <errno
// text>".
#pragma once

#include <cstddef>
#include <string>

namespace convnet::io {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  [[noreturn]] void fail(const std::string& step, int error);
  void discard() noexcept;

  std::string path_, temp_path_;
  int fd_ = -1;
};

}  // namespace convnet::io
