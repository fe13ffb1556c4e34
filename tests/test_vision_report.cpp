// The HTML training report (convnet/vision/report.h): its building blocks, its content, and the
// page as a real browser sees it: `convnet train --report` and `convnet report` on a Fashion-MNIST
// subset, loaded in headless Chromium (Debian's chromium, which must be installed: the test fails,
// not skips, without it) with no console errors, every image decoded and the charts present.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "convnet/data.h"
#include "convnet/io/npy.h"
#include "convnet/vision/report.h"
#include "convnet/zoo.h"
#include "support/test_files.h"
#include "vision/html.h"

namespace convnet {
namespace {

using testing::TempDir;

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ReportHtml, Base64AndEscaping) {
  // RFC 4648's test vectors.
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [in, out] : vectors) EXPECT_EQ(html::base64(in), out) << in;
  EXPECT_EQ(html::base64(std::string("\xff\x00\xfe", 3)), "/wD+");
  EXPECT_EQ(html::escape("<a href=\"x\">T-shirt & 'top'</a>"),
            "&lt;a href=&quot;x&quot;&gt;T-shirt &amp; &#39;top&#39;&lt;/a&gt;");
}

TEST(ReportHtml, CurvesOnlyWithoutAModelAndGapsForMissingValues) {
  History h;
  for (int e = 1; e <= 4; ++e)
    h.epochs.push_back({.epoch = e,
                        .loss = 1.0 / e,
                        .accuracy = 0.5 + 0.1 * e,
                        .val_loss = e == 2 ? kNotMeasured : 1.2 / e,
                        .val_accuracy = kNotMeasured});
  const std::string page = training_report_html(h, {.title = "<mine>"});
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<title>&lt;mine&gt;</title>"), std::string::npos);
  EXPECT_EQ(count(page, "<svg class=\"chart\""), 2);
  // Loss: train and validation (broken at epoch 2: two moves); accuracy: train only.
  EXPECT_EQ(count(page, "class=\"series\""), 3);
  EXPECT_EQ(count(page, "<circle"), 4 + 3 + 4);
  EXPECT_EQ(page.find("confusion-matrix"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(ReportHtml, ConfusionMatrixCountsEveryTestImage) {
  auto model = zoo::lenet5({.seed = 9});
  Dataset test;
  test.images = Tensor({12, 1, 28, 28});
  Rng rng(4);
  for (float& v : test.images) v = rng.uniform();
  for (int i = 0; i < 12; ++i) test.labels.push_back(i % 3);
  test.class_names = {"cat & dog", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  History h;
  h.epochs.push_back({.epoch = 1, .loss = 0.5, .accuracy = 0.8});
  const std::string page =
      training_report_html(h, {.model = model.get(), .test_data = &test, .misclassified = 5});
  EXPECT_EQ(count(page, "class=\"cell\""), 100);
  int total = 0;
  const std::regex cell_count("class=\"count\"[^>]*>([0-9]+)</text>");
  for (std::sregex_iterator it(page.begin(), page.end(), cell_count), end; it != end; ++it)
    total += std::stoi((*it)[1]);
  EXPECT_EQ(total, 12);
  EXPECT_NE(page.find("cat &amp; dog"), std::string::npos);
  EXPECT_NE(page.find("id=\"filters\""), std::string::npos);
  EXPECT_LE(count(page, "<figure>"), 5);
}

// A Fashion-MNIST subset in Keras' .npy layout, in a folder named fashion-mnist (so that the class
// names come with it).
std::string write_subset(const TempDir& dir, int64_t train, int64_t test) {
  const DataSplits all = load_dataset("fashion-mnist");
  auto save = [&](const Dataset& d, int64_t n, const std::string& split) {
    std::vector<int64_t> idx(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) idx[size_t(i)] = i;
    const Dataset s = d.subset(idx);
    io::write_npy(dir.file("fashion-mnist/x_" + split + ".npy"), s.images);
    io::write_npy_labels(dir.file("fashion-mnist/y_" + split + ".npy"), s.labels);
  };
  save(all.train, train, "train");
  save(all.test, test, "test");
  return (dir.path() / "fashion-mnist").string();
}

// Runs before anything else in the page: records script errors, failed loads and console errors,
// then on load writes what it found into <pre id="check"> for --dump-dom.
const char* const kCheckScript = R"(<script>
(function () {
  var errors = [];
  window.addEventListener('error', function (e) {
    errors.push(e.message || ('failed to load ' + (e.target && (e.target.src || e.target.href))));
  }, true);
  ['error', 'warn'].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      errors.push(level + ': ' + Array.prototype.join.call(arguments, ' '));
      original.apply(console, arguments);
    };
  });
  window.addEventListener('load', function () {
    var images = Array.prototype.slice.call(document.images);
    var out = document.createElement('pre');
    out.id = 'check';
    out.textContent = JSON.stringify({
      errors: errors, images: images.length,
      broken: images.filter(function (i) { return !i.complete || i.naturalWidth === 0; }).length,
      charts: document.querySelectorAll('svg.chart').length,
      curves: document.querySelectorAll('svg.chart path.series').length,
      cells: document.querySelectorAll('#confusion-matrix rect.cell').length,
      samples: document.querySelectorAll('#misclassified figure img').length,
      filters: document.querySelectorAll('#filters img').length,
      summary_rows: document.querySelectorAll('#summary tr').length});
    document.body.appendChild(out);
  });
})();
</script>)";

