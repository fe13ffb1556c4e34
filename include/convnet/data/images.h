// Image files and image folders: PNG, JPEG and BMP (also PGM/PPM, TGA and GIF) decoded by
// stb_image, converted to grey or RGB, scaled to [0, 1] and resized bilinearly (PyTorch's
// interpolate(mode="bilinear", align_corners=False), without antialiasing).
//
// An image folder has one sub-folder per class; the sorted sub-folder names are the class names and
// label k is the k-th name. Files are taken in sorted order; files with other extensions and hidden
// files are ignored.
#pragma once

#include <cstdint>
#include <string>

#include "convnet/data/dataset.h"
#include "convnet/tensor.h"

namespace convnet {

struct ImageFolderOptions {
  int64_t channels =
      0;               // 1 (grey) or 3 (RGB); 0: from the first image (grey+alpha -> 1, RGBA -> 3)
  int64_t height = 0;  // 0: from the first image; others are resized to it
  int64_t width = 0;   // 0: from the first image
};

// One image file -> [C, H, W] in [0, 1]; channels/height/width of 0 keep the file's own.
// Throws std::runtime_error naming the file when it is missing or cannot be decoded.
Tensor read_image(const std::string& path, const ImageFolderOptions& options = {});

// Writes an 8-bit PNG from [C, H, W] with C = 1 (grey), 3 (RGB) or 4 (RGBA); values are clamped to
// [0, 1] and rounded to the nearest of 256 levels.
void write_png(const std::string& path, const Tensor& image_chw);
// The same PNG in memory (for data: URIs in HTML reports); throws std::invalid_argument like
// write_png for a tensor that is not an image.
std::string encode_png(const Tensor& image_chw);

// The other way: d as an image folder, dir/<class name>/<n>.png for sample n (zero-padded, in
// data set order), with a sub-folder for every class, also one without images, so that
// load_image_folder(dir) gives back the images (to 8 bits), labels and classes. Needs labels and
// images of 1, 3 or 4 channels (std::invalid_argument).
void save_image_folder(const std::string& dir, const Dataset& d);

// All images under dir/<class>/ as one Dataset [N, C, H, W] with labels and class_names.
Dataset load_image_folder(const std::string& dir, const ImageFolderOptions& options = {});

// Like load_image_folder, with the class list fixed by the caller (a test folder must use the
// labels of its train folder). Every sub-folder of dir must be one of class_names; classes may be
// missing.
Dataset load_image_folder(const std::string& dir, const std::vector<std::string>& class_names,
                          const ImageFolderOptions& options);

}  // namespace convnet
