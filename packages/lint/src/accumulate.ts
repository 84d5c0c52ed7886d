/**
 * Errors summed over samples, per node: running sums for the means, the worst element, a uniform
 * reservoir of observations for the region search, and the summary `NodeLint` made from them.
 * @module
 */
import type { ConcreteShape, Node, Tensor } from '@stablegrad/core';
import type { NodeLint } from './report.js';
import { MAX_BITS, type NodeSample } from './measure.js';
import { findRegion, type Observation, type Region, upstreamVariables, variablesFor } from './region.js';

/** Share of elements losing half their bits that flags a node whatever its mean error. */
export const LOST_HALF_SHARE = 0.01;
/** Observations kept per node for the region search (a uniform reservoir). */
export const RESERVOIR = 4000;

/** Per-node running sums over all samples. */
export interface Accumulator {
  count: number;
  localSum: number;
  localMax: number;
  totalSum: number;
  totalMax: number;
  bad: number;
  lostHalf: number;
  /** Elements seen, including those of samples where local error was not measured. */
  elements: number;
  overflows: number;
  seen: number;
  reservoir: Observation[];
  worst: { bits: number; sample: number; element: number; computed: number; exact: number } | undefined;
  /** The node's shape in each sample (batches may differ between given points). */
  shapes: ConcreteShape[];
}

export function record(acc: Map<Node, Accumulator>, result: ReadonlyMap<Node, NodeSample>, sample: number, threshold: number, random: () => number): void {
  for (const [node, s] of result) {
    let a = acc.get(node);
    if (a === undefined) {
      a = { count: 0, localSum: 0, localMax: 0, totalSum: 0, totalMax: 0, bad: 0, lostHalf: 0, elements: 0, overflows: 0, seen: 0, reservoir: [], worst: undefined, shapes: [] };
      acc.set(node, a);
    }
    a.shapes[sample] = s.computed.shape;
    a.elements += s.local.length;
    a.overflows += s.overflows;
    if (s.inputOverflowed) continue;
    for (let k = 0; k < s.local.length; k++) {
      const bits = s.local[k]!;
      a.count++;
      a.localSum += bits;
      if (bits >= threshold) a.bad++;
      if (bits >= halfBits(node)) a.lostHalf++;
      a.totalSum += s.total[k]!;
      a.totalMax = Math.max(a.totalMax, s.total[k]!);
      a.localMax = Math.max(a.localMax, bits);
      if (a.worst === undefined || bits > a.worst.bits) a.worst = { bits, sample, element: k, computed: s.computed.data[k]!, exact: s.exact[k]! };
      // Reservoir sampling keeps a uniform subset of every element ever seen.
      const observation = { bits, sample, element: k };
      a.seen++;
      if (a.reservoir.length < RESERVOIR) a.reservoir.push(observation);
      else {
        const j = Math.floor(random() * a.seen);
        if (j < RESERVOIR) a.reservoir[j] = observation;
      }
    }
  }
}

export function summarize(node: Node, a: Accumulator | undefined, threshold: number, inputs: readonly Node[], feeds: readonly ReadonlyMap<Node, Tensor>[]): NodeLint {
  if (a === undefined || a.count === 0) {
    const overflowShare = a === undefined ? 0 : a.overflows / Math.max(1, a.elements);
    return { node, local: { mean: 0, max: 0 }, total: { mean: 0, max: 0 }, badShare: 0, lostHalfShare: 0, overflowShare, flagged: false };
  }
  const local = { mean: a.localSum / a.count, max: a.localMax };
  const total = { mean: a.totalSum / a.count, max: a.totalMax };
  const badShare = a.bad / a.count;
  const lostHalfShare = a.lostHalf / a.count;
  const flagged = local.mean >= threshold || lostHalfShare >= LOST_HALF_SHARE;
  const overflowShare = a.overflows / Math.max(1, a.elements);
  if (!flagged) return { node, local, total, badShare, lostHalfShare, overflowShare, flagged };
  // Inputs and upstream values that line up with the node first; summaries of whole inputs
  // (their max, min, spread) only when none of those explains the errors.
  const { aligned, summaries } = variablesFor(a.shapes, inputs, feeds);
  const lined = [...aligned, ...upstreamVariables(node, a.shapes, feeds)];
  // Describe where half the digits are gone if that happens, else where the threshold is crossed.
  const level = a.lostHalf > 0 ? halfBits(node) : threshold;
  const isBad = (o: Observation): boolean => o.bits >= level;
  const badShareAtLevel = a.reservoir.filter(isBad).length / a.reservoir.length;
  // Past nine in ten bad points there is no region to describe: it is the whole input space.
  const everywhere: Region | undefined = badShareAtLevel >= 0.9 ? { condition: 'everywhere', recall: 1, precision: badShareAtLevel } : undefined;
  const region = everywhere ?? findRegion(a.reservoir, isBad, lined) ?? findRegion(a.reservoir, isBad, summaries);
  const w = a.worst!;
  const at = Object.fromEntries([...lined, ...summaries].map((v) => [v.name, v.value(w.sample, w.element)]));
  return {
    node, local, total, badShare, lostHalfShare, overflowShare, flagged,
    ...(region === undefined ? {} : { region: { ...region, bits: level } }),
    worst: { bits: w.bits, computed: w.computed, exact: w.exact, at },
  };
}

function halfBits(node: Node): number {
  return MAX_BITS[node.dtype as 'float32' | 'float64'] / 2;
}
