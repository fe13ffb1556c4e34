// Data: data sets in memory (Dataset), loaders for IDX, .npy and image folders, augmentation and
// seeded mini-batches (DataLoader). File formats themselves are in convnet/io/idx.h and io/npy.h.
#pragma once

#include "convnet/data/augment.h"
#include "convnet/data/data_loader.h"
#include "convnet/data/dataset.h"
#include "convnet/data/images.h"
#include "convnet/data/load.h"
