/**
 * An execution plan: the graph's nodes scheduled once for concrete sizes of its symbolic
 * dimensions, each computed value given a buffer from a pool as the value before it dies
 * (liveness), and each step a closure with its buffers bound. Running a plan is a loop over
 * closures: no graph walks, no shape inference and no allocation per step.
 *
 * What is fused or folded: chains of elementwise ops become one generated loop (fusion.ts);
 * a 2-D transpose read only by matmuls is folded into them (kernels/matmul.ts); reshapes and
 * other views share their input's buffer. Every other op runs its core kernel.
 * @module
 */
import {
  checkSize, type ConcreteShape, hasTrait, type DimBindings, type DType, type Node, opDef, ShapeError, sizeOf, StablegradError, type Tensor, type TypedArray,
} from '@stablegrad/core';
import { broadcastIndex, matmulInto, reduceInto, reductionIndex } from '@stablegrad/core/kernels';
import { BufferPool } from './buffers.js';
import { type FusedLoop, fuseLoop, isFusible, readMode, type ReadMode } from './fusion.js';
import { sparseCrossEntropy } from './kernels/cross-entropy.js';
import { WASM_MIN_WORK, wasmMatmulStep } from './kernels/wasm-matmul.js';

/** Ops whose output is their input's data under another shape: they share its buffer. */
const isView = (node: Node): boolean => hasTrait(node.op, 'view');
/** Most nodes one generated fused loop may hold (see buildPlan); larger groups are split. */
const MAX_FUSED_MEMBERS = 128;

/**
 * How a plan computes: `matmul: 'simd'` (default) runs float32 matmuls on the WebAssembly SIMD
 * kernel (float32 sums, within a documented bound of the interpreter); `'exact'` keeps the
 * JavaScript kernel, float64 sums, the interpreter's bits.
 * @example
 * ```ts
 * compile(graph, { matmul: 'exact' });
 * ```
 */
export interface PlanOptions {
  readonly matmul?: 'simd' | 'exact';
}

/**
 * A plan for one binding of the symbolic dimensions.
 * @example
 * ```ts
 * const plan = buildPlan(nodes, outputs, sourceTypes, dims);
 * plan.run(sourceData); // the outputs' data
 * ```
 */
export interface Plan {
  /** Concrete shape of every node, by schedule position. */
  readonly shapes: readonly ConcreteShape[];
  /** Runs the steps; `sources[i]` is the data of node i for inputs, params and constants. */
  run(sources: readonly (TypedArray | undefined)[]): TypedArray[];
  /** True when `data` lives in one of the plan's own buffers (a result of an earlier run). */
  owns(data: TypedArray): boolean;
  readonly stats: PlanStats;
}

/**
 * What a plan does, for reports and tests.
 * @example
 * ```ts
 * executable.stats().fusedLoops; // e.g. 3
 * ```
 */
export interface PlanStats {
  /** Steps run per call. */
  readonly steps: number;
  /** Generated elementwise loops, and the ops they replace. */
  readonly fusedLoops: number;
  readonly fusedOps: number;
  /** Transposes folded into matmuls (never materialised). */
  readonly foldedTransposes: number;
  /** Matmuls on the WebAssembly SIMD kernel (the others run the JavaScript one). */
  readonly simdMatmuls: number;
  /** Gradient scalings (`mul(1 / n, gradient)`) done inside the cross-entropy kernel. */
  readonly foldedScales: number;
  /** Ops run by their core kernel (allocating their result). */
  readonly kernelOps: number;
  /** Peak bytes of computed values held at once, and bytes of all the plan's buffers. */
  readonly peakBytes: number;
  readonly bufferBytes: number;
  /** The generated loops' source, for the curious. */
  readonly loops: readonly string[];
}

/**
 * Builds a plan. `nodes` are in topological order; `types[i]` gives the concrete type of the
 * sources (inputs, params, constants) at their positions; `dims` the bound symbolic dimensions.
 * @example
 * ```ts
 * buildPlan(nodes, [loss], types, new Map([['batch', 32]]));
 * ```
 */
