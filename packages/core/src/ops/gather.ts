// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op gather'); };
export const gatherOp = defineOp({ name: 'gather', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'gather' });
export function gather(...args: unknown[]): Node { void args; return apply(gatherOp, [] as NodeLike[], {}); }
