#include "convnet/vision/shapes.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "convnet/random.h"

namespace convnet {
namespace {

enum ShapeClass : int { kCircle = 1, kSquare = 2, kTriangle = 3 };

struct Placed {
  int kind;
  float cx, cy, r, angle;
  float colour[3];
};

// Whether pixel centre (x, y) lies inside the shape. Squares have half-side r, triangles are
// equilateral with circumradius r; both are rotated by `angle`.
bool covers(const Placed& s, float x, float y) {
  const float dx = x - s.cx, dy = y - s.cy;
  if (s.kind == kCircle) return dx * dx + dy * dy <= s.r * s.r;
  const float c = std::cos(s.angle), sn = std::sin(s.angle);
  const float u = c * dx + sn * dy, v = -sn * dx + c * dy;  // in the shape's own frame
  if (s.kind == kSquare) return std::abs(u) <= s.r && std::abs(v) <= s.r;
  // Inside all three edges of the triangle with vertices at angles 90, 210 and 330 degrees.
  for (int k = 0; k < 3; ++k) {
    const float a = float(std::numbers::pi) * (0.5f + 2.f * float(k) / 3.f);
    const float b = a + 2.f * float(std::numbers::pi) / 3.f;
    const float ax = s.r * std::cos(a), ay = s.r * std::sin(a);
    const float bx = s.r * std::cos(b), by = s.r * std::sin(b);
    if ((bx - ax) * (v - ay) - (by - ay) * (u - ax) < 0.f) return false;
  }
  return true;
}

void random_colour(Rng& rng, const float background[3], float out[3]) {
  for (;;) {
    float contrast = 0.f;
    for (int c = 0; c < 3; ++c) {
      out[c] = rng.uniform();
      contrast = std::max(contrast, std::abs(out[c] - background[c]));
    }
    if (contrast >= 0.35f) return;
  }
}

// Up to `wanted` shapes whose bounding circles do not touch (gives up on a shape after 50 tries).
std::vector<Placed> place_shapes(Rng& rng, int64_t size, int64_t wanted, const float bg[3]) {
  std::vector<Placed> shapes;
  const float lo = float(size) / 10.f, hi = float(size) / 5.f;
  for (int64_t i = 0; i < wanted; ++i)
    for (int attempt = 0; attempt < 50; ++attempt) {
      Placed s{};
      s.kind = 1 + int(rng.below(3));
      s.r = rng.uniform(lo, hi) * (s.kind == kTriangle ? 1.25f : 1.f);
      s.cx = rng.uniform(s.r, float(size) - s.r);
      s.cy = rng.uniform(s.r, float(size) - s.r);
      s.angle = rng.uniform(0.f, 2.f * float(std::numbers::pi));
      random_colour(rng, bg, s.colour);
      const bool apart = std::all_of(shapes.begin(), shapes.end(), [&](const Placed& t) {
        return std::hypot(s.cx - t.cx, s.cy - t.cy) > s.r + t.r + 2.f;
      });
      if (!apart) continue;
      shapes.push_back(s);
      break;
    }
  return shapes;
}

}  // namespace

const std::vector<std::string>& shape_class_names() {
  static const std::vector<std::string> names{"background", "circle", "square", "triangle"};
  return names;
}

Dataset make_shapes(const ShapesOptions& o) {
  if (o.count < 1 || o.size < 16 || o.max_shapes < 1)
    throw std::invalid_argument("make_shapes: count >= 1, size >= 16 and max_shapes >= 1 needed");
  const int64_t S = o.size, plane = S * S;
  Dataset d;
  d.class_names = shape_class_names();
  d.images = Tensor({o.count, 3, S, S});
  d.targets = Tensor({o.count, S, S});
  Rng rng(o.seed);
  for (int64_t n = 0; n < o.count; ++n) {
    float bg[3];
    for (float& c : bg) c = rng.uniform();
    const auto shapes = place_shapes(rng, S, 1 + int64_t(rng.below(uint64_t(o.max_shapes))), bg);
    float* img = d.images.data() + n * 3 * plane;
    float* mask = d.targets.data() + n * plane;
    for (int64_t y = 0; y < S; ++y)
      for (int64_t x = 0; x < S; ++x) {
        const float* colour = bg;
        for (const Placed& s : shapes)
          if (covers(s, float(x) + 0.5f, float(y) + 0.5f)) {
            colour = s.colour;
            mask[y * S + x] = float(s.kind);
          }
        for (int c = 0; c < 3; ++c)
          img[c * plane + y * S + x] = std::clamp(colour[c] + rng.normal(0.f, o.noise), 0.f, 1.f);
      }
  }
  return d;
}

}  // namespace convnet
