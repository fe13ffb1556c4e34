#include "convnet/data/load.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "convnet/io/idx.h"
#include "convnet/io/npy.h"

namespace convnet {
namespace {

namespace fs = std::filesystem;

struct KnownDataset {
  const char* name;
  std::vector<std::string> class_names;
};

const std::vector<KnownDataset>& known_datasets() {
  static const std::vector<KnownDataset> known = {
      {"fashion-mnist",
       {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
        "Ankle boot"}},
      {"mnist", {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
  };
  return known;
}

// "Fashion_MNIST" -> "fashion-mnist".
std::string canonical_name(std::string s) {
  for (char& c : s) c = c == '_' ? '-' : char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const KnownDataset* find_known(const std::string& name) {
  for (const KnownDataset& k : known_datasets())
    if (canonical_name(name) == k.name) return &k;
  return nullptr;
}

// The first of dir/<stem>[.gz] and dir/<stem with ".idx" for "-idx">[.gz] that exists, or "".
std::string find_idx_file(const fs::path& dir, const std::string& stem) {
  std::string dotted = stem;
  dotted.replace(dotted.find("-idx"), 4, ".idx");
  for (const std::string& name : {stem, stem + ".gz", dotted, dotted + ".gz"})
    if (fs::is_regular_file(dir / name)) return (dir / name).string();
  return "";
}

const char* const kIdxStems[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

bool has_idx_files(const fs::path& dir) {
  return std::all_of(std::begin(kIdxStems), std::end(kIdxStems),
                     [&](const char* s) { return !find_idx_file(dir, s).empty(); });
}

bool has_npy_files(const fs::path& dir) {
  for (const char* f : {"x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy"})
    if (!fs::is_regular_file(dir / f)) return false;
  return true;
}

Dataset load_idx_pair(const std::string& images_path, const std::string& labels_path) {
  Dataset d;
  d.images = io::read_idx_images(images_path);
  d.labels = io::read_idx_labels(labels_path);
  if (int64_t(d.labels.size()) != d.size())
    throw std::runtime_error("IDX files '" + images_path + "' and '" + labels_path +
                             "': " + std::to_string(d.size()) + " images but " +
                             std::to_string(d.labels.size()) + " labels");
  return d;
}

// [N, H, W, C] -> [N, C, H, W].
Tensor nhwc_to_nchw(const Tensor& x) {
  const int64_t N = x.dim(0), H = x.dim(1), W = x.dim(2), C = x.dim(3);
  Tensor y({N, C, H, W});
  const float* s = x.data();
  float* d = y.data();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < H * W; ++i)
      for (int64_t c = 0; c < C; ++c) d[(n * C + c) * H * W + i] = s[(n * H * W + i) * C + c];
  return y;
}

DataSplits with_known_names(DataSplits s, const fs::path& dir) {
  if (const KnownDataset* k = find_known(dir.filename().string())) {
    s.train.class_names = k->class_names;
    s.test.class_names = k->class_names;
  }
  return s;
}

// The data set in dir, or nothing when dir holds none of the known layouts. Class sub-folders count
// only when `allow_class_folders` (a named data set's folder is never an image folder).
std::optional<DataSplits> load_folder(const fs::path& dir, const ImageFolderOptions& options,
                                      bool allow_class_folders) {
  if (has_idx_files(dir)) return with_known_names(load_idx_folder(dir.string()), dir);
  if (has_npy_files(dir))
    return with_known_names(
        {load_npy_dataset((dir / "x_train.npy").string(), (dir / "y_train.npy").string()),
         load_npy_dataset((dir / "x_test.npy").string(), (dir / "y_test.npy").string())},
        dir);
  if (fs::is_directory(dir / "train")) {
    DataSplits s;
    s.train = load_image_folder((dir / "train").string(), options);
    // The test images take the train images' shape and classes, whatever their own.
    const ImageFolderOptions same{.channels = s.train.images.dim(1),
                                  .height = s.train.images.dim(2),
                                  .width = s.train.images.dim(3)};
    s.test = fs::is_directory(dir / "test")
                 ? load_image_folder((dir / "test").string(), s.train.class_names, same)
                 : s.train.subset({});
    return s;
  }
  const bool has_subfolders =
      std::any_of(fs::directory_iterator(dir), fs::directory_iterator(),
                  [](const fs::directory_entry& e) { return e.is_directory(); });
  if (!allow_class_folders || !has_subfolders) return std::nullopt;
  DataSplits s;
  s.train = load_image_folder(dir.string(), options);
  s.test = s.train.subset({});
  return s;
}

}  // namespace

DataSplits load_idx_folder(const std::string& dir) {
  std::string paths[4];
  std::string missing;
  for (int i = 0; i < 4; ++i) {
    paths[i] = find_idx_file(dir, kIdxStems[i]);
    if (paths[i].empty())
      missing += std::string(missing.empty() ? "" : ", ") + kIdxStems[i] + "[.gz]";
  }
  if (!missing.empty()) throw std::runtime_error("IDX folder '" + dir + "': missing " + missing);
  return {load_idx_pair(paths[0], paths[1]), load_idx_pair(paths[2], paths[3])};
}

Dataset load_npy_dataset(const std::string& images_path, const std::string& labels_path) {
  Dataset d;
  Tensor x = io::read_npy(images_path);
  const Shape& s = x.shape();
  if (s.rank() == 3) {
    x = x.reshape({s[0], 1, s[1], s[2]});
  } else if (s.rank() == 4) {
    const auto is_channels = [](int64_t c) { return c == 1 || c == 3 || c == 4; };
    if (is_channels(s[3]) && !is_channels(s[1])) x = nhwc_to_nchw(x);
  } else {
    throw std::runtime_error(".npy file '" + images_path +
                             "': images must be [N, H, W], [N, C, H, W] or [N, H, W, C], got " +
                             s.str());
  }
  if (io::read_npy_info(images_path).dtype == "uint8")
    for (float& v : x) v /= 255.0f;
  d.images = x;
  const std::vector<int64_t> labels = io::read_npy_labels(labels_path);
  if (int64_t(labels.size()) != d.size())
    throw std::runtime_error(".npy files '" + images_path + "' and '" + labels_path +
                             "': " + std::to_string(d.size()) + " images but " +
                             std::to_string(labels.size()) + " labels");
  for (int64_t v : labels) {
    if (v < 0 || v > INT32_MAX)
      throw std::runtime_error(".npy file '" + labels_path + "': label " + std::to_string(v) +
                               " is not a class index");
    d.labels.push_back(int32_t(v));
  }
  return d;
}

DataSplits load_dataset(const std::string& name_or_path, const ImageFolderOptions& options) {
  std::error_code ec;
  if (fs::is_directory(name_or_path, ec))
    if (std::optional<DataSplits> s = load_folder(name_or_path, options, true))
      return *std::move(s);
  std::vector<fs::path> looked{name_or_path};
  if (const KnownDataset* known = find_known(name_or_path)) {
    looked.clear();
    if (const char* root = std::getenv("CONVNET_DATASETS"))
      looked.push_back(fs::path(root) / known->name);
    looked.push_back(fs::path("/usr/share/datasets") / known->name);
    for (const fs::path& dir : looked)
      if (fs::is_directory(dir, ec))
        if (std::optional<DataSplits> s = load_folder(dir, options, false)) return *std::move(s);
  }
  std::string names;
  for (const KnownDataset& k : known_datasets())
    names += std::string(names.empty() ? "" : ", ") + k.name;
  std::string where;
  for (const fs::path& dir : looked)
    where += "\n  " + dir.string() + (fs::is_directory(dir, ec) ? "" : " (no such folder)");
  throw std::runtime_error(
      "load_dataset: cannot find data set '" + name_or_path + "'. Expected a known name (" + names +
      ") installed under $CONVNET_DATASETS/<name> or /usr/share/datasets/<name>, or a folder "
      "holding IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
      "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]), or x_train.npy, y_train.npy, "
      "x_test.npy and y_test.npy, or train/ and test/ image folders, or one sub-folder of images "
      "per class. Looked in:" +
      where);
}

}  // namespace convnet
