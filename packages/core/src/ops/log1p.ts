// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op log1p'); };
export const log1pOp = defineOp({ name: 'log1p', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'log1p' });
export function log1p(...args: unknown[]): Node { void args; return apply(log1pOp, [] as NodeLike[], {}); }
