// Data sets from disk, by name or by path.
#pragma once

#include <string>

#include "convnet/data/dataset.h"
#include "convnet/data/images.h"

namespace convnet {

// A folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each optionally gzipped (.gz) and also accepted with a dot before "idx"
// (train-images.idx3-ubyte). Images [N, 1, H, W] in [0, 1]; no class names.
DataSplits load_idx_folder(const std::string& dir);

// Images and labels from two .npy files. Images of uint8 are scaled to [0, 1], other types are
// taken as they are. [N, H, W] becomes [N, 1, H, W]; [N, H, W, C] with C in {1, 3, 4} (and
// dimension 1 not in {1, 3, 4}) is transposed to [N, C, H, W]. Labels: N integers >= 0.
Dataset load_npy_dataset(const std::string& images_path, const std::string& labels_path);

// In this order:
//  - an existing folder with IDX files (see load_idx_folder),
//  - an existing folder with x_train.npy, y_train.npy, x_test.npy, y_test.npy (Keras' names),
//  - an existing folder with train/ (and optionally test/) image folders (test uses train's
//  classes),
//  - an existing image folder with class sub-folders (then test is empty),
//  - a data set name: "fashion-mnist" or "mnist" (case-insensitive, '_' for '-'), looked up in
//    $CONVNET_DATASETS/<name> and /usr/share/datasets/<name> (Debian's dataset-fashion-mnist).
// Known data sets get their class names (Fashion-MNIST: T-shirt/top, Trouser, ...), also when given
// by path. Throws std::runtime_error listing everything that was looked for.
DataSplits load_dataset(const std::string& name_or_path, const ImageFolderOptions& options = {});

}  // namespace convnet
