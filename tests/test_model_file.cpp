// Model files: architecture JSON round trips for every layer type, bit-identical weights and
// outputs after save/load, extras, the errors of a file that does not fit its architecture, and
// `convnet summary FILE`.
#include "convnet/graph.h"
#include "convnet/io/model_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "convnet/io/safetensors.h"
#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "support/compare.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using testing::TempDir;

void randomize(Model& model, uint64_t seed) {
  Rng rng(seed);
  for (const NamedParam& p : model.params())
    for (float& v : *p.param.value)  // state buffers (running variances) stay positive
      v = p.param.grad ? rng.normal(0.0f, 0.5f) : rng.uniform(0.5f, 1.5f);
}

void expect_same_bits(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  EXPECT_EQ(std::memcmp(a.data(), b.data(), size_t(a.numel()) * sizeof(float)), 0) << what;
}

// Same layers (type, name, trainable, config), same parameters bit for bit, same outputs.
void expect_same_model(Model& a, Model& b, const Tensor& x) {
  EXPECT_EQ(a.name(), b.name());
  EXPECT_EQ(a.input_shape(), b.input_shape());
  ASSERT_EQ(a.layers().size(), b.layers().size());
  for (size_t i = 0; i < a.layers().size(); ++i) {
    Layer &la = *a.layers()[i], &lb = *b.layers()[i];
    EXPECT_EQ(la.type(), lb.type());
    EXPECT_EQ(la.name(), lb.name());
    EXPECT_EQ(la.trainable(), lb.trainable()) << la.name();
    EXPECT_TRUE(la.config() == lb.config()) << la.name();
  }
  const auto pa = a.params(), pb = b.params();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].name, pb[i].name);
    expect_same_bits(*pa[i].param.value, *pb[i].param.value, pa[i].name);
  }
  expect_same_bits(a.forward(x), b.forward(x), "forward output");
}

TEST(ModelFile, Lenet5RoundTripIsBitIdentical) {
  TempDir dir;
  auto model = zoo::lenet5({.seed = 5});
  randomize(*model, 17);
  model->set_name("my_lenet");
  model->layer("conv2d").set_trainable(false);
  const Tensor moments = test::random_uniform({7}, 3, -1.0f, 1.0f);
  const std::string path = dir.file("lenet5.safetensors");
  io::save_model(*model, path,
                 {.extra_tensors = {{"adam.m", &moments}},
                  .extra_metadata = {{"training_state", "{\"epoch\": 3}"}}});

  io::LoadedModel back = io::load_model(path);
  expect_same_model(*model, *back.model, test::random_uniform({4, 1, 28, 28}, 8, -1.0f, 1.0f));
  EXPECT_EQ(io::architecture_to_json(*back.model), io::architecture_to_json(*model));
  EXPECT_FALSE(back.model->layer("conv2d").trainable());
  ASSERT_EQ(back.extra_tensors.size(), 1u);
  expect_same_bits(back.extra_tensors.at("adam.m"), moments, "extra tensor");
  EXPECT_EQ(back.metadata.at("training_state"), "{\"epoch\": 3}");
  EXPECT_EQ(back.metadata.at("format"), "pt");
  EXPECT_EQ(back.metadata.at("convnet_architecture"), io::architecture_to_json(*model));

  // The file's tensors are the state_dict, in model order, then the extras.
  std::vector<std::string> names;
  for (const auto& [name, t] : io::read_safetensors(path).tensors) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"conv2d.weight", "conv2d.bias", "conv2d_1.weight",
                                             "conv2d_1.bias", "dense.weight", "dense.bias",
                                             "dense_1.weight", "dense_1.bias", "dense_2.weight",
                                             "dense_2.bias", "extra/adam.m"}));
}

TEST(ModelFile, ArchitectureJsonLayout) {
  auto model = zoo::lenet5();
  const auto j = nlohmann::json::parse(io::architecture_to_json(*model));
  EXPECT_EQ(j["format"], "convnet");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["class"], "Sequential");
  EXPECT_EQ(j["input_shape"], nlohmann::json({1, 28, 28}));
  ASSERT_EQ(j["layers"].size(), model->layers().size());
  const auto& conv = j["layers"][0];
  EXPECT_EQ(conv["type"], "Conv2D");
  EXPECT_EQ(conv["name"], "conv2d");
  EXPECT_EQ(conv["trainable"], true);
  EXPECT_EQ(conv["config"]["filters"], 6);
  EXPECT_EQ(conv["config"]["kernel"], nlohmann::json({5, 5}));
  EXPECT_EQ(conv["config"]["padding"], "same");
  EXPECT_TRUE(conv["config"]["activation_alpha"].is_number_float());  // 0.0, not 0
}

