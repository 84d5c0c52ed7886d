// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op softmaxCrossEntropyWithLogits'); };
export const softmaxCrossEntropyWithLogitsOp = defineOp({ name: 'softmaxCrossEntropyWithLogits', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'softmaxCrossEntropyWithLogits' });
export function softmaxCrossEntropyWithLogits(...args: unknown[]): Node { void args; return apply(softmaxCrossEntropyWithLogitsOp, [] as NodeLike[], {}); }
