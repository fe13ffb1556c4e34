// convnet report: the HTML training report from a saved history (convnet train --history), with
// the model's summary, filters and test-set results when the model and data are given.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "convnet/data.h"
#include "convnet/vision/report.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string history, model, data, out = "report.html";
};

History read_history(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("history '" + path + "': cannot open it");
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return History::from_json(text.str());
  } catch (const std::exception& e) {
    throw std::runtime_error("history '" + path +
                             "': not a history written by convnet train "
                             "--history x.json (" +
                             e.what() + ")");
  }
}

void run_report(const Args& a) {
  const History history = read_history(a.history);
  std::unique_ptr<Model> model;
  if (!a.model.empty()) model = open_model(a.model);
  DataSplits data;
  if (!a.data.empty()) {
    if (!model) throw std::invalid_argument("--data needs --model");
    data = load_dataset(a.data);
  }
  write_training_report(a.out, history,
                        {.model = model.get(), .test_data = a.data.empty() ? nullptr : &data.test});
  std::cout << "report written to " << a.out << "\n";
}

}  // namespace

void add_report(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Write the HTML training report of a saved history");
  auto a = std::make_shared<Args>();
  cmd->add_option("history", a->history, "History file (.json) from convnet train --history")
      ->required();
  cmd->add_option("--model", a->model, "The trained model: summary, filters, test results");
  cmd->add_option("--data", a->data, "Data set whose test split the model is evaluated on");
  cmd->add_option("-o,--output", a->out, "Output HTML file")->capture_default_str();
  cmd->callback([a] { run_report(*a); });
}

}  // namespace convnet::cli
