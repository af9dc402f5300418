//===- CudaTestUtil.cpp - compiling examples for the CUDA tests -----------===//

#include "CudaTestUtil.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <unistd.h>

namespace goe::cuda_test {

const std::vector<Example> &allExamples() {
  static const std::vector<Example> examples = {
      {"RotatedMnistGoe", "rotated_mnist/goe.yaml", ""},
      {"RotatedMnistRef", "rotated_mnist/ref.yaml", ""},
      {"CelebaGoe", "celeba/goe.yaml", ""},
      {"GatedMixture", "gated_mixture/cifar10.yaml", ""},
      {"BackboneGating", "backbone_gating/screws.yaml", ""},
      {"MoeYolov7Tiny", "moe_yolov7_tiny/moe.yaml", "--var size=64"},
  };
  return examples;
}

std::string ptxasPath() {
  std::string configured = GOE_TEST_PTXAS;
  if (!configured.empty() && access(configured.c_str(), X_OK) == 0)
    return configured;
  return "";
}

int runCommand(const std::string &command, std::string &output) {
  output.clear();
  FILE *pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    output.append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string compileExample(const Example &example, const std::string &target,
                           std::string &log) {
  // Artifacts are removed when the test binary exits.
  static struct Cache : std::map<std::string, std::string> {
    ~Cache() {
      for (auto &entry : *this)
        std::remove(entry.second.c_str());
    }
  } cache;
  std::string key = example.name + "/" + target;
  if (auto it = cache.find(key); it != cache.end())
    return it->second;
  const char *tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp ? tmp : "/tmp") + "/goe-cuda-test-" +
                     std::to_string(getpid()) + "-" + example.name + "-" +
                     (target == "cuda" ? "cuda" : "cpu-cuda") + ".goe";
  std::string command = std::string(GOE_COMPILE) + " " + GOE_EXAMPLES_DIR +
                        "/" + example.spec + " " + example.flags +
                        " --seed 3 --target=" + target + " -o " + path;
  if (runCommand(command, log) != 0)
    return "";
  cache[key] = path;
  return path;
}

} // namespace goe::cuda_test
