/**
 * `@stablegrad/compile`: the compiled backend. `compile(graph)` turns a graph into an
 * executable with one plan per batch size: scheduled once, buffers reused by liveness,
 * elementwise chains fused into generated loops, transposes folded into matmuls.
 * @module
 */
export { compile, type Executable } from './executable.js';
export type { PlanOptions, PlanStats } from './plan.js';
export { matmulJs } from '@stablegrad/core/kernels';
export { wasmMemoryBytes } from './kernels/wasm-matmul.js';
export { wasmMatmul, wasmSimdSupported, type WasmMatmul } from './wasm/matmul.js';
export type { MatmulKernelConfig } from './wasm/matmul-module.js';
export type { WasmMemory } from './wasm/wasm-api.js';
