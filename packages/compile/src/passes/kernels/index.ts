/**
 * The kernel table: the entries the kernel pass tries, in order, on every node that runs a step
 * and is not a fused loop. The first whose pattern and guard match plans the node; the last,
 * core's own kernel, matches every node.
 * @module
 */
import { type Match, matches } from '@stablegrad/rewrite';
import type { KernelContext, SpecialKernel } from './kernel.js';
import { coreKernel } from './core-kernel.js';
import { conv2dGradSimd, conv2dSimd } from './conv.js';
import { matmul2d } from './matmul.js';
import { sumOrMean, sumTo, variance } from './reductions.js';
import { sparseCrossEntropyPair } from './sparse-cross-entropy.js';

/**
 * The kernels in the order they are tried.
 * @example
 * ```ts
 * KERNELS.map((k) => k.name); // ['matmul-2d', 'conv2d-simd', 'conv2d-grad-simd', 'sum-or-mean', 'sum-to', 'variance', 'sparse-cross-entropy', 'core-kernel']
 * ```
 */
export const KERNELS: readonly SpecialKernel[] = [matmul2d, conv2dSimd, conv2dGradSimd, sumOrMean, sumTo, variance, sparseCrossEntropyPair, coreKernel];

/**
 * The kernel that runs node i, and the pattern's match there.
 * @example
 * ```ts
 * pickKernel(s.at(a.matmul(b)), ctx)?.kernel.name; // 'matmul-2d'
 * ```
 */
export function pickKernel(i: number, ctx: KernelContext): { readonly kernel: SpecialKernel; readonly match: Match } {
  const node = ctx.schedule.nodes[i]!;
  for (const kernel of KERNELS) {
    for (const match of matches(kernel.pattern, node)) {
      if (kernel.guard === undefined || kernel.guard(match, ctx)) return { kernel, match };
    }
  }
  throw new Error(`no kernel matches ${node}: the table must end with one that matches every node`);
}
