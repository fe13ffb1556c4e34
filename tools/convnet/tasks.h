// What `convnet train --task` changes: the data pairs the model learns from, the default model and
// loss, and the test-set report.
//   classify          images -> class (the data set's labels); accuracy and confusion matrix
//   autoencoder       images -> the same images; reconstruction PSNR
//   denoise           noisy images -> the clean images (noise drawn afresh for every batch);
//                     PSNR of the noisy input and of the output against the clean image
//   super-resolution  bicubically enlarged low-resolution luminance -> the luminance; PSNR of the
//                     bicubic input and of the output
//   segmentation      images -> per-pixel classes (a folder from `convnet make-shapes`); mean IoU
#pragma once

#include <string>

#include "convnet/data.h"
#include "convnet/loss.h"
#include "convnet/model.h"

namespace convnet::cli {

struct TaskOptions {
  std::string task = "classify";
  float noise = 0.3f;        // denoise: stddev of the Gaussian noise
  float salt_pepper = 0.0f;  // denoise: fraction of pixels set to 0 or 1
  int64_t scale = 2;         // super-resolution factor
  uint64_t seed = 1;         // the test set's noise
};

const std::vector<std::string>& task_names();

struct TaskData {
  DataSplits data;          // ready for fit: labels, targets, or neither (autoencoders)
  Augmentation corruption;  // the noise of the denoising task
  std::string model;        // the zoo model the task trains by default
  std::string loss;         // the default loss
};

// Loads `data` (a name or path as load_dataset takes, image folders decoded as `images` says; a
// segmentation folder for segmentation) and turns it into the task's pairs.
TaskData prepare_task(const TaskOptions& task, const std::string& data,
                      const ImageFolderOptions& images = {});

// The loss by name, probabilities for binary cross-entropy (the zoo's image models end in a
// sigmoid).
std::unique_ptr<Loss> task_loss(const std::string& name, double label_smoothing);

// Prints the task's figures on the test split (nothing when there is none).
void report_task(Model& model, const TaskOptions& task, const TaskData& data, bool quiet);

}  // namespace convnet::cli