export function buildPlan(
  nodes: readonly Node[], outputs: readonly Node[], sourceTypes: readonly ({ shape: ConcreteShape; dtype: DType } | undefined)[], dims: DimBindings,
  options: PlanOptions = {},
): Plan {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const shapes = inferShapes(nodes, index, sourceTypes, dims);
  const users = nodes.map(() => [] as number[]);
  nodes.forEach((n, i) => n.inputs.forEach((input) => users[index.get(input)!]!.push(i)));
  const isOutput = new Set(outputs.map((o) => index.get(o)!));
  const isSource = (i: number) => nodes[i]!.inputs.length === 0;

  // Transposes read only by 2-D matmuls are folded into them. Only a swap of the two axes:
  // `transpose(x, [0, 1])` is the identity, which the matmul must read as it is.
  const folded = new Set<number>();
  nodes.forEach((n, i) => {
    if (n.op !== 'transpose' || shapes[i]!.length !== 2 || (n.attrs['perm'] as readonly number[])[0] !== 1 || isOutput.has(i)) return;
    const reads = users[i]!;
    if (reads.length > 0 && reads.every((u) => isMatmul2d(nodes[u]!, shapes, index))) folded.add(i);
  });

  // Elementwise nodes inlined into their single consumer's loop.
  const fusible = nodes.map((n, i) => !isSource(i) && isFusible(n));
  const inlined = new Set<number>();
  nodes.forEach((_, i) => {
    const reads = users[i]!;
    if (!fusible[i] || isOutput.has(i) || reads.length !== 1) return;
    const user = reads[0]!;
    if (fusible[user] && sizeOf(shapes[i]!) === sizeOf(shapes[user]!)) inlined.add(i);
  });
  // A fused loop holds at most MAX_FUSED_MEMBERS nodes: a chain of a million elementwise ops
  // becomes loops of that size, not one generated function of a million statements. Members
  // form a tree under their root (each inlined node has one user), so a node's group size is
  // itself plus its inlined inputs' sizes; where that passes the limit, the inputs become roots.
  const groupSize = new Array<number>(nodes.length).fill(1);
  nodes.forEach((n, i) => {
    if (!fusible[i]) return;
    let size = 1;
    for (const input of n.inputs) {
      const j = index.get(input)!;
      if (inlined.has(j)) size += groupSize[j]!;
    }
    if (size > MAX_FUSED_MEMBERS) {
      for (const input of n.inputs) inlined.delete(index.get(input)!);
      size = 1;
    }
    groupSize[i] = size;
  });

  // Where each value's data lives: a view shares its input's buffer (its root).
  const rootOf = nodes.map((_, i) => i);
  nodes.forEach((n, i) => {
    if (isView(n) && !isSource(i)) rootOf[i] = rootOf[index.get(n.inputs[0]!)!]!;
  });

  // Units: what runs, in order. A fused loop runs at its root; members inlined run nowhere.
  const loops = new Map<number, FusedLoop>();
  nodes.forEach((n, i) => {
    if (!fusible[i] || inlined.has(i)) return;
    const loop = buildLoop(nodes, shapes, index, inlined, i);
    if (loop !== null) loops.set(i, loop);
  });
  // A group whose broadcast is not supported runs op by op: its members are no longer inlined.
  nodes.forEach((_, i) => {
    if (fusible[i] && !inlined.has(i) && !loops.has(i)) uninline(i, nodes, index, inlined);
  });
  nodes.forEach((n, i) => {
    if (fusible[i] && !inlined.has(i) && !loops.has(i)) {
      const single = buildLoop(nodes, shapes, index, inlined, i);
      if (single !== null) loops.set(i, single);
    }
  });

  // Last use of each buffer root, counted at the unit (step) that reads it.
  const runs = (i: number) => !isSource(i) && !inlined.has(i) && !folded.has(i) && !isView(nodes[i]!);
  const reads = (i: number): number[] => {
    const loop = loops.get(i);
    if (loop !== undefined) return loop.leaves.map((l) => index.get(l)!);
    return nodes[i]!.inputs.map((input) => {
      const j = index.get(input)!;
      return folded.has(j) ? index.get(nodes[j]!.inputs[0]!)! : j;
    });
  };
  const lastUse = new Map<number, number>();
  nodes.forEach((_, i) => {
    if (!runs(i)) return;
    for (const j of reads(i)) lastUse.set(rootOf[j]!, i);
  });
  for (const o of isOutput) lastUse.set(rootOf[o]!, Infinity);

  const pool = new BufferPool();
  const buffers: (TypedArray | undefined)[] = nodes.map(() => undefined);
  const steps: ((values: (TypedArray | undefined)[]) => void)[] = [];
  const stats = { fusedLoops: 0, fusedOps: 0, kernelOps: 0, simdMatmuls: 0, foldedScales: 0, loops: [] as string[] };
  const withPartner = new Set<number>();
  // The fused loop `mul(s, g)` that is the only reader of gradient g, with s a single value
  // already computed before step `at`; else null.
  const scaledBy = (g: number, at: number): { user: number; scale: number } | null => {
    const reads = users[g]!;
    if (reads.length !== 1 || isOutput.has(g)) return null;
    const user = reads[0]!;
    const loop = loops.get(user);
    if (loop === undefined || loop.members.length !== 1 || nodes[user]!.op !== 'mul' || nodes[user]!.dtype !== nodes[g]!.dtype) return null;
    if (loop.leaves.length !== 2) return null;
    const leafIdx = loop.leaves.map((l) => index.get(l)!);
    const gAt = leafIdx.indexOf(g);
    const scale = leafIdx[1 - gAt]!;
    if (gAt < 0 || loop.modes[gAt]!.kind !== 'full' || loop.modes[1 - gAt]!.kind !== 'scalar' || (scale >= at && !isSource(scale))) return null;
    return { user, scale };
  };
  const freeAfter = (i: number) => {
    for (const j of new Set(reads(i).map((r) => rootOf[r]!))) {
      if (lastUse.get(j) === i && !isSource(j) && buffers[j] !== undefined) pool.give(buffers[j]!);
    }
  };
  nodes.forEach((node, i) => {
    if (!runs(i)) return;
    const shape = shapes[i]!;
    const size = sizeOf(shape);
    const loop = loops.get(i);
    if (loop !== undefined && buffers[i] !== undefined) {
      // A scaling folded into the cross-entropy kernel: already written by that step.
      freeAfter(i);
      steps.push(() => {});
      return;
    }
    if (loop !== undefined) {
      // Elementwise: free the inputs first, so the output may take a dying input's buffer (in place).
      const leafIndex = loop.leaves.map((l) => index.get(l)!);
      const inPlaceSafe = loop.modes.every((m) => m.kind === 'full' || m.kind === 'scalar');
      if (inPlaceSafe) freeAfter(i);
      const out = pool.take(node.dtype, size);
      buffers[i] = out;
      if (!inPlaceSafe) freeAfter(i);
      const arrays: TypedArray[] = leafIndex.map(() => out);
      steps.push((values) => {
        for (let l = 0; l < leafIndex.length; l++) arrays[l] = values[leafIndex[l]!]!;
        loop.run(out, arrays, size);
        values[i] = out;
      });
      stats.fusedLoops++;
      stats.fusedOps += loop.members.length;
      stats.loops.push(loop.source);
      return;
    }
    if (isMatmul2d(node, shapes, index)) {
      const out = pool.take(node.dtype, size);
      buffers[i] = out;
      freeAfter(i);
      const { step, simd } = matmulStep(node, i, index, folded, shapes, out, options.matmul ?? 'simd');
      steps.push(step);
      if (simd) stats.simdMatmuls++;
      return;
    }
    if (node.op === 'sum' || node.op === 'mean' || node.op === 'sumTo') {
      const out = pool.take(node.dtype, size);
      buffers[i] = out;
      freeAfter(i);
      steps.push(reduceStep(node, i, index, shapes, out));
      return;
    }
    if (node.op === 'sparseSoftmaxCrossEntropyWithLogits' || node.op === 'sparseSoftmaxCrossEntropyGrad') {
      // The loss and the gradient of the same logits and labels: one pass at the first of them.
      if (buffers[i] !== undefined || withPartner.has(i)) {
        // Computed with its partner; inputs whose last reader is this node die here all the same.
        freeAfter(i);
        steps.push(() => {});
        return;
      }
      const partner = nodes.findIndex((other, j) => j > i && runs(j) && isSparsePartner(node, other));
      const out = pool.take(node.dtype, size);
      buffers[i] = out;
      let partnerOut: TypedArray | undefined;
      // A gradient read only by `mul(scale, gradient)` with the scale already known (the mean's
      // 1 / n): the kernel writes the product, and neither the gradient nor the loop is made.
      const fold = partner >= 0 && node.op === 'sparseSoftmaxCrossEntropyWithLogits' ? scaledBy(partner, i) : null;
      let target = partner;
      if (partner >= 0) {
        if (fold !== null) target = fold.user;
        partnerOut = pool.take(nodes[target]!.dtype, sizeOf(shapes[target]!));
        buffers[target] = partnerOut;
        withPartner.add(partner);
      }
      const scaleIdx = fold?.scale;
      freeAfter(i);
      const [z, labels] = node.inputs.map((input) => index.get(input)!) as [number, number];
      const zShape = shapes[z]!;
      const k = zShape[zShape.length - 1]!;
      const run = sparseCrossEntropy(sizeOf(shapes[labels]!), k, node, node.dtype === 'float64' ? 'float64' : 'float32');
      const isLoss = node.op === 'sparseSoftmaxCrossEntropyWithLogits';
      steps.push((values) => {
        const lossOut = isLoss ? out : partnerOut;
        const gradOut = isLoss ? partnerOut : out;
        run(values[z]!, values[labels]!, lossOut, gradOut, scaleIdx === undefined ? null : values[scaleIdx]![0]!);
        values[i] = out;
        if (partnerOut !== undefined) values[target] = partnerOut;
      });
      if (fold !== null) stats.foldedScales++;
      return;
    }
    // Any other op: its core kernel, writing into a pooled buffer. The buffer is taken before
    // the inputs are freed: a kernel's output never shares memory with its inputs.
    const out: Tensor = { shape, dtype: node.dtype, data: pool.take(node.dtype, size) };
    buffers[i] = out.data;
    freeAfter(i);
    const def = opDef(node.op);
    const inputIdx = node.inputs.map((input) => index.get(input)!);
    const tensors: Tensor[] = inputIdx.map((j) => ({ shape: shapes[j]!, dtype: nodes[j]!.dtype, data: new Float32Array(0) }));
    steps.push((values) => {
      for (let t = 0; t < inputIdx.length; t++) (tensors[t] as { data: TypedArray }).data = values[inputIdx[t]!]!;
      def.kernel(tensors, node.attrs, out, node);
      values[i] = out.data;
    });
    stats.kernelOps++;
  });

  // Views and steps interleaved in topological order: a view reads a value an earlier step made.
  const actions: ((values: (TypedArray | undefined)[]) => void)[] = [];
  let s = 0;
  nodes.forEach((n, i) => {
    if (isView(n) && !isSource(i)) {
      const from = index.get(n.inputs[0]!)!;
      actions.push((values) => { values[i] = values[from]; });
    } else if (runs(i)) actions.push(steps[s++]!);
  });
  const outputIdx = outputs.map((o) => index.get(o)!);
  const owned = new Set(buffers.filter((b): b is TypedArray => b !== undefined).map((b) => b.buffer));
  return {
    shapes,
    owns: (data) => owned.has(data.buffer),
    run(sources) {
      const values = sources.slice();
      for (let a = 0; a < actions.length; a++) actions[a]!(values);
      return outputIdx.map((o) => values[o]!);
    },
    stats: {
      steps: steps.length, fusedLoops: stats.fusedLoops, fusedOps: stats.fusedOps, foldedTransposes: folded.size, simdMatmuls: stats.simdMatmuls, foldedScales: stats.foldedScales,
      kernelOps: stats.kernelOps, peakBytes: pool.peakBytes, bufferBytes: pool.totalBytes, loops: stats.loops,
    },
  };
}

