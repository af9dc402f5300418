// RUN: goe-opt %s --goe-gather-gpu-kernels | FileCheck %s

// Kernels outlined per launch, named after dotted host functions, end up in
// one gpu.module with PTX-safe, unique names; launches follow the rename.
// CHECK-NOT: gpu.module @paths
// CHECK: gpu.launch_func @goe_kernels::@paths_path0_kernel
// CHECK: gpu.launch_func @goe_kernels::@paths_path0_kernel_1
// CHECK: gpu.module @goe_kernels
// CHECK-DAG: gpu.func @paths_path0_kernel(
// CHECK-DAG: gpu.func @paths_path0_kernel_1(
module attributes {gpu.container_module} {
  func.func @"paths.path0"(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @"paths.path0_kernel"::@"paths.path0_kernel" blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @"paths.path0_kernel_0"::@"paths.path0_kernel" blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
  gpu.module @"paths.path0_kernel" {
    gpu.func @"paths.path0_kernel"(%m: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @"paths.path0_kernel_0" {
    gpu.func @"paths.path0_kernel"(%m: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
