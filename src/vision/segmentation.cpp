#include "convnet/vision/segmentation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "convnet/data/images.h"
#include "convnet/transfer.h"
#include "convnet/vision/metrics.h"

namespace fs = std::filesystem;

namespace convnet {
namespace {

std::string file_name(int64_t i) {
  char name[32];
  std::snprintf(name, sizeof name, "%05lld.png", static_cast<long long>(i));
  return name;
}

void save_split(const fs::path& dir, const Dataset& d) {
  if (d.targets.rank() != 3 || d.targets.dim(0) != d.size())
    throw std::invalid_argument("save_segmentation_folder: split needs targets [N, H, W], got " +
                                d.targets.shape().str());
  fs::create_directories(dir / "images");
  fs::create_directories(dir / "masks");
  const int64_t H = d.targets.dim(1), W = d.targets.dim(2);
  const Shape image = d.sample_shape();
  for (int64_t n = 0; n < d.size(); ++n) {
    const std::string name = file_name(n);
    write_png((dir / "images" / name).string(),
              Tensor::from(image, d.images.data() + n * image.numel()));
    Tensor mask({1, H, W});
    for (int64_t p = 0; p < H * W; ++p) mask[p] = d.targets[n * H * W + p] / 255.f;
    write_png((dir / "masks" / name).string(), mask);
  }
}

std::vector<std::string> png_names(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + ": no such folder");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".png")
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Dataset load_split(const fs::path& dir, const std::vector<std::string>& classes) {
  const std::vector<std::string> names = png_names(dir / "images");
  if (names.empty()) throw std::runtime_error((dir / "images").string() + ": no PNG images");
  Dataset d;
  d.class_names = classes;
  for (size_t i = 0; i < names.size(); ++i) {
    const fs::path image_path = dir / "images" / names[i], mask_path = dir / "masks" / names[i];
    if (!fs::exists(mask_path)) throw std::runtime_error(mask_path.string() + ": mask missing");
    const Tensor image =
        read_image(image_path.string(), {.channels = d.size() ? d.images.dim(1) : 0});
    const Tensor mask = read_image(mask_path.string(), {.channels = 1});
    if (mask.dim(1) != image.dim(1) || mask.dim(2) != image.dim(2))
      throw std::runtime_error(mask_path.string() + ": mask is " + std::to_string(mask.dim(1)) +
                               "x" + std::to_string(mask.dim(2)) + ", its image " +
                               std::to_string(image.dim(1)) + "x" + std::to_string(image.dim(2)));
    if (i == 0) {
      d.images = Tensor(image.shape().with_batch(int64_t(names.size())));
      d.targets = Tensor({int64_t(names.size()), image.dim(1), image.dim(2)});
    } else if (!(image.shape() == d.sample_shape())) {
      throw std::runtime_error(image_path.string() + ": size " + image.shape().str() +
                               " differs from the first image's " + d.sample_shape().str());
    }
    std::copy(image.begin(), image.end(), d.images.data() + int64_t(i) * image.numel());
    float* target = d.targets.data() + int64_t(i) * mask.numel();
    for (int64_t p = 0; p < mask.numel(); ++p) {
      const float k = std::round(mask[p] * 255.f);
      if (k >= float(classes.size()))
        throw std::runtime_error(mask_path.string() + ": value " + std::to_string(int(k)) +
                                 " is not one of the " + std::to_string(classes.size()) +
                                 " classes of classes.txt");
      target[p] = k;
    }
  }
  return d;
}

}  // namespace

void save_segmentation_folder(const std::string& dir, const DataSplits& splits) {
  const auto& classes = splits.train.class_names;
  if (classes.size() > 256)
    throw std::invalid_argument("save_segmentation_folder: 8-bit masks hold at most 256 classes");
  fs::create_directories(dir);
  save_split(fs::path(dir) / "train", splits.train);
  if (splits.test.size() > 0) save_split(fs::path(dir) / "test", splits.test);
  std::ofstream out(fs::path(dir) / "classes.txt");
  for (const std::string& c : classes) out << c << "\n";
  if (!out) throw std::runtime_error(dir + "/classes.txt: cannot write");
}

DataSplits load_segmentation_folder(const std::string& dir) {
  std::ifstream in(fs::path(dir) / "classes.txt");
  if (!in) throw std::runtime_error(dir + "/classes.txt: missing (is this a segmentation folder?)");
  std::vector<std::string> classes;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) classes.push_back(line);
  if (classes.empty()) throw std::runtime_error(dir + "/classes.txt: no classes");
  DataSplits s;
  s.train = load_split(fs::path(dir) / "train", classes);
  if (fs::exists(fs::path(dir) / "test")) s.test = load_split(fs::path(dir) / "test", classes);
  return s;
}

Tensor colorize_mask(const Tensor& mask) {
  if (mask.rank() < 2) throw std::invalid_argument("colorize_mask: expected a map [.., H, W]");
  const int64_t H = mask.dim(mask.rank() - 2), W = mask.dim(mask.rank() - 1);
  if (mask.numel() != H * W)
    throw std::invalid_argument("colorize_mask: expected one map, got " + mask.shape().str());
  Tensor rgb({3, H, W});
  for (int64_t p = 0; p < H * W; ++p) {
    // PASCAL VOC's palette: the bits of the class index, spread over the channels' high bits.
    int64_t k = std::max<int64_t>(0, int64_t(mask[p]));
    int r = 0, g = 0, b = 0;
    for (int shift = 7; k > 0; --shift, k >>= 3) {
      r |= int(k & 1) << shift;
      g |= int((k >> 1) & 1) << shift;
      b |= int((k >> 2) & 1) << shift;
    }
    rgb[p] = float(r) / 255.f;
    rgb[H * W + p] = float(g) / 255.f;
    rgb[2 * H * W + p] = float(b) / 255.f;
  }
  return rgb;
}

Tensor segment(Model& model, const Tensor& image) {
  if (image.rank() != 3) throw std::invalid_argument("segment: expected an image [C, H, W]");
  const Tensor scores = forward_any_size(model, image);
  return argmax_channels(scores.reshape(scores.shape().with_batch(1)))
      .reshape({image.dim(1), image.dim(2)});
}

}  // namespace convnet
