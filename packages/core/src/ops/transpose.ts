// PLACEHOLDER: replaced by the real op file.
import { apply } from '../apply.js';
import type { Node, NodeLike } from '../node.js';
import { defineOp } from '../op.js';

const todo = (): never => { throw new Error('PLACEHOLDER op transpose'); };
export const transposeOp = defineOp({ name: 'transpose', arity: 1, attrs: {}, infer: todo, kernel: todo, reference: todo, vjp: todo, dot: () => 'transpose' });
export function transpose(...args: unknown[]): Node { void args; return apply(transposeOp, [] as NodeLike[], {}); }
