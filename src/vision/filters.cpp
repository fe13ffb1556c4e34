#include "convnet/vision/filters.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "convnet/layers/depthwise_conv2d.h"

namespace convnet {
namespace {

const char* const kKnown =
    "sobel-x, sobel-y, sobel, laplacian, sharpen, box[:N], gaussian[:N[:SIGMA]] or a .txt file";

[[noreturn]] void bad_spec(const std::string& spec, const std::string& problem) {
  throw std::invalid_argument("kernel '" + spec + "': " + problem + " (expected " + kKnown + ")");
}

Tensor kernel3(std::initializer_list<float> values) {
  return Tensor::from({3, 3}, values);
}

// "9" -> 9, checked to be a whole positive number.
int64_t parse_size(const std::string& spec, const std::string& text) {
  size_t used = 0;
  int64_t n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || n < 1 || n > 255) bad_spec(spec, "size '" + text + "' is not 1..255");
  return n;
}

double parse_number(const std::string& text, const std::string& where) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !std::isfinite(v))
    throw std::invalid_argument(where + ": '" + text + "' is not a number");
  return v;
}

Tensor gaussian(int64_t n, double sigma) {
  Tensor k({n, n});
  const double centre = double(n - 1) / 2.0;
  double sum = 0.0;
  for (int64_t y = 0; y < n; ++y)
    for (int64_t x = 0; x < n; ++x) {
      const double dy = double(y) - centre, dx = double(x) - centre;
      sum += k.at(y, x) = float(std::exp(-(dx * dx + dy * dy) / (2.0 * sigma * sigma)));
    }
  for (float& v : k) v = float(v / sum);
  return k;
}

// Rows of numbers; '#' starts a comment, blank lines are skipped.
Tensor read_kernel_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("kernel file '" + path + "': cannot open it");
  std::vector<std::vector<float>> rows;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    line = line.substr(0, line.find('#'));
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream words(line);
    std::vector<float> row;
    const std::string where = "kernel file '" + path + "' line " + std::to_string(line_no);
    for (std::string w; words >> w;) row.push_back(float(parse_number(w, where)));
    if (row.empty()) continue;
    if (!rows.empty() && row.size() != rows[0].size())
      throw std::invalid_argument(where + ": " + std::to_string(row.size()) + " values, expected " +
                                  std::to_string(rows[0].size()) + " like the first row");
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw std::invalid_argument("kernel file '" + path + "': no numbers in it");
  Tensor k({int64_t(rows.size()), int64_t(rows[0].size())});
  for (size_t y = 0; y < rows.size(); ++y) std::copy(rows[y].begin(), rows[y].end(), &k.at(y, 0));
  return k;
}

float max_abs(const Tensor& t) {
  float m = 0.0f;
  for (float v : t) m = std::max(m, std::fabs(v));
  return m;
}

float sum_of(const Tensor& t) {
  double s = 0.0;
  for (float v : t) s += v;
  return float(s);
}

// Zero-sum kernels (edge detectors) respond with signed values; the sum is "zero" when it is small
// against the kernel's own weights (a file's decimals rarely cancel exactly).
bool sums_to_zero(const Tensor& kernel) {
  double abs_sum = 0.0;
  for (float v : kernel) abs_sum += std::fabs(v);
  return std::fabs(sum_of(kernel)) <= 1e-6 * abs_sum;
}

}  // namespace

