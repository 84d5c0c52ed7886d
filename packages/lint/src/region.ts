/**
 * "Where does it happen": the simplest condition on one input that separates the points where a
 * node loses its digits from those where it does not, e.g. `z > 36.7` or `|a| < 1.1e-16`, as
 * Herbie's regime inference does for scalar programs. The variables are the graph's inputs: the
 * input element that lines up with the node's element when the input broadcasts to the node's
 * shape, else a summary of the whole input (its max, min and relative spread). For each variable
 * (and its magnitude) the best interval is found in one sweep over the sorted values (a maximum
 * subarray of +1/bad, -1/good weights), and the variable with the clearest split wins.
 * @module
 */
import { type ConcreteShape, evaluate, isFloat, type Node, type Tensor } from '@stablegrad/core';
import { broadcastIndex } from '@stablegrad/core/kernels';

/** One measured element: its bits of local error, in which sample, at which flat index. */
export interface Observation {
  readonly bits: number;
  readonly sample: number;
  readonly element: number;
}

/** A quantity the condition can be about: an input element, or a summary of an input. */
export interface Variable {
  readonly name: string;
  value(sample: number, element: number): number;
}

/**
 * The condition found: its text and how well it separates (share of bad points inside, of points inside that are bad).
 * @example
 * ```ts
 * const { condition, recall, precision }: Region = report.flagged[0]!.region!; // 'z > 22.2', 1, 0.97
 * ```
 */
export interface Region {
  readonly condition: string;
  /** Share of the bad points that satisfy the condition. */
  readonly recall: number;
  /** Share of the points satisfying the condition that are bad. */
  readonly precision: number;
}

/** Below this separation (recall - false-positive rate) no condition is reported. */
const MIN_SEPARATION = 0.5;

/**
 * The variables of `inputs` for a node whose shape in sample s is `shapes[s]`: the aligned
 * element where the input broadcasts to the node (per sample: batches may differ), else `max(x)`,
 * `min(x)` and `spread(x)` = (max - min) / max |x|.
 */
export function variablesFor(
  shapes: readonly ConcreteShape[], inputs: readonly Node[], samples: readonly ReadonlyMap<Node, Tensor>[],
): { aligned: Variable[]; summaries: Variable[] } {
  const variables: Variable[] = [];
  const summaries: Variable[] = [];
  for (const input of inputs) {
    const first = samples.findIndex((s) => s.has(input));
    if (first < 0) continue;
    const data = (sample: number): ArrayLike<number> => samples[sample]!.get(input)!.data;
    const shapeOf = (sample: number): ConcreteShape => samples[sample]!.get(input)!.shape;
    if (alignment(shapeOf(first), shapes[first]!) !== undefined) {
      variables.push({ name: input.name, value: (s, e) => data(s)[alignment(shapeOf(s), shapes[s]!)?.[e] ?? 0]! });
      continue;
    }
    const summary = (f: (values: ArrayLike<number>) => number): ((s: number) => number) => {
      const cache = new Map<number, number>();
      return (s) => {
        let v = cache.get(s);
        if (v === undefined) cache.set(s, (v = f(data(s))));
        return v;
      };
    };
    const max = summary((d) => extreme(d, (a, b) => a > b));
    const min = summary((d) => extreme(d, (a, b) => a < b));
    const spread = summary((d) => {
      const [hi, lo] = [extreme(d, (a, b) => a > b), extreme(d, (a, b) => a < b)];
      const big = Math.max(Math.abs(hi), Math.abs(lo));
      return big === 0 ? 0 : (hi - lo) / big;
    });
    summaries.push(
      { name: `max(${input.name})`, value: (s) => max(s) },
      { name: `min(${input.name})`, value: (s) => min(s) },
      { name: `spread(${input.name})`, value: (s) => spread(s) },
    );
  }
  return { aligned: variables, summaries };
}

/** The largest (or smallest) value by `better`, in a loop: spreading a long array would overflow the stack. */
function extreme(values: ArrayLike<number>, better: (a: number, b: number) => boolean): number {
  let best = values[0] ?? Number.NaN;
  for (let i = 1; i < values.length; i++) if (better(values[i]!, best)) best = values[i]!;
  return best;
}

const alignments = new Map<string, Int32Array | null>();

/**
 * For an input of shape `from` that broadcasts to `to` (NumPy rules): the flat index in the
 * input of each flat index of the output (core's `broadcastIndex`), cached by shapes; undefined
 * when it does not broadcast.
 */
export function alignment(from: ConcreteShape, to: ConcreteShape): Int32Array | undefined {
  const key = `${from.join(',')}|${to.join(',')}`;
  let map = alignments.get(key);
  if (map === undefined) {
    const offset = to.length - from.length;
    const fits = offset >= 0 && from.every((d, i) => d === 1 || d === to[i + offset]);
    map = fits ? broadcastIndex(from, to) : null;
    alignments.set(key, map);
  }
  return map ?? undefined;
}

/**
 * Variables for the operands of `node` and theirs (two levels up), farthest first, when they
 * line up with it elementwise: the quantity a condition is best stated in is often a
 * pre-activation (`dense/add > 22.2`) rather than a graph input. Their values are the
 * interpreter's, computed only for the samples asked about.
 */