// One small model per layer type, with options away from the defaults where the type has any.
using LayerCase = std::pair<Shape, std::function<std::unique_ptr<Layer>()>>;
std::vector<LayerCase> layer_cases() {
  auto make = [](auto layer) -> std::function<std::unique_ptr<Layer>()> {
    return [layer] { return std::make_unique<decltype(layer)>(layer); };
  };
  return {
      {{4, 9, 9},
       make(Conv2D({.filters = 6,
                    .kernel = {3, 2},
                    .stride = {2, 1},
                    .padding = Padding(1, 0, 2, 1),
                    .dilation = {1, 2},
                    .groups = 2,
                    .use_bias = false,
                    .activation = Activation::leaky_relu,
                    .activation_alpha = 0.2f}))},
      {{7}, make(Dense({.units = 5, .activation = Activation::tanh}))},
      {{2, 3, 4}, make(Flatten())},
      {{24}, make(Reshape({.target_shape = {2, -1, 3}}))},
      {{3, 7, 7}, make(MaxPool2D({.pool = 3, .stride = 2, .padding = Padding::same}))},
      {{3, 6, 6}, make(AvgPool2D({.pool = 2, .padding = 1, .count_include_pad = true}))},
      {{3, 5, 4}, make(GlobalAvgPool2D({.keepdims = true}))},
      {{3, 5, 4}, make(GlobalMaxPool2D())},
      {{6}, make(ReLU())},
      {{6}, make(ReLU6())},
      {{6}, make(Sigmoid())},
      {{6}, make(Tanh())},
      {{6}, make(Softmax())},
      {{6}, make(LeakyReLU({.alpha = 0.3f}))},
      {{6}, make(ELU({.alpha = 0.7f}))},
      {{4, 6, 5}, make(BatchNorm2D({.momentum = 0.01f, .eps = 1e-3f}))},
      {{5}, make(BatchNorm1D({.affine = false}))},
      {{3, 5, 6},
       make(DepthwiseConv2D({.kernel = {3, 2},
                             .stride = {1, 2},
                             .padding = Padding::same,
                             .dilation = {2, 1},
                             .depth_multiplier = 2,
                             .activation = Activation::relu6}))},
      {{6}, make(Dropout({.rate = 0.3f, .seed = 9}))},
      {{2, 3, 3}, make(ZeroPadding2D({.padding = {0, 1, 2, 3}}))},
      {{6, 3, 3}, make(LocalResponseNorm({.size = 4, .alpha = 0.1f, .beta = 0.6f, .k = 2}))},
      {{4, 3, 4},
       make(Conv2DTranspose({.filters = 4,
                             .kernel = {3, 2},
                             .stride = 2,
                             .padding = Padding(1, 0, 0, 1),
                             .output_padding = {1, 0},
                             .groups = 2,
                             .activation = Activation::elu,
                             .activation_alpha = 0.5f}))},
      {{2, 3, 4}, make(UpSampling2D({.size = {2, 3}, .interpolation = Interpolation::bilinear}))},
      {{6, 2, 2}, make(Maxout({.pieces = 3}))},
      {{3, 2, 2}, make(PReLU({.init = 0.1f}))},
  };
}

TEST(ModelFile, ArchitectureRoundTripForEveryLayerType) {
  TempDir dir;
  std::set<std::string> covered;
  for (const auto& [input, make] : layer_cases()) {
    Sequential model(input, {.name = "one_layer", .seed = 4});
    std::unique_ptr<Layer> layer = make();
    const std::string type = layer->type();
    covered.insert(type);
    layer->set_name("the_" + type);
    layer->set_trainable(covered.size() % 2 == 0);
    model.add(std::move(layer));
    model.add(Flatten());  // a second layer, so that order and automatic names are checked too
    randomize(model, covered.size());
    SCOPED_TRACE(type);

    const std::string json = io::architecture_to_json(model);
    auto rebuilt = io::model_from_json(json);
    EXPECT_EQ(io::architecture_to_json(*rebuilt), json);

    io::save_model(model, dir.file("m.safetensors"));
    auto loaded = io::load_model(dir.file("m.safetensors"));
    expect_same_model(model, *loaded.model,
                      test::random_uniform(input.with_batch(3), 6, -1.0f, 1.0f));
  }
  // Merge layers need a graph: GraphRoundTrip covers them.
  for (const char* merge : {"Add", "Multiply", "Concatenate"}) covered.insert(merge);
  const std::vector<std::string> types = layer_types();
  EXPECT_EQ(covered, std::set<std::string>(types.begin(), types.end()))
      << "every type of make_layer needs a case in layer_cases()";
}

