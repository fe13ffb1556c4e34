// The train / eval / predict commands end to end, on a small data set the test writes: the model
// file they share, PyTorch reading its weights, one-line errors, and a training killed with
// SIGKILL leaving a loadable checkpoint.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <thread>

#include "convnet/data.h"
#include "convnet/io/model_file.h"
#include "convnet/io/npy.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using testing::run_command;
using testing::TempDir;

// A Fashion-MNIST subset in the Keras .npy layout: x_train/y_train/x_test/y_test.
std::string write_small_dataset(const TempDir& dir, int64_t train, int64_t test) {
  static const DataSplits full = load_dataset("fashion-mnist");
  auto part = [](const Dataset& d, int64_t n) {
    std::vector<int64_t> idx;
    for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    return d.subset(idx);
  };
  const std::string folder = dir.file("data/x");
  std::filesystem::remove(folder);
  const std::string root = std::filesystem::path(folder).parent_path().string();
  const Dataset tr = part(full.train, train), te = part(full.test, test);
  io::write_npy(root + "/x_train.npy", tr.images);
  io::write_npy_labels(root + "/y_train.npy", tr.labels);
  io::write_npy(root + "/x_test.npy", te.images);
  io::write_npy_labels(root + "/y_test.npy", te.labels);
  return root;
}

std::string cli(const std::string& args, int& status, bool with_stderr = false) {
  return run_command(std::string(CONVNET_CLI) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"),
                     status);
}

double number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  if (at == std::string::npos) return NAN;
  return std::stod(text.substr(at + key.size()));
}

// Starts `convnet train ... --out out --quiet` in a child process, output discarded, and waits up
// to a minute for its first checkpoint.
pid_t start_training(const std::string& data, const std::string& out, const char* epochs) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::freopen("/dev/null", "w", stdout);
    ::freopen("/dev/null", "w", stderr);
    ::execl(CONVNET_CLI, CONVNET_CLI, "train", "--model", "lenet5", "--data", data.c_str(),
            "--epochs", epochs, "--batch-size", "32", "--out", out.c_str(), "--quiet",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (pid > 0 && !std::filesystem::exists(out) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return pid;
}

TEST(CliTrain, TrainEvalPredictShareOneModelFile) {
  TempDir dir;
  const std::string data = write_small_dataset(dir, 512, 200);
  const std::string model = dir.file("m.safetensors");
  int status = 0;
  const std::string out = cli("train --model lenet5 --data " + data + " --epochs 2 --batch-size 32"
                              " --seed 1 --out " + model + " --history " + dir.file("h.json") +
                              " --quiet", status);
  ASSERT_EQ(status, 0) << out;
  const double trained = number_after(out, "test accuracy: ");
  EXPECT_GT(trained, 0.3) << out;  // 2 epochs on 512 images: far above chance (0.1)
  EXPECT_TRUE(std::filesystem::exists(dir.file("h.json")));

  const std::string json = cli("eval --model " + model + " --data " + data + " --json", status);
  ASSERT_EQ(status, 0) << json;
  EXPECT_NEAR(number_after(json, "\"accuracy\": "), trained, 1e-6) << json;
  for (const char* key : {"\"loss\"", "\"top5_accuracy\"", "\"per_class\"", "\"confusion_matrix\""})
    EXPECT_NE(json.find(key), std::string::npos) << key;

  // predict on an array equals the library's predict on the loaded model.
  const Tensor x = io::read_npy(data + "/x_test.npy");
  const std::string y_path = dir.file("y.npy");
  cli("predict --model " + model + " --input " + data + "/x_test.npy --output " + y_path, status);
  ASSERT_EQ(status, 0);
  const Tensor y = io::read_npy(y_path);
  const Tensor want = io::load_model(model).model->predict(x);
  ASSERT_EQ(y.shape(), want.shape());
  for (int64_t i = 0; i < y.numel(); ++i) ASSERT_EQ(y[i], want[i]) << i;

  // PyTorch, reading the file with a plain safetensors reader, gives the same outputs.
  const std::string torch_y = dir.file("torch_y.npy");
  const std::string py = run_command("/usr/bin/python3 " + std::string(CONVNET_SOURCE_DIR) +
                                         "/tests/golden/lenet5_torch.py " + model + " " + data +
                                         "/x_test.npy " + torch_y + " 2>&1",
                                     status);
  ASSERT_EQ(status, 0) << py;
  const Tensor ty = io::read_npy(torch_y);
  ASSERT_EQ(ty.shape(), y.shape());
  for (int64_t i = 0; i < y.numel(); ++i) ASSERT_NEAR(ty[i], y[i], 1e-4) << i;
}

// --resume from an epoch-1 checkpoint equals training two epochs at once, bit for bit; Ctrl-C
// (SIGINT) checkpoints and exits with 130, and an image prediction prints class names.
TEST(CliTrain, ResumeInterruptAndPredictByName) {
  TempDir dir;
  const std::string data = write_small_dataset(dir, 256, 64);
  const std::string common = "train --model lenet5 --data " + data + " --batch-size 32 --seed 3 --quiet";
  int status = 0;
  cli(common + " --epochs 2 --out " + dir.file("whole.safetensors"), status);
  ASSERT_EQ(status, 0);
  cli(common + " --epochs 1 --out " + dir.file("half.safetensors"), status);
  ASSERT_EQ(status, 0);
  cli(common + " --epochs 2 --resume " + dir.file("half.safetensors") + " --out " +
          dir.file("resumed.safetensors"),
      status);
  ASSERT_EQ(status, 0);
  auto a = io::load_model(dir.file("whole.safetensors")).model;
  auto b = io::load_model(dir.file("resumed.safetensors")).model;
  const auto pa = a->params(), pb = b->params();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t k = 0; k < pa.size(); ++k)
    for (int64_t i = 0; i < pa[k].param.value->numel(); ++i)
      ASSERT_EQ((*pa[k].param.value)[i], (*pb[k].param.value)[i]) << pa[k].name << " " << i;

  // SIGINT while training: a checkpoint, exit status 130, a hint to resume.
  const std::string interrupted = dir.file("int.safetensors");
  const pid_t pid = start_training(data, interrupted, "500");
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGINT);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 130);
  EXPECT_NO_THROW(io::load_model(interrupted));

  // One test image as PNG (8-bit, so read back exactly): the top 3 classes, best first.
  const Tensor x = io::read_npy(data + "/x_test.npy");
  const Tensor img = Tensor::from({1, 1, 28, 28}, x.data());
  write_png(dir.file("img.png"), img.reshape({1, 28, 28}));
  const std::string out =
      cli("predict --model " + dir.file("whole.safetensors") + " " + dir.file("img.png") + " --top 3",
          status);
  ASSERT_EQ(status, 0);
  const Tensor p = a->predict(img);
  const int64_t best = std::max_element(p.begin(), p.end()) - p.begin();
  std::istringstream lines(out);
  std::string first_line, second_line;
  std::getline(lines, first_line);
  std::getline(lines, second_line);
  EXPECT_EQ(first_line, dir.file("img.png"));
  EXPECT_EQ(std::stoll(second_line), best) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 4) << out;
}

