// RUN: goe-opt %s -split-input-file -verify-diagnostics
// Every verifier rule of the goe dialect, one case per split.

// expected-error @+1 {{a routing picks k in [1, 4] choices, got k = 0}}
func.func private @f(%r: !goe.routing<4, top 0>)

// -----

// expected-error @+1 {{picks k in [1, 2], got k = 3}}
goe.router @r topk choices 2 top 3 body @g

// -----

// expected-error @+1 {{of kind 'topk' needs a body function}}
goe.router @r topk choices 2 top 1

// -----

func.func private @g(%x: tensor<?x4xf32>) -> tensor<?x2xf32>
// expected-error @+1 {{of kind 'oracle' takes no body function}}
goe.router @r oracle choices 2 top 1 body @g

// -----

func.func private @enc(%x: tensor<?x4xf32>) -> tensor<?x2x2x4xf32>
// expected-error @+1 {{of kind 'vqvae_hclust' needs a positive integer parameter 'codes'}}
goe.router @r vqvae_hclust choices 4 top 1 body @enc params {code_dim = 4 : i64}

// -----

func.func private @g(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
// expected-error @+1 {{chooses among 2 experts but its gate @g emits [3] logits}}
goe.router @r topk choices 2 top 1 body @g

// -----

func.func private @enc(%x: tensor<?x4xf32>) -> tensor<?x2x2x8xf32>
// expected-error @+1 {{has code_dim 4 but its encoder @enc emits [8, 2, 2] (want [code_dim, H, W])}}
goe.router @r vqvae_hclust choices 4 top 1 body @enc params {code_dim = 4 : i64, codes = 16 : i64}

// -----

// expected-error @+1 {{body @missing is not a function in this module}}
goe.router @r topk choices 2 top 1 body @missing

// -----

goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{@nowhere is not a goe.router}}
  %r = goe.route @nowhere(%x) : tensor<?x4xf32> -> !goe.routing<2, top 1>
  goe.output %x : tensor<?x4xf32>
}

// -----

goe.router @r random choices 2 top 1
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{result '!goe.routing<3, top 1>' does not match router @r (2 choices, top 1)}}
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<3, top 1>
  goe.output %x : tensor<?x4xf32>
}

// -----

goe.router @r oracle choices 2 top 1
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{oracle router @r reads one i64 label per input, got 'tensor<?x4xf32>'}}
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<2, top 1>
  goe.output %x : tensor<?x4xf32>
}

// -----

func.func private @g(%x: tensor<?x8xf32>) -> tensor<?x2xf32>
goe.router @r topk choices 2 top 1 body @g
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{feeds 'tensor<?x4xf32>' to router @r whose body @g takes 'tensor<?x8xf32>'}}
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<2, top 1>
  goe.output %x : tensor<?x4xf32>
}

// -----

func.func private @a(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
goe.router @r random choices 2 top 1
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<2, top 1>
  // expected-error @+1 {{has 1 paths but its route chooses among 2}}
  %y = goe.dispatch %r(%x) paths [[@a]] : !goe.routing<2, top 1>, (tensor<?x4xf32>) -> tensor<?x1x3xf32>
  goe.output %x : tensor<?x4xf32>
}

// -----

func.func private @a(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
func.func private @b(%x: tensor<?x4xf32>) -> tensor<?x5xf32>
goe.router @r random choices 2 top 1
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<2, top 1>
  // expected-error @+1 {{path 1 returns 'tensor<?x5xf32>' but path 0 returns 'tensor<?x3xf32>'}}
  %y = goe.dispatch %r(%x) paths [[@a], [@b]] : !goe.routing<2, top 1>, (tensor<?x4xf32>) -> tensor<?x1x3xf32>
  goe.output %x : tensor<?x4xf32>
}

// -----

