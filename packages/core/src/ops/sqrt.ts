// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sqrt'); };
export const sqrtOp = defineOp({ name: 'sqrt', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sqrt' });
export function sqrt(...args: unknown[]): Node { void args; return apply(sqrtOp, [] as NodeLike[], {}); }
