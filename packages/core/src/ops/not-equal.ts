// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op notEqual'); };
export const notEqualOp = defineOp({ name: 'notEqual', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'notEqual' });
export function notEqual(...args: unknown[]): Node { void args; return apply(notEqualOp, [] as NodeLike[], {}); }
