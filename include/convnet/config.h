// Config: a layer's hyper-parameters as named values (Keras' get_config), the form in which
// architectures are written to model files and rebuilt from them. Kept free of any file format:
// io/ turns it into JSON, ONNX attributes or whatever else.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace convnet {

using ConfigValue = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>>;

class Config {
 public:
  Config& set(const std::string& key, ConfigValue value) {
    values_[key] = std::move(value);
    return *this;
  }
  bool has(const std::string& key) const { return values_.count(key) != 0; }

  // Typed reads; the overloads with a fallback return it when the key is absent. A present key
  // of another type throws std::invalid_argument naming the key.
  bool get_bool(const std::string& key) const;
  int64_t get_int(const std::string& key) const;
  double get_float(const std::string& key) const;  // accepts an integer value too
  std::string get_string(const std::string& key) const;
  std::vector<int64_t> get_ints(const std::string& key) const;
  bool get_bool(const std::string& key, bool fallback) const;
  int64_t get_int(const std::string& key, int64_t fallback) const;
  double get_float(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> get_ints(const std::string& key, std::vector<int64_t> fallback) const;

  const std::map<std::string, ConfigValue>& items() const { return values_; }
  bool operator==(const Config&) const = default;

 private:
  const ConfigValue& find(const std::string& key) const;
  std::map<std::string, ConfigValue> values_;
};

}  // namespace convnet
