// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op greaterEqual'); };
export const greaterEqualOp = defineOp({ name: 'greaterEqual', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'greaterEqual' });
export function greaterEqual(...args: unknown[]): Node { void args; return apply(greaterEqualOp, [] as NodeLike[], {}); }
