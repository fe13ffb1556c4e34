// convnet: the command-line tool. A table of subcommands, one cmd_<name>.cpp each; every error is
// one line on stderr and a non-zero exit code.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

#include "commands.h"

namespace {

// Library messages may list things on several lines; the CLI's errors are one line each.
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    out += "; ";
    while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"convnet: convolutional neural networks for visual recognition"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "convnet 0.1.0");
  for (const auto& add : convnet::cli::commands()) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "convnet: error: " << one_line(e.what()) << "\n";
    return 1;
  }
  return 0;
}
