#include "support/op_registry.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "convnet/layers.h"

namespace convnet::test {
namespace {

int64_t pick(Rng& rng, int64_t lo, int64_t hi) {
  return lo + int64_t(rng.below(uint64_t(hi - lo + 1)));
}
bool coin(Rng& rng, float p) {
  return rng.uniform() < p;
}

// h and w in [lo, hi]; with `above_one`, at least one of them > 1 (a stride or dilation that
// matters); with `unequal`, h != w (a rectangular kernel).
Size2 draw_size2(Rng& rng, int64_t lo, int64_t hi, bool above_one = false, bool unequal = false) {
  for (;;) {
    Size2 s{pick(rng, lo, hi), pick(rng, lo, hi)};
    if ((!above_one || s.h > 1 || s.w > 1) && (!unequal || s.h != s.w)) return s;
  }
}

enum class PadChoice { any, same, asymmetric };

// valid, same or explicit padding of at most max_pad rows/columns a side (pooling: half the window,
// as PyTorch requires); `asymmetric` forces explicit padding with top != bottom or left != right.
Padding draw_padding(Rng& rng, PadChoice choice, Size2 max_pad) {
  if (choice == PadChoice::same) return Padding::same;
  const int64_t mode = choice == PadChoice::asymmetric ? 2 : pick(rng, 0, 2);
  if (mode == 0) return Padding::valid;
  if (mode == 1) return Padding::same;
  for (;;) {
    Padding p(pick(rng, 0, max_pad.h), pick(rng, 0, max_pad.h), pick(rng, 0, max_pad.w),
              pick(rng, 0, max_pad.w));
    if (choice != PadChoice::asymmetric || p.top != p.bottom || p.left != p.right) return p;
  }
}

// An input extent for which a window of effective size k fits with the given padding, plus up to 5
// more (odd and even sizes alike).
int64_t draw_extent(Rng& rng, int64_t k, int64_t pad_before, int64_t pad_after) {
  return std::max<int64_t>(1, k - pad_before - pad_after) + pick(rng, 0, 5);
}
Size2 draw_spatial(Rng& rng, Size2 k_eff, const Padding& p) {
  // 'same' fits any size, a window larger than the input included.
  if (p.mode == PaddingMode::same) return {draw_extent(rng, 1, 0, 0), draw_extent(rng, 1, 0, 0)};
  return {draw_extent(rng, k_eff.h, p.top, p.bottom), draw_extent(rng, k_eff.w, p.left, p.right)};
}

constexpr Activation kActivations[] = {
    Activation::linear, Activation::relu,    Activation::relu6, Activation::leaky_relu,
    Activation::elu,    Activation::sigmoid, Activation::tanh,  Activation::softmax};
constexpr int kActivationCount = int(std::size(kActivations));

// Activations whose derivative jumps somewhere (ELU's at 0 unless alpha = 1).
bool kinked(Activation a) {
  return a == Activation::relu || a == Activation::relu6 || a == Activation::leaky_relu ||
         a == Activation::elu;
}
float draw_alpha(Rng& rng, Activation a) {
  if (a == Activation::leaky_relu) return rng.uniform(0.05f, 0.5f);
  if (a == Activation::elu) return rng.uniform(0.5f, 2.0f);
  return 0.0f;
}
// Keeps gradcheck cases checkable: a kinked activation without bias would leave pre-activations on
// the lattice's kinks, so it gives way to a smooth one.
Activation checkable(Activation a, bool use_bias, const CaseOptions& o, Rng& rng) {
  if (!o.gradcheck || use_bias || !kinked(a)) return a;
  constexpr Activation smooth[] = {Activation::linear, Activation::sigmoid, Activation::tanh,
                                   Activation::softmax};
  return smooth[rng.below(std::size(smooth))];
}

int64_t draw_batch(Rng& rng, const CaseOptions& o, bool several) {
  return several && o.max_batch > 1 ? pick(rng, 2, o.max_batch) : pick(rng, 1, o.max_batch);
}

// What a generator draws: the input shape (with batch), the layer factory and the value kind.
struct Draft {
  Shape input;
  std::function<std::unique_ptr<Layer>()> make;
  GradValues values = GradValues::normal;
  bool stochastic = false;
};
using Generator = Draft (*)(Rng&, int, const CaseOptions&);

template <typename L, typename Options>
std::function<std::unique_ptr<Layer>()> maker(Options o) {
  return [o] { return std::make_unique<L>(o); };
}

Draft conv2d(Rng& rng, int i, const CaseOptions& o) {
  enum { kStride, kDilation, kGroups, kAsymmetric, kSame, kRectangular, kNoBias, kBatch, kCount };
  const int forced = i % kCount;
  Conv2DOptions c;
  c.groups = forced == kGroups || coin(rng, 0.25f) ? pick(rng, 2, 3) : 1;
  const int64_t channels = c.groups * pick(rng, 1, 3);
  c.filters = c.groups * pick(rng, 1, 3);
  c.kernel = forced == kRectangular || coin(rng, 0.3f) ? draw_size2(rng, 1, 4, false, true)
                                                       : Size2(pick(rng, 1, 4));
  c.stride = forced == kStride || coin(rng, 0.4f) ? draw_size2(rng, 1, 3, true) : Size2(1);
  c.dilation = forced == kDilation || coin(rng, 0.3f) ? draw_size2(rng, 1, 3, true) : Size2(1);
  c.padding = draw_padding(rng,
                           forced == kSame         ? PadChoice::same
                           : forced == kAsymmetric ? PadChoice::asymmetric
                                                   : PadChoice::any,
                           {2, 2});
  c.use_bias = forced != kNoBias && coin(rng, 0.75f);
  c.activation = checkable(kActivations[i % kActivationCount], c.use_bias, o, rng);
  c.activation_alpha = draw_alpha(rng, c.activation);
  // Softmax over a single channel is constant: nothing to check.
  if (c.activation == Activation::softmax) c.filters = std::max<int64_t>(c.filters, 2);
  const Size2 k_eff{dilated(c.kernel.h, c.dilation.h), dilated(c.kernel.w, c.dilation.w)};
  const Size2 hw = draw_spatial(rng, k_eff, c.padding);
  return {{draw_batch(rng, o, forced == kBatch), channels, hw.h, hw.w},
          maker<Conv2D>(c),
          GradValues::lattice};
}

template <typename Pool>
Draft pool2d(Rng& rng, int i, const CaseOptions& o) {
  enum { kStride, kRectangular, kSame, kAsymmetric, kIncludePad, kBatch, kCount };
  const int forced = i % kCount;
  Pool2DOptions p;
  p.pool = forced == kRectangular || coin(rng, 0.3f) ? draw_size2(rng, 1, 4, false, true)
                                                     : Size2(pick(rng, 1, 4));
  // Asymmetric padding needs room: at most half the window a side.
  if (forced == kAsymmetric) p.pool = {std::max<int64_t>(p.pool.h, 2), p.pool.w};
  p.stride = forced == kStride || coin(rng, 0.4f) ? draw_size2(rng, 1, 3) : Size2(0);
  p.padding = draw_padding(rng,
                           forced == kSame         ? PadChoice::same
                           : forced == kAsymmetric ? PadChoice::asymmetric
                                                   : PadChoice::any,
                           {p.pool.h / 2, p.pool.w / 2});
  p.count_include_pad = forced == kIncludePad || coin(rng, 0.5f);
  const Size2 hw = draw_spatial(rng, p.pool, p.padding);
  constexpr bool is_max = std::is_same_v<Pool, MaxPool2D>;
  if (is_max) p.count_include_pad = false;
  return {{draw_batch(rng, o, forced == kBatch), pick(rng, 1, 4), hw.h, hw.w},
          maker<Pool>(p),
          is_max ? GradValues::distinct : GradValues::normal};
}

template <typename Pool>
Draft global_pool2d(Rng& rng, int i, const CaseOptions& o) {
  const GlobalPool2DOptions g{.keepdims = i % 2 == 1};
  constexpr bool is_max = std::is_same_v<Pool, GlobalMaxPool2D>;
  return {{draw_batch(rng, o, i % 3 == 0), pick(rng, 1, 4), pick(rng, 1, 6), pick(rng, 1, 6)},
          maker<Pool>(g),
          is_max ? GradValues::distinct : GradValues::normal};
}

Draft dense(Rng& rng, int i, const CaseOptions& o) {
  DenseOptions d;
  d.units = pick(rng, 1, 8);
  d.use_bias = i % 3 != 2;
  d.activation = checkable(kActivations[i % kActivationCount], d.use_bias, o, rng);
  d.activation_alpha = draw_alpha(rng, d.activation);
  if (d.activation == Activation::softmax) d.units = std::max<int64_t>(d.units, 2);
  return {{draw_batch(rng, o, i % 2 == 0), pick(rng, 1, 12)}, maker<Dense>(d), GradValues::lattice};
}

// A random sample shape of rank 1 to 3 (the input of Flatten, Reshape and activations).
Shape draw_sample_shape(Rng& rng) {
  std::vector<int64_t> dims(size_t(pick(rng, 1, 3)));
  for (int64_t& d : dims) d = dims.size() == 1 ? pick(rng, 1, 12) : pick(rng, 1, 5);
  return Shape(std::move(dims));
}

Draft flatten(Rng& rng, int i, const CaseOptions& o) {
  return {draw_sample_shape(rng).with_batch(draw_batch(rng, o, i % 2 == 0)),
          [] { return std::make_unique<Flatten>(); }};
}

// The target: the sample's dimensions shuffled, neighbours sometimes merged, one sometimes -1.
Draft reshape(Rng& rng, int i, const CaseOptions& o) {
  const Shape in = draw_sample_shape(rng);
  std::vector<int64_t> dims = in.dims();
  for (size_t k = dims.size(); k > 1; --k) std::swap(dims[k - 1], dims[rng.below(k)]);
  if (dims.size() > 1 && coin(rng, 0.5f)) {
    const size_t k = rng.below(dims.size() - 1);
    dims[k] *= dims[k + 1];
    dims.erase(dims.begin() + std::ptrdiff_t(k) + 1);
  }
  if (coin(rng, 0.3f)) dims.push_back(1);
  if (i % 2 == 1) dims[rng.below(dims.size())] = -1;
  return {in.with_batch(draw_batch(rng, o, i % 3 == 0)), maker<Reshape>(ReshapeOptions{dims})};
}

template <typename Act>
Draft activation(Rng& rng, int i, const CaseOptions& o) {
  std::function<std::unique_ptr<Layer>()> make = [] { return std::make_unique<Act>(); };
  if constexpr (std::is_same_v<Act, LeakyReLU>)
    make = maker<LeakyReLU>(LeakyReLUOptions{.alpha = rng.uniform(0.05f, 0.5f)});
  if constexpr (std::is_same_v<Act, ELU>)
    make = maker<ELU>(ELUOptions{.alpha = rng.uniform(0.5f, 2.0f)});
  Shape sample = draw_sample_shape(rng);
  if (std::is_same_v<Act, Softmax>)
    sample[0] = std::max<int64_t>(sample[0], 2);  // the softmax axis
  return {sample.with_batch(draw_batch(rng, o, i % 2 == 0)), make, GradValues::off_kinks};
}

Draft depthwise_conv2d(Rng& rng, int i, const CaseOptions& o) {
  enum {
    kStride,
    kDilation,
    kMultiplier,
    kAsymmetric,
    kSame,
    kRectangular,
    kNoBias,
    kBatch,
    kCount
  };
  const int forced = i % kCount;
  DepthwiseConv2DOptions d;
  d.depth_multiplier = forced == kMultiplier || coin(rng, 0.3f) ? pick(rng, 2, 3) : 1;
  d.kernel = forced == kRectangular || coin(rng, 0.3f) ? draw_size2(rng, 1, 4, false, true)
                                                       : Size2(pick(rng, 1, 4));
  d.stride = forced == kStride || coin(rng, 0.4f) ? draw_size2(rng, 1, 3, true) : Size2(1);
  d.dilation = forced == kDilation || coin(rng, 0.3f) ? draw_size2(rng, 1, 3, true) : Size2(1);
  d.padding = draw_padding(rng,
                           forced == kSame         ? PadChoice::same
                           : forced == kAsymmetric ? PadChoice::asymmetric
                                                   : PadChoice::any,
                           {2, 2});
  d.use_bias = forced != kNoBias && coin(rng, 0.75f);
  d.activation = checkable(kActivations[i % kActivationCount], d.use_bias, o, rng);
  d.activation_alpha = draw_alpha(rng, d.activation);
  // Softmax over a single channel is constant: give it at least two.
  const int64_t channels = pick(rng, d.activation == Activation::softmax ? 2 : 1, 4);
  const Size2 k_eff{dilated(d.kernel.h, d.dilation.h), dilated(d.kernel.w, d.dilation.w)};
  const Size2 hw = draw_spatial(rng, k_eff, d.padding);
  return {{draw_batch(rng, o, forced == kBatch), channels, hw.h, hw.w},
          maker<DepthwiseConv2D>(d),
          GradValues::lattice};
}

// BatchNorm2D on [C, H, W] or BatchNorm1D on [F] / [C, L]. Training needs two values per channel
// at least; three, so that the batch statistics are not the degenerate +-1 of two values.
template <typename BN>
Draft batch_norm(Rng& rng, int i, const CaseOptions& o) {
  const BatchNormOptions b{.momentum = rng.uniform(0.05f, 0.5f),
                           .eps = coin(rng, 0.5f) ? 1e-5f : 1e-3f,
                           .affine = i % 4 != 2};
  const bool frozen = i % 4 == 3;
  for (;;) {
    const int64_t n = draw_batch(rng, o, i % 2 == 0), c = pick(rng, 1, 4);
    Shape sample{c, pick(rng, 1, 5), pick(rng, 1, 5)};
    if (std::is_same_v<BN, BatchNorm1D>)
      sample = i % 3 == 0 || o.max_batch < 3 ? Shape{c, pick(rng, 1, 5)} : Shape{c};
    if (n * sample.numel() / c < 3) continue;
    return {sample.with_batch(n), [b, frozen] {
              auto layer = std::make_unique<BN>(b);
              layer->set_trainable(!frozen);
              return layer;
            }};
  }
}

Draft dropout(Rng& rng, int i, const CaseOptions& o) {
  const DropoutOptions d{.rate = i % 4 == 0 ? 0.0f : rng.uniform(0.1f, 0.9f),
                         .seed = rng.next_u64() >> 1};
  return {draw_sample_shape(rng).with_batch(draw_batch(rng, o, i % 2 == 0)), maker<Dropout>(d),
          GradValues::normal, true};
}

Draft zero_padding2d(Rng& rng, int i, const CaseOptions& o) {
  const Padding p =
      i % 2 == 0 ? Padding(pick(rng, 0, 2))
                 : Padding(pick(rng, 0, 3), pick(rng, 0, 3), pick(rng, 0, 3), pick(rng, 0, 3));
  return {{draw_batch(rng, o, i % 3 == 0), pick(rng, 1, 4), pick(rng, 1, 6), pick(rng, 1, 6)},
          maker<ZeroPadding2D>(ZeroPadding2DOptions{.padding = p})};
}

// Windows of odd and even size, wider than the channel count too; every other case with alpha
// large enough that the neighbours' term of the gradient matters as much as the diagonal.
Draft local_response_norm(Rng& rng, int i, const CaseOptions& o) {
  LocalResponseNormOptions l{.size = pick(rng, 1, 6)};
  if (i % 2 == 1) {
    l.alpha = rng.uniform(0.2f, 2.0f);
    l.beta = rng.uniform(0.5f, 1.0f);
    l.k = rng.uniform(0.5f, 2.0f);
  }
  const int64_t c = pick(rng, 1, 7);
  const Shape sample =
      i % 3 == 0 ? Shape{c, pick(rng, 1, 6)} : Shape{c, pick(rng, 1, 4), pick(rng, 1, 4)};
  return {sample.with_batch(draw_batch(rng, o, i % 2 == 0)), maker<LocalResponseNorm>(l)};
}

// Transposed convolution: the output size grows with the input, so the input stays small; explicit
// padding crops, and output_padding (< max(stride, dilation)) adds a row/column back.
Draft conv2d_transpose(Rng& rng, int i, const CaseOptions& o) {
  enum { kStride, kOutputPadding, kDilation, kGroups, kCrop, kSame, kNoBias, kBatch, kCount };
  const int forced = i % kCount;
  Conv2DTransposeOptions c;
  c.groups = forced == kGroups || coin(rng, 0.25f) ? pick(rng, 2, 3) : 1;
  const int64_t channels = c.groups * pick(rng, 1, 2);
  c.filters = c.groups * pick(rng, 1, 3);
  c.kernel = coin(rng, 0.3f) ? draw_size2(rng, 1, 4, false, true) : Size2(pick(rng, 1, 4));
  c.stride = forced == kStride || forced == kOutputPadding || coin(rng, 0.5f)
                 ? draw_size2(rng, 1, 3, true)
                 : Size2(1);
  c.dilation = forced == kDilation || coin(rng, 0.3f) ? draw_size2(rng, 1, 2, true) : Size2(1);
  c.padding = draw_padding(rng,
                           forced == kSame   ? PadChoice::same
                           : forced == kCrop ? PadChoice::asymmetric
                                             : PadChoice::any,
                           {2, 2});
  if (c.padding.mode != PaddingMode::same && (forced == kOutputPadding || coin(rng, 0.4f))) {
    const Size2 most{std::max(c.stride.h, c.dilation.h) - 1, std::max(c.stride.w, c.dilation.w) - 1};
    do c.output_padding = {pick(rng, 0, most.h), pick(rng, 0, most.w)};
    while (forced == kOutputPadding && c.output_padding == Size2(0));
  }
  c.use_bias = forced != kNoBias && coin(rng, 0.75f);
  c.activation = checkable(kActivations[i % kActivationCount], c.use_bias, o, rng);
  c.activation_alpha = draw_alpha(rng, c.activation);
  if (c.activation == Activation::softmax) c.filters = std::max<int64_t>(c.filters, 2);
  // The smallest input whose output keeps a row and a column after cropping, plus up to 2.
  auto smallest = [](int64_t stride, int64_t k_eff, int64_t output_padding, int64_t crop) {
    const int64_t short_by = crop + 1 - k_eff - output_padding;  // what a 1-pixel input lacks
    return 1 + (short_by > 0 ? (short_by + stride - 1) / stride : 0);
  };
  const Padding& p = c.padding;  // valid and same leave the amounts 0
  Size2 hw{smallest(c.stride.h, dilated(c.kernel.h, c.dilation.h), c.output_padding.h,
                    p.top + p.bottom),
           smallest(c.stride.w, dilated(c.kernel.w, c.dilation.w), c.output_padding.w,
                    p.left + p.right)};
  hw = {hw.h + pick(rng, 0, 2), hw.w + pick(rng, 0, 2)};
  return {{draw_batch(rng, o, forced == kBatch), channels, hw.h, hw.w},
          maker<Conv2DTranspose>(c),
          GradValues::lattice};
}

Draft up_sampling2d(Rng& rng, int i, const CaseOptions& o) {
  const UpSampling2DOptions u{
      .size = draw_size2(rng, 1, 3, true),
      .interpolation = i % 2 == 0 ? Interpolation::nearest : Interpolation::bilinear};
  return {{draw_batch(rng, o, i % 3 == 0), pick(rng, 1, 3), pick(rng, 1, 5), pick(rng, 1, 5)},
          maker<UpSampling2D>(u)};
}

// Channels a multiple of the pieces, after a Dense ([F]) or a convolution ([C, H, W]).
Draft maxout(Rng& rng, int i, const CaseOptions& o) {
  const MaxoutOptions m{.pieces = pick(rng, 1, 4)};
  Shape sample = draw_sample_shape(rng);
  sample[0] = m.pieces * pick(rng, 1, 3);
  return {sample.with_batch(draw_batch(rng, o, i % 2 == 0)), maker<Maxout>(m),
          GradValues::distinct};
}

// The slope is drawn here (gradcheck keeps parameters as built): negative and above 1 included.
Draft prelu(Rng& rng, int i, const CaseOptions& o) {
  const PReLUOptions p{.shared = i % 3 == 2, .init = rng.uniform(-0.5f, 1.5f)};
  return {draw_sample_shape(rng).with_batch(draw_batch(rng, o, i % 2 == 0)), maker<PReLU>(p),
          GradValues::off_kinks};
}

const std::map<std::string, Generator>& generators() {
  static const std::map<std::string, Generator> table{
      {"Conv2D", conv2d},
      {"DepthwiseConv2D", depthwise_conv2d},
      {"BatchNorm2D", batch_norm<BatchNorm2D>},
      {"BatchNorm1D", batch_norm<BatchNorm1D>},
      {"Dropout", dropout},
      {"ZeroPadding2D", zero_padding2d},
      {"LocalResponseNorm", local_response_norm},
      {"Conv2DTranspose", conv2d_transpose},
      {"UpSampling2D", up_sampling2d},
      {"Maxout", maxout},
      {"PReLU", prelu},
      {"MaxPool2D", pool2d<MaxPool2D>},
      {"AvgPool2D", pool2d<AvgPool2D>},
      {"GlobalAvgPool2D", global_pool2d<GlobalAvgPool2D>},
      {"GlobalMaxPool2D", global_pool2d<GlobalMaxPool2D>},
      {"Dense", dense},
      {"Flatten", flatten},
      {"Reshape", reshape},
      {"ReLU", activation<ReLU>},
      {"ReLU6", activation<ReLU6>},
      {"LeakyReLU", activation<LeakyReLU>},
      {"ELU", activation<ELU>},
      {"Sigmoid", activation<Sigmoid>},
      {"Tanh", activation<Tanh>},
      {"Softmax", activation<Softmax>},
  };
  return table;
}

std::string config_value_string(const ConfigValue& v) {
  struct {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", d);
      return buf;
    }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<int64_t>& v) const { return Shape(v).str(); }
  } visitor;
  return std::visit(visitor, v);
}

