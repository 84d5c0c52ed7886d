// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op where'); };
export const whereOp = defineOp({ name: 'where', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'where' });
export function where(...args: unknown[]): Node { void args; return apply(whereOp, [] as NodeLike[], {}); }
