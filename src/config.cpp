#include "convnet/config.h"

#include <stdexcept>

namespace convnet {
namespace {

template <typename T>
const T& typed(const ConfigValue& v, const std::string& key, const char* want) {
  if (const T* p = std::get_if<T>(&v)) return *p;
  throw std::invalid_argument("config key '" + key + "' is not " + want);
}

}  // namespace

const ConfigValue& Config::find(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::invalid_argument("config key '" + key + "' is missing");
  return it->second;
}

bool Config::get_bool(const std::string& key) const {
  return typed<bool>(find(key), key, "a boolean");
}
int64_t Config::get_int(const std::string& key) const {
  return typed<int64_t>(find(key), key, "an integer");
}
double Config::get_float(const std::string& key) const {
  const ConfigValue& v = find(key);
  if (const int64_t* i = std::get_if<int64_t>(&v)) return double(*i);
  return typed<double>(v, key, "a number");
}
std::string Config::get_string(const std::string& key) const {
  return typed<std::string>(find(key), key, "a string");
}
std::vector<int64_t> Config::get_ints(const std::string& key) const {
  return typed<std::vector<int64_t>>(find(key), key, "a list of integers");
}

bool Config::get_bool(const std::string& key, bool fallback) const {
  return has(key) ? get_bool(key) : fallback;
}
int64_t Config::get_int(const std::string& key, int64_t fallback) const {
  return has(key) ? get_int(key) : fallback;
}
double Config::get_float(const std::string& key, double fallback) const {
  return has(key) ? get_float(key) : fallback;
}
std::string Config::get_string(const std::string& key, const std::string& fallback) const {
  return has(key) ? get_string(key) : fallback;
}
std::vector<int64_t> Config::get_ints(const std::string& key,
                                      std::vector<int64_t> fallback) const {
  return has(key) ? get_ints(key) : fallback;
}

}  // namespace convnet
