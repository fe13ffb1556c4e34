// Reference values from PyTorch: a script of tests/golden/ run by /usr/bin/python3 (the
// interpreter that has torch), JSON both ways through a temporary directory. Tests build one
// request for all their cases, so that torch is imported once per suite.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "convnet/random.h"
#include "convnet/tensor.h"
#include "support/compare.h"

namespace convnet::golden {

// Runs `tests/golden/<script> request.json response.json` and returns the response. Throws
// std::runtime_error, failing the test, when /usr/bin/python3 is missing or the script fails
// (torch missing included), with the script's stderr.
nlohmann::json run_script(const std::string& script, const nlohmann::json& request);

// {"shape": [...], "data": [...]}: floats written exactly (as doubles) and read back exactly.
nlohmann::json to_json(const Tensor& t);
Tensor tensor_from_json(const nlohmann::json& j);

// Element-wise |got - want| <= atol + rtol * |want| with equal shapes; a failure lists the
// worst elements.
::testing::AssertionResult all_close(const Tensor& got, const Tensor& want, double rtol,
                                     double atol);
// |got - want| <= rtol * |want|.
::testing::AssertionResult close(double got, double want, double rtol);
float max_abs(const Tensor& t);

using test::random_normal;  // support/compare.h

}  // namespace convnet::golden
