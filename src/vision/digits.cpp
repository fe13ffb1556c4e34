#include "convnet/vision/digits.h"

#include <stb_truetype.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <stdexcept>

#include "convnet/random.h"

namespace convnet {
namespace {

// The typefaces of fonts-dejavu-core that have ordinary digits (DejaVuMathTeXGyre is left out).
const char* const kFontFiles[] = {
    "DejaVuSans.ttf",           "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique.ttf",   "DejaVuSans-BoldOblique.ttf",
    "DejaVuSans-ExtraLight.ttf", "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf", "DejaVuSansCondensed-Oblique.ttf",
    "DejaVuSansCondensed-BoldOblique.ttf", "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",  "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-BoldOblique.ttf", "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",     "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic.ttf", "DejaVuSerifCondensed.ttf",
    "DejaVuSerifCondensed-Bold.ttf", "DejaVuSerifCondensed-Italic.ttf",
    "DejaVuSerifCondensed-BoldItalic.ttf"};

// Glyphs are rasterized once, large, and every image samples a transformed copy of one: the
// anti-aliasing then comes from supersampling, whatever the scale and angle.
constexpr float kGlyphHeight = 64;

// A glyph's coverage in [0, 1], cropped to its ink; w x h, row-major.
struct Glyph {
  int w = 0, h = 0;
  std::vector<float> alpha;
  float at(int x, int y) const {
    return x < 0 || y < 0 || x >= w || y >= h ? 0.f : alpha[size_t(y * w + x)];
  }
  float bilinear(float x, float y) const {
    const float fx = std::floor(x), fy = std::floor(y), ax = x - fx, ay = y - fy;
    const int x0 = int(fx), y0 = int(fy);
    return (1 - ay) * ((1 - ax) * at(x0, y0) + ax * at(x0 + 1, y0)) +
           ay * ((1 - ax) * at(x0, y0 + 1) + ax * at(x0 + 1, y0 + 1));
  }
};

// The ten digits of every DejaVu typeface found in `dir`: glyphs[font * 10 + digit].
std::vector<Glyph> render_digits(const std::string& dir) {
  std::vector<Glyph> glyphs;
  for (const char* file : kFontFiles) {
    std::ifstream in(std::filesystem::path(dir) / file, std::ios::binary);
    if (!in) continue;
    const std::vector<unsigned char> ttf{std::istreambuf_iterator<char>(in), {}};
    stbtt_fontinfo font;
    if (!stbtt_InitFont(&font, ttf.data(), stbtt_GetFontOffsetForIndex(ttf.data(), 0)))
      throw std::runtime_error(dir + "/" + file + ": not a TrueType font");
    const float scale = stbtt_ScaleForPixelHeight(&font, kGlyphHeight);
    for (int digit = 0; digit < 10; ++digit) {
      Glyph g;
      int xoff = 0, yoff = 0;
      unsigned char* bitmap =
          stbtt_GetCodepointBitmap(&font, 0, scale, '0' + digit, &g.w, &g.h, &xoff, &yoff);
      g.alpha.resize(size_t(g.w) * size_t(g.h));
      for (size_t i = 0; i < g.alpha.size(); ++i) g.alpha[i] = float(bitmap[i]) / 255.f;
      stbtt_FreeBitmap(bitmap, nullptr);
      glyphs.push_back(std::move(g));
    }
  }
  if (glyphs.empty())
    throw std::runtime_error("make_digits: no DejaVu fonts in " + dir +
                             " (install Debian's fonts-dejavu-core)");
  return glyphs;
}

// Thicker (radius > 0: the largest coverage within a disc) or thinner (radius < 0: the smallest)
// strokes; the glyph grows by the radius on every side so that thickening is not cut off.
Glyph change_weight(const Glyph& g, int radius) {
  const int r = std::abs(radius), pad = std::max(radius, 0);
  Glyph out{.w = g.w + 2 * pad, .h = g.h + 2 * pad, .alpha = {}};
  out.alpha.resize(size_t(out.w) * size_t(out.h));
  for (int y = 0; y < out.h; ++y)
    for (int x = 0; x < out.w; ++x) {
      float v = radius > 0 ? 0.f : 1.f;
      for (int dy = -r; dy <= r; ++dy)
        for (int dx = -r; dx <= r; ++dx) {
          if (dx * dx + dy * dy > r * r) continue;
          const float a = g.at(x - pad + dx, y - pad + dy);
          v = radius > 0 ? std::max(v, a) : std::min(v, a);
        }
      out.alpha[size_t(y * out.w + x)] = v;
    }
  return out;
}

float ink(const Glyph& g) {
  float sum = 0;
  for (float a : g.alpha) sum += a;
  return sum;
}

// One image: the glyph's centre goes to the image centre plus a shift, its height to `height`
// pixels; each pixel averages 4x4 samples of the inversely mapped glyph.
void draw(const Glyph& g, float* dst, int64_t S, Rng& rng, const DigitsOptions& o) {
  const float height = rng.uniform(0.5f, 0.8f) * float(S);
  const float sy = height / float(g.h), sx = sy * rng.uniform(0.85f, 1.15f);
  const float shear = rng.uniform(-0.2f, 0.2f);
  const float angle = rng.uniform(-o.max_rotation, o.max_rotation) * float(std::numbers::pi) / 180;
  const float cx = 0.5f * float(S) + rng.uniform(-0.1f, 0.1f) * float(S);
  const float cy = 0.5f * float(S) + rng.uniform(-0.1f, 0.1f) * float(S);
  float ink = rng.uniform(0.55f, 1.f), paper = rng.uniform(0.f, 0.3f);
  if (rng.uniform() < o.invert) std::swap(ink, paper);
  const float noise = rng.uniform(0.f, o.noise);
  const float c = std::cos(angle), s = std::sin(angle);
  for (int64_t y = 0; y < S; ++y)
    for (int64_t x = 0; x < S; ++x) {
      float coverage = 0;
      for (int j = 0; j < 4; ++j)
        for (int i = 0; i < 4; ++i) {
          // Undo the rotation, then the shear, then the scaling, about the centres.
          const float px = float(x) + (float(i) + 0.5f) / 4 - cx;
          const float py = float(y) + (float(j) + 0.5f) / 4 - cy;
          const float u = c * px + s * py, v = -s * px + c * py;
          coverage += g.bilinear((u - shear * v) / sx + 0.5f * float(g.w) - 0.5f,
                                 v / sy + 0.5f * float(g.h) - 0.5f);
        }
      const float value = paper + (ink - paper) * coverage / 16 + rng.normal(0.f, noise);
      dst[y * S + x] = std::clamp(value, 0.f, 1.f);
    }
}

}  // namespace

const std::vector<std::string>& digit_class_names() {
  static const std::vector<std::string> names{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  return names;
}

Dataset make_digits(const DigitsOptions& o) {
  if (o.count < 1 || o.size < 12)
    throw std::invalid_argument("make_digits: count >= 1 and size >= 12 needed");
  const std::vector<Glyph> glyphs = render_digits(o.font_dir);
  const uint64_t fonts = glyphs.size() / 10;
  Dataset d;
  d.class_names = digit_class_names();
  d.images = Tensor({o.count, 1, o.size, o.size});
  Rng rng(o.seed);
  for (int64_t n = 0; n < o.count; ++n) {
    const int32_t digit = int32_t(n % 10);
    d.labels.push_back(digit);
    const Glyph& glyph = glyphs[size_t(rng.below(fonts) * 10 + uint64_t(digit))];
    // -2 .. 3 pixels of the 64-pixel glyph: about -0.5 .. +0.8 pixels in a 28x28 image. Thin
    // strokes (extra-light, small digits) would vanish if thinned further: those keep their weight.
    const int radius = int(rng.below(6)) - 2;
    Glyph weighted = radius == 0 ? glyph : change_weight(glyph, radius);
    if (ink(weighted) < 0.6f * ink(glyph)) weighted = glyph;
    draw(weighted, d.images.data() + n * o.size * o.size, o.size, rng, o);
  }
  return d;
}

}  // namespace convnet