func.func private @a(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
func.func private @b(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
goe.router @r random choices 2 top 1
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<2, top 1>
  // expected-error @+1 {{path 0: @b takes 'tensor<?x4xf32>' but is given 'tensor<?x3xf32>'}}
  %y = goe.dispatch %r(%x) paths [[@a, @b], [@a, @b]] : !goe.routing<2, top 1>, (tensor<?x4xf32>) -> tensor<?x1x3xf32>
  goe.output %x : tensor<?x4xf32>
}

// -----

func.func private @a(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
goe.router @r random choices 1 top 1
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<1, top 1>
  // expected-error @+1 {{path 0 calls @nope, which is not a function in this module}}
  %y = goe.dispatch %r(%x) paths [[@nope]] : !goe.routing<1, top 1>, (tensor<?x4xf32>) -> tensor<?x1x3xf32>
  goe.output %x : tensor<?x4xf32>
}

// -----

func.func private @a(%x: tensor<?x4xf32>) -> tensor<?x3xf32>
goe.router @r random choices 1 top 1
goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = goe.route @r(%x) : tensor<?x4xf32> -> !goe.routing<1, top 1>
  // expected-error @+1 {{result 0 has type 'tensor<?x3xf32>' but top-1 of path result 'tensor<?x3xf32>' is 'tensor<?x1x3xf32>'}}
  %y = goe.dispatch %r(%x) paths [[@a]] : !goe.routing<1, top 1>, (tensor<?x4xf32>) -> tensor<?x3xf32>
  goe.output %x : tensor<?x4xf32>
}

// -----

func.func private @f(%r: !goe.routing<4, top 2>, %y: tensor<?x2x3xf32>) {
  // expected-error @+1 {{select needs a top-1 route, but it picks 2; use weighted_sum or wbf}}
  %z = goe.combine select %r, %y : !goe.routing<4, top 2>, tensor<?x2x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func private @f(%r: !goe.routing<4, top 2>, %y: tensor<?x3x3xf32>) {
  // expected-error @+1 {{expects per-choice results [2, ...] per sample, got [3, 3]}}
  %z = goe.combine weighted_sum %r, %y : !goe.routing<4, top 2>, tensor<?x3x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func private @f(%r: !goe.routing<2, top 1>, %b: tensor<?x10xf32>, %s: tensor<?x1x10xf32>, %i: tensor<?x1x10x3xf32>) {
  // expected-error @+1 {{importance must be [1, 10, 2], got [1, 10, 3]}}
  %z = goe.combine importance_mix %r, %b, %s, %i : !goe.routing<2, top 1>, tensor<?x10xf32>, tensor<?x1x10xf32>, tensor<?x1x10x3xf32> -> tensor<?x10xf32>
  return
}

// -----

func.func private @f(%r: !goe.routing<4, top 2>, %a: tensor<?x2x3x4x4x85xf32>, %b: tensor<?x2x3x2x2x9xf32>) {
  // expected-error @+1 {{wbf reads YOLO head levels [2, 3, H, W, nc + 5] (k choices of detect layers) with one nc, got [2, 3, 2, 2, 9]}}
  %z = goe.combine wbf %r, %a, %b : !goe.routing<4, top 2>, tensor<?x2x3x4x4x85xf32>, tensor<?x2x3x2x2x9xf32> -> tensor<?x300x6xf32>
  return
}

// -----

func.func private @f(%r: !goe.routing<4, top 2>, %a: tensor<?x1x3x4x4x85xf32>) {
  // expected-error @+1 {{nms reads YOLO head levels [2, 3, H, W, nc + 5] (k choices of detect layers) with one nc, got [1, 3, 4, 4, 85]}}
  %z = goe.combine nms %r, %a : !goe.routing<4, top 2>, tensor<?x1x3x4x4x85xf32> -> tensor<?x300x6xf32>
  return
}

// -----

goe.graph @m(%x: tensor<?x4xf32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{result 0 has type 'tensor<?x4xf32>' but the graph declares 'tensor<?x5xf32>'}}
  goe.output %x : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{input 0 must be a ranked tensor with a batch dimension, got 'f32'}}
goe.graph @m(%x: f32) -> f32 {
  goe.output %x : f32
}
