// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op square'); };
export const squareOp = defineOp({ name: 'square', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'square' });
export function square(...args: unknown[]): Node { void args; return apply(squareOp, [] as NodeLike[], {}); }
