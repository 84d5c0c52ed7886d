// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op cast'); };
export const castOp = defineOp({ name: 'cast', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'cast' });
export function cast(...args: unknown[]): Node { void args; return apply(castOp, [] as NodeLike[], {}); }
