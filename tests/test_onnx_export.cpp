// Export of models built in convnet, with every layer ONNX expresses: the file passes onnx.checker,
// OpenCV's dnn module computes convnet's outputs from it (1e-4 of their largest magnitude), and
// re-imported it gives convnet's outputs bit for bit.
#include <gtest/gtest.h>

#include "convnet/graph.h"
#include "convnet/io/npy.h"
#include "convnet/io/onnx.h"
#include "convnet/layers.h"
#include "convnet/sequential.h"
#include "support/onnx_cases.h"
#include "support/python_golden.h"

namespace convnet {
namespace {

// Random running statistics, so that exporting them wrongly shows.
void randomize_state(Model& m, Rng& rng) {
  for (const NamedParam& p : m.params())
    for (float& v : *p.param.value) {
      const bool var = p.name.ends_with("running_var");
      v = var ? rng.uniform(0.5f, 2.0f) : p.param.grad ? v + rng.uniform(-0.1f, 0.1f) : rng.uniform(-0.5f, 0.5f);
    }
}

std::unique_ptr<Graph> every_layer_graph() {
  auto g = std::make_unique<Graph>(GraphOptions{.name = "every_layer", .seed = 2});
  auto x = g->input({3, 12, 12});
  auto a = g->add(Conv2D({.filters = 8, .kernel = 3, .stride = 2, .padding = Padding::same,
                          .activation = Activation::leaky_relu, .activation_alpha = 0.1f}), x);
  auto b = g->add(DepthwiseConv2D({.kernel = 3, .padding = Padding::same, .activation = Activation::relu}), a);
  b = g->add(BatchNorm2D(), b);
  b = g->add(LocalResponseNorm({.size = 3}), b);
  auto e = g->add(Concatenate({.axis = 0}), {b, a});
  // Explicit cropping: OpenCV 4.6 refuses the asymmetric pads that 'same' gives here.
  auto f = g->add(Conv2DTranspose({.filters = 4, .kernel = 3, .stride = 2, .padding = 1,
                                   .output_padding = 1, .activation = Activation::elu,
                                   .activation_alpha = 1.0f}), e);
  f = g->add(ZeroPadding2D({.padding = Padding(1, 0, 2, 1)}), f);
  auto h = g->add(MaxPool2D({.pool = 2, .padding = Padding::same}), f);
  auto i = g->add(PReLU(), h);
  auto j = g->add(Multiply(), {i, h});
  j = g->add(UpSampling2D({.size = 2, .interpolation = Interpolation::bilinear}), j);
  j = g->add(UpSampling2D({.size = {1, 2}}), j);
  auto l = g->add(AvgPool2D({.pool = 3, .stride = 2, .padding = 1, .count_include_pad = true}), j);
  auto m = g->add(Conv2D({.filters = 4, .kernel = 1, .activation = Activation::sigmoid}), l);
  auto n = g->add(Add(), {l, m});
  n = g->add(GlobalMaxPool2D(), n);
  n = g->add(Dropout({.rate = 0.3f}), n);
  n = g->add(Dense({.units = 6, .activation = Activation::tanh}), n);
  n = g->add(BatchNorm1D(), n);
  n = g->add(Reshape({.target_shape = {2, 3}}), n);
  n = g->add(Flatten(), n);
  n = g->add(Dense({.units = 3, .activation = Activation::softmax}), n);
  g->set_outputs({n});
  return g;
}

TEST(OnnxExport, EveryLayerRunsInOpenCvAndReimportsExactly) {
  testing::TempDir dir;
  auto g = every_layer_graph();
  Rng rng(9);
  randomize_state(*g, rng);
  const Tensor x = golden::random_normal({2, 3, 12, 12}, rng);
  const testing::OnnxCase c{"every_layer", "", dir.file("x.npy"), "", 13};
  io::write_npy(c.input, x);
  std::vector<testing::OnnxCase> exported;
  for (int opset : {13, 17})
    exported.push_back(testing::export_and_reimport(*g, {c.name + std::to_string(opset), "", c.input, "", opset},
                                                    g->predict(x), opset, dir));
  // ReLU6, Softmax over a vector, GlobalAvgPool2D with keepdims and Maxout, at opset 10 (OpenCV
  // 4.6 reads Clip only with attributes); Maxout has no importer, so this one is not re-imported.
  Sequential s({4, 6, 6}, {.seed = 4});
  s.add(Conv2D({.filters = 6, .kernel = 3, .activation = Activation::relu6}));
  s.add(GlobalAvgPool2D({.keepdims = true}));
  s.add(Flatten());
  s.add(Dense({.units = 8}));
  s.add(Maxout({.pieces = 2}));  // on vectors: OpenCV 4.6 cannot reduce 5-D image pieces
  s.add(Dense({.units = 5, .activation = Activation::softmax}));
  const Tensor xs = golden::random_normal({2, 4, 6, 6}, rng);
  testing::OnnxCase sc{"maxout", dir.file("maxout.onnx"), dir.file("xs.npy"), dir.file("ys.npy"), 10};
  io::write_npy(sc.input, xs);
  io::write_npy(sc.output, s.predict(xs));
  io::export_onnx(s, sc.onnx, {.opset = 10});
  exported.push_back(sc);
  testing::verify_exports(exported);
}

TEST(OnnxExport, RefusesWhatTheOpsetCannotSay) {
  Sequential s({2, 4, 4});
  s.add(UpSampling2D({.interpolation = Interpolation::bilinear}));
  EXPECT_THROW(io::export_onnx_bytes(s, {.opset = 10}), std::invalid_argument);
  EXPECT_THROW(io::export_onnx_bytes(s, {.opset = 8}), std::invalid_argument);
  EXPECT_NO_THROW(io::export_onnx_bytes(s, {.opset = 11}));
}

}  // namespace
}  // namespace convnet
