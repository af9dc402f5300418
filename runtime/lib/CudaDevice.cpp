//===- CudaDevice.cpp - running compiled functions on a CUDA GPU ----------===//

#include "CudaDevice.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace goe::runtime::detail {
namespace {

int64_t evaluate(const artifact::BatchLinear &value, int64_t batch) {
  return value.per_sample() * batch + value.fixed();
}

std::vector<int64_t> batched(int64_t batch, const std::vector<int64_t> &shape) {
  std::vector<int64_t> out{batch};
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

/// Appends MLIR's expanded memref descriptor for a row-major buffer:
/// allocated, aligned, offset, sizes[rank], strides[rank].
void appendDescriptor(std::vector<uint64_t> &words, CUdeviceptr pointer,
                      const std::vector<int64_t> &shape) {
  words.push_back(pointer);
  words.push_back(pointer);
  words.push_back(0);
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  for (int64_t size : shape)
    words.push_back(static_cast<uint64_t>(size));
  for (int64_t s : strides)
    words.push_back(static_cast<uint64_t>(s));
}

/// Device buffers freed when the call ends, whatever way it ends.
struct DeviceBuffers {
  const CudaDriver &driver;
  std::vector<CUdeviceptr> pointers;
  ~DeviceBuffers() {
    for (CUdeviceptr p : pointers)
      if (p)
        driver.cuMemFree(p);
  }
  StatusOr<CUdeviceptr> allocate(size_t bytes, const std::string &what) {
    CUdeviceptr pointer = 0;
    // cuMemAlloc refuses 0 bytes; an empty buffer is never dereferenced.
    GOE_RETURN_IF_ERROR(driver.check(
        driver.cuMemAlloc(&pointer, std::max<size_t>(bytes, 1)),
        "allocating " + std::to_string(bytes) + " bytes for " + what));
    pointers.push_back(pointer);
    return pointer;
  }
};

} // namespace

StatusOr<std::unique_ptr<ComputeDevice>>
CudaDevice::create(const Program &program, const SessionOptions &options,
                   ThreadPool &) {
  StatusOr<std::unique_ptr<CudaDevice>> device =
      open(program, options.cudaDriverLibrary, options.deviceOrdinal);
  if (!device.ok())
    return device.status().withContext("creating a CUDA session");
  return std::unique_ptr<ComputeDevice>(std::move(device).value());
}

StatusOr<std::unique_ptr<CudaDevice>>
CudaDevice::open(const Program &program, const std::string &driverLibrary,
                 int ordinal) {
  // The artifact is checked before the driver: a model without CUDA code
  // gets that message on any machine.
  StatusOr<const artifact::CudaCode *> code = findCudaCode(program);
  if (!code.ok())
    return code.status();
  StatusOr<std::vector<const artifact::CudaFunction *>> plans =
      validateCudaPlans(program, **code);
  if (!plans.ok())
    return plans.status();

  StatusOr<std::shared_ptr<const CudaDriver>> driver =
      CudaDriver::load(driverLibrary);
  if (!driver.ok())
    return driver.status();
  std::unique_ptr<CudaDevice> device(new CudaDevice());
  device->driver_ = *driver;
  device->program_ = &program;
  device->code_ = *code;
  const CudaDriver &cu = **driver;

  GOE_RETURN_IF_ERROR(cu.check(cu.cuInit(0), "cuInit"));
  int count = 0;
  GOE_RETURN_IF_ERROR(cu.check(cu.cuDeviceGetCount(&count), "cuDeviceGetCount"));
  if (ordinal < 0 || ordinal >= count)
    return failedPrecondition(
        count == 0 ? std::string("no CUDA device: the driver sees no GPU")
                   : "no CUDA device " + std::to_string(ordinal) + " (the "
                     "driver sees " + std::to_string(count) + ")");
  GOE_RETURN_IF_ERROR(
      cu.check(cu.cuDeviceGet(&device->device_, ordinal), "cuDeviceGet"));
  char name[256] = {};
  if (cu.cuDeviceGetName(name, sizeof(name) - 1, device->device_) ==
      kCudaSuccess)
    device->name_ = name;
  int major = 0, minor = 0;
  cu.cuDeviceGetAttribute(&major, kAttrComputeMajor, device->device_);
  cu.cuDeviceGetAttribute(&minor, kAttrComputeMinor, device->device_);
  GOE_RETURN_IF_ERROR(cu.check(
      cu.cuDevicePrimaryCtxRetain(&device->context_, device->device_),
      "retaining the primary context"));
  GOE_RETURN_IF_ERROR(
      cu.check(cu.cuCtxSetCurrent(device->context_), "cuCtxSetCurrent"));

  // The cubin runs only on the chip it was built for; any other GPU gets
  // the PTX, compiled by the driver's JIT.
  std::string chip = "sm_" + std::to_string(major) + std::to_string(minor);
  bool useCubin = !(*code)->cubin().empty() && chip == (*code)->chip();
  if (!useCubin && (*code)->ptx().empty())
    return failedPrecondition("the CUDA code is a cubin for " +
                              (*code)->chip() + " and this GPU is " + chip +
                              " (no PTX to JIT)");
  const void *image = useCubin ? static_cast<const void *>((*code)->cubin().data())
                               : static_cast<const void *>((*code)->ptx().c_str());
  GOE_RETURN_IF_ERROR(cu.check(cu.cuModuleLoadData(&device->module_, image),
                               useCubin ? "loading the cubin"
                                        : "JIT-compiling the PTX for " + chip));

  for (const artifact::CudaFunction *plan : *plans) {
    CudaFunctionPlan resolved;
    resolved.plan = plan;
    for (const artifact::CudaLaunch &launch : plan->launches()) {
      CUfunction kernel = nullptr;
      GOE_RETURN_IF_ERROR(cu.check(
          cu.cuModuleGetFunction(&kernel, device->module_,
                                 launch.kernel().c_str()),
          "finding kernel '" + launch.kernel() + "'"));
      resolved.kernels.push_back(kernel);
    }
    device->plans_.push_back(std::move(resolved));
  }

  // Weights once, for the session's lifetime.
  for (const LoadedWeight &weight : program.weights) {
    CUdeviceptr pointer = 0;
    size_t bytes = weight.tensor.byteSize();
    GOE_RETURN_IF_ERROR(cu.check(cu.cuMemAlloc(&pointer, std::max<size_t>(bytes, 1)),
                                 "allocating weight '" + weight.name + "'"));
    device->weights_.push_back(pointer);
    GOE_RETURN_IF_ERROR(cu.check(
        cu.cuMemcpyHtoD(pointer, weight.tensor.data(), bytes),
        "uploading weight '" + weight.name + "'"));
  }
  return device;
}

CudaDevice::~CudaDevice() {
  if (!driver_)
    return;
  if (context_)
    driver_->cuCtxSetCurrent(context_);
  for (CUdeviceptr p : weights_)
    driver_->cuMemFree(p);
  if (module_)
    driver_->cuModuleUnload(module_);
  if (context_)
    driver_->cuDevicePrimaryCtxRelease(device_);
}

Status CudaDevice::run(const LoadedFunction &fn, int64_t batch,
                       const std::vector<const Tensor *> &inputs,
                       std::vector<Tensor> &outputs, CallTimes *times) {
  // One stream, serialized: the call's wall time is its busy time.
  auto start = std::chrono::steady_clock::now();
  Status status = runOnGpu(fn, batch, inputs, outputs);
  if (times)
    times->busySeconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return status;
}

Status CudaDevice::runOnGpu(const LoadedFunction &fn, int64_t batch,
                            const std::vector<const Tensor *> &inputs,
                            std::vector<Tensor> &outputs) {
  auto found = program_->functionIndex.find(fn.name);
  if (found == program_->functionIndex.end())
    return internalError("function '" + fn.name + "' is not in the program");
  if (inputs.size() != fn.inputs.size())
    return internalError("function '" + fn.name + "' called with " +
                         std::to_string(inputs.size()) + " inputs");
  std::lock_guard<std::mutex> lock(mutex_);
  const CudaDriver &cu = *driver_;
  GOE_RETURN_IF_ERROR(cu.check(cu.cuCtxSetCurrent(context_), "cuCtxSetCurrent"));
  DeviceBuffers buffers{cu, {}};

  // Arguments in destination-passing order: inputs, weights, outputs.
  std::vector<CUdeviceptr> arguments;
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor &in = *inputs[i];
    StatusOr<CUdeviceptr> pointer =
        buffers.allocate(in.byteSize(), "input " + std::to_string(i));
    if (!pointer.ok())
      return pointer.status();
    GOE_RETURN_IF_ERROR(cu.check(cu.cuMemcpyHtoD(*pointer, in.data(), in.byteSize()),
                                 "uploading input " + std::to_string(i)));
    arguments.push_back(*pointer);
    shapes.push_back(in.shape());
  }
  for (int w : fn.weights) {
    arguments.push_back(weights_[w]);
    shapes.push_back(program_->weights[w].tensor.shape());
  }
  outputs.clear();
  for (size_t i = 0; i < fn.outputs.size(); ++i) {
    StatusOr<Tensor> out =
        Tensor::zeros(fn.outputs[i].dtype, batched(batch, fn.outputs[i].shape));
    if (!out.ok())
      return out.status();
    StatusOr<CUdeviceptr> pointer =
        buffers.allocate(out->byteSize(), "output " + std::to_string(i));
    if (!pointer.ok())
      return pointer.status();
    // Zeroed like the CPU path's outputs: kernels may accumulate into them.
    GOE_RETURN_IF_ERROR(cu.check(cu.cuMemsetD8(*pointer, 0, out->byteSize()),
                                 "clearing output " + std::to_string(i)));
    arguments.push_back(*pointer);
    shapes.push_back(out->shape());
    outputs.push_back(std::move(out).value());
  }

