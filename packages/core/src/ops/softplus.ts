// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op softplus'); };
export const softplusOp = defineOp({ name: 'softplus', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'softplus' });
export function softplus(...args: unknown[]): Node { void args; return apply(softplusOp, [] as NodeLike[], {}); }
