// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op logSoftmax'); };
export const logSoftmaxOp = defineOp({ name: 'logSoftmax', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'logSoftmax' });
export function logSoftmax(...args: unknown[]): Node { void args; return apply(logSoftmaxOp, [] as NodeLike[], {}); }
