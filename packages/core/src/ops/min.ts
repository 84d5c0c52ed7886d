// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op min'); };
export const minOp = defineOp({ name: 'min', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'min' });
export function min(...args: unknown[]): Node { void args; return apply(minOp, [] as NodeLike[], {}); }
