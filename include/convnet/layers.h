// Every layer of convnet, for code that wants them all.
#pragma once

#include "convnet/layers/activations.h"
#include "convnet/layers/batch_norm.h"
#include "convnet/layers/conv2d.h"
#include "convnet/layers/dense.h"
#include "convnet/layers/depthwise_conv2d.h"
#include "convnet/layers/dropout.h"
#include "convnet/layers/flatten.h"
#include "convnet/layers/global_pooling.h"
#include "convnet/layers/local_response_norm.h"
#include "convnet/layers/merge.h"
#include "convnet/layers/pooling.h"
#include "convnet/layers/reshape.h"
#include "convnet/layers/zero_padding2d.h"
