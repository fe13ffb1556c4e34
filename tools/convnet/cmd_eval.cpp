// convnet eval: loss, accuracy, top-5, per-class precision/recall/F1 and the confusion matrix of a
// saved model on a data set's test split.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/train.h"

namespace convnet::cli {

void add_eval(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Evaluate a model on a data set's test split");
  struct Args {
    std::string model, data = "fashion-mnist";
    int64_t batch_size = 256;
    bool json = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--model", a->model, "Model file")->required();
  cmd->add_option("--data", a->data, "fashion-mnist, mnist, an IDX folder or an image folder")
      ->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Images per forward pass")->capture_default_str();
  cmd->add_flag("--json", a->json, "Print JSON");
  cmd->callback([a] {
    auto model = open_model(a->model);
    const DataSplits data = load_dataset(a->data);
    const Dataset& test = data.test.size() ? data.test : data.train;
    model->compile(make_optimizer("sgd", {}, {}), std::make_unique<SoftmaxCrossEntropy>());
    const Evaluation e = model->evaluate(test, {.batch_size = a->batch_size, .top_k = 5});
    std::cout << (a->json ? e.to_json() + "\n" : e.to_table());
  });
}

}  // namespace convnet::cli
