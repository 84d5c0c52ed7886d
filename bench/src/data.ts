/**
 * Seeded synthetic data and initial weights for the workloads. Generated once per workload and
 * shared read-only by every system (systems copy what they update), so all of them start from
 * the same weights and see the same batch: their first losses must agree.
 * @module
 */
import { seededRandom, type Random } from './prng.js';
import type { CnnWorkload, LossOnlyWorkload, MlpWorkload, Workload } from './workloads.js';

/**
 * One dense layer's initial values: `weights` is row-major [inputs, outputs].
 * @example
 * ```ts
 * const { inputs, outputs, weights } = mlpData(w).layers[0]!; // weights.length === inputs * outputs
 * ```
 */
export interface DenseInit {
  readonly inputs: number;
  readonly outputs: number;
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

/**
 * A fixed training batch and the initial weights of an MLP workload.
 * @example
 * ```ts
 * const { x, targets, classes, layers } = mlpData(w); // x: [batch, sizes[0]]
 * ```
 */
export interface MlpData {
  /** Inputs, [batch, sizes[0]]. */
  readonly x: Float32Array;
  /** Float targets, [batch, k]: one-hot rows for softmax, 0/1 labels for sigmoid. */
  readonly targets: Float32Array;
  /** Integer classes, [batch], for the softmax loss; undefined for sigmoid. */
  readonly classes: Int32Array | undefined;
  readonly layers: readonly DenseInit[];
}

/**
 * Fixed logits and classes of a loss-only workload.
 * @example
 * ```ts
 * const { logits, classes, oneHot } = lossOnlyData(w); // logits: [rows, classes]
 * ```
 */
export interface LossOnlyData {
  readonly logits: Float32Array;
  readonly classes: Int32Array;
  /** One-hot rows of `classes` [rows, k], for libraries without a sparse cross-entropy. */
  readonly oneHot: Float32Array;
}

/**
 * A fixed training batch and the initial weights of a CNN workload.
 * @example
 * ```ts
 * const { x, classes, oneHot, filter, dense } = cnnData(w); // x: [batch, height, width, channels]
 * ```
 */
export interface CnnData {
  /** Images, NHWC. */
  readonly x: Float32Array;
  readonly classes: Int32Array;
  /** One-hot rows of `classes` [batch, k]. */
  readonly oneHot: Float32Array;
  /** Convolution kernel, HWIO [kernel, kernel, channels, filters] (Keras' layout). */
  readonly filter: Float32Array;
  readonly filterBias: Float32Array;
  /** The dense layer from the flattened pooled maps (NHWC order) to the classes. */
  readonly dense: DenseInit;
}

const cache = new Map<Workload, MlpData | LossOnlyData | CnnData>();

/**
 * The data of an MLP workload: x ~ N(0, 1), labels from a random linear teacher (argmax for
 * softmax, sign for sigmoid) so that the problem is learnable, Glorot-uniform weights and zero
 * biases (Keras' defaults).
 * @example
 * ```ts
 * mlpData(WORKLOADS[0] as MlpWorkload).x.length; // 32 * 400
 * ```
 */
export function mlpData(workload: MlpWorkload): MlpData {
  const hit = cache.get(workload);
  if (hit !== undefined) return hit as MlpData;
  const rng = seededRandom(workload.seed);
  const { batch, sizes } = workload;
  const n = sizes[0]!;
  const k = sizes[sizes.length - 1]!;
  const x = normals(rng, batch * n, 1);
  const teacher = normals(rng, n * k, 1);
  const scores = new Float32Array(batch * k);
  for (let r = 0; r < batch; r++) {
    for (let i = 0; i < n; i++) {
      const xi = x[r * n + i]!;
      for (let j = 0; j < k; j++) scores[r * k + j]! += xi * teacher[i * k + j]!;
    }
  }
  const targets = new Float32Array(batch * k);
  let classes: Int32Array | undefined;
  if (workload.loss === 'softmax-cross-entropy') {
    classes = new Int32Array(batch);
    for (let r = 0; r < batch; r++) {
      const row = scores.subarray(r * k, (r + 1) * k);
      classes[r] = row.indexOf(Math.max(...row));
      targets[r * k + classes[r]!] = 1;
    }
  } else {
    scores.forEach((s, i) => (targets[i] = s > 0 ? 1 : 0));
  }
  const layers = sizes.slice(1).map((outputs, i) => glorotDense(rng, sizes[i]!, outputs));
  const data: MlpData = { x, targets, classes, layers };
  cache.set(workload, data);
  return data;
}

/**
 * The data of a loss-only workload: logits ~ N(0, 2^2), uniform classes.
 * @example
 * ```ts
 * lossOnlyData(WORKLOADS[3] as LossOnlyWorkload).logits.length; // 4096 * 1000
 * ```
 */
export function lossOnlyData(workload: LossOnlyWorkload): LossOnlyData {
  const hit = cache.get(workload);
  if (hit !== undefined) return hit as LossOnlyData;
  const rng = seededRandom(workload.seed);
  const logits = normals(rng, workload.rows * workload.classes, 2);
  const classes = Int32Array.from({ length: workload.rows }, () => rng.int(workload.classes));
  const oneHot = new Float32Array(logits.length);
  classes.forEach((c, r) => (oneHot[r * workload.classes + c] = 1));
  const data: LossOnlyData = { logits, classes, oneHot };
  cache.set(workload, data);
  return data;
}

/**
 * The data of a CNN workload: images ~ N(0, 1), classes from a random linear teacher on the
 * pixels (argmax), Glorot-uniform kernels (fan in kh kw cin, fan out kh kw cout, as Keras'
 * Conv2D) and zero biases.
 * @example
 * ```ts
 * cnnData(WORKLOADS[4] as CnnWorkload).x.length; // 64 * 8 * 8 * 1
 * ```
 */
export function cnnData(workload: CnnWorkload): CnnData {
  const hit = cache.get(workload);
  if (hit !== undefined) return hit as CnnData;
  const rng = seededRandom(workload.seed);
  const { batch, height, width, channels, filters, kernel, pool, classes: k } = workload;
  const pixels = height * width * channels;
  const x = normals(rng, batch * pixels, 1);
  const teacher = normals(rng, pixels * k, 1);
  const classes = new Int32Array(batch);
  const oneHot = new Float32Array(batch * k);
  for (let r = 0; r < batch; r++) {
    const scores = Array.from({ length: k }, (_, j) => {
      let s = 0;
      for (let i = 0; i < pixels; i++) s += x[r * pixels + i]! * teacher[i * k + j]!;
      return s;
    });
    classes[r] = scores.indexOf(Math.max(...scores));
    oneHot[r * k + classes[r]!] = 1;
  }
  const limit = Math.sqrt(6 / (kernel * kernel * (channels + filters)));
  const filter = Float32Array.from({ length: kernel * kernel * channels * filters }, () => (2 * rng.uniform() - 1) * limit);
  const flat = Math.floor(height / pool) * Math.floor(width / pool) * filters;
  const data: CnnData = { x, classes, oneHot, filter, filterBias: new Float32Array(filters), dense: glorotDense(rng, flat, k) };
  cache.set(workload, data);
  return data;
}

function normals(rng: Random, count: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, () => scale * rng.normal());
}

// Glorot uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)); biases start at 0.
function glorotDense(rng: Random, inputs: number, outputs: number): DenseInit {
  const limit = Math.sqrt(6 / (inputs + outputs));
  const weights = Float32Array.from({ length: inputs * outputs }, () => (2 * rng.uniform() - 1) * limit);
  return { inputs, outputs, weights, bias: new Float32Array(outputs) };
}
