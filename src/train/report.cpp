// Evaluation and History as text, JSON and CSV.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "convnet/io/atomic_file.h"
#include "convnet/train.h"

namespace convnet {
namespace {

// NaN ("not measured") becomes null in JSON.
nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); }
double from_number(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : kNotMeasured;
}

}  // namespace

double EpochLog::metric(const std::string& name) const {
  if (name == "loss") return loss;
  if (name == "accuracy") return accuracy;
  if (name == "val_loss") return val_loss;
  if (name == "val_accuracy") return val_accuracy;
  throw std::invalid_argument("unknown metric '" + name +
                              "' (known: loss, accuracy, val_loss, val_accuracy)");
}

std::string History::to_json() const {
  nlohmann::json rows = nlohmann::json::array();
  for (const EpochLog& e : epochs)
    rows.push_back({{"epoch", e.epoch},
                    {"loss", number(e.loss)},
                    {"accuracy", number(e.accuracy)},
                    {"val_loss", number(e.val_loss)},
                    {"val_accuracy", number(e.val_accuracy)},
                    {"lr", e.lr},
                    {"seconds", e.seconds},
                    {"images_per_s", e.images_per_s}});
  return nlohmann::json{{"epochs", rows}}.dump(2);
}

History History::from_json(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  History h;
  for (const auto& r : j.at("epochs")) {
    EpochLog e;
    e.epoch = r.at("epoch").get<int64_t>();
    e.loss = from_number(r, "loss");
    e.accuracy = from_number(r, "accuracy");
    e.val_loss = from_number(r, "val_loss");
    e.val_accuracy = from_number(r, "val_accuracy");
    e.lr = from_number(r, "lr");
    e.seconds = from_number(r, "seconds");
    e.images_per_s = from_number(r, "images_per_s");
    h.epochs.push_back(e);
  }
  return h;
}

std::string History::to_csv() const {
  std::ostringstream os;
  os << "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,images_per_s\n";
  auto cell = [](double v) { return std::isnan(v) ? std::string() : std::to_string(v); };
  for (const EpochLog& e : epochs)
    os << e.epoch << ',' << cell(e.loss) << ',' << cell(e.accuracy) << ',' << cell(e.val_loss)
       << ',' << cell(e.val_accuracy) << ',' << e.lr << ',' << e.seconds << ',' << e.images_per_s
       << '\n';
  return os.str();
}

void History::save(const std::string& path) const {
  const bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
  io::write_file_atomically(path, csv ? to_csv() : to_json() + "\n");
}

std::string Evaluation::to_table() const {
  std::ostringstream os;
  char line[256];
  std::snprintf(line, sizeof line, "loss %.4f  accuracy %.4f  top-%lld accuracy %.4f\n", loss,
                accuracy, (long long)top_k, top_k_accuracy);
  os << line;
  if (per_class.empty()) return os.str();
  os << "\n" << "class                precision  recall     f1  support\n";
  for (size_t c = 0; c < per_class.size(); ++c) {
    std::snprintf(line, sizeof line, "%-20s %9.4f %7.4f %6.4f %8lld\n",
                  class_names[c].substr(0, 20).c_str(), per_class[c].precision,
                  per_class[c].recall, per_class[c].f1, (long long)per_class[c].support);
    os << line;
  }
  os << "\nconfusion matrix (rows: true class, columns: predicted)\n";
  for (size_t r = 0; r < confusion_matrix.size(); ++r) {
    std::snprintf(line, sizeof line, "%-20s", class_names[r].substr(0, 20).c_str());
    os << line;
    for (int64_t v : confusion_matrix[r]) {
      std::snprintf(line, sizeof line, " %5lld", (long long)v);
      os << line;
    }
    os << "\n";
  }
  return os.str();
}

std::string Evaluation::to_json() const {
  nlohmann::json classes = nlohmann::json::array();
  for (size_t c = 0; c < per_class.size(); ++c)
    classes.push_back({{"class", class_names[c]},
                       {"precision", per_class[c].precision},
                       {"recall", per_class[c].recall},
                       {"f1", per_class[c].f1},
                       {"support", per_class[c].support}});
  nlohmann::json j{{"loss", number(loss)},
                   {"accuracy", number(accuracy)},
                   {"top" + std::to_string(top_k) + "_accuracy", number(top_k_accuracy)},
                   {"per_class", classes},
                   {"class_names", class_names},
                   {"confusion_matrix", confusion_matrix}};
  return j.dump(2);
}

}  // namespace convnet
