// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sigmoid'); };
export const sigmoidOp = defineOp({ name: 'sigmoid', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sigmoid' });
export function sigmoid(...args: unknown[]): Node { void args; return apply(sigmoidOp, [] as NodeLike[], {}); }
