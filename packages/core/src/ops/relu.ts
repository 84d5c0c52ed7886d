// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op relu'); };
export const reluOp = defineOp({ name: 'relu', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'relu' });
export function relu(...args: unknown[]): Node { void args; return apply(reluOp, [] as NodeLike[], {}); }
