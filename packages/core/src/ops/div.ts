// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op div'); };
export const divOp = defineOp({ name: 'div', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'div' });
export function div(...args: unknown[]): Node { void args; return apply(divOp, [] as NodeLike[], {}); }
