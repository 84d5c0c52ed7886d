// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op minimum'); };
export const minimumOp = defineOp({ name: 'minimum', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'minimum' });
export function minimum(...args: unknown[]): Node { void args; return apply(minimumOp, [] as NodeLike[], {}); }
