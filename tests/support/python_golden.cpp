#include "support/python_golden.h"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace convnet::golden {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

nlohmann::json run_script(const std::string& script, const nlohmann::json& request) {
  namespace fs = std::filesystem;
  if (!fs::exists(kPython))
    throw std::runtime_error(std::string(kPython) + " is missing: the PyTorch reference needs it");
  const fs::path path = fs::path(CONVNET_SOURCE_DIR) / "tests" / "golden" / script;
  std::string dir_template = (fs::temp_directory_path() / "convnet-golden-XXXXXX").string();
  if (!mkdtemp(dir_template.data()))
    throw std::runtime_error("cannot create a temporary directory for " + script);
  const fs::path dir(dir_template);
  const fs::path req = dir / "request.json", resp = dir / "response.json", err = dir / "stderr";
  std::ofstream(req) << request.dump();
  const std::string cmd = std::string(kPython) + " '" + path.string() + "' '" + req.string() +
                          "' '" + resp.string() + "' 2> '" + err.string() + "'";
  const int rc = std::system(cmd.c_str());
  if (rc != 0 || !fs::exists(resp)) {
    const std::string message = read_text(err);
    fs::remove_all(dir);
    throw std::runtime_error(script + " failed (exit status " + std::to_string(rc) +
                             "; is torch installed for " + kPython + "?):\n" + message);
  }
  nlohmann::json out = nlohmann::json::parse(read_text(resp));
  fs::remove_all(dir);
  return out;
}

nlohmann::json to_json(const Tensor& t) {
  return {{"shape", t.shape().dims()}, {"data", std::vector<double>(t.begin(), t.end())}};
}

Tensor tensor_from_json(const nlohmann::json& j) {
  Tensor t(Shape(j.at("shape").get<std::vector<int64_t>>()));
  const auto& data = j.at("data");
  if (int64_t(data.size()) != t.numel())
    throw std::runtime_error("golden tensor: " + std::to_string(data.size()) +
                             " values for shape " + t.shape().str());
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = float(data[size_t(i)].get<double>());
  return t;
}

::testing::AssertionResult all_close(const Tensor& got, const Tensor& want, double rtol,
                                     double atol) {
  if (got.shape() != want.shape())
    return ::testing::AssertionFailure()
           << "shape " << got.shape().str() << ", want " << want.shape().str();
  std::vector<std::pair<double, int64_t>> bad;  // (excess over the tolerance, index)
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double diff = std::abs(double(got[i]) - double(want[i]));
    const double tol = atol + rtol * std::abs(double(want[i]));
    if (!(diff <= tol)) bad.emplace_back(std::isnan(diff) ? INFINITY : diff / tol, i);
  }
  if (bad.empty()) return ::testing::AssertionSuccess();
  std::sort(bad.rbegin(), bad.rend());
  std::ostringstream msg;
  msg << std::setprecision(9) << bad.size() << " of " << got.numel() << " values differ (rtol "
      << rtol << ", atol " << atol << "); worst:";
  for (size_t k = 0; k < std::min<size_t>(bad.size(), 5); ++k) {
    const int64_t i = bad[k].second;
    msg << "\n  [" << i << "] got " << got[i] << ", want " << want[i] << " (diff "
        << std::abs(double(got[i]) - double(want[i])) << ")";
  }
  return ::testing::AssertionFailure() << msg.str();
}

::testing::AssertionResult close(double got, double want, double rtol) {
  if (std::abs(got - want) <= rtol * std::abs(want)) return ::testing::AssertionSuccess();
  std::ostringstream msg;
  msg << std::setprecision(17) << "got " << got << ", want " << want << " (relative diff "
      << std::abs(got - want) / std::abs(want) << ", rtol " << rtol << ")";
  return ::testing::AssertionFailure() << msg.str();
}

float max_abs(const Tensor& t) {
  float m = 0.0f;
  for (float v : t) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace convnet::golden