std::string label_of(const std::string& op, const Shape& input, const Config& attrs) {
  std::string s = op + " x" + input.str();
  for (const auto& [key, value] : attrs.items()) s += " " + key + "=" + config_value_string(value);
  return s;
}

OpInstance build(const OpCase& c, Rng& rng) {
  OpInstance inst{c.make(), Tensor(c.input)};
  inst.layer->build(c.input.without_batch(), rng);
  return inst;
}

void fill(Tensor& t, const std::function<float()>& draw) {
  for (float& v : t) v = draw();
}

void fill_normal(const OpCase& c, OpInstance& inst, Rng& rng) {
  for (const Param& p : inst.layer->params()) {
    if (p.grad)
      fill(*p.value, [&] { return rng.normal(0.0f, 0.5f); });
    else  // a running variance must stay positive
      fill(*p.value, [&] { return rng.uniform(0.5f, 1.5f); });
  }
  // Activation layers see a wider range: ReLU6's upper bound, saturated sigmoid and tanh.
  const float stddev = c.grad_values == GradValues::off_kinks ? 3.0f : 1.0f;
  fill(inst.x, [&] { return rng.normal(0.0f, stddev); });
}

}  // namespace

std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& [name, _] : generators()) names.push_back(name);
  return names;
}

std::vector<OpCase> op_cases(const std::string& op, int count, uint64_t seed,
                             const CaseOptions& options) {
  const auto it = generators().find(op);
  if (it == generators().end())
    throw std::invalid_argument("op_cases: no generator for '" + op + "'");
  Rng rng(seed);
  std::vector<OpCase> cases;
  for (int i = 0; i < count; ++i) {
    // Redraw until the input is small enough; every generator draws shapes the window fits.
    for (int attempt = 0;; ++attempt) {
      if (attempt == 10000) throw std::logic_error("op_cases: cannot fit a " + op + " case");
      Draft d = it->second(rng, i, options);
      if (d.input.numel() > options.max_input_numel) continue;
      const Config attrs = d.make()->config();
      std::string label = label_of(op, d.input, attrs);
      if (!d.make()->trainable()) label += " (frozen)";
      cases.push_back({op, label, d.input, attrs, d.make, d.values, d.stochastic});
      break;
    }
  }
  return cases;
}

