#include "convnet/data/images.h"
#include "convnet/io/atomic_file.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "io/byte_reader.h"
#include "kernels/image.h"

namespace convnet {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::runtime_error("image '" + path + "': " + problem);
}

std::string read_bytes(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    fail(path, fs::exists(path, ec) ? "not a regular file" : "no such file");
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) fail(path, "cannot read its size: " + ec.message());
  if (size > uintmax_t(INT32_MAX)) fail(path, "file too large for an image (over 2 GiB)");
  std::string bytes(size_t(size), '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in.read(bytes.data(), std::streamsize(size))) fail(path, "cannot read the file");
  return bytes;
}

void check_options(const ImageFolderOptions& o) {
  if (o.channels != 0 && o.channels != 1 && o.channels != 3)
    throw std::invalid_argument(
        "ImageFolderOptions: channels must be 0, 1 (grey) or 3 (RGB), got " +
        std::to_string(o.channels));
  if (o.height < 0 || o.width < 0)
    throw std::invalid_argument("ImageFolderOptions: negative height or width");
}

// The file's [C, H, W] with the options' overrides: grey+alpha counts as grey, RGBA as RGB.
Shape image_shape(const std::string& path, const std::string& bytes, const ImageFolderOptions& o) {
  int w = 0, h = 0, n = 0;
  if (!stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), int(bytes.size()), &w,
                             &h, &n))
    fail(path, std::string("cannot decode: ") + stbi_failure_reason());
  const int64_t c = o.channels ? o.channels : (n <= 2 ? 1 : 3);
  return {c, o.height ? o.height : h, o.width ? o.width : w};
}

// Decodes `bytes` into dst [C, H, W] as given by `shape`, resizing when the file's size differs.
void decode_into(const std::string& path, const std::string& bytes, const Shape& shape,
                 float* dst) {
  const int64_t C = shape[0], H = shape[1], W = shape[2];
  int w = 0, h = 0, n = 0;
  stbi_uc* pixels = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                          int(bytes.size()), &w, &h, &n, int(C));
  if (!pixels) fail(path, std::string("cannot decode: ") + stbi_failure_reason());
  if (h == H && w == W) {
    kernels::hwc_bytes_to_chw(pixels, C, H, W, dst);
  } else {
    std::vector<float> full(size_t(C) * size_t(h) * size_t(w));
    kernels::hwc_bytes_to_chw(pixels, C, h, w, full.data());
    kernels::resize_bilinear(full.data(), C, h, w, dst, H, W);
  }
  stbi_image_free(pixels);
}

bool is_image_file(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const char* known[] = {".png", ".jpg", ".jpeg", ".bmp", ".pgm",
                                ".ppm", ".pnm", ".tga",  ".gif"};
  return std::find(std::begin(known), std::end(known), ext) != std::end(known);
}

bool is_hidden(const fs::path& p) {
  return p.filename().string().starts_with(".");
}

std::vector<std::string> class_folders(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error("image folder '" + dir + "': " +
                             (fs::exists(dir, ec) ? "not a directory" : "no such directory"));
  std::vector<std::string> names;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.is_directory() && !is_hidden(e.path())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Image files under dir/<class>/ (recursively), sorted, with their labels.
std::vector<std::pair<std::string, int32_t>> list_images(const std::string& dir,
                                                         const std::vector<std::string>& classes) {
  std::vector<std::pair<std::string, int32_t>> files;
  for (const std::string& sub : class_folders(dir)) {
    const auto it = std::find(classes.begin(), classes.end(), sub);
    if (it == classes.end())
      throw std::runtime_error("image folder '" + dir + "': sub-folder '" + sub +
                               "' is not one of the " + std::to_string(classes.size()) +
                               " classes of the training folder");
    const auto label = int32_t(it - classes.begin());
    std::vector<std::string> paths;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(fs::path(dir) / sub))
      if (e.is_regular_file() && !is_hidden(e.path()) && is_image_file(e.path()))
        paths.push_back(e.path().string());
    std::sort(paths.begin(), paths.end());
    for (std::string& p : paths) files.emplace_back(std::move(p), label);
  }
  return files;
}

}  // namespace