export function upstreamVariables(node: Node, shapes: readonly ConcreteShape[], samples: readonly ReadonlyMap<Node, Tensor>[]): Variable[] {
  const levels: Node[][] = [];
  let frontier = [node];
  const seen = new Set<Node>([node]);
  for (let depth = 0; depth < 2; depth++) {
    frontier = frontier.flatMap((n) => n.inputs).filter((n) => !seen.has(n) && (seen.add(n), n.inputs.length > 0 && isFloat(n.dtype)));
    levels.push(frontier);
  }
  const candidates = levels.reverse().flat();
  if (candidates.length === 0) return [];
  const cache = new Map<number, Tensor[]>();
  const valuesAt = (sample: number): Tensor[] => {
    let values = cache.get(sample);
    if (values === undefined) cache.set(sample, (values = evaluate(candidates, samples[sample]!)));
    return values;
  };
  const first = valuesAt(0);
  return candidates.flatMap((candidate, i) => {
    if (alignment(first[i]!.shape, shapes[0]!) === undefined) return [];
    const value = (s: number, e: number): number => {
      const t = valuesAt(s)[i]!;
      return t.data[alignment(t.shape, shapes[s]!)?.[e] ?? 0]!;
    };
    return [{ name: candidate.path, value }];
  });
}

/**
 * The clearest one-variable condition for `bad` points among `points`, or undefined when no
 * variable separates them (recall minus false-positive rate below one half).
 */
export function findRegion(points: readonly Observation[], isBad: (o: Observation) => boolean, variables: readonly Variable[]): Region | undefined {
  const badCount = points.filter(isBad).length;
  const goodCount = points.length - badCount;
  if (badCount === 0) return undefined;
  let best: (Region & { separation: number }) | undefined;
  for (const variable of variables) {
    const values = points.map((p) => variable.value(p.sample, p.element));
    if (!values.every((v) => !Number.isNaN(v))) continue;
    for (const magnitude of [false, true]) {
      const keyed = points.map((p, i) => ({ key: magnitude ? Math.abs(values[i]!) : values[i]!, bad: isBad(p) }));
      const found = bestInterval(keyed, badCount, goodCount);
      if (found === undefined) continue;
      if (best === undefined || found.separation > best.separation + 1e-9) {
        const name = magnitude ? `|${variable.name}|` : variable.name;
        best = { ...found, condition: formatCondition(name, found.lo, found.hi) };
      }
    }
  }
  if (best === undefined || best.separation < MIN_SEPARATION) return undefined;
  return { condition: best.condition, recall: best.recall, precision: best.precision };
}

interface Interval {
  /** Lower bound (exclusive), or undefined for none. */
  readonly lo: number | undefined;
  /** Upper bound (exclusive), or undefined for none. */
  readonly hi: number | undefined;
  readonly separation: number;
  readonly recall: number;
  readonly precision: number;
}

/** The interval of keys holding the most bad and fewest good points (Kadane over sorted groups). */
function bestInterval(keyed: readonly { key: number; bad: boolean }[], badCount: number, goodCount: number): Interval | undefined {
  const sorted = [...keyed].sort((a, b) => a.key - b.key);
  // Equal keys form one group: a boundary cannot fall between them.
  const groups: { key: number; bad: number; good: number }[] = [];
  for (const p of sorted) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.key === p.key) {
      if (p.bad) last.bad++;
      else last.good++;
    } else groups.push({ key: p.key, bad: p.bad ? 1 : 0, good: p.bad ? 0 : 1 });
  }
  const weight = (g: { bad: number; good: number }): number => g.bad / badCount - (goodCount > 0 ? g.good / goodCount : 0);
  let bestSum = -Infinity;
  let bestFrom = 0;
  let bestTo = -1;
  let sum = 0;
  let from = 0;
  groups.forEach((g, i) => {
    if (sum <= 0) {
      sum = 0;
      from = i;
    }
    sum += weight(g);
    if (sum > bestSum) [bestSum, bestFrom, bestTo] = [sum, from, i];
  });
  if (bestTo < bestFrom) return undefined;
  let bad = 0;
  let good = 0;
  for (let i = bestFrom; i <= bestTo; i++) [bad, good] = [bad + groups[i]!.bad, good + groups[i]!.good];
  const lo = bestFrom > 0 ? between(groups[bestFrom - 1]!.key, groups[bestFrom]!.key) : undefined;
  const hi = bestTo < groups.length - 1 ? between(groups[bestTo]!.key, groups[bestTo + 1]!.key) : undefined;
  return { lo, hi, separation: bestSum, recall: bad / badCount, precision: bad / (bad + good) };
}

/**
 * A round number between two neighbouring keys (`inside` within the interval, `outside` past
 * it): few digits, geometric middle across magnitudes. Next to an infinity the bound is set at
 * twice the inside key's magnitude (or 1 past 0), so it never lands on the inside key itself.
 */
function between(a: number, b: number): number {
  if (a === -Infinity) return b === 0 ? -1 : b - Math.abs(b);
  if (b === Infinity) return a === 0 ? 1 : a + Math.abs(a);
  // sqrt(a) sqrt(b) and a/2 + b/2: a * b and a + b overflow near the largest float.
  const middle = a > 0 && b / a > 4 ? Math.sqrt(a) * Math.sqrt(b) : b < 0 && a / b > 4 ? -Math.sqrt(-a) * Math.sqrt(-b) : a / 2 + b / 2;
  // The shortest rounding of the middle that still lies strictly between a and b.
  for (let digits = 1; digits <= 17; digits++) {
    const r = Number(middle.toPrecision(digits));
    if (r > a && r < b) return r;
  }
  return middle;
}

function formatCondition(name: string, lo: number | undefined, hi: number | undefined): string {
  if (lo === undefined && hi === undefined) return `any ${name}`;
  if (lo === undefined) return `${name} < ${formatNumber(hi!)}`;
  if (hi === undefined) return `${name} > ${formatNumber(lo)}`;
  return `${formatNumber(lo)} < ${name} < ${formatNumber(hi)}`;
}

/** A number in few characters: 36.7, -745, 1.1e-16. */
export function formatNumber(x: number): string {
  if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6)) return String(Number(x.toPrecision(6)));
  return x.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
}
