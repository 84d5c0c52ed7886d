// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op pow'); };
export const powOp = defineOp({ name: 'pow', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'pow' });
export function pow(...args: unknown[]): Node { void args; return apply(powOp, [] as NodeLike[], {}); }
