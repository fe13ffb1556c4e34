// convnet receptive-field: how much of the input one unit of a layer sees, and where.
#include <iostream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "convnet/vision/inspect.h"
#include "zoo_options.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, layer;
  std::vector<int64_t> unit;
  ZooArgs zoo;
};

// "rows 10..23, columns 10..23", noting a field that reaches past the image into padding.
std::string describe(const ReceptiveField::Region& r, const Shape& input) {
  std::ostringstream o;
  o << "rows " << r.top << ".." << r.bottom << ", columns " << r.left << ".." << r.right;
  if (r.top < 0 || r.left < 0 || r.bottom >= input[1] || r.right >= input[2])
    o << " (partly outside the " << input[1] << "x" << input[2] << " image, in padding)";
  return o.str();
}

void run_receptive_field(const Args& a) {
  auto model = open_model(a.model, a.zoo.resolve());
  const Shape in = model->input_shape();
  const ReceptiveField f = receptive_field(*model, a.layer);
  std::cout << f.layer << " (" << model->layer(a.layer).type() << "): output "
            << f.output_shape.str() << " on input " << in.str() << "\n"
            << "receptive field: " << f.size.h << "x" << f.size.w << " input pixels\n"
            << "jump: " << f.jump.h << "x" << f.jump.w
            << " (input pixels between neighbouring units)\n";
  if (in.rank() != 3 || f.output_shape.rank() != 3) {
    std::cout << "every unit sees the whole input\n";
    return;
  }
  const int64_t H = f.output_shape[1], W = f.output_shape[2];
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> units{
      {"first unit", {0, 0}},
      {"centre unit", {(H - 1) / 2, (W - 1) / 2}},
      {"last unit", {H - 1, W - 1}}};
  if (!a.unit.empty()) {
    if (a.unit.size() != 2 || a.unit[0] < 0 || a.unit[0] >= H || a.unit[1] < 0 || a.unit[1] >= W)
      throw std::invalid_argument("--unit Y,X must lie in the layer's " + std::to_string(H) + "x" +
                                  std::to_string(W) + " output");
    units = {{"unit", {a.unit[0], a.unit[1]}}};
  }
  for (const auto& [label, yx] : units)
    std::cout << label << " (" << yx.first << ", " << yx.second
              << "): " << describe(f.region(yx.first, yx.second), in) << "\n";
}

}  // namespace

void add_receptive_field(CLI::App& app) {
  auto* cmd = app.add_subcommand("receptive-field",
                                 "Size and input region of a layer's units' receptive field");
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "Model file or zoo name")->required();
  cmd->add_option("--layer", a->layer, "Layer name (see convnet summary)")->required();
  cmd->add_option("--unit", a->unit, "Output position Y,X to locate (default: first, centre, last)")
      ->delimiter(',')
      ->expected(2);
  add_zoo_options(*cmd, a->zoo);
  cmd->callback([a] { run_receptive_field(*a); });
}

}  // namespace convnet::cli
