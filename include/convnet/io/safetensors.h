// safetensors: the tensor file format of Hugging Face, which PyTorch, JAX and numpy read.
//
// Layout of a file:
//   bytes [0, 8)        N, the header length: unsigned 64-bit little-endian
//   bytes [8, 8 + N)    the header: a JSON object, UTF-8, optionally padded with spaces so that the
//                       data section starts 8-byte aligned (our writer always pads):
//                         {"__metadata__": {"key": "value", ...},          (optional)
//                          "<name>": {"dtype": "F32", "shape": [d0, d1, ...],
//                                     "data_offsets": [begin, end]}, ...}
//   bytes [8 + N, EOF)  the data section: each tensor's values, row-major, little-endian, at
//                       [begin, end) relative to the start of the data section. The tensors are
//                       contiguous (no gaps, no overlaps) and cover the data section exactly.
//
// convnet reads and writes F32 only. The reader is strict, because files come from anywhere: it
// checks every size against the file before it reads or allocates, and rejects what the format
// forbids (see read_safetensors). Both functions report a bad file as std::runtime_error whose
// message starts with the path.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "convnet/tensor.h"

namespace convnet::io {

struct SafeTensors {
  std::vector<std::pair<std::string, Tensor>> tensors;  // in the order of their data
  std::map<std::string, std::string> metadata;          // the "__metadata__" object
  // The tensor of that name, or nullptr.
  const Tensor* find(const std::string& name) const;
};

// Writes the tensors (in the given order) and the metadata to `path`, atomically: the bytes go to
// "<path>.tmp.<pid>", which is fsync'ed and renamed over `path`. On any failure the temporary file
// is removed and an existing file at `path` is left as it was.
// Throws std::invalid_argument for bad input (a null tensor, an empty, duplicate or reserved
// "__metadata__" name, text that is not UTF-8) before touching the disk, std::runtime_error
// ("<path>: cannot ...: <system error>") when the file system fails.
void write_safetensors(const std::string& path,
                       const std::vector<std::pair<std::string, const Tensor*>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Reads a whole file. Throws std::runtime_error "<path>: <what is wrong>" unless:
//   - the file is at least 8 bytes and N <= 100,000,000 and N <= file size - 8;
//   - the header is valid JSON, an object, with no key twice in any object;
//   - "__metadata__", if present, is an object of strings;
//   - every other entry has exactly dtype, shape and data_offsets; dtype is "F32" (another dtype
//     is named in the error); shape is a list of integers >= 0 whose product * 4 (checked for
//     overflow) equals end - begin; data_offsets is [begin, end] with begin <= end;
//   - sorted by offset, the tensors tile the data section exactly.
SafeTensors read_safetensors(const std::string& path);

}  // namespace convnet::io
