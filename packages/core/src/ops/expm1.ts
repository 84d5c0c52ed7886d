// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op expm1'); };
export const expm1Op = defineOp({ name: 'expm1', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'expm1' });
export function expm1(...args: unknown[]): Node { void args; return apply(expm1Op, [] as NodeLike[], {}); }
