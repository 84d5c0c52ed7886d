/**
 * The systems, in table order. stablegrad systems come first; the first available one in
 * `BASE_PREFERENCE` is the base of the ratios.
 * @module
 */
import type { System } from '../system.js';
import { jaxJs } from './jax-js.js';
import { stablegradCompiled } from './stablegrad-compiled.js';
import { stablegradInterp } from './stablegrad-interp.js';
import { stablegradNn } from './stablegrad-nn.js';
import { tfjsCpu, tfjsWasm } from './tfjs.js';
import { torch1t, torch2t } from './torch.js';

/**
 * Every system the harness knows, in table order.
 * @example
 * ```ts
 * SYSTEMS.map((s) => s.name); // ['stablegrad-compiled', 'stablegrad-nn', 'stablegrad-interp', 'tfjs-cpu', 'tfjs-wasm', 'jax-js', 'torch-1t', 'torch-2t']
 * ```
 */
export const SYSTEMS: readonly System[] = [stablegradCompiled, stablegradNn, stablegradInterp, tfjsCpu, tfjsWasm, jaxJs, torch1t, torch2t];

/**
 * Which stablegrad system the ratios divide by, best first: the compiled backend once it exists.
 * @example
 * ```ts
 * BASE_PREFERENCE.find((name) => available.has(name)); // 'stablegrad-compiled'
 * ```
 */
export const BASE_PREFERENCE: readonly string[] = ['stablegrad-compiled', 'stablegrad-interp'];