// Loads the page (with the check script) in headless Chromium and returns the check's findings.
nlohmann::json load_in_chromium(const TempDir& dir, const std::string& page_path) {
  const std::string chromium = "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium))
    throw std::runtime_error(chromium + " is missing (scripts/install-deps.sh --test installs it)");
  std::string page = testing::read_bytes(page_path);
  page.insert(page.find("<head>") + 6, kCheckScript);
  const std::string checked = dir.file("checked.html"), log = dir.file("chromium.log");
  testing::write_bytes(checked, page);
  int status = 0;
  const std::string dom = testing::run_command(
      chromium +
          " --headless --no-sandbox --disable-gpu --no-first-run "
          "--disable-background-networking --disable-component-update --disable-sync "
          "--user-data-dir=" +
          dir.file("profile") +
          " --enable-logging=stderr --v=0 "
          "--virtual-time-budget=10000 --dump-dom file://" +
          checked + " 2> " + log,
      status);
  EXPECT_EQ(status, 0) << testing::read_bytes(log);
  // The report has no scripts of its own: any console line is an error of the page.
  const std::string stderr_text = testing::read_bytes(log);
  EXPECT_EQ(stderr_text.find(":CONSOLE"), std::string::npos) << stderr_text;
  const size_t begin = dom.find("<pre id=\"check\">"), end = dom.find("</pre>", begin);
  if (begin == std::string::npos || end == std::string::npos)
    throw std::runtime_error("chromium did not run the check:\n" + dom.substr(0, 2000) + "\n" +
                             stderr_text);
  return nlohmann::json::parse(dom.substr(begin + 16, end - begin - 16));
}

// Self-contained: no scripts, and every image, link and stylesheet inline.
void expect_self_contained(const std::string& page) {
  EXPECT_EQ(page.find("<script"), std::string::npos);
  const std::regex reference("(src|href)=\"([^\"]*)\"");
  for (std::sregex_iterator it(page.begin(), page.end(), reference), end; it != end; ++it)
    EXPECT_EQ((*it)[2].str().rfind("data:", 0), 0u) << (*it)[0].str().substr(0, 80);
}

void expect_full_report(const nlohmann::json& check, int64_t test_images) {
  SCOPED_TRACE(check.dump());
  EXPECT_TRUE(check["errors"].empty());
  EXPECT_EQ(check["broken"], 0);
  EXPECT_EQ(check["charts"], 2);
  EXPECT_EQ(check["curves"], 4);  // loss and accuracy, train and validation
  EXPECT_EQ(check["cells"], 100);
  EXPECT_GT(check["samples"].get<int>(), 0);
  EXPECT_LE(check["samples"].get<int>(), std::min<int64_t>(36, test_images));
  EXPECT_EQ(check["filters"], 1);
  EXPECT_EQ(check["summary_rows"], 1 + 8);  // header + LeNet-5's layers
  EXPECT_EQ(check["images"], check["samples"].get<int>() + 1);
}

TEST(ReportInBrowser, TrainReportAndReportCommand) {
  TempDir dir;
  const std::string data = write_subset(dir, 600, 200);
  int status = 0;
  const std::string cli = CONVNET_CLI;
  std::string out =
      testing::run_command(cli + " train --model lenet5 --data " + data +
                               " --epochs 2 --batch-size 32 "
                               "--validation-split 0.2 --quiet --out " +
                               dir.file("m.safetensors") + " --history " + dir.file("h.json") +
                               " --report " + dir.file("train.html") + " 2>&1",
                           status);
  ASSERT_EQ(status, 0) << out;
  const std::string page = testing::read_bytes(dir.file("train.html"));
  expect_self_contained(page);
  for (const char* name : {"T-shirt/top", "Ankle boot", "Misclassified", "Confusion matrix"})
    EXPECT_NE(page.find(name), std::string::npos) << name;
  expect_full_report(load_in_chromium(dir, dir.file("train.html")), 200);

  out = testing::run_command(cli + " report " + dir.file("h.json") + " --model " +
                                 dir.file("m.safetensors") + " --data " + data + " -o " +
                                 dir.file("again.html") + " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << out;
  // The same model, history and data: the same page.
  EXPECT_EQ(testing::read_bytes(dir.file("again.html")), page);
  out = testing::run_command(cli + " report " + dir.file("m.safetensors") + " -o x.html 2>&1",
                             status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("history"), std::string::npos) << out;
}

}  // namespace
}  // namespace convnet
