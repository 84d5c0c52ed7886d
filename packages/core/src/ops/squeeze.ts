// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op squeeze'); };
export const squeezeOp = defineOp({ name: 'squeeze', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'squeeze' });
export function squeeze(...args: unknown[]): Node { void args; return apply(squeezeOp, [] as NodeLike[], {}); }
