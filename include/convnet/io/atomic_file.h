// Writing files so that a crash or a full disk never leaves a half-written file behind: the bytes
// go to "<path>.tmp.<pid>" in the same folder, are fsync'ed, then renamed over <path> (atomic on
// POSIX). On any error the temporary file is removed, an existing <path> is left untouched, and
// std::runtime_error names the path and the reason.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace convnet::io {

void write_file_atomically(const std::string& path, std::string_view bytes);
// For writers that stream: `write` fills the stream; throwing from it aborts the write.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace convnet::io
