/**
 * Micro-benchmark of the wasm matmul against {@link matmulJs} on the matmuls of one training step
 * of the W2 workload (MLP 784 -> 256 relu -> 128 relu -> 10, batch 128, float32).
 *
 * Run with `npm run bench:matmul` (`node bench/dist/matmul-kernel.js [--configs] [--quick]`): `--configs`
 * also sweeps kernel tilings (mr x nr, kc, unroll) on the largest product; `--quick` shortens runs.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { type MatmulKernelConfig, matmulJs, type WasmMatmul, wasmMatmul } from '@stablegrad/compile';

interface Shape {
  readonly label: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
  /** Part of a W2 training step (dX, the input gradient of layer 1, is not). */
  readonly inStep: boolean;
}

const shape = (label: string, m: number, k: number, n: number, transA: boolean, transB: boolean, inStep = true): Shape => ({ label, m, k, n, transA, transB, inStep });

const w2Shapes: readonly Shape[] = [
  shape('fwd  x @ W1', 128, 784, 256, false, false),
  shape('fwd  h1 @ W2', 128, 256, 128, false, false),
  shape('fwd  h2 @ W3', 128, 128, 10, false, false),
  shape('dW1  x^T @ g1', 784, 128, 256, true, false),
  shape('dW2  h1^T @ g2', 256, 128, 128, true, false),
  shape('dW3  h2^T @ g3', 128, 128, 10, true, false),
  shape('dh2  g3 @ W3^T', 128, 10, 128, false, true),
  shape('dh1  g2 @ W2^T', 128, 128, 256, false, true),
  shape('dx   g1 @ W1^T', 128, 256, 784, false, true, false),
  // The first product in all four storage variants, for a like-for-like comparison.
  shape('x1 A^T B', 128, 784, 256, true, false, false),
  shape('x1 A B^T', 128, 784, 256, false, true, false),
  shape('x1 A^T B^T', 128, 784, 256, true, true, false),
];

const quick = process.argv.includes('--quick');
const minSeconds = quick ? 0.05 : 0.15;
const passes = quick ? 1 : 3;

/**
 * Seconds per call: after a warm-up (which also lets the engine tier the wasm code up), runs
 * `rounds` timed rounds of at least `minSeconds / rounds` each and keeps the fastest round, so
 * other processes on this shared machine disturb the figure less.
 */