TEST(ModelFile, GraphRoundTrip) {
  TempDir dir;
  Graph g({.name = "two_inputs", .seed = 2});
  auto x = g.input({3, 6, 6}, "image");
  auto side = g.input({2, 6, 6}, "side");
  auto h = g.add(Conv2D({.filters = 3, .kernel = 3, .padding = Padding::same}), x);
  auto r = g.add(Add(), {h, x});
  auto m = g.add(Multiply(), {r, h});
  auto c = g.add(Concatenate(), {m, side});
  auto f = g.add(Flatten(), c);
  g.set_outputs({g.add(Dense({.units = 4}), f), r});
  randomize(g, 9);
  const std::string json = io::architecture_to_json(g);
  EXPECT_EQ(io::architecture_to_json(*io::model_from_json(json)), json);
  io::save_model(g, dir.file("g.safetensors"));
  auto loaded = io::load_model(dir.file("g.safetensors"));
  auto& back = dynamic_cast<Graph&>(*loaded.model);
  const std::vector<Tensor> in{test::random_uniform({2, 3, 6, 6}, 1, -1.0f, 1.0f),
                               test::random_uniform({2, 2, 6, 6}, 2, -1.0f, 1.0f)};
  const auto want = g.forward(in), got = back.forward(in);
  ASSERT_EQ(got.size(), 2u);
  for (size_t k = 0; k < want.size(); ++k)
    for (int64_t i = 0; i < want[k].numel(); ++i) ASSERT_EQ(got[k][i], want[k][i]) << k << " " << i;
  EXPECT_EQ(back.summary(), g.summary());
}

TEST(ModelFile, ArchitectureErrorsNameTheProblem) {
  const std::string conv = R"({"type": "Conv2D", "name": "c", "trainable": true,
                               "config": {"filters": 2, "kernel": [3, 3]}})";
  auto model = [](const std::string& layers, const std::string& input_shape = "[1, 8, 8]") {
    return R"({"format": "convnet", "version": 1, "class": "Sequential", "name": "m", "input_shape": )" +
           input_shape + R"(, "layers": [)" + layers + "]}";
  };
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{\"format\": ", "not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {R"({"format": "keras", "version": 1})", "format is 'keras'"},
      {R"({"format": "convnet", "version": 2})", "version 2"},
      {R"({"format": "convnet", "version": 1, "class": "Pipeline"})",
       "unknown model class 'Pipeline'"},
      {R"({"format": "convnet", "version": 1, "class": "Graph", "name": "g", "inputs": []})",
       "layers"},
      {model(R"({"type": "Conv3D", "name": "c", "trainable": true, "config": {}})"), "Conv3D"},
      {model(R"({"type": "Conv2D", "name": "c", "trainable": true, "config": {"filters": "six"}})"),
       "filters"},
      {model(R"({"type": "Conv2D", "name": "c", "trainable": true, "config": {"filters": 0}})"),
       "filters"},
      {model(R"({"type": "Conv2D", "name": "", "trainable": true, "config": {}})"), "empty name"},
      {model(R"({"type": "Dense", "name": "d", "config": {"units": 2}})"), "trainable"},
      {model(conv + ", " + conv), "'c' exists already"},
      {model(R"({"type": "Dense", "name": "d", "trainable": true, "config": {"units": 2}})"),
       "received input shape [1, 8, 8]"},
      {model(R"({"type": "Dense", "name": "d", "trainable": true, "config": {"units": 1e3}})"),
       "units"},
      {model(R"({"type": "Dense", "name": "d", "trainable": true,
                 "config": {"units": 4294967296}})"),
       "out of range"},
      {model(R"({"type": "Flatten", "name": "f", "trainable": true, "config": {"x": null}})"),
       "\"x\""},
      {model(conv, "[1, 8]"), "received input shape [1, 8]"},
      {model(conv, "[1, 8, 8], \"input_shape\": [1, 8, 8]"), "\"input_shape\" twice"},
      {model(R"({"type": "Flatten", "name": "f", "name": "g", "trainable": true, "config": {}})"),
       "\"name\" twice"},
      {std::string("{\"format\": \"convnet\"}\0garbage", 29), "NUL byte"},
      {R"({"format": "convnet", "version": 1, "class": "Sequential", "name": "m",
           "input_shape": [0, 8, 8], "layers": []})",
       "input_shape"},
      {std::string(20, '[') + std::string(20, ']'), "nests deeper"},
  };
  for (const auto& [json, expected] : cases) {
    try {
      io::model_from_json(json);
      ADD_FAILURE() << "accepted " << json;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << "error '" << e.what() << "' does not mention '" << expected << "'";
    }
  }
}