  const CudaFunctionPlan &resolved = plans_[found->second];
  const artifact::CudaFunction &plan = *resolved.plan;
  std::vector<CUdeviceptr> temporaries;
  std::vector<std::vector<int64_t>> temporaryShapes;
  for (const artifact::CudaTemporary &temporary : plan.temporaries()) {
    std::vector<int64_t> shape;
    int64_t elements = 1;
    for (const artifact::BatchLinear &extent : temporary.shape()) {
      shape.push_back(evaluate(extent, batch));
      elements *= shape.back();
    }
    if (elements < 0)
      return internalError("function '" + fn.name + "': negative temporary");
    StatusOr<CUdeviceptr> pointer = buffers.allocate(
        static_cast<size_t>(elements) * temporary.element_bytes(),
        "a temporary of '" + fn.name + "'");
    if (!pointer.ok())
      return pointer.status();
    temporaries.push_back(*pointer);
    temporaryShapes.push_back(std::move(shape));
  }

  uint32_t block = code_->block_size();
  for (int l = 0; l < plan.launches_size(); ++l) {
    const artifact::CudaLaunch &launch = plan.launches(l);
    int64_t threads = evaluate(launch.threads(), batch);
    if (threads <= 0)
      continue;
    int64_t grid = (threads + block - 1) / block;
    if (grid > 0x7fffffff)
      return resourceExhausted("kernel '" + launch.kernel() + "' needs " +
                               std::to_string(grid) + " blocks; split the batch");
    std::vector<uint64_t> words;
    for (const artifact::CudaArgument &argument : launch.arguments()) {
      switch (argument.kind()) {
      case artifact::CudaArgument::ARGUMENT:
        appendDescriptor(words, arguments[argument.index()],
                         shapes[argument.index()]);
        break;
      case artifact::CudaArgument::TEMPORARY:
        appendDescriptor(words, temporaries[argument.index()],
                         temporaryShapes[argument.index()]);
        break;
      default:
        words.push_back(static_cast<uint64_t>(evaluate(argument.value(), batch)));
      }
    }
    // Every kernel parameter is one 8-byte word (pointers and i64).
    std::vector<void *> params(words.size());
    for (size_t i = 0; i < words.size(); ++i)
      params[i] = &words[i];
    GOE_RETURN_IF_ERROR(cu.check(
        cu.cuLaunchKernel(resolved.kernels[l], static_cast<unsigned>(grid), 1, 1,
                          block, 1, 1, 0, nullptr, params.data(), nullptr),
        "launching kernel '" + launch.kernel() + "' of '" + fn.name + "'"));
  }
  GOE_RETURN_IF_ERROR(cu.check(cu.cuCtxSynchronize(),
                               "running the kernels of '" + fn.name + "'"));
  for (size_t i = 0; i < outputs.size(); ++i)
    GOE_RETURN_IF_ERROR(cu.check(
        cu.cuMemcpyDtoH(outputs[i].data(),
                        arguments[inputs.size() + fn.weights.size() + i],
                        outputs[i].byteSize()),
        "downloading output " + std::to_string(i)));
  fn.calls.fetch_add(1, std::memory_order_relaxed);
  fn.samples.fetch_add(static_cast<uint64_t>(batch), std::memory_order_relaxed);
  return okStatus();
}

} // namespace goe::runtime::detail
