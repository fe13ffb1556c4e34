#include "io/safetensors_header.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "convnet/shape.h"

namespace convnet::io::detail {
namespace {

using json = nlohmann::json;

// The header has three levels: the top object; its entries (a tensor or "__metadata__"); a tensor's
// shape and data_offsets lists. Anything else is refused at its first token.
class HeaderParser : public nlohmann::json_sax<json> {
 public:
  SafeTensorsHeader header;
  std::string error;

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  bool number_float(number_float_t, const string_t&) override { return scalar("a fraction"); }
  bool binary(binary_t&) override { return scalar("binary data"); }
  bool number_integer(number_integer_t v) override {
    return v < 0 ? scalar("a negative number") : number_unsigned(number_unsigned_t(v));
  }

  bool number_unsigned(number_unsigned_t v) override {
    if (in_ == In::shape) {
      if (v > uint64_t(std::numeric_limits<int64_t>::max()))
        return fail(tensor() + ": dimension " + std::to_string(v) + " is too large");
      entry_.shape.push_back(int64_t(v));
      return true;
    }
    if (in_ == In::offsets) {
      if (offsets_.size() == 2) return fail(tensor() + ": data_offsets has more than 2 values");
      offsets_.push_back(v);
      return true;
    }
    return scalar("a number");
  }

  bool string(string_t& v) override {
    if (in_ == In::metadata) {
      header.metadata.emplace(key_, v);
      return true;
    }
    if (in_ == In::entry && key_ == "dtype") {
      dtype_ = v;
      return true;
    }
    return scalar("a string");
  }

  bool start_object(std::size_t) override {
    if (in_ == In::nothing) return enter(In::top);
    if (in_ != In::top) return scalar("an object");
    keys_.clear();
    if (key_ == "__metadata__") return enter(In::metadata);
    entry_ = {key_, {}, 0, 0};
    dtype_.clear();
    offsets_.clear();
    return enter(In::entry);
  }

  bool key(string_t& k) override {
    if (in_ == In::top) {
      if (!top_keys_.insert(k).second) return fail("the header names '" + k + "' twice");
    } else {
      if (!keys_.insert(k).second) return fail(entry_name() + " has the key '" + k + "' twice");
      if (in_ == In::entry && k != "dtype" && k != "shape" && k != "data_offsets")
        return fail(tensor() + ": unknown field '" + k + "' (expected dtype, shape, data_offsets)");
    }
    key_ = k;
    return true;
  }

  bool start_array(std::size_t) override {
    if (in_ == In::entry && key_ == "shape") return enter(In::shape);
    if (in_ == In::entry && key_ == "data_offsets") return enter(In::offsets);
    return scalar("a list");
  }

  bool end_array() override { return enter(In::entry); }

  bool end_object() override {
    if (in_ == In::top) return enter(In::done);
    if (in_ == In::entry && !finish_entry()) return false;
    key_.clear();
    return enter(In::top);
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 7: ...".
    const std::string what = e.what();
    const size_t cut = what.find("] ");
    return fail("the header is not valid JSON: " +
                (cut == std::string::npos ? what : what.substr(cut + 2)));
  }

 private:
  enum class In { nothing, top, metadata, entry, shape, offsets, done };

  bool enter(In where) {
    in_ = where;
    return true;
  }
  bool fail(std::string what) {
    if (error.empty()) error = std::move(what);
    return false;
  }
  std::string tensor() const { return "tensor '" + entry_.name + "'"; }
  std::string entry_name() const { return in_ == In::metadata ? "__metadata__" : tensor(); }

  // A value that has no place where it stands.
  bool scalar(const std::string& what) {
    switch (in_) {
      case In::nothing:
        return fail("the header is " + what + ", not a JSON object");
      case In::top:
        return fail(key_ == "__metadata__" ? "__metadata__ is " + what + ", not an object"
                                           : "entry '" + key_ + "' is " + what + ", not an object");
      case In::metadata:
        return fail("__metadata__ value '" + key_ + "' is " + what + ", not a string");
      case In::entry:
        return fail(tensor() + ": " + key_ + " is " + what);
      case In::shape:
        return fail(tensor() + ": shape holds " + what + ", not an integer >= 0");
      case In::offsets:
        return fail(tensor() + ": data_offsets holds " + what + ", not an integer >= 0");
      case In::done:
        break;
    }
    return fail("unexpected " + what + " after the header object");
  }

  bool finish_entry() {
    for (const char* k : {"dtype", "shape", "data_offsets"})
      if (!keys_.count(k)) return fail(tensor() + " has no " + k);
    if (dtype_ != "F32")
      return fail(tensor() + " has dtype " + dtype_ + "; convnet reads F32 tensors only");
    if (offsets_.size() != 2) return fail(tensor() + ": data_offsets needs [begin, end]");
    entry_.begin = offsets_[0];
    entry_.end = offsets_[1];
    if (entry_.begin > entry_.end)
      return fail(tensor() + ": data_offsets [" + std::to_string(entry_.begin) + ", " +
                  std::to_string(entry_.end) + "] end before they begin");
    uint64_t bytes = sizeof(float);
    for (int64_t d : entry_.shape)
      if (__builtin_mul_overflow(bytes, uint64_t(d), &bytes))
        return fail(tensor() + ": shape " + Shape(entry_.shape).str() + " has too many elements");
    if (bytes != entry_.end - entry_.begin)
      return fail(tensor() + ": shape " + Shape(entry_.shape).str() + " needs " +
                  std::to_string(bytes) + " bytes, data_offsets give " +
                  std::to_string(entry_.end - entry_.begin));
    header.tensors.push_back(std::move(entry_));
    return true;
  }

  In in_ = In::nothing;
  std::string key_;
  std::set<std::string> top_keys_, keys_;
  TensorEntry entry_;
  std::string dtype_;
  std::vector<uint64_t> offsets_;
};

}  // namespace

SafeTensorsHeader parse_safetensors_header(std::string_view text) {
  // nlohmann takes a NUL byte for the end of the input; JSON text never holds one.
  if (text.find('\0') != std::string_view::npos)
    throw std::runtime_error("the header is not valid JSON: it contains a NUL byte");
  HeaderParser parser;
  if (!json::sax_parse(text.begin(), text.end(), &parser) || !parser.error.empty())
    throw std::runtime_error(parser.error.empty() ? "the header is not valid JSON" : parser.error);
  return std::move(parser.header);
}

}  // namespace convnet::io::detail
