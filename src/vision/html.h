// Building blocks of the HTML report, private to the library: escaping, base64 data URIs and the
// inline SVG charts (line charts of the training curves, the confusion matrix as a heat map).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "convnet/tensor.h"

namespace convnet::html {

// &, <, >, " and ' as entities: safe in text and in quoted attributes.
std::string escape(std::string_view text);
// RFC 4648 base64 with padding.
std::string base64(std::string_view bytes);
// "data:image/png;base64,..." of image [C, H, W] (see encode_png).
std::string png_data_uri(const Tensor& image_chw);

// One curve of a line chart: y per x, NaN where not measured (a gap in the line).
struct Series {
  std::string label;
  std::vector<double> y;
  std::string colour;  // CSS colour
  bool dashed = false;
};
// An <svg> line chart of the series over x (shared by all), with axes, ticks, a legend, a marker
// at every point and a tooltip (<title>) per marker. Series without any finite value are left out.
std::string line_chart(const std::string& title, const std::string& x_label,
                       const std::vector<double>& x, const std::vector<Series>& series);

// An <svg> heat map of counts[true][predicted], each row shaded by its fraction of the row's total
// (the recall of the class on the diagonal), counts printed in the cells, class names on the axes.
std::string confusion_heat_map(const std::vector<std::vector<int64_t>>& counts,
                               const std::vector<std::string>& class_names);

}  // namespace convnet::html
