/**
 * The sparse softmax cross-entropy and its gradient of the same logits and labels, in one pass
 * (kernels/cross-entropy.ts: one exp per logit, core's row kernels). The pass runs at the first
 * of the pair and writes both values; the second's step does nothing. When the gradient's only
 * reader is the loop `mul(s, gradient)` with s one value already known (the mean's 1 / n), the
 * kernel writes the product instead: neither the gradient nor that loop is made.
 * @module
 */
import { type Node, sizeOf } from '@stablegrad/core';
import { op, v } from '@stablegrad/rewrite';
import { sparseCrossEntropy } from '../../kernels/cross-entropy.js';
import type { Schedule } from '../schedule.js';
import { type KernelContext, type KernelPlan, specialKernel } from './kernel.js';

const LOSS = 'sparseSoftmaxCrossEntropyWithLogits';
const GRADIENT = 'sparseSoftmaxCrossEntropyGrad';

/** The loss and gradient of the same logits and labels in one pass, a following `mul(1 / n, gradient)` folded in. */
export const sparseCrossEntropyPair = specialKernel({
  name: 'sparse-cross-entropy',
  doc: 'sparse softmax cross-entropy and its gradient of the same logits in one pass, a mul(1 / n, gradient) after it folded in',
  pattern: op([LOSS, GRADIENT], [v('z'), v('labels')]),
  plan: (m, i, ctx) => planPair(m.$root, i, ctx),
});

function planPair(node: Node, i: number, ctx: KernelContext): KernelPlan {
  const s = ctx.schedule;
  const isLoss = node.op === LOSS;
  const found = s.nodes.findIndex((other, j) => j > i && ctx.runs(j) && isPartner(node, other));
  const partner = found >= 0 ? found : null;
  const fold = partner !== null && isLoss ? scaledBy(partner, i, ctx) : null;
  // Where the partner's value goes: its own buffer, or the product's when the scaling is folded.
  const target = fold?.user ?? partner;
  const [z, labels] = node.inputs.map(s.at) as [number, number];
  const zShape = s.shapes[z]!;
  const k = zShape[zShape.length - 1]!;
  return {
    writes: target === null ? [i] : [i, target],
    computes: partner === null ? [] : fold === null ? [partner] : [partner, fold.user],
    build: (buffers) => {
      const out = buffers[i]!;
      const partnerOut = target === null ? undefined : buffers[target]!;
      const run = sparseCrossEntropy(sizeOf(s.shapes[labels]!), k, node, node.dtype === 'float64' ? 'float64' : 'float32');
      const lossOut = isLoss ? out : partnerOut;
      const gradOut = isLoss ? partnerOut : out;
      const scale = fold?.scale;
      return {
        tally: { foldedScales: fold === null ? 0 : 1 },
        step: (values) => {
          run(values[z]!, values[labels]!, lossOut, gradOut, scale === undefined ? null : values[scale]![0]!);
          values[i] = out;
          if (target !== null) values[target] = partnerOut;
        },
      };
    },
  };
}

function isPartner(a: Node, b: Node): boolean {
  const ops = new Set([a.op, b.op]);
  return ops.has(LOSS) && ops.has(GRADIENT) && a.inputs[0] === b.inputs[0] && a.inputs[1] === b.inputs[1];
}

/**
 * The fused loop `mul(s, g)` that is the only reader of gradient g, with s a single value
 * computed before step `at` (or a source), and the position of s; else null.
 */
function scaledBy(g: number, at: number, ctx: KernelContext): { user: number; scale: number } | null {
  const s: Schedule = ctx.schedule;
  const reads = s.users[g]!;
  if (reads.length !== 1 || s.isOutput.has(g)) return null;
  const user = reads[0]!;
  const loop = ctx.loops.get(user);
  if (loop === undefined || loop.members.length !== 1 || s.nodes[user]!.op !== 'mul' || s.nodes[user]!.dtype !== s.nodes[g]!.dtype) return null;
  if (loop.leaves.length !== 2) return null;
  const leaves = loop.leaves.map(s.at);
  const gAt = leaves.indexOf(g);
  if (gAt < 0) return null;
  const scale = leaves[1 - gAt]!;
  if (loop.modes[gAt]!.kind !== 'full' || loop.modes[1 - gAt]!.kind !== 'scalar' || (scale >= at && !s.isSource(scale))) return null;
  return { user, scale };
}