Tensor make_kernel(const std::string& spec) {
  if (spec.ends_with(".txt")) return read_kernel_file(spec);
  std::vector<std::string> parts;
  std::stringstream ss(spec);
  for (std::string p; std::getline(ss, p, ':');) parts.push_back(p);
  if (parts.empty()) bad_spec(spec, "empty");
  const std::string& name = parts[0];
  const size_t max_args = name == "gaussian" ? 2 : name == "box" ? 1 : 0;
  if (parts.size() - 1 > max_args)
    bad_spec(spec, name + (max_args ? " takes at most " + std::to_string(max_args) + " arguments"
                                    : " takes no arguments"));
  if (name == "sobel-x") return kernel3({-1, 0, 1, -2, 0, 2, -1, 0, 1});
  if (name == "sobel-y") return kernel3({-1, -2, -1, 0, 0, 0, 1, 2, 1});
  if (name == "laplacian") return kernel3({-1, -1, -1, -1, 8, -1, -1, -1, -1});
  if (name == "sharpen") return kernel3({0, -1, 0, -1, 5, -1, 0, -1, 0});
  if (name == "box") {
    const int64_t n = parts.size() > 1 ? parse_size(spec, parts[1]) : 3;
    return Tensor({n, n}, 1.0f / float(n * n));
  }
  if (name == "gaussian") {
    const int64_t n = parts.size() > 1 ? parse_size(spec, parts[1]) : 9;
    const double sigma = parts.size() > 2 ? parse_number(parts[2], "kernel '" + spec + "' sigma")
                                          : 0.3 * (double(n - 1) / 2.0 - 1.0) + 0.8;
    if (!(sigma > 0.0)) bad_spec(spec, "sigma must be positive");
    return gaussian(n, sigma);
  }
  if (name == "sobel") bad_spec(spec, "sobel is two kernels; make_kernel takes sobel-x or sobel-y");
  if (std::filesystem::is_regular_file(spec)) return read_kernel_file(spec);  // any other file name
  bad_spec(spec, "unknown kernel");
}

Tensor filter_image(const Tensor& image, const Tensor& kernel, const FilterOptions& options) {
  if (image.rank() != 3 || image.empty())
    throw std::invalid_argument("filter_image: expected an image [C, H, W], got " +
                                image.shape().str());
  if (kernel.rank() != 2 || kernel.empty())
    throw std::invalid_argument("filter_image: expected a kernel [KH, KW], got " +
                                kernel.shape().str());
  const int64_t C = image.dim(0), KH = kernel.dim(0), KW = kernel.dim(1);
  // One filter per channel, no bias: exactly the hand-made kernel, as a CNN layer would apply it.
  DepthwiseConv2D conv({.kernel = {KH, KW},
                        .stride = options.stride,
                        .padding = options.padding,
                        .use_bias = false});
  Rng unused(0);
  const Shape out = conv.build(image.shape(), unused);
  for (int64_t c = 0; c < C; ++c)
    std::copy(kernel.begin(), kernel.end(), conv.weight().data() + c * KH * KW);
  return conv.forward(image.reshape(image.shape().with_batch(1)), Mode::eval).reshape(out);
}

Tensor sobel_magnitude(const Tensor& image, const FilterOptions& options) {
  const Tensor gx = filter_image(image, make_kernel("sobel-x"), options);
  const Tensor gy = filter_image(image, make_kernel("sobel-y"), options);
  Tensor m(gx.shape());
  for (int64_t i = 0; i < m.numel(); ++i) m[i] = std::hypot(gx[i], gy[i]);
  return m;
}

Tensor scale_for_display(const Tensor& response, DisplayScale scale, float kernel_sum) {
  Tensor out(response.shape());
  const float peak = max_abs(response);
  const float inv = peak > 0.0f ? 1.0f / peak : 0.0f;
  for (int64_t i = 0; i < out.numel(); ++i) {
    const float x = response[i];
    switch (scale) {
      case DisplayScale::brightness:
        out[i] = std::clamp(x / kernel_sum, 0.0f, 1.0f);
        break;
      case DisplayScale::centered:
        out[i] = 0.5f + 0.5f * x * inv;
        break;
      case DisplayScale::magnitude:
        out[i] = std::fabs(x) * inv;
        break;
      case DisplayScale::automatic:
        throw std::invalid_argument("scale_for_display: choose brightness, centered or magnitude");
    }
  }
  return out;
}

Tensor apply_filter(const Tensor& image, const std::string& spec, const FilterOptions& options) {
  const bool automatic = options.display == DisplayScale::automatic;
  if (spec == "sobel")
    return scale_for_display(sobel_magnitude(image, options),
                             automatic ? DisplayScale::magnitude : options.display);
  const Tensor kernel = make_kernel(spec);
  const bool zero_sum = sums_to_zero(kernel);
  DisplayScale scale = options.display;
  if (automatic) scale = zero_sum ? DisplayScale::centered : DisplayScale::brightness;
  if (scale == DisplayScale::brightness && zero_sum)
    throw std::invalid_argument("kernel '" + spec +
                                "' sums to 0: brightness display needs a non-zero sum (use "
                                "centered or magnitude)");
  return scale_for_display(filter_image(image, kernel, options), scale, sum_of(kernel));
}

}  // namespace convnet
