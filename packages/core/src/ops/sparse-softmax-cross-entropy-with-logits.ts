// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sparseSoftmaxCrossEntropyWithLogits'); };
export const sparseSoftmaxCrossEntropyWithLogitsOp = defineOp({ name: 'sparseSoftmaxCrossEntropyWithLogits', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sparseSoftmaxCrossEntropyWithLogits' });
export function sparseSoftmaxCrossEntropyWithLogits(...args: unknown[]): Node { void args; return apply(sparseSoftmaxCrossEntropyWithLogitsOp, [] as NodeLike[], {}); }
