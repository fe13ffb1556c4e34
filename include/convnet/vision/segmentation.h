// Semantic segmentation data on disk, and what to show of a prediction.
//
// A segmentation folder (what `convnet make-shapes DIR` writes):
//   DIR/classes.txt              the class names, one a line; line k is class k (0: background)
//   DIR/train/images/NAME.png    the images
//   DIR/train/masks/NAME.png     8-bit grey, pixel value = class index, same size as its image
//   DIR/test/images, DIR/test/masks   the same for the test split (optional)
// A mask's name matches its image's; images without a mask are an error.
#pragma once

#include <cstdint>
#include <string>

#include "convnet/data/dataset.h"
#include "convnet/model.h"

namespace convnet {

// Writes both splits (images [N, C, H, W], targets [N, H, W]) and classes.txt from train's class
// names; files are named 00000.png, 00001.png, ... Throws std::runtime_error when a file cannot
// be written, std::invalid_argument for a split without targets or with over 256 classes.
void save_segmentation_folder(const std::string& dir, const DataSplits& splits);

// Reads a segmentation folder: images [N, C, H, W] (C as the first image), targets [N, H, W],
// class_names from classes.txt. Throws std::runtime_error naming the file or folder at fault,
// e.g. a mask value outside the classes or a mask whose size differs from its image.
DataSplits load_segmentation_folder(const std::string& dir);

// A colour image [3, H, W] of a class map (any shape ending in H, W holding one map): class k gets
// the k-th colour of the PASCAL VOC palette (0 black, 1 dark red, 2 dark green, 3 olive, ...).
Tensor colorize_mask(const Tensor& mask);

// The class map [H, W] of one image [C, H, W] of any size (arg max of the model's per-pixel
// scores, computed by forward_any_size in convnet/transfer.h).
Tensor segment(Model& model, const Tensor& image);

}  // namespace convnet
