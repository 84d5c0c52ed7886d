// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op max'); };
export const maxOp = defineOp({ name: 'max', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'max' });
export function max(...args: unknown[]): Node { void args; return apply(maxOp, [] as NodeLike[], {}); }
