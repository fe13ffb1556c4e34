#include "convnet/vision/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "convnet/io/atomic_file.h"
#include "convnet/vision/inspect.h"
#include "vision/html.h"

namespace convnet {
namespace {

// A heat map of more classes (ImageNet's 1000) would be a million cells no one can read.
constexpr size_t kMaxHeatMapClasses = 100;

const char* const kStyle = R"(
body { font: 15px/1.45 system-ui, sans-serif; color: #222; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.headline { color: #555; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; }
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
svg .title { font-size: 14px; font-weight: 600; text-anchor: middle; }
svg .grid { stroke: #e6e6e6; } svg .frame { fill: none; stroke: #999; }
svg .series { fill: none; stroke-width: 2; }
svg .count { text-anchor: middle; font-size: 11px; } svg .cell { stroke: #fff; }
.samples { display: flex; flex-wrap: wrap; gap: 10px; }
figure { margin: 0; text-align: center; font-size: 12px; width: 104px; }
figure img, img.filters { image-rendering: pixelated; border: 1px solid #ccc; }
figure img { max-width: 100%; height: auto; }
.pred { color: #b00020; font-weight: 600; } .true { color: #1b5e20; }
)";

std::string number(double v, int decimals) {
  if (!std::isfinite(v)) return "&ndash;";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// 81194 -> "81,194"
std::string grouped(int64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

std::string curves_section(const History& h) {
  std::vector<double> x;
  html::Series loss{"train loss", {}, "#1f77b4"}, val_loss{"validation loss", {}, "#ff7f0e", true};
  html::Series acc{"train accuracy", {}, "#1f77b4"},
      val_acc{"validation accuracy", {}, "#ff7f0e", true};
  for (const EpochLog& e : h.epochs) {
    x.push_back(double(e.epoch));
    loss.y.push_back(e.loss), val_loss.y.push_back(e.val_loss);
    acc.y.push_back(e.accuracy), val_acc.y.push_back(e.val_accuracy);
  }
  std::ostringstream o;
  o << "<section id=\"curves\"><h2>Training curves</h2>\n<div class=\"charts\">\n"
    << html::line_chart("Loss", "epoch", x, {loss, val_loss})
    << html::line_chart("Accuracy", "epoch", x, {acc, val_acc}) << "</div>\n"
    << "<table id=\"epochs\"><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>val loss</th>"
    << "<th>val accuracy</th><th>lr</th><th>seconds</th></tr>\n";
  for (const EpochLog& e : h.epochs)
    o << "<tr><td>" << e.epoch << "</td><td>" << number(e.loss, 4) << "</td><td>"
      << number(e.accuracy, 4) << "</td><td>" << number(e.val_loss, 4) << "</td><td>"
      << number(e.val_accuracy, 4) << "</td><td>" << number(e.lr, 6) << "</td><td>"
      << number(e.seconds, 1) << "</td></tr>\n";
  o << "</table></section>\n";
  return o.str();
}

std::string summary_section(Model& model) {
  const ModelSummary s = model.summary_info();
  std::ostringstream o;
  o << "<section id=\"summary\"><h2>Model &ldquo;" << html::escape(s.model_name)
    << "&rdquo;</h2>\n<table><tr><th>layer</th><th>type</th><th>output shape</th>"
    << "<th>parameters</th><th>MACs</th><th>receptive field</th></tr>\n";
  for (const LayerSummary& l : s.layers)
    o << "<tr><td>" << html::escape(l.name) << "</td><td>" << html::escape(l.type) << "</td><td>"
      << l.output_shape.str() << "</td><td>" << grouped(l.params) << "</td><td>" << grouped(l.macs)
      << "</td><td>" << l.receptive_field.h << "&times;" << l.receptive_field.w << "</td></tr>\n";
  o << "</table>\n<p>input " << s.input_shape.str() << " &middot; " << grouped(s.total_params)
    << " parameters (" << grouped(s.trainable_params) << " trainable) &middot; "
    << grouped(s.total_macs) << " multiply-adds per image</p></section>\n";
  return o.str();
}

std::string filters_section(Model& model) {
  const Layer* layer = first_conv_layer(model);
  if (!layer) return "";  // a model without convolutions has no kernels to show
  const Tensor grid = filter_grid(model);
  const int64_t zoom = grid.dim(2) <= 400 ? 2 : 1;  // small grids shown twice as large
  return "<section id=\"filters\"><h2>First-layer filters</h2>\n<p>The kernels of " +
         html::escape(layer->name()) + " (" + html::escape(layer->type()) +
         "), each stretched to black&ndash;white by its own range.</p>\n<img class=\"filters\" "
         "alt=\"first-layer filters\" width=\"" +
         std::to_string(grid.dim(2) * zoom) + "\" src=\"" + html::png_data_uri(grid) +
         "\">\n</section>\n";
}

// One test image for a data URI: as it is when it lies in [0, 1], else stretched to its range.
Tensor displayable(const Dataset& d, int64_t i) {
  const Shape s = d.sample_shape();
  Tensor img = Tensor::from(s, d.images.data() + i * s.numel());
  const auto [lo, hi] = std::minmax_element(img.begin(), img.end());
  if (*lo < 0.0f || *hi > 1.0f) img = normalize_each(img.reshape(s.with_batch(1))).reshape(s);
  return s[0] == 1 || s[0] == 3 ? img : Tensor::from({1, s[1], s[2]}, img.data());
}

// The model's predictions on the test set, tallied.
struct TestResults {
  std::vector<std::string> names;                   // class names
  std::vector<std::vector<int64_t>> confusion;      // [true][predicted]
  std::vector<int64_t> predicted;                   // per image
  std::vector<std::pair<float, int64_t>> mistakes;  // (score of the wrong class, image), best first
  int64_t correct = 0;
};

TestResults score(Model& model, const Dataset& test, int64_t batch_size) {
  const Tensor out = model.predict(test.images, batch_size);
  if (out.rank() != 2)
    throw std::invalid_argument("training report: the model outputs " +
                                out.shape().without_batch().str() +
                                " per image, expected class scores [K]");
  const int64_t N = test.size(), K = out.dim(1);
  const int64_t classes = std::max(K, test.num_classes());
  TestResults r;
  for (int64_t k = 0; k < classes; ++k) r.names.push_back(test.class_name(k));
  r.confusion.assign(size_t(classes), std::vector<int64_t>(size_t(classes), 0));
  for (int64_t i = 0; i < N; ++i) {
    const float* row = out.data() + i * K;
    const int64_t p = std::max_element(row, row + K) - row, truth = test.labels[size_t(i)];
    r.predicted.push_back(p);
    ++r.confusion[size_t(truth)][size_t(p)];
    if (p == truth)
      ++r.correct;
    else
      r.mistakes.emplace_back(row[p], i);
  }
  std::stable_sort(r.mistakes.begin(), r.mistakes.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return r;
}

std::string test_sections(Model& model, const Dataset& test, const ReportOptions& o) {
  if (test.size() == 0 || test.labels.empty() || test.images.rank() != 4) return "";
  const TestResults r = score(model, test, o.batch_size);
  const int64_t shown = std::min<int64_t>(o.misclassified, int64_t(r.mistakes.size()));
  std::ostringstream s;
  s << "<section id=\"test\"><h2>Test set</h2>\n<p>" << grouped(test.size())
    << " images, accuracy <b>" << number(100.0 * double(r.correct) / double(test.size()), 2)
    << "%</b>.</p></section>\n<section id=\"confusion\"><h2>Confusion matrix</h2>\n";
  if (r.names.size() <= kMaxHeatMapClasses)
    s << "<p>Rows: true class; columns: predicted class. Shading: the fraction of the row.</p>\n"
      << html::confusion_heat_map(r.confusion, r.names);
  else
    s << "<p>" << r.names.size() << " classes: too many to draw.</p>\n";
  s << "</section>\n"
    << "<section id=\"misclassified\"><h2>Misclassified test images</h2>\n<p>"
    << grouped(int64_t(r.mistakes.size())) << " mistakes; the " << shown
    << " most confident:</p>\n<div class=\"samples\">\n";
  // Scores are probabilities only after a softmax.
  const bool probabilities = model.ends_in_softmax();
  const int64_t W = test.images.dim(3), zoom = std::max<int64_t>(1, 96 / W);
  for (int64_t m = 0; m < shown; ++m) {
    const auto [confidence, i] = r.mistakes[size_t(m)];
    const std::string& predicted = r.names[size_t(r.predicted[size_t(i)])];
    s << "<figure><img alt=\"test image " << i << "\" width=\"" << W * zoom << "\" src=\""
      << html::png_data_uri(displayable(test, i)) << "\"><figcaption><span class=\"pred\">"
      << html::escape(predicted) << (probabilities ? " " : "")
      << (probabilities ? number(confidence, 2) : "") << "</span><br><span class=\"true\">true: "
      << html::escape(r.names[size_t(test.labels[size_t(i)])]) << "</span></figcaption></figure>\n";
  }
  s << "</div></section>\n";
  return s.str();
}

}  // namespace

std::string training_report_html(const History& history, const ReportOptions& o) {
  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       << "<link rel=\"icon\" href=\"data:,\">\n<title>" << html::escape(o.title) << "</title>\n"
       << "<style>" << kStyle << "</style></head>\n<body>\n<h1>" << html::escape(o.title)
       << "</h1>\n";
  if (!history.epochs.empty()) {
    const EpochLog& last = history.epochs.back();
    page << "<p class=\"headline\">" << history.epochs.size() << " epochs &middot; final loss "
         << number(last.loss, 4) << " &middot; accuracy " << number(last.accuracy, 4);
    if (std::isfinite(last.val_accuracy))
      page << " &middot; validation accuracy " << number(last.val_accuracy, 4);
    page << "</p>\n";
  }
  if (o.model) page << summary_section(*o.model);
  page << curves_section(history);
  if (o.model && o.test_data) page << test_sections(*o.model, *o.test_data, o);
  if (o.model) page << filters_section(*o.model);
  page << "</body></html>\n";
  return page.str();
}

void write_training_report(const std::string& path, const History& history,
                           const ReportOptions& options) {
  const std::string page = training_report_html(history, options);
  io::write_file_atomically(path, std::string_view(page.data(), page.size()));
}

}  // namespace convnet
