/**
 * Special kernels are data, as rewrite rules are: a kebab-case name, a one-line doc, a pattern
 * (rewrite's vocabulary: `P.matmul(v('a'), v('b'))`) with an optional guard on the plan's facts
 * (concrete shapes, folded transposes, fused loops), and a `plan` saying which buffers its step
 * writes and how to build the step once they are assigned. The kernel pass picks the first
 * entry of the table (index.ts) that matches a node; the last entry, core's own kernel, matches
 * every node.
 * @module
 */
import type { TypedArray } from '@stablegrad/core';
import type { Match, Pattern } from '@stablegrad/rewrite';
import type { FusedLoop } from '../../fusion.js';
import type { Schedule } from '../schedule.js';

/**
 * The values of a run by position; a step reads its inputs there and stores its outputs.
 * @example
 * ```ts
 * const step: Step = (values) => { values[3] = out; };
 * ```
 */
export type Values = (TypedArray | undefined)[];

/**
 * One step of a plan: a closure with its buffers bound.
 * @example
 * ```ts
 * steps.forEach((step) => step(values));
 * ```
 */
export type Step = (values: Values) => void;

/**
 * Counters of the plan's statistics that a step adds to (see `PlanStats`).
 * @example
 * ```ts
 * const tally: Tally = { simdMatmuls: 1 };
 * ```
 */
export interface Tally {
  readonly fusedLoops?: number;
  readonly fusedOps?: number;
  readonly simdMatmuls?: number;
  readonly foldedScales?: number;
  readonly kernelOps?: number;
}

/**
 * A built step, what it counts for, and the source of its generated loop if it has one.
 * @example
 * ```ts
 * const built: BuiltStep = { step: () => {}, tally: { kernelOps: 1 } };
 * ```
 */
export interface BuiltStep {
  readonly step: Step;
  readonly tally?: Tally;
  readonly loopSource?: string;
}

/**
 * What the kernel pass knows when it plans a node: the schedule and the earlier passes' results.
 * @example
 * ```ts
 * ctx.runs(ctx.schedule.at(node)); // false for a view, a source, a folded transpose, an inlined member
 * ```
 */
export interface KernelContext {
  readonly schedule: Schedule;
  /** Transposes folded into the matmuls that read them. */
  readonly folded: ReadonlySet<number>;
  /** Fused loops by root position. */
  readonly loops: ReadonlyMap<number, FusedLoop>;
  /** Float32 matmuls on the WebAssembly SIMD kernel, or the exact JavaScript kernel. */
  readonly matmul: 'simd' | 'exact';
  /** True when node i runs a step of its own. */
  runs(i: number): boolean;
}

/**
 * How a kernel computes node i: the positions whose buffers its step writes (each takes a
 * pooled buffer, in this order, before the inputs that die here are freed: a kernel never
 * writes over its inputs), the later positions whose values it computes too (their own steps do
 * nothing), and the step once buffers are known.
 * @example
 * ```ts
 * const plan: KernelPlan = { writes: [i], computes: [], build: (buffers) => ({ step: ... }) };
 * ```
 */
export interface KernelPlan {
  readonly writes: readonly number[];
  readonly computes: readonly number[];
  build(buffers: readonly (TypedArray | undefined)[]): BuiltStep;
}

/**
 * A special kernel. Make one with `specialKernel()`.
 * @example
 * ```ts
 * for (const k of SPECIAL_KERNELS) console.log(k.name, k.doc);
 * ```
 */
export interface SpecialKernel<N extends string = string> {
  /** kebab-case, unique in the table; tests and readers use it. */
  readonly name: string;
  /** One line: what it runs and why it is special. */
  readonly doc: string;
  readonly pattern: Pattern<N>;
  /** Extra condition on a match, against the plan's facts (ranks, dtypes). */
  guard?(m: Match<N>, ctx: KernelContext): boolean;
  /** Plans the step of the matched node, at position i. */
  plan(m: Match<N>, i: number, ctx: KernelContext): KernelPlan;
}

/**
 * Defines a special kernel: checks the name and doc, freezes the entry.
 * @example
 * ```ts
 * export const sumTo = specialKernel({
 *   name: 'sum-to', doc: 'sumTo(g, like) by a precomputed index map',
 *   pattern: P.sumTo(v('g'), v('like')),
 *   plan: (m, i, ctx) => writesItself(i, (out) => ...),
 * });
 * ```
 */
export function specialKernel<N extends string>(definition: SpecialKernel<N>): SpecialKernel<N> {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(definition.name)) {
    throw new TypeError(`kernel name ${JSON.stringify(definition.name)} must be kebab-case`);
  }
  if (definition.doc.includes('\n') || definition.doc.length === 0) {
    throw new TypeError(`kernel '${definition.name}' needs a one-line doc`);
  }
  return Object.freeze(definition);
}

/**
 * The plan of a kernel that writes node i's own buffer and nothing else (most of them).
 * @example
 * ```ts
 * writesItself(i, (out) => ({ step: (values) => { out.fill(0); values[i] = out; } }));
 * ```
 */
export function writesItself(i: number, build: (out: TypedArray) => BuiltStep): KernelPlan {
  return { writes: [i], computes: [], build: (buffers) => build(buffers[i]!) };
}
