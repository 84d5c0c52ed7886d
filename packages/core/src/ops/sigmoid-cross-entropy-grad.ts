// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sigmoidCrossEntropyGrad'); };
export const sigmoidCrossEntropyGradOp = defineOp({ name: 'sigmoidCrossEntropyGrad', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sigmoidCrossEntropyGrad' });
export function sigmoidCrossEntropyGrad(...args: unknown[]): Node { void args; return apply(sigmoidCrossEntropyGradOp, [] as NodeLike[], {}); }
