#include "tasks.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <stdexcept>

#include "convnet/train.h"
#include "convnet/vision/metrics.h"
#include "convnet/vision/segmentation.h"
#include "convnet/vision/super_resolution.h"

namespace convnet::cli {
namespace {

// Labels dropped: the target of an autoencoder is its input.
Dataset unlabelled(Dataset d) {
  d.labels.clear();
  d.class_names.clear();
  return d;
}

Tensor clamped(Tensor t) {
  for (float& v : t) v = std::clamp(v, 0.f, 1.f);
  return t;
}

void print_psnr(const std::string& what, double value) {
  std::cout << what << ": " << std::fixed << std::setprecision(2) << value << " dB\n";
}

}  // namespace

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names{"classify", "autoencoder", "denoise",
                                              "super-resolution", "segmentation"};
  return names;
}

TaskData prepare_task(const TaskOptions& t, const std::string& data,
                      const ImageFolderOptions& images) {
  TaskData out;
  if (t.task == "segmentation") {
    out.data = load_segmentation_folder(data);
    out.model = "unet-small";
    out.loss = "softmax_cross_entropy";
    return out;
  }
  const DataSplits loaded = load_dataset(data, images);
  if (t.task == "classify") {
    out.data = loaded;
    out.model = "lenet5";
    out.loss = "softmax_cross_entropy";
  } else if (t.task == "autoencoder" || t.task == "denoise") {
    out.data = {unlabelled(loaded.train), unlabelled(loaded.test)};
    out.model = t.task == "denoise" ? "denoising-autoencoder" : "autoencoder";
    out.loss = "mse";
    if (t.task == "denoise") {
      out.corruption = {
          .gaussian_noise = t.noise, .salt_pepper = t.salt_pepper, .clip_noise = true};
      if (!out.corruption.corrupts())
        throw std::invalid_argument("--task denoise needs --noise or --salt-pepper above 0");
    }
  } else if (t.task == "super-resolution") {
    out.data.train = super_resolution_pairs(loaded.train, t.scale);
    if (loaded.test.size() > 0) out.data.test = super_resolution_pairs(loaded.test, t.scale);
    out.model = "srcnn";
    out.loss = "mse";
  } else {
    throw std::invalid_argument("unknown task '" + t.task + "'");
  }
  return out;
}

std::unique_ptr<Loss> task_loss(const std::string& name, double label_smoothing) {
  if (name == "binary_crossentropy") return make_loss(name, Config().set("from_logits", false));
  if (name == "softmax_cross_entropy" || name == "categorical_crossentropy")
    return make_loss(name, Config().set("label_smoothing", label_smoothing));
  return make_loss(name);
}

void report_task(Model& model, const TaskOptions& t, const TaskData& d, bool quiet) {
  const Dataset& test = d.data.test;
  if (test.size() == 0) return;
  if (!quiet) std::cout << "\nTest set (" << test.size() << " images)\n";
  if (t.task == "classify") {
    const Evaluation e = model.evaluate(test, {});
    if (!quiet) std::cout << e.to_table();
    std::cout << "test accuracy: " << e.accuracy << "\n";
  } else if (t.task == "autoencoder") {
    print_psnr("reconstruction PSNR", mean_psnr(clamped(model.predict(test.images)), test.images));
  } else if (t.task == "denoise") {
    Tensor noisy = test.images.clone();
    Rng rng(t.seed);
    corrupt(noisy, d.corruption, rng);
    print_psnr("noisy input PSNR", mean_psnr(noisy, test.images));
    print_psnr("denoised PSNR", mean_psnr(clamped(model.predict(noisy)), test.images));
  } else if (t.task == "super-resolution") {
    print_psnr("bicubic PSNR", mean_psnr(clamped(test.images), test.targets));
    print_psnr("model PSNR", mean_psnr(clamped(model.predict(test.images)), test.targets));
  } else if (t.task == "segmentation") {
    const auto classes = int64_t(test.class_names.size());
    const SegmentationScore s =
        segmentation_score(argmax_channels(model.predict(test.images, 64)), test.targets, classes);
    for (int64_t c = 0; c < classes && !quiet; ++c)
      std::cout << "  IoU " << std::left << std::setw(12) << test.class_names[size_t(c)]
                << std::fixed << std::setprecision(4) << s.iou[size_t(c)] << "\n";
    std::cout << "pixel accuracy: " << std::fixed << std::setprecision(4) << s.pixel_accuracy
              << "\nmean IoU: " << s.mean_iou << "\n";
  }
}

}  // namespace convnet::cli