// An image folder of RGB images of another size trains LeNet-5 at --input 1x28x28.
TEST(CliTrain, ImageFolderIsResizedToTheModelInput) {
  TempDir dir;
  Rng rng(3);
  for (const char* cls : {"dark", "light"})
    for (int i = 0; i < 12; ++i) {
      Tensor img({3, 30, 40});
      const float base = std::string(cls) == "dark" ? 0.2f : 0.8f;
      for (float& v : img) v = base + rng.uniform(-0.1f, 0.1f);
      write_png(dir.file(std::string("images/") + cls + "/" + std::to_string(i) + ".png"), img);
    }
  int status = 0;
  const std::string out = cli("train --model lenet5 --input 1x28x28 --data " +
                                  dir.file("images") + " --epochs 3 --batch-size 8 --out " +
                                  dir.file("m.safetensors") + " --quiet",
                              status, true);
  ASSERT_EQ(status, 0) << out;
  auto m = io::load_model(dir.file("m.safetensors")).model;
  EXPECT_EQ(m->input_shape(), Shape({1, 28, 28}));
  EXPECT_EQ(m->output_shape(), Shape({2}));
}

TEST(CliTrain, ErrorsAreOneLineAndLeaveNoOutputFile) {
  TempDir dir;
  int status = 0;
  std::string err = cli("eval --model " + dir.file("missing.safetensors"), status, true);
  EXPECT_NE(status, 0);
  EXPECT_EQ(err.find("convnet: error: "), 0u) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;

  testing::write_bytes(dir.file("bad.npy"), std::string("\x93NUMPY garbage"));
  err = cli("predict --model lenet5 --input " + dir.file("bad.npy") + " --output " +
                dir.file("out.npy"),
            status, true);
  EXPECT_NE(status, 0);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.npy")));

  err = cli("train --data " + dir.file("nowhere") + " --out " + dir.file("m.safetensors"), status,
            true);
  EXPECT_NE(status, 0);
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.safetensors")));
}

// SIGKILL at a random moment after the first checkpoint: the file is always a loadable model.
TEST(CliTrain, KilledTrainingLeavesALoadableCheckpoint) {
  TempDir dir;
  const std::string data = write_small_dataset(dir, 256, 32);
  const std::string model = dir.file("m.safetensors");
  std::srand(unsigned(::getpid()));
  for (int round = 0; round < 3; ++round) {
    std::filesystem::remove(model);
    const pid_t pid = start_training(data, model, "200");
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::rand() % 400));
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid, &wstatus, 0);
    ASSERT_TRUE(std::filesystem::exists(model)) << "no checkpoint within 60 s";
    EXPECT_NO_THROW(io::load_model(model)) << "round " << round;
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
      if (e.path().string().find(".tmp.") != std::string::npos)
        std::filesystem::remove(e.path());  // a killed writer's temporary is garbage, never read
  }
}

}  // namespace
}  // namespace convnet
