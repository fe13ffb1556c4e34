// Named architectures: build one by name (`convnet summary vgg16`) or by function.
//
// Each builder takes ZooOptions and returns an initialized, untrained model with its layers named
// as in the reference implementation (Keras' names for Keras models, PyTorch's state_dict prefixes
// for torchvision models, so "layer1.0.conv1.weight" is the same tensor in both). AlexNet and VGG
// fuse each ReLU into the Conv2D or Dense before it; the index of torchvision's ReLU module is then
// skipped ("features.0" is the first conv, "features.2" the pool after it).
//
// Parameter counts follow Keras: BatchNorm's running mean and variance count (as non-trainable).
// torchvision counts only trainable tensors, so a torchvision figure equals trainable_params.
//
// The classifier ends in classifier_activation (softmax by default, as keras.applications); pass
// Activation::linear for torchvision's logits.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convnet/activation.h"
#include "convnet/graph.h"
#include "convnet/sequential.h"

namespace convnet::zoo {

struct ZooOptions {
  Shape input_shape = {};   // [C, H, W]; empty: the architecture's own default
  int64_t classes = 0;      // 0: the architecture's own default (1000 for ImageNet models)
  bool include_top = true;  // false: the convolutional base only (Keras' include_top)
  float alpha = 1.0f;       // width multiplier (MobileNet only; others require 1)
  Activation classifier_activation = Activation::softmax;  // of the last layer
  uint64_t seed = 0;                                       // initialization seed
};

// The lecture's LeNet-like Keras model: 1x32x32 input, Conv 6@3x3 ReLU, AvgPool 2, Conv 16@3x3
// ReLU, AvgPool 2, Flatten, Dense 120 ReLU, 84 ReLU, 10 softmax: 81,194 parameters.
std::unique_ptr<Sequential> lenet_lecture(const ZooOptions& o = {});
// LeNet-5 for 1x28x28 (MNIST, Fashion-MNIST): Conv 6@5x5 'same' ReLU, AvgPool 2, Conv 16@5x5 ReLU,
// AvgPool 2, Flatten, Dense 120 ReLU, 84 ReLU, 10 softmax: 61,706 parameters.
std::unique_ptr<Sequential> lenet5(const ZooOptions& o = {});

// torchvision's AlexNet (the one-GPU variant of "One weird trick", 64-192-384-256-256 filters):
// features Conv 64@11 s4 p2, ReLU, MaxPool 3 s2, Conv 192@5 p2, ReLU, MaxPool 3 s2, Conv 384@3 p1,
// ReLU, Conv 256@3 p1, ReLU, Conv 256@3 p1, ReLU, MaxPool 3 s2 -> 256x6x6 at 224x224; classifier
// Flatten (9,216), Dropout, Dense 4096 ReLU, Dropout, Dense 4096 ReLU, Dense classes:
// 61,100,840 parameters at 1000 classes. torchvision's AdaptiveAvgPool2d(6) is left out: at
// 224x224 (223..254) the map is 6x6 already and it is the identity; at other sizes the first
// Dense takes the map as it is (256 * H * W features). Smallest input: 63x63.
std::unique_ptr<Sequential> alexnet(const ZooOptions& o = {});

// VGG (Simonyan & Zisserman, Table 1): A (vgg11), A-LRN (vgg11-lrn: LocalResponseNorm after the
// first conv), B (vgg13), C (vgg16c: a 1x1 conv ends blocks 3-5), D (vgg16), E (vgg19). 3x3 convs
// 'same' with ReLU, MaxPool 2 after each block, then torchvision's classifier: Flatten, Dense 4096
// ReLU, Dropout, Dense 4096 ReLU, Dropout, Dense classes. At 224x224 and 1000 classes:
// 132,863,336 / 132,863,336 / 133,047,848 / 133,638,952 / 138,357,544 / 143,667,240 parameters.
// Without the top the model ends at the last pool (512 x H/32 x W/32); smallest input 32x32.
enum class VggConfig { A, A_LRN, B, C, D, E };
std::unique_ptr<Sequential> vgg(VggConfig config, const ZooOptions& o = {});

// MobileNet v1 as keras.applications.MobileNet (layer names conv1_pad, conv1, conv1_bn,
// conv1_relu, conv_dw_1, ..., conv_pad_2 before each strided depthwise conv, ..., conv_pw_13_relu;
// BatchNorm with Keras' epsilon 1e-3 and momentum 0.99; ReLU6). Top: global_average_pooling2d,
// reshape_1 [1024, 1, 1], dropout (1e-3), conv_preds (1x1 Conv2D), reshape_2 [classes],
// act_softmax. alpha scales every layer's channels (int(channels * alpha)). 4,253,864 parameters
// at alpha 1, 1000 classes; the base ends at 1024 x 7 x 7 at 224x224, 1024 x 3 x 3 at 120x120.
// Any input of at least 32x32.
std::unique_ptr<Sequential> mobilenet(const ZooOptions& o = {});

// torchvision's ResNet (v1.5: the stride of a bottleneck sits on its 3x3 conv) as a graph model:
// conv1 7x7 s2 p3, bn1, relu, maxpool 3 s2 p1, layer1..layer4 of BasicBlocks (depth 18, 34) or
// Bottlenecks (50, 101, 152), each block's Add joining the identity or a projection shortcut
// (downsample.0: 1x1 conv with the block's stride, downsample.1: BatchNorm), avgpool (global), fc.
// Trainable parameters at 1000 classes: 11,689,512 (18), 21,797,672 (34), 25,557,032 (50),
// 44,549,160 (101), 60,192,808 (152). Without the top the model ends after layer4 (Keras).
// Any input of at least 32x32.
std::unique_ptr<Graph> resnet(int depth, const ZooOptions& o = {});

// Small networks that train in minutes on a CPU.
// mnist-cnn (Keras' "Simple MNIST convnet", keras.io/examples/vision/mnist_convnet), 1x28x28:
// Conv 32@3x3 ReLU, MaxPool 2, Conv 64@3x3 ReLU, MaxPool 2, Flatten, Dropout 0.5, Dense 10
// softmax: 34,826 parameters; about 99% on MNIST after 15 epochs.
std::unique_ptr<Sequential> mnist_cnn(const ZooOptions& o = {});
// cifar-vgg, 3x32x32 (CIFAR-10): three VGG blocks of two 3x3 'same' convs (32, 64, 128 filters,
// each Conv without bias -> BatchNorm -> ReLU) and MaxPool 2, then Flatten (2,048), Dense 256
// ReLU, Dropout 0.5, Dense 10 softmax: 815,466 parameters (814,570 trainable).
std::unique_ptr<Sequential> cifar_vgg(const ZooOptions& o = {});

// Image-to-image networks (classes and include_top do not apply unless said).
// autoencoder (the convolutional autoencoder of keras.io/examples/vision/autoencoder), 1x28x28:
// Conv 32@3x3 'same' ReLU, MaxPool 2, Conv 32@3x3 ReLU, MaxPool 2, Conv2DTranspose 32@3x3 s2
// ReLU (x2), Conv C@3x3 sigmoid: 28,353 parameters; H and W must be multiples of 4.
std::unique_ptr<Sequential> autoencoder(const ZooOptions& o = {});
// denoising-autoencoder (the denoising model of Chollet's "Building Autoencoders in Keras"),
// 1x28x28: Conv 32@3x3 ReLU, MaxPool 2, Conv 32@3x3 ReLU, MaxPool 2, Conv 32@3x3 ReLU,
// UpSampling2D 2, Conv 32@3x3 ReLU, UpSampling2D 2, Conv C@3x3 sigmoid: 28,353 parameters.
std::unique_ptr<Sequential> denoising_autoencoder(const ZooOptions& o = {});
// srcnn (Dong et al. 2014, the 9-1-5 network), C x H x W (default 1x28x28, any size runs): Conv
// 64@9x9 ReLU, Conv 32@1x1 ReLU, Conv C@5x5, all 'same' (the paper's are 'valid' and shrink the
// image by 12 pixels): 8,129 parameters for C = 1 (the paper's 8,032 weights plus 97 biases).
std::unique_ptr<Sequential> srcnn(const ZooOptions& o = {});
// unet-small, a U-Net (Ronneberger et al. 2015) for segmentation, 3x32x32: two 3x3 'same' convs
// (no bias) -> BatchNorm -> ReLU per level (16, 32, 64 filters) with MaxPool 2 between; up:
// Conv2DTranspose 2x2 s2 ReLU,
// Concatenate with the encoder's map of that size (skip connection), two convs; head: Conv
// classes@1x1 (default 4) with classifier_activation, per pixel: [classes, H, W]. H and W must be
// multiples of 4.
std::unique_ptr<Graph> unet_small(const ZooOptions& o = {});

// Builds a model by name; throws std::invalid_argument listing model_names() for an unknown one.
std::unique_ptr<Model> make_model(const std::string& name, const ZooOptions& o = {});
std::vector<std::string> model_names();

}  // namespace convnet::zoo