function isSparsePartner(a: Node, b: Node): boolean {
  const ops = new Set([a.op, b.op]);
  return ops.has('sparseSoftmaxCrossEntropyWithLogits') && ops.has('sparseSoftmaxCrossEntropyGrad') && a.inputs[0] === b.inputs[0] && a.inputs[1] === b.inputs[1];
}

function reduceStep(node: Node, i: number, index: Map<Node, number>, shapes: readonly ConcreteShape[], out: TypedArray): (values: (TypedArray | undefined)[]) => void {
  const x = index.get(node.inputs[0]!)!;
  const inShape = shapes[x]!;
  // The same index maps as core's kernels: sumTo(g, like) adds g into like's broadcast layout.
  const { map, groupSize } = node.op === 'sumTo'
    ? { map: broadcastIndex(shapes[index.get(node.inputs[1]!)!]!, inShape), groupSize: 1 }
    : reductionIndex(inShape, node.attrs.axes as readonly number[]);
  const acc = new Float64Array(out.length);
  const divisor = node.op === 'mean' ? groupSize : 1;
  return (values) => {
    reduceInto(values[x]!, map, acc, out, divisor);
    values[i] = out;
  };
}

function isMatmul2d(node: Node, shapes: readonly ConcreteShape[], index: Map<Node, number>): boolean {
  return node.op === 'matmul' && node.dtype !== 'int32' && node.inputs.every((input) => shapes[index.get(input)!]!.length === 2);
}

