// Image-to-image quality measures: PSNR for reconstructions (autoencoders, denoising,
// super-resolution) and intersection over union for segmentations.
//
//   PSNR = 10 log10(peak^2 / MSE) dB, images in [0, peak]; the MSE is floored at 1e-10 peak^2, so
//          identical images score 100 dB rather than infinity.
//   IoU_c = |pred == c and true == c| / |pred == c or true == c|, per class c over all pixels;
//          mean IoU averages the classes that occur in the prediction or the truth.
#pragma once

#include <cstdint>
#include <vector>

#include "convnet/tensor.h"

namespace convnet {

// PSNR of estimate against reference (any shapes of equal element count).
double psnr(const Tensor& estimate, const Tensor& reference, double peak = 1.0);
// The mean over the batch of per-image PSNRs, for batches [N, ...] of equal shape (how
// super-resolution papers report a test set).
double mean_psnr(const Tensor& estimates, const Tensor& references, double peak = 1.0);

// Class maps from scores [N, C, H, W]: the arg max over C (first on ties), [N, H, W].
Tensor argmax_channels(const Tensor& scores);

struct SegmentationScore {
  std::vector<double> iou;  // per class; NaN for a class absent from both maps
  double mean_iou = 0.0;
  double pixel_accuracy = 0.0;
};
// predicted and truth hold class indices 0 .. classes-1 (as floats) in tensors of equal element
// count. Throws std::invalid_argument for another value or mismatched sizes.
SegmentationScore segmentation_score(const Tensor& predicted, const Tensor& truth, int64_t classes);

}  // namespace convnet
