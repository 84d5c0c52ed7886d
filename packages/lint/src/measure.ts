/**
 * Measuring one sample: every node evaluated in floating point (the interpreter) and exactly (the
 * high-precision reference), and each op's kernel run once more on its *exact* inputs rounded to
 * their dtype. Comparing that last result with the exact value of the node gives the node's
 * *local* error: what the op itself loses when its inputs are as good as floats can be (Herbie's
 * measure). Comparing the interpreter's value gives the *total* error accumulated up to the node.
 * Errors are in bits: log2(1 + ULP distance), so 0 is exact and 64 (float64) or 32 (float32) is
 * "nothing right", e.g. a NaN where the true value is a number.
 * @module
 */
import { allocate, evaluate, isFloat, type Node, opDef, type Tensor, toTypedArray } from '@stablegrad/core';
import { bitsOfError, type DecimalMath } from '@stablegrad/testing';
import { type ReferenceKind, type TrueValue, trueValues } from './reference.js';

/** Bits of error that mean "no correct bit at all", per float dtype. */
export const MAX_BITS = { float32: 32, float64: 64 } as const;

/** Bits of error between a computed value and the correctly rounded true one, at most MAX_BITS. */
export function errorBits(actual: number, exact: number, dtype: 'float32' | 'float64'): number {
  return Math.min(bitsOfError(actual, exact, dtype), MAX_BITS[dtype]);
}

/** What one sample gives for one node: bits of error per element. */
export interface NodeSample {
  /** Local error per element: the op alone, on exactly computed inputs. */
  readonly local: Float64Array;
  /** Total error per element: the interpreter's value. */
  readonly total: Float64Array;
  /**
   * Local error was not measured in this sample: an input's true value is finite but beyond
   * the dtype's range, so its rounded value is infinite and the op cannot be blamed for that.
   */
  readonly inputOverflowed: boolean;
  /** Elements whose true value is finite but rounds to an infinity (an overflow here). */
  readonly overflows: number;
  /** The interpreter's values and the correctly rounded exact ones, for examples. */
  readonly computed: Tensor;
  readonly exact: readonly number[];
}

/**
 * One sample through the graph: `measured` (the float op nodes) get their errors; the result is
 * undefined when the sample is outside the graph's domain (an output's exact value is NaN).
 */
export function measureSample(
  nodes: readonly Node[], outputs: readonly Node[], measured: readonly Node[], feeds: ReadonlyMap<Node, Tensor>, math: DecimalMath,
): { nodes: Map<Node, NodeSample>; reference: ReferenceKind } | undefined {
  const { values: exact, kind } = trueValues(nodes, feeds, math);
  if (outputs.some((out) => exact.get(out)!.values.some(Number.isNaN))) return undefined;
  const floatList = evaluate(nodes, feeds);
  const computed = new Map<Node, Tensor>(nodes.map((n, i) => [n, floatList[i]!]));
  const result = new Map<Node, NodeSample>();
  for (const node of measured) {
    const dtype = node.dtype as 'float32' | 'float64';
    const truth = exact.get(node)!;
    const alone = runOnExactInputs(node, exact);
    const value = computed.get(node)!;
    const local = new Float64Array(truth.values.length);
    const total = new Float64Array(truth.values.length);
    for (let k = 0; k < local.length; k++) {
      local[k] = errorBits(alone.data[k]!, truth.values[k]!, dtype);
      total[k] = errorBits(value.data[k]!, truth.values[k]!, dtype);
    }
    const inputOverflowed = node.inputs.some((input) => exact.get(input)!.overflows > 0);
    result.set(node, { local, total, computed: value, exact: truth.values, inputOverflowed, overflows: truth.overflows });
  }
  return { nodes: result, reference: kind };
}

/** The nodes whose errors are measured: ops (not inputs, params or constants) with a float value. */
export function measurableNodes(nodes: readonly Node[]): Node[] {
  return nodes.filter((n) => n.inputs.length > 0 && isFloat(n.dtype));
}

/** The node's kernel on its inputs' exact values, each rounded once to its dtype. */
function runOnExactInputs(node: Node, exact: ReadonlyMap<Node, TrueValue>): Tensor {
  const inputs = node.inputs.map((input): Tensor => {
    const r = exact.get(input)!;
    return { dtype: r.dtype, shape: r.shape, data: toTypedArray(r.dtype, r.values) };
  });
  const truth = exact.get(node)!;
  const out: Tensor = { dtype: truth.dtype, shape: truth.shape, data: allocate(truth.dtype, truth.values.length) };
  opDef(node.op).kernel(inputs, node.attrs, out, node);
  return out;
}