OpInstance instantiate(const OpCase& c, Rng& rng) {
  OpInstance inst = build(c, rng);
  fill_normal(c, inst, rng);
  return inst;
}

OpInstance instantiate_for_gradcheck(const OpCase& c, Rng& rng) {
  OpInstance inst = build(c, rng);
  switch (c.grad_values) {
    case GradValues::normal:
      fill_normal(c, inst, rng);
      return inst;
    case GradValues::lattice: {
      // Products x * w are multiples of 1/32; the bias's odd multiple of 1/64 keeps their sum off
      // 0 and 6 by at least 1/64, farther than any step moves it (|x|, |w| <= 1).
      for (const Param& p : inst.layer->params()) {
        if (!p.grad) continue;
        if (p.name == "bias")
          fill(*p.value, [&] { return float(2 * pick(rng, -4, 3) + 1) / 64.0f; });
        else
          fill(*p.value, [&] { return float(pick(rng, -4, 4)) / 8.0f; });
      }
      fill(inst.x, [&] { return float(pick(rng, -4, 4)) / 4.0f; });
      return inst;
    }
    case GradValues::distinct: {
      std::vector<int64_t> order(size_t(inst.x.numel()));
      std::iota(order.begin(), order.end(), -inst.x.numel() / 2);
      for (size_t k = order.size(); k > 1; --k) std::swap(order[k - 1], order[rng.below(k)]);
      for (int64_t k = 0; k < inst.x.numel(); ++k) inst.x[k] = 0.05f * float(order[size_t(k)]);
      return inst;
    }
    case GradValues::off_kinks:
      fill(inst.x, [&] {
        for (;;) {
          // Mostly [-3, 3]; a fifth of the values reach past ReLU6's upper kink.
          const float v = coin(rng, 0.2f) ? rng.uniform(3.0f, 8.0f) : rng.uniform(-3.0f, 3.0f);
          if (std::abs(v) >= 0.05f && std::abs(v - 6.0f) >= 0.05f) return v;
        }
      });
      return inst;
  }
  return inst;
}

}  // namespace convnet::test
