// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op abs'); };
export const absOp = defineOp({ name: 'abs', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'abs' });
export function abs(...args: unknown[]): Node { void args; return apply(absOp, [] as NodeLike[], {}); }
