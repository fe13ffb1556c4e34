// The training report: one self-contained HTML page (no scripts, no external resources; images
// are PNG data URIs, charts inline SVG) that a learner opens after `convnet train --report`.
//
//   History h = model->fit(data.train, {.epochs = 5, .validation_split = 0.1});
//   write_training_report("report.html", h, {.model = model.get(), .test_data = &data.test});
//
// Sections, each present when its inputs are:
//   always                      loss and accuracy curves per epoch (train and validation) and the
//                               table of epochs
//   model                       the model summary (layers, shapes, parameters, MACs, receptive
//                               fields) and the first convolution layer's kernels (filter_grid)
//   model + labelled test data  test accuracy, the confusion matrix as a heat map with the class
//                               names, and the most confident mistakes as a grid of test images
//                               captioned with the predicted and the true class
#pragma once

#include <cstdint>
#include <string>

#include "convnet/data/dataset.h"
#include "convnet/model.h"
#include "convnet/train.h"

namespace convnet {

struct ReportOptions {
  std::string title = "convnet training report";
  Model* model = nullptr;              // the trained model
  const Dataset* test_data = nullptr;  // images the model has not trained on, with labels
  int64_t misclassified = 36;          // at most this many mistakes shown, most confident first
  int64_t batch_size = 256;            // for the test predictions
};

// The page as a string; throws std::invalid_argument when the test data's images do not fit the
// model.
std::string training_report_html(const History& history, const ReportOptions& options = {});

// Writes training_report_html to `path` atomically.
void write_training_report(const std::string& path, const History& history,
                           const ReportOptions& options = {});

}  // namespace convnet
