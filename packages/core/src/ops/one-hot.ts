// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op oneHot'); };
export const oneHotOp = defineOp({ name: 'oneHot', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'oneHot' });
export function oneHot(...args: unknown[]): Node { void args; return apply(oneHotOp, [] as NodeLike[], {}); }
