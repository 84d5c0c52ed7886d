// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op sign'); };
export const signOp = defineOp({ name: 'sign', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'sign' });
export function sign(...args: unknown[]): Node { void args; return apply(signOp, [] as NodeLike[], {}); }