function matmulStep(
  node: Node, i: number, index: Map<Node, number>, folded: ReadonlySet<number>, shapes: readonly ConcreteShape[], out: TypedArray,
  mode: 'simd' | 'exact',
): { step: (values: (TypedArray | undefined)[]) => void; simd: boolean } {
  const [a, b] = node.inputs.map((input) => {
    const j = index.get(input)!;
    return folded.has(j) ? { source: index.get(input.inputs[0]!)!, transposed: true } : { source: j, transposed: false };
  }) as [{ source: number; transposed: boolean }, { source: number; transposed: boolean }];
  const [m, n] = shapes[i]! as [number, number];
  const aShape = shapes[index.get(node.inputs[0]!)!]!;
  const k = aShape[1]!;
  const simd = mode === 'simd' && node.dtype === 'float32' && m * k * n >= WASM_MIN_WORK ? wasmMatmulStep(m, k, n, a.transposed, b.transposed) : null;
  if (simd !== null) {
    return {
      simd: true,
      step: (values) => {
        simd(values[a.source] as Float32Array, values[b.source] as Float32Array, out as Float32Array);
        values[i] = out;
      },
    };
  }
  const rows = new Float64Array(4 * n);
  return {
    simd: false,
    step: (values) => {
      matmulInto(values[a.source]!, values[b.source]!, out, m, k, n, a.transposed, b.transposed, rows);
      values[i] = out;
    },
  };
}

