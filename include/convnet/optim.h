// Everything for training but the model: optimizers, gradient clipping, learning-rate schedules.
#pragma once

#include "convnet/optim/adam.h"
#include "convnet/optim/optimizer.h"
#include "convnet/optim/rmsprop.h"
#include "convnet/optim/schedule.h"
#include "convnet/optim/sgd.h"
