// Checks that a Config names only known keys, so that a misspelt hyper-parameter ("momentun")
// is an error instead of a silent default (internal).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "convnet/config.h"

namespace convnet {

inline void check_config_keys(const Config& c, const std::vector<std::string>& known,
                              const std::string& what) {
  for (const auto& [key, value] : c.items()) {
    bool found = false;
    for (const std::string& k : known) found = found || k == key;
    if (found) continue;
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    throw std::invalid_argument(what + ": unknown option '" + key +
                                "' (known: " + (list.empty() ? "none" : list) + ")");
  }
}

}  // namespace convnet
