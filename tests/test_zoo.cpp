// The model zoo: every published figure (parameter counts, layer shapes, MACs, receptive fields)
// and a forward pass of every model. Models with ImageNet heads weigh up to 1.1 GB at 224x224, so
// each test builds one at a time, and forward passes use small inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <tuple>

#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "support/op_registry.h"

namespace convnet {
namespace {

using zoo::ZooOptions;

const LayerSummary& row(const ModelSummary& s, const std::string& name) {
  for (const LayerSummary& l : s.layers)
    if (l.name == name) return l;
  throw std::invalid_argument("no layer " + name + " in " + s.model_name);
}

TEST(Zoo, AlexNetMatchesTorchvision) {
  auto m = zoo::alexnet();
  const ModelSummary s = m->summary_info();
  EXPECT_EQ(s.total_params, 61100840);
  EXPECT_EQ(s.non_trainable_params, 0);
  EXPECT_EQ(row(s, "features.12").output_shape, Shape({256, 6, 6}));
  EXPECT_EQ(row(s, "flatten").output_shape, Shape({9216}));
  EXPECT_EQ(row(s, "classifier.1").params, 9216 * 4096 + 4096);
  EXPECT_EQ(m->output_shape(), Shape({1000}));
  // Conv: 64*55*55*363 + 192*27*27*1600 + 384*13*13*1728 + 256*13*13*3456 + 256*13*13*2304,
  // then the three Dense layers.
  const int64_t conv = 70276800LL + 223948800LL + 112140288LL + 149520384LL + 99680256LL;
  EXPECT_EQ(s.total_macs, conv + 9216 * 4096 + 4096 * 4096 + 4096 * 1000);
}

// The ImageNet classifier is the same for every column at 224x224 (512 x 7 x 7 features), so the
// columns are checked without it (the conv bases of keras.applications' VGG16/VGG19 include_top
// = False have 14,714,688 and 20,024,384 parameters); test_zoo_cli.cpp builds the whole of D.
constexpr int64_t kVggClassifier = (25088 + 1) * 4096 + (4096 + 1) * 4096 + (4096 + 1) * 1000;

TEST(Zoo, VggColumnsParameterCounts) {
  const std::vector<std::pair<zoo::VggConfig, int64_t>> want{
      {zoo::VggConfig::A, 132863336}, {zoo::VggConfig::A_LRN, 132863336},
      {zoo::VggConfig::B, 133047848}, {zoo::VggConfig::C, 133638952},
      {zoo::VggConfig::D, 138357544}, {zoo::VggConfig::E, 143667240}};
  for (const auto& [config, total] : want) {
    auto base = zoo::vgg(config, {.include_top = false});
    EXPECT_EQ(base->count_params() + kVggClassifier, total) << base->name();
    EXPECT_EQ(base->output_shape(), Shape({512, 7, 7})) << base->name();
  }
  EXPECT_EQ(zoo::vgg(zoo::VggConfig::D, {.include_top = false})->count_params(), 14714688);
  EXPECT_EQ(zoo::vgg(zoo::VggConfig::E, {.include_top = false})->count_params(), 20024384);
}

TEST(Zoo, VggColumnsLayers) {
  auto a_lrn = zoo::vgg(zoo::VggConfig::A_LRN, {.include_top = false});
  EXPECT_EQ(a_lrn->layers()[1]->type(), "LocalResponseNorm");
  EXPECT_EQ(a_lrn->layers()[1]->name(), "features.2");
  auto count_1x1 = [](Model& m) {
    int n = 0;
    for (Layer* l : m.layers())
      if (auto* c = dynamic_cast<Conv2D*>(l); c && c->options().kernel == Size2(1)) ++n;
    return n;
  };
  auto c = zoo::vgg(zoo::VggConfig::C, {.include_top = false});
  EXPECT_EQ(count_1x1(*c), 3);
  EXPECT_EQ(dynamic_cast<Conv2D&>(c->layer("features.14")).options().kernel, Size2(1));
  auto d = zoo::vgg(zoo::VggConfig::D, {.include_top = false});
  EXPECT_EQ(count_1x1(*d), 0);
  EXPECT_EQ(d->layers().size(), 18u);  // 13 convolutions, 5 pools
}

// VGG-16 by hand: each 3x3 conv adds 2 * jump, each 2x2 pool adds jump and doubles it.
TEST(Zoo, Vgg16ReceptiveFields) {
  const ModelSummary s = zoo::vgg(zoo::VggConfig::D, {.include_top = false})->summary_info();
  const std::vector<std::tuple<std::string, int64_t, int64_t>> want{
      {"features.0", 3, 1},     {"features.2", 5, 1},     {"features.4", 6, 2},
      {"features.9", 16, 4},    {"features.16", 44, 8},   {"features.21", 92, 8},
      {"features.23", 100, 16}, {"features.28", 196, 16}, {"features.30", 212, 32}};
  for (const auto& [name, field, jump] : want) {
    EXPECT_EQ(row(s, name).receptive_field, Size2(field)) << name;
    EXPECT_EQ(row(s, name).jump, Size2(jump)) << name;
  }
}

// The lecture's summary of keras.applications.MobileNet (1.0, 224) and its 120x120 conv base.
TEST(Zoo, MobileNetMatchesKeras) {
  auto m = zoo::mobilenet();
  EXPECT_EQ(m->name(), "mobilenet_1.00_224");
  const ModelSummary s = m->summary_info();
  const std::vector<std::tuple<std::string, Shape, int64_t>> want{
      {"conv1_pad", {3, 225, 225}, 0},       {"conv1", {32, 112, 112}, 864},
      {"conv1_bn", {32, 112, 112}, 128},     {"conv1_relu", {32, 112, 112}, 0},
      {"conv_dw_1", {32, 112, 112}, 288},    {"conv_dw_1_bn", {32, 112, 112}, 128},
      {"conv_dw_1_relu", {32, 112, 112}, 0}, {"conv_pw_1", {64, 112, 112}, 2048},
      {"conv_pw_1_bn", {64, 112, 112}, 256}, {"conv_pw_1_relu", {64, 112, 112}, 0},
      {"conv_pad_2", {64, 113, 113}, 0},     {"conv_dw_2", {64, 56, 56}, 576},
      {"conv_dw_2_bn", {64, 56, 56}, 256},   {"conv_dw_2_relu", {64, 56, 56}, 0}};
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& [name, shape, params] = want[i];
    EXPECT_EQ(s.layers[i].name, name);
    EXPECT_EQ(s.layers[i].output_shape, shape) << name;
    EXPECT_EQ(s.layers[i].params, params) << name;
  }
  const std::vector<std::tuple<std::string, Shape, int64_t>> head{
      {"conv_dw_13", {1024, 7, 7}, 9216},
      {"conv_dw_13_bn", {1024, 7, 7}, 4096},
      {"conv_dw_13_relu", {1024, 7, 7}, 0},
      {"conv_pw_13", {1024, 7, 7}, 1048576},
      {"conv_pw_13_bn", {1024, 7, 7}, 4096},
      {"conv_pw_13_relu", {1024, 7, 7}, 0},
      {"global_average_pooling2d", {1024}, 0},
      {"reshape_1", {1024, 1, 1}, 0},
      {"dropout", {1024, 1, 1}, 0},
      {"conv_preds", {1000, 1, 1}, 1025000},
      {"reshape_2", {1000}, 0},
      {"act_softmax", {1000}, 0}};
  const size_t first = s.layers.size() - head.size();
  for (size_t i = 0; i < head.size(); ++i) {
    const auto& [name, shape, params] = head[i];
    EXPECT_EQ(s.layers[first + i].name, name);
    EXPECT_EQ(s.layers[first + i].output_shape, shape) << name;
    EXPECT_EQ(s.layers[first + i].params, params) << name;
  }
  EXPECT_EQ(row(s, "conv1_bn").trainable_params, 64);
  EXPECT_EQ(row(s, "conv1_relu").type, "ReLU6");
  EXPECT_EQ(s.total_params, 4253864);
  EXPECT_EQ(s.trainable_params, 4231976);
  EXPECT_NEAR(double(s.total_macs), 569e6, 0.005 * 569e6);  // the paper's 569 M mult-adds
  // Receptive fields: conv1 3 / 2; conv_dw_1 + 2 * 2; conv_dw_2 (stride 2) + 2 * 2, jump 4.
  EXPECT_EQ(row(s, "conv1").receptive_field, Size2(3));
  EXPECT_EQ(row(s, "conv_dw_1").receptive_field, Size2(7));
  EXPECT_EQ(row(s, "conv_pad_2").receptive_field, Size2(7));
  EXPECT_EQ(row(s, "conv_dw_2").receptive_field, Size2(11));
  EXPECT_EQ(row(s, "conv_dw_2").jump, Size2(4));
}

TEST(Zoo, MobileNetConvBaseAt120AndAlpha) {
  auto base = zoo::mobilenet({.input_shape = {3, 120, 120}, .include_top = false});
  const ModelSummary s = base->summary_info();
  EXPECT_EQ(row(s, "conv1").output_shape, Shape({32, 60, 60}));
  EXPECT_EQ(row(s, "conv_pad_2").output_shape, Shape({64, 61, 61}));
  EXPECT_EQ(row(s, "conv_pw_2").output_shape, Shape({128, 30, 30}));
  EXPECT_EQ(row(s, "conv_pw_2_bn").params, 512);
  EXPECT_EQ(s.layers.back().name, "conv_pw_13_relu");
  EXPECT_EQ(base->output_shape(), Shape({1024, 3, 3}));
  // keras.applications.MobileNet(alpha=0.5): 1,342,536 parameters with its 1000-class top.
  auto half = zoo::mobilenet({.alpha = 0.5f});
  EXPECT_EQ(half->name(), "mobilenet_0.50_224");
  EXPECT_EQ(half->layer("conv1").built_output_shape(), Shape({16, 112, 112}));
  EXPECT_EQ(half->layer("conv_pw_13").built_output_shape(), Shape({512, 7, 7}));
  EXPECT_EQ(half->count_params(), 1342536);
}

TEST(Zoo, ResNetsMatchTorchvision) {
  // torchvision's figures count trainable tensors; BatchNorm's running statistics come on top.
  const std::vector<std::tuple<int, int64_t, int64_t, double>> want{{18, 11689512, 9600, 1.814e9},
                                                                    {34, 21797672, 17024, 3.664e9},
                                                                    {50, 25557032, 53120, 4.089e9}};
  for (const auto& [depth, trainable, running, macs] : want) {
    auto m = zoo::resnet(depth);
    const ModelSummary s = m->summary_info();
    EXPECT_EQ(s.trainable_params, trainable) << depth;
    EXPECT_EQ(s.non_trainable_params, running) << depth;
    EXPECT_NEAR(double(s.total_macs), macs, 0.001 * macs) << depth;
    EXPECT_EQ(row(s, "maxpool").output_shape, Shape({64, 56, 56}));
    EXPECT_EQ(row(s, "avgpool").output_shape, Shape({depth < 50 ? 512 : 2048}));
  }
  auto r50 = zoo::resnet(50);
  // v1.5: the stride sits on the 3x3 conv; the projection shortcut is 1x1 with the same stride.
  EXPECT_EQ(r50->layer("layer2.0.conv1").built_output_shape(), Shape({128, 56, 56}));
  EXPECT_EQ(r50->layer("layer2.0.conv2").built_output_shape(), Shape({128, 28, 28}));
  EXPECT_EQ(r50->layer("layer2.0.downsample.0").built_output_shape(), Shape({512, 28, 28}));
  EXPECT_EQ(r50->layer("layer4.2.add").built_output_shape(), Shape({2048, 7, 7}));
  EXPECT_THROW(zoo::resnet(20), std::invalid_argument);
}

TEST(Zoo, SmallModels) {
  EXPECT_EQ(zoo::mnist_cnn()->count_params(), 34826);
  auto cifar = zoo::cifar_vgg();
  EXPECT_EQ(cifar->count_params(), 815466);
  EXPECT_EQ(cifar->summary_info().trainable_params, 814570);
  EXPECT_EQ(cifar->layer("flatten").built_output_shape(), Shape({2048}));
}

TEST(Zoo, OptionsAreChecked) {
  EXPECT_THROW(zoo::make_model("vgg17"), std::invalid_argument);
  EXPECT_THROW(zoo::vgg(zoo::VggConfig::D, {.input_shape = {3, 16, 16}}), std::invalid_argument);
  EXPECT_THROW(zoo::mobilenet({.input_shape = {224, 224}}), std::invalid_argument);
  EXPECT_THROW(zoo::resnet(18, {.alpha = 0.5f}), std::invalid_argument);
  EXPECT_THROW(zoo::mnist_cnn({.classes = -1}), std::invalid_argument);
  EXPECT_EQ(zoo::resnet(18, {.input_shape = {1, 64, 64}, .classes = 7})->output_shape(),
            Shape({7}));
}

// A forward pass on a random batch of 2 at a small input size, for every model in the registry.
TEST(Zoo, EveryModelRunsForward) {
  const std::map<std::string, ZooOptions> small{
      {"alexnet", {.input_shape = {3, 63, 63}, .classes = 10}},
      {"mobilenet", {.input_shape = {3, 32, 32}, .classes = 10, .alpha = 0.25f}},
  };
  Rng rng(7);
  for (const std::string& name : zoo::model_names()) {
    ZooOptions o{.input_shape = {3, 32, 32}, .classes = 10};
    if (small.count(name)) o = small.at(name);
    // The VGG classifier is 4096 wide even at 32x32; the conv base is what differs per column.
    if (name.starts_with("vgg") && name != "vgg11") o.include_top = false;
    if (name.starts_with("lenet") || name == "mnist-cnn") o.input_shape = {1, 28, 28};
    auto m = zoo::make_model(name, o);
    const Tensor x = test::random_normal(m->input_shape().with_batch(2), rng);
    const Tensor y = m->forward(x, Mode::eval);
    ASSERT_EQ(y.shape(), m->output_shape().with_batch(2)) << name;
    for (float v : y) ASSERT_TRUE(std::isfinite(v)) << name;
    // The image-to-image models (autoencoders, srcnn, unet-small) have no class vector.
    if (!o.include_top || m->output_shape().rank() != 1) continue;
    ASSERT_EQ(y.shape(), Shape({2, 10})) << name;
    for (int64_t n = 0; n < 2; ++n) {
      double sum = 0;
      for (int64_t k = 0; k < 10; ++k) sum += y.at(n, k);
      EXPECT_NEAR(sum, 1.0, 1e-5) << name << ": the softmax output does not sum to 1";
    }
  }
}

// Training mode through a graph model: batch statistics, dropout, and gradients back to the input.
TEST(Zoo, ResNetTrainingStepAtSmallInput) {
  auto m = zoo::resnet(18, {.input_shape = {3, 64, 64}, .classes = 5});
  Rng rng(3);
  const Tensor x = test::random_normal({4, 3, 64, 64}, rng);
  const Tensor p = m->forward(x, Mode::train);
  ASSERT_TRUE(m->ends_in_softmax());
  Tensor dlogits = p.clone();
  for (int64_t n = 0; n < 4; ++n) dlogits.at(n, n % 5) -= 1.0f;
  m->zero_grad();
  const Tensor dx = m->backward_from_logits(dlogits);
  EXPECT_EQ(dx.shape(), x.shape());
  double norm = 0;
  for (const NamedParam& np : m->params())
    if (np.name == "conv1.weight")
      for (float g : *np.param.grad) norm += double(g) * g;
  EXPECT_GT(norm, 0.0);
}

}  // namespace
}  // namespace convnet
