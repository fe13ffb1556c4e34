// Networks whose output is an image: autoencoders, SRCNN and a small U-Net for segmentation.
#include <stdexcept>

#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "zoo/common.h"

namespace convnet::zoo {
namespace {

Conv2D conv3x3(int64_t filters, Activation activation = Activation::relu) {
  return Conv2D(
      {.filters = filters, .kernel = 3, .padding = Padding::same, .activation = activation});
}

// Two 2x2 poolings and two 2x up-samplings give back the input size only for multiples of 4.
void require_even_twice(const Shape& input, const std::string& model) {
  if (input[1] % 4 != 0 || input[2] % 4 != 0)
    throw std::invalid_argument(model + ": input shape " + input.str() +
                                " must have H and W divisible by 4 (two 2x2 poolings)");
}

}  // namespace

std::unique_ptr<Sequential> autoencoder(const ZooOptions& o) {
  auto m = detail::start(o, "autoencoder", {1, 28, 28}, 4);
  require_even_twice(m->input_shape(), "autoencoder");
  m->add(conv3x3(32));
  m->add(MaxPool2D());
  m->add(conv3x3(32));
  m->add(MaxPool2D());
  for (int i = 0; i < 2; ++i)
    m->add(Conv2DTranspose({.filters = 32,
                            .kernel = 3,
                            .stride = 2,
                            .padding = Padding::same,
                            .activation = Activation::relu}));
  m->add(conv3x3(m->input_shape()[0], Activation::sigmoid));
  return m;
}

std::unique_ptr<Sequential> denoising_autoencoder(const ZooOptions& o) {
  auto m = detail::start(o, "denoising-autoencoder", {1, 28, 28}, 4);
  require_even_twice(m->input_shape(), "denoising-autoencoder");
  m->add(conv3x3(32));
  m->add(MaxPool2D());
  m->add(conv3x3(32));
  m->add(MaxPool2D());
  m->add(conv3x3(32));
  m->add(UpSampling2D());
  m->add(conv3x3(32));
  m->add(UpSampling2D());
  m->add(conv3x3(m->input_shape()[0], Activation::sigmoid));
  return m;
}

std::unique_ptr<Sequential> srcnn(const ZooOptions& o) {
  auto m = detail::start(o, "srcnn", {1, 28, 28}, 1);
  m->add(Conv2D(
      {.filters = 64, .kernel = 9, .padding = Padding::same, .activation = Activation::relu}));
  m->add(Conv2D({.filters = 32, .kernel = 1, .activation = Activation::relu}));
  m->add(Conv2D({.filters = m->input_shape()[0], .kernel = 5, .padding = Padding::same}));
  return m;
}

std::unique_ptr<Graph> unet_small(const ZooOptions& o) {
  detail::require_unit_alpha(o, "unet-small");
  const Shape input = detail::input_shape(o, "unet-small", {3, 32, 32}, 4);
  require_even_twice(input, "unet-small");
  auto g = std::make_unique<Graph>(GraphOptions{.name = "unet-small", .seed = o.seed});
  // Conv -> BatchNorm -> ReLU, twice: without the normalization the network sits for hundreds of
  // steps calling every pixel background before it finds the shapes.
  auto conv_bn_relu = [&](SymbolicTensor x, int64_t filters) {
    x = g->add(
        Conv2D({.filters = filters, .kernel = 3, .padding = Padding::same, .use_bias = false}), x);
    return g->add(ReLU(), g->add(BatchNorm2D(), x));
  };
  auto block = [&](SymbolicTensor x, int64_t filters) {
    return conv_bn_relu(conv_bn_relu(x, filters), filters);
  };
  auto up = [&](SymbolicTensor x, SymbolicTensor skip, int64_t filters) {
    const SymbolicTensor u =
        g->add(Conv2DTranspose(
                   {.filters = filters, .kernel = 2, .stride = 2, .activation = Activation::relu}),
               x);
    return block(g->add(Concatenate(), {u, skip}), filters);
  };
  const SymbolicTensor e1 = block(g->input(input), 16);
  const SymbolicTensor e2 = block(g->add(MaxPool2D(), e1), 32);
  const SymbolicTensor bottom = block(g->add(MaxPool2D(), e2), 64);
  const SymbolicTensor d1 = up(up(bottom, e2, 32), e1, 16);
  g->set_outputs({g->add(
      Conv2D(
          {.filters = detail::classes(o, 4), .kernel = 1, .activation = o.classifier_activation}),
      d1)});
  return g;
}

}  // namespace convnet::zoo
