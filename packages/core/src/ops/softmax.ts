// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op softmax'); };
export const softmaxOp = defineOp({ name: 'softmax', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'softmax' });
export function softmax(...args: unknown[]): Node { void args; return apply(softmaxOp, [] as NodeLike[], {}); }
