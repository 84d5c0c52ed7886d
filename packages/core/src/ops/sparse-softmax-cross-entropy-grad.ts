// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sparseSoftmaxCrossEntropyGrad'); };
export const sparseSoftmaxCrossEntropyGradOp = defineOp({ name: 'sparseSoftmaxCrossEntropyGrad', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sparseSoftmaxCrossEntropyGrad' });
export function sparseSoftmaxCrossEntropyGrad(...args: unknown[]): Node { void args; return apply(sparseSoftmaxCrossEntropyGradOp, [] as NodeLike[], {}); }
