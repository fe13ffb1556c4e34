#include "convnet/io/safetensors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "convnet/io/atomic_file.h"
#include "io/safetensors_header.h"

namespace convnet::io {
namespace {

// Tensors go to and from the file as they lie in memory.
static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

// The limit of the reference implementation (Hugging Face's safetensors crate).
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

[[noreturn]] void bad_file(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

// A regular file read by exact ranges; a short read means the file changed under us.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) bad_file(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      bad_file(path, "not a regular file");
    }
    size_ = uint64_t(st.st_size);
  }
  ~InputFile() { ::close(fd_); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  uint64_t size() const { return size_; }

  void read(uint64_t offset, void* dst, uint64_t bytes) const {
    char* p = static_cast<char*>(dst);
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, p, bytes, off_t(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) bad_file(path_, std::string("cannot read: ") + std::strerror(errno));
      if (n == 0) bad_file(path_, "the file ended early (was it changed while being read?)");
      p += n;
      offset += uint64_t(n);
      bytes -= uint64_t(n);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// The tensors, sorted by offset, must tile [0, data_bytes) exactly.
void check_tiling(const std::string& path, std::vector<detail::TensorEntry>& tensors,
                  uint64_t data_bytes) {
  std::stable_sort(tensors.begin(), tensors.end(), [](const auto& a, const auto& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (const detail::TensorEntry& t : tensors)
    if (t.end > data_bytes)
      bad_file(path, "tensor '" + t.name + "' ends at byte " + std::to_string(t.end) +
                         " of a data section of " + std::to_string(data_bytes) + " bytes");
  uint64_t covered = 0;
  const detail::TensorEntry* previous = nullptr;
  for (const detail::TensorEntry& t : tensors) {
    if (t.begin < covered)
      bad_file(path, "tensors '" + previous->name + "' and '" + t.name + "' overlap");
    if (t.begin > covered)
      bad_file(path, "bytes [" + std::to_string(covered) + ", " + std::to_string(t.begin) +
                         ") before tensor '" + t.name + "' belong to no tensor");
    covered = t.end;
    previous = &t;
  }
  if (covered != data_bytes)
    bad_file(path, "the last " + std::to_string(data_bytes - covered) +
                       " bytes of the data section belong to no tensor");
}

}  // namespace

const Tensor* SafeTensors::find(const std::string& name) const {
  for (const auto& [n, t] : tensors)
    if (n == name) return &t;
  return nullptr;
}

SafeTensors read_safetensors(const std::string& path) {
  const InputFile file(path);
  if (file.size() < 8)
    bad_file(path, "the file has " + std::to_string(file.size()) +
                       " bytes, fewer than the 8 of a safetensors header length");
  uint64_t header_bytes = 0;
  file.read(0, &header_bytes, 8);
  if (header_bytes > kMaxHeaderBytes)
    bad_file(path, "header length " + std::to_string(header_bytes) + " exceeds the limit of " +
                       std::to_string(kMaxHeaderBytes) + " bytes");
  if (header_bytes > file.size() - 8)
    bad_file(path, "header length " + std::to_string(header_bytes) + " runs past the end of the " +
                       std::to_string(file.size()) + "-byte file");
  std::string text(header_bytes, '\0');
  file.read(8, text.data(), header_bytes);

  detail::SafeTensorsHeader header;
  try {
    header = detail::parse_safetensors_header(text);
  } catch (const std::exception& e) {
    bad_file(path, e.what());
  }
  const uint64_t data_start = 8 + header_bytes;
  check_tiling(path, header.tensors, file.size() - data_start);

  SafeTensors out;
  out.metadata = std::move(header.metadata);
  out.tensors.reserve(header.tensors.size());
  for (detail::TensorEntry& t : header.tensors) {
    Tensor value{Shape(std::move(t.shape))};  // its size was checked against the file above
    file.read(data_start + t.begin, value.data(), t.end - t.begin);
    out.tensors.emplace_back(std::move(t.name), std::move(value));
  }
  return out;
}

void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  auto invalid = [&](const std::string& what) {
    throw std::invalid_argument("write_safetensors " + path + ": " + what);
  };
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (!tensor) invalid("tensor '" + name + "' is null");
    if (name.empty() || name == "__metadata__") invalid("'" + name + "' is not a tensor name");
    if (!names.insert(name).second) invalid("two tensors are named '" + name + "'");
    const uint64_t bytes = uint64_t(tensor->numel()) * sizeof(float);
    header[name] = {{"dtype", "F32"},
                    {"shape", tensor->shape().dims()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception&) {
    invalid("tensor names and metadata must be valid UTF-8");
  }
  // Pad with spaces so that the data section starts 8-byte aligned, as the reference writer does.
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t header_bytes = text.size();

  AtomicFile file(path);
  file.write(&header_bytes, 8);
  file.write(text.data(), text.size());
  for (const auto& [name, tensor] : tensors)
    file.write(tensor->data(), size_t(tensor->numel()) * sizeof(float));
  file.commit();
}

}  // namespace convnet::io
