/**
 * Every op without a special kernel runs its own core kernel, the interpreter's code, writing
 * into a pooled buffer: `opDef(op).kernel(inputs, attrs, out, node)`.
 * @module
 */
import { type Node, opDef, type Tensor, type TypedArray } from '@stablegrad/core';
import { v } from '@stablegrad/rewrite';
import { type BuiltStep, type KernelContext, specialKernel, writesItself } from './kernel.js';

/** Any op: its core kernel into a pooled buffer (the last entry of the table: it matches every node). */
export const coreKernel = specialKernel({
  name: 'core-kernel',
  doc: "any op: its own core kernel, the interpreter's code, writing into a pooled buffer",
  pattern: v('node'),
  plan: (m, i, ctx) => writesItself(i, (out) => kernelStep(m.$root, i, ctx, out)),
});

function kernelStep(node: Node, i: number, ctx: KernelContext, data: TypedArray): BuiltStep {
  const s = ctx.schedule;
  const out: Tensor = { shape: s.shapes[i]!, dtype: node.dtype, data };
  const def = opDef(node.op);
  const inputs = node.inputs.map(s.at);
  const tensors: Tensor[] = inputs.map((j) => ({ shape: s.shapes[j]!, dtype: s.nodes[j]!.dtype, data: new Float32Array(0) }));
  return {
    tally: { kernelOps: 1 },
    step: (values) => {
      for (let t = 0; t < inputs.length; t++) (tensors[t] as { data: TypedArray }).data = values[inputs[t]!]!;
      def.kernel(tensors, node.attrs, out, node);
      values[i] = out.data;
    },
  };
}
