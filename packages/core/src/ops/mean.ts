// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op mean'); };
export const meanOp = defineOp({ name: 'mean', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'mean' });
export function mean(...args: unknown[]): Node { void args; return apply(meanOp, [] as NodeLike[], {}); }
