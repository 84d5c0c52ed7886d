// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op clip'); };
export const clipOp = defineOp({ name: 'clip', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'clip' });
export function clip(...args: unknown[]): Node { void args; return apply(clipOp, [] as NodeLike[], {}); }
