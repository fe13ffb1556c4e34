// Every layer of convnet, for code that wants them all.
#pragma once

#include "convnet/layers/activations.h"
#include "convnet/layers/conv2d.h"
#include "convnet/layers/conv2d_transpose.h"
#include "convnet/layers/dense.h"
#include "convnet/layers/flatten.h"
#include "convnet/layers/global_pooling.h"
#include "convnet/layers/maxout.h"
#include "convnet/layers/merge.h"
#include "convnet/layers/pooling.h"
#include "convnet/layers/prelu.h"
#include "convnet/layers/reshape.h"
#include "convnet/layers/up_sampling2d.h"
