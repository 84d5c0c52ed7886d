// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sigmoidCrossEntropyWithLogits'); };
export const sigmoidCrossEntropyWithLogitsOp = defineOp({ name: 'sigmoidCrossEntropyWithLogits', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sigmoidCrossEntropyWithLogits' });
export function sigmoidCrossEntropyWithLogits(...args: unknown[]): Node { void args; return apply(sigmoidCrossEntropyWithLogitsOp, [] as NodeLike[], {}); }
