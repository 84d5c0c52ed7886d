// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op softmaxCrossEntropyGrad'); };
export const softmaxCrossEntropyGradOp = defineOp({ name: 'softmaxCrossEntropyGrad', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'softmaxCrossEntropyGrad' });
export function softmaxCrossEntropyGrad(...args: unknown[]): Node { void args; return apply(softmaxCrossEntropyGradOp, [] as NodeLike[], {}); }