function timeIt(run: () => void, rounds = 7): number {
  const warmUpEnd = performance.now() + 50;
  while (performance.now() < warmUpEnd) run();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let elapsed: number;
    do {
      run();
      calls++;
      elapsed = (performance.now() - start) / 1000;
    } while (elapsed < minSeconds / rounds);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

function randomArray(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/**
 * Places each shape's A, B and out (64-byte aligned, one after another from address 0), reserves
 * room for them and the largest scratch area, writes the operands, and returns one runner per shape.
 */
function wasmRunners(mm: WasmMatmul, shapes: readonly Shape[]): (() => void)[] {
  const align = (x: number) => Math.ceil(x / 64) * 64;
  let end = 0;
  const layout = shapes.map((s) => {
    const aPtr = end;
    const bPtr = aPtr + align(s.m * s.k * 4);
    const outPtr = bPtr + align(s.k * s.n * 4);
    end = outPtr + align(s.m * s.n * 4);
    return { s, aPtr, bPtr, outPtr };
  });
  mm.reserve(end + Math.max(...shapes.map((s) => mm.scratchBytes(s.m, s.k, s.n, s.transA, s.transB))));
  const f32 = new Float32Array(mm.memory.buffer); // after reserve, which may replace the buffer
  return layout.map(({ s, aPtr, bPtr, outPtr }) => {
    f32.set(randomArray(s.m * s.k, 1), aPtr / 4);
    f32.set(randomArray(s.k * s.n, 2), bPtr / 4);
    return () => mm.matmul(aPtr, bPtr, outPtr, s.m, s.k, s.n, s.transA, s.transB);
  });
}

function jsRunner(s: Shape): () => void {
  const [a, b, out] = [randomArray(s.m * s.k, 1), randomArray(s.k * s.n, 2), new Float32Array(s.m * s.n)];
  return () => matmulJs(a, b, out, s.m, s.k, s.n, s.transA, s.transB);
}

const gflops = (s: Shape, seconds: number) => (2 * s.m * s.k * s.n) / seconds / 1e9;
const variant = (s: Shape) => `${s.transA ? 'A^T' : 'A'} ${s.transB ? 'B^T' : 'B'}`;

function benchShapes(mm: WasmMatmul): void {
  console.log(`wasm kernel ${JSON.stringify(mm.config)}; best of ${passes} passes over all shapes`);
  const wasm = wasmRunners(mm, w2Shapes);
  const runners = w2Shapes.map((s, i) => ({ wasm: wasm[i]!, js: jsRunner(s) }));
  // Passes spread each shape's measurements over time, so a burst of load elsewhere hits one pass only.
  const best = w2Shapes.map(() => ({ wasm: Infinity, js: Infinity }));
  for (let pass = 0; pass < passes; pass++) {
    runners.forEach((r, i) => {
      best[i]!.wasm = Math.min(best[i]!.wasm, timeIt(r.wasm));
      best[i]!.js = Math.min(best[i]!.js, timeIt(r.js));
    });
  }
  console.log('shape              m x k x n        variant   wasm GFLOP/s  wasm ms   js GFLOP/s  js ms   speed-up');
  let [wasmStep, jsStep] = [0, 0];
  w2Shapes.forEach((s, i) => {
    const { wasm: tw, js: tj } = best[i]!;
    if (s.inStep) [wasmStep, jsStep] = [wasmStep + tw, jsStep + tj];
    const dims = `${s.m}x${s.k}x${s.n}`;
    console.log(
      `${s.label.padEnd(18)} ${dims.padEnd(16)} ${variant(s).padEnd(9)} ${gflops(s, tw).toFixed(2).padStart(12)} ${(tw * 1e3).toFixed(3).padStart(8)} ` +
        `${gflops(s, tj).toFixed(2).padStart(11)} ${(tj * 1e3).toFixed(2).padStart(6)} ${(tj / tw).toFixed(1).padStart(9)}x`,
    );
  });
  console.log(`W2 step matmuls (fwd + dW + dh, no dx): wasm ${(wasmStep * 1e3).toFixed(2)} ms, js ${(jsStep * 1e3).toFixed(2)} ms`);
}

function sweepConfigs(): void {
  const s = w2Shapes[0]!;
  const configs: Partial<MatmulKernelConfig>[] = [];
  for (const [mr, nr] of [[2, 16], [4, 8], [3, 8], [6, 8], [4, 12], [1, 24], [2, 8]] as const) {
    for (const kc of [256, 384, 1024]) for (const unroll of [1, 2]) configs.push({ mr, nr, kc, unroll });
  }
  console.log(`\ntiling sweep on ${s.m}x${s.k}x${s.n} (A B) and ${w2Shapes[3]!.m}x${w2Shapes[3]!.k}x${w2Shapes[3]!.n} (A^T B), GFLOP/s`);
  for (const config of configs) {
    const mm = wasmMatmul(config);
    if (mm === null) return;
    const [r1, r2] = wasmRunners(mm, [s, w2Shapes[3]!]) as [() => void, () => void];
    const [t1, t2] = [timeIt(r1), timeIt(r2)];
    console.log(`  mr=${config.mr} nr=${config.nr} kc=${config.kc} unroll=${config.unroll}: ${gflops(s, t1).toFixed(2)}  ${gflops(w2Shapes[3]!, t2).toFixed(2)}`);
  }
}

const mm = wasmMatmul();
if (mm === null) {
  console.log('WebAssembly SIMD is not available here; nothing to compare.');
} else {
  benchShapes(mm);
  if (process.argv.includes('--configs')) sweepConfigs();
}