Tensor read_image(const std::string& path, const ImageFolderOptions& options) {
  check_options(options);
  const std::string bytes = read_bytes(path);
  Tensor t(image_shape(path, bytes, options));
  decode_into(path, bytes, t.shape(), t.data());
  return t;
}

std::string encode_png(const Tensor& image_chw) {
  const Shape& s = image_chw.shape();
  if (s.rank() != 3 || !(s[0] == 1 || s[0] == 3 || s[0] == 4) || s[1] < 1 || s[2] < 1)
    throw std::invalid_argument("PNG image: expected [C, H, W] with C = 1, 3 or 4, got " +
                                s.str());
  const int64_t C = s[0], H = s[1], W = s[2];
  std::vector<unsigned char> pixels(size_t(C * H * W));
  const float* src = image_chw.data();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < H * W; ++i) {
      const float x = src[c * H * W + i];
      const float v = x > 0.0f ? std::min(x, 1.0f) : 0.0f;  // NaN -> 0
      pixels[size_t(i * C + c)] = (unsigned char)std::lround(v * 255.0f);
    }
  std::string encoded;
  auto append = [](void* ctx, void* data, int size) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), size_t(size));
  };
  if (!stbi_write_png_to_func(append, &encoded, int(W), int(H), int(C), pixels.data(), int(W * C)))
    throw std::runtime_error("PNG encoding failed");
  return encoded;
}

void write_png(const std::string& path, const Tensor& image_chw) {
  std::string encoded;
  try {
    encoded = encode_png(image_chw);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("write_png: '" + path + "': " + e.what());
  }
  io::write_file_atomically(path, std::string_view(encoded.data(), encoded.size()));
}

void save_image_folder(const std::string& dir, const Dataset& d) {
  if (d.labels.empty() && d.size() > 0)
    throw std::invalid_argument("save_image_folder: '" + dir + "': the data set has no labels");
  const int64_t classes = d.num_classes();
  for (int64_t k = 0; k < classes; ++k) fs::create_directories(fs::path(dir) / d.class_name(k));
  const Shape sample = d.sample_shape();
  const size_t digits = std::max<size_t>(5, std::to_string(d.size()).size());
  for (int64_t n = 0; n < d.size(); ++n) {
    std::string name = std::to_string(n);
    name.insert(0, digits - name.size(), '0');
    const fs::path path = fs::path(dir) / d.class_name(d.labels[size_t(n)]) / (name + ".png");
    // Plain writes: thousands of small files need no atomic replacement each. A file is removed
    // rather than truncated, which ext4 would flush to disk on close (auto_da_alloc).
    const std::string png = encode_png(Tensor::from(sample, d.images.data() + n * sample.numel()));
    fs::remove(path);
    std::ofstream out(path, std::ios::binary);
    out.write(png.data(), std::streamsize(png.size()));
    if (!out) throw std::runtime_error("save_image_folder: cannot write " + path.string());
  }
}

Dataset load_image_folder(const std::string& dir, const ImageFolderOptions& options) {
  return load_image_folder(dir, class_folders(dir), options);
}

Dataset load_image_folder(const std::string& dir, const std::vector<std::string>& class_names,
                          const ImageFolderOptions& options) {
  check_options(options);
  const auto files = list_images(dir, class_names);
  if (files.empty())
    throw std::runtime_error("image folder '" + dir +
                             "': no images found (expected <class>/<name>.png|jpg|jpeg|bmp in "
                             "one sub-folder per class)");
  Dataset d;
  d.class_names = class_names;
  std::string bytes = read_bytes(files[0].first);
  const Shape sample = image_shape(files[0].first, bytes, options);
  d.images = Tensor(sample.with_batch(int64_t(files.size())));
  d.labels.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (i > 0) bytes = read_bytes(files[i].first);
    decode_into(files[i].first, bytes, sample, d.images.data() + int64_t(i) * sample.numel());
    d.labels.push_back(files[i].second);
  }
  return d;
}

}  // namespace convnet
