// The report's inline SVG: line charts and the confusion heat map, written as plain strings.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "vision/html.h"

namespace convnet::html {
namespace {

// Plot area of a line chart inside its 520 x 300 canvas.
constexpr double kWidth = 520, kHeight = 300, kLeft = 58, kRight = 16, kTop = 52, kBottom = 46;

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A round step (1, 2 or 5 times a power of ten) giving about `target` intervals over `range`.
double nice_step(double range, int target) {
  const double raw = range / target, mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
}

// Decimals that show a tick step exactly (0.05 -> 2).
int decimals_for(double step) {
  return std::max(0, int(std::ceil(-std::log10(step) - 1e-9)));
}

struct Axis {
  double lo, hi, step;
};
Axis y_axis(const std::vector<Series>& series) {
  double lo = INFINITY, hi = -INFINITY;
  for (const Series& s : series)
    for (double v : s.y)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (lo > hi) return {0.0, 1.0, 0.2};  // nothing measured: an empty 0..1 frame
  if (hi - lo < 1e-12) {                // one value: a band around it
    const double pad = std::max(std::fabs(lo) * 0.1, 0.05);
    lo -= pad, hi += pad;
  }
  const double step = nice_step(hi - lo, 5);
  return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
}

bool has_values(const Series& s) {
  return std::any_of(s.y.begin(), s.y.end(), [](double v) { return std::isfinite(v); });
}

// Colours of matplotlib's "Blues" ends: white for 0, dark blue for 1.
std::string blue(double f) {
  auto mix = [f](int a, int b) { return int(std::lround(a + (b - a) * f)); };
  char buf[32];
  std::snprintf(buf, sizeof buf, "rgb(%d,%d,%d)", mix(247, 8), mix(251, 48), mix(255, 107));
  return buf;
}

}  // namespace

std::string line_chart(const std::string& title, const std::string& x_label,
                       const std::vector<double>& x, const std::vector<Series>& series) {
  std::vector<Series> shown;
  for (const Series& s : series)
    if (has_values(s)) shown.push_back(s);
  const double x_lo = x.empty() ? 0 : x.front(), x_hi = x.empty() ? 1 : x.back();
  const Axis y = y_axis(shown);
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto px = [&](double v) { return kLeft + (x_hi > x_lo ? (v - x_lo) / (x_hi - x_lo) : 0.5) * pw; };
  auto py = [&](double v) { return kTop + (y.hi - v) / (y.hi - y.lo) * ph; };
  std::ostringstream o;
  o << "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth
    << "\" height=\"" << kHeight << "\" viewBox=\"0 0 " << kWidth << ' ' << kHeight
    << "\" role=\"img\" aria-label=\"" << escape(title) << "\">\n"
    << "<text x=\"" << kWidth / 2 << "\" y=\"20\" class=\"title\">" << escape(title) << "</text>\n";
  // Grid lines and tick labels.
  const int dec = decimals_for(y.step);
  for (double v = y.lo; v <= y.hi + y.step / 2; v += y.step)
    o << "<line class=\"grid\" x1=\"" << kLeft << "\" x2=\"" << kLeft + pw << "\" y1=\"" << py(v)
      << "\" y2=\"" << py(v) << "\"/><text class=\"tick\" x=\"" << kLeft - 6 << "\" y=\""
      << py(v) + 4 << "\" text-anchor=\"end\">" << fixed(v, dec) << "</text>\n";
  const int64_t every = std::max<int64_t>(1, int64_t(std::ceil(double(x.size()) / 10.0)));
  for (size_t i = 0; i < x.size(); i += size_t(every))
    o << "<text class=\"tick\" x=\"" << px(x[i]) << "\" y=\"" << kTop + ph + 16
      << "\" text-anchor=\"middle\">" << x[i] << "</text>\n";
  o << "<rect class=\"frame\" x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << pw
    << "\" height=\"" << ph << "\"/>\n<text class=\"axis\" x=\"" << kLeft + pw / 2 << "\" y=\""
    << kHeight - 8 << "\" text-anchor=\"middle\">" << escape(x_label) << "</text>\n";
  // Curves: one path per series, broken where a value is missing; a marker with a tooltip per
  // point.
  for (size_t k = 0; k < shown.size(); ++k) {
    const Series& s = shown[k];
    std::string d;
    bool pen_down = false;
    for (size_t i = 0; i < s.y.size() && i < x.size(); ++i) {
      if (!std::isfinite(s.y[i])) {
        pen_down = false;
        continue;
      }
      d += (pen_down ? " L" : " M") + fixed(px(x[i]), 1) + ' ' + fixed(py(s.y[i]), 1);
      pen_down = true;
    }
    o << "<path class=\"series\" d=\"" << d << "\" stroke=\"" << s.colour << '"'
      << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/>\n";
    for (size_t i = 0; i < s.y.size() && i < x.size(); ++i)
      if (std::isfinite(s.y[i]))
        o << "<circle cx=\"" << fixed(px(x[i]), 1) << "\" cy=\"" << fixed(py(s.y[i]), 1)
          << "\" r=\"3\" fill=\"" << s.colour << "\"><title>" << escape(s.label) << ", "
          << escape(x_label) << ' ' << x[i] << ": " << fixed(s.y[i], 4) << "</title></circle>\n";
    // The legend sits in a row between the title and the plot, where it hides no data.
    const double lx = kLeft + 190 * double(k), ly = 40;
    o << "<line x1=\"" << lx << "\" x2=\"" << lx + 22 << "\" y1=\"" << ly - 4 << "\" y2=\""
      << ly - 4 << "\" stroke=\"" << s.colour << "\" stroke-width=\"2\""
      << (s.dashed ? " stroke-dasharray=\"6 4\"" : "") << "/><text class=\"legend\" x=\"" << lx + 28
      << "\" y=\"" << ly << "\">" << escape(s.label) << "</text>\n";
  }
  o << "</svg>\n";
  return o.str();
}

std::string confusion_heat_map(const std::vector<std::vector<int64_t>>& counts,
                               const std::vector<std::string>& names) {
  const size_t K = counts.size();
  size_t longest = 1;
  for (const std::string& n : names) longest = std::max(longest, n.size());
  const double cell = std::clamp(440.0 / double(std::max<size_t>(K, 1)), 12.0, 40.0);
  const double label_w = 7.0 * double(longest) + 34, label_h = 5.2 * double(longest) + 40;
  // The column labels lean right: room for the last one beyond the grid.
  const double width = label_w + cell * double(K) + 3.0 * double(longest) + 10;
  const double height = label_h + cell * double(K) + 10;
  std::ostringstream o;
  o << "<svg id=\"confusion-matrix\" class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" "
    << "width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << ' '
    << height << "\" role=\"img\" aria-label=\"confusion matrix\">\n"
    << "<text class=\"axis\" x=\"" << label_w + cell * double(K) / 2 << "\" y=\"14\" "
    << "text-anchor=\"middle\">predicted class</text>\n<text class=\"axis\" "
       "transform=\"translate(14,"
    << label_h + cell * double(K) / 2
    << ") rotate(-90)\" text-anchor=\"middle\">true class</text>\n";
  for (size_t k = 0; k < K; ++k) {
    const std::string name = escape(k < names.size() ? names[k] : std::to_string(k));
    const double centre = cell * (double(k) + 0.5);
    o << "<text class=\"label\" x=\"" << label_w - 6 << "\" y=\"" << label_h + centre + 4
      << "\" text-anchor=\"end\">" << name
      << "</text>\n<text class=\"label\" transform=\"translate(" << label_w + centre + 4 << ','
      << label_h - 6 << ") rotate(-60)\">" << name << "</text>\n";
  }
  for (size_t t = 0; t < K; ++t) {
    int64_t total = 0;
    for (int64_t c : counts[t]) total += c;
    for (size_t p = 0; p < K; ++p) {
      const int64_t c = p < counts[t].size() ? counts[t][p] : 0;
      const double f = total ? double(c) / double(total) : 0.0;
      const double x = label_w + cell * double(p), y = label_h + cell * double(t);
      o << "<rect class=\"cell\" x=\"" << x << "\" y=\"" << y << "\" width=\"" << cell
        << "\" height=\"" << cell << "\" fill=\"" << blue(f) << "\"><title>true "
        << escape(t < names.size() ? names[t] : std::to_string(t)) << ", predicted "
        << escape(p < names.size() ? names[p] : std::to_string(p)) << ": " << c << " ("
        << fixed(100.0 * f, 1) << "%)</title></rect>\n";
      if (cell >= 24 && c > 0)
        o << "<text class=\"count\" x=\"" << x + cell / 2 << "\" y=\"" << y + cell / 2 + 4
          << "\" style=\"fill:" << (f > 0.5 ? "#fff" : "#222") << "\">" << c << "</text>\n";
    }
  }
  o << "</svg>\n";
  return o.str();
}

}  // namespace convnet::html
