#include "convnet/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace convnet::io {
namespace {

std::string parent_directory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), temp_path_(path_ + ".tmp." + std::to_string(::getpid())) {
  // O_TRUNC rather than O_EXCL: a temporary left by a crashed process with our pid is garbage.
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("create " + temp_path_, errno);
}

AtomicFile::~AtomicFile() {
  discard();
}

void AtomicFile::write(const void* data, size_t size) {
  if (fd_ < 0) throw std::logic_error(path_ + ": write after commit");
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write " + temp_path_, n < 0 ? errno : EIO);
    p += n;
    size -= size_t(n);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error(path_ + ": commit twice");
  if (::fsync(fd_) != 0) fail("sync " + temp_path_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp_path_.c_str());
    fail("close " + temp_path_, error);
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_path_.c_str());
    fail("rename " + temp_path_ + " to it", error);
  }
  // The rename itself is durable only once the directory is synced. Best effort: the new file is
  // in place either way, and some file systems refuse to sync a directory.
  const int dir = ::open(parent_directory(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void AtomicFile::fail(const std::string& step, int error) {
  discard();
  throw std::runtime_error(path_ + ": cannot " + step + ": " + std::strerror(error));
}

void AtomicFile::discard() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(temp_path_.c_str());
}

}  // namespace convnet::io