TEST(ModelFile, SaveRejectsReservedMetadataAndNamelessExtras) {
  TempDir dir;
  auto model = zoo::lenet5();
  const Tensor t({2});
  EXPECT_THROW(io::save_model(*model, dir.file("a"), {.extra_metadata = {{"format", "x"}}}),
               std::invalid_argument);
  EXPECT_THROW(
      io::save_model(*model, dir.file("a"), {.extra_metadata = {{"convnet_architecture", "x"}}}),
      std::invalid_argument);
  EXPECT_THROW(io::save_model(*model, dir.file("a"), {.extra_tensors = {{"", &t}}}),
               std::invalid_argument);
  EXPECT_TRUE(dir.entries().empty());
}

// Files whose tensors do not fit the architecture, each written as valid safetensors.
TEST(ModelFile, LoadRejectsTensorsThatDoNotFitTheArchitecture) {
  TempDir dir;
  auto model = zoo::lenet5();
  const std::string architecture = io::architecture_to_json(*model);
  std::vector<std::pair<std::string, const Tensor*>> params;
  for (const NamedParam& p : model->params()) params.emplace_back(p.name, p.param.value);
  const Tensor flat({150}), bias({6}), small({6, 1, 3, 3});

  auto expect_rejected = [&](std::vector<std::pair<std::string, const Tensor*>> tensors,
                             std::map<std::string, std::string> metadata, const std::string& why) {
    const std::string path = dir.file("bad.safetensors");
    io::write_safetensors(path, tensors, metadata);
    try {
      io::load_model(path);
      ADD_FAILURE() << "loaded a file with " << why;
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  const std::map<std::string, std::string> meta{{"convnet_architecture", architecture}};
  auto without = [&](const std::string& name) {
    auto v = params;
    std::erase_if(v, [&](const auto& p) { return p.first == name; });
    return v;
  };
  auto replaced = [&](const std::string& name, const Tensor* t) {
    auto v = params;
    for (auto& p : v)
      if (p.first == name) p.second = t;
    return v;
  };
  auto plus = [&](const std::string& name, const Tensor* t) {
    auto v = params;
    v.emplace_back(name, t);
    return v;
  };
  expect_rejected(without("dense_1.bias"), meta,
                  "'dense_1.bias' [84] of the architecture is missing");
  expect_rejected(replaced("conv2d.weight", &flat), meta,
                  "shape [150], the architecture needs [6, 1, 5, 5]");
  expect_rejected(replaced("conv2d.weight", &small), meta, "[6, 1, 3, 3]");
  expect_rejected(plus("dense_3.bias", &bias), meta, "'dense_3.bias' is no parameter");
  expect_rejected(params, {{"format", "pt"}}, "not a convnet model file");
  expect_rejected(params, {{"convnet_architecture", "{]"}}, "not valid JSON");

  // Extras are welcome and come back without their prefix.
  io::write_safetensors(dir.file("ok.safetensors"), plus("extra/step", &bias), meta);
  EXPECT_EQ(io::load_model(dir.file("ok.safetensors")).extra_tensors.count("step"), 1u);
}

TEST(ModelFile, CliSummaryReadsModelFiles) {
  TempDir dir;
  auto model = zoo::lenet5();
  model->set_name("saved_lenet");
  io::save_model(*model, dir.file("m.safetensors"));
  std::filesystem::copy_file(dir.file("m.safetensors"), dir.file("m.bin"));
  for (const std::string file : {"m.safetensors", "m.bin"}) {
    int status = 0;
    const std::string out =
        testing::run_command(std::string(CONVNET_CLI) + " summary " + dir.file(file), status);
    EXPECT_EQ(status, 0) << file;
    EXPECT_NE(out.find("Model: \"saved_lenet\""), std::string::npos) << out;
    EXPECT_NE(out.find("Total params: 61,706"), std::string::npos) << out;
  }
  int status = 0;
  testing::run_command(
      std::string(CONVNET_CLI) + " summary " + dir.file("missing.safetensors") + " 2>/dev/null",
      status);
  EXPECT_NE(status, 0);
}

}  // namespace
}  // namespace convnet
