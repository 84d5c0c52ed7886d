// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sub'); };
export const subOp = defineOp({ name: 'sub', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sub' });
export function sub(...args: unknown[]): Node { void args; return apply(subOp, [] as NodeLike[], {}); }