/** The fused loop rooted at `root`: members are the inlined nodes under it, in order. */
function buildLoop(nodes: readonly Node[], shapes: readonly ConcreteShape[], index: Map<Node, number>, inlined: ReadonlySet<number>, root: number): FusedLoop | null {
  const members: number[] = [];
  const leaves: number[] = [];
  const visit = (i: number) => {
    for (const input of nodes[i]!.inputs) {
      const j = index.get(input)!;
      if (inlined.has(j)) {
        if (!members.includes(j)) visit(j);
      } else if (!leaves.includes(j)) leaves.push(j);
    }
    members.push(i);
  };
  visit(root);
  const out = shapes[root]!;
  const modes: ReadMode[] = [];
  for (const leaf of leaves) {
    const mode = readMode(shapes[leaf]!, out);
    if (mode === null) return null;
    modes.push(mode);
  }
  return fuseLoop(nodes[root]!, members.map((m) => nodes[m]!), leaves.map((l) => nodes[l]!), modes);
}

function uninline(root: number, nodes: readonly Node[], index: Map<Node, number>, inlined: Set<number>): void {
  for (const input of nodes[root]!.inputs) {
    const j = index.get(input)!;
    if (inlined.delete(j)) uninline(j, nodes, index, inlined);
  }
}

/** Concrete shapes of every node, as the interpreter infers them at run time. */
function inferShapes(
  nodes: readonly Node[], index: Map<Node, number>, sourceTypes: readonly ({ shape: ConcreteShape; dtype: DType } | undefined)[], dims: DimBindings,
): ConcreteShape[] {
  const shapes: ConcreteShape[] = [];
  nodes.forEach((node, i) => {
    const given = sourceTypes[i];
    if (given !== undefined) {
      shapes.push(given.shape);
      return;
    }
    try {
      const inputs = node.inputs.map((input) => ({ shape: shapes[index.get(input)!]!, dtype: input.dtype }));
      const type = opDef(node.op).infer(inputs, node.attrs, dims);
      if (!type.shape.every((d): d is number => typeof d === 'number')) throw new ShapeError(`could not resolve the shape [${type.shape.join(', ')}]`);
      // Checked before any buffer of this size is allocated (named dimensions are known only now).
      checkSize(type.shape, 'output');
      shapes.push(type.shape);
    } catch (e) {
      if (e instanceof StablegradError) {
        const Kind = e.constructor as new (message: string) => StablegradError;
        throw new Kind(`${node}: ${e.message}`);
      }
      throw e;
    }
  });
  return shapes;
}
