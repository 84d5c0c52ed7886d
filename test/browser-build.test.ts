/**
 * The browser build, run: the umbrella package bundled for a browser (as a page's bundler would,
 * picking every browser twin) and imported in Node, with a Web Worker shim standing in for the
 * page's workers. It trains to the same bits as the Node build; the Node-only calls (files, the
 * CSV logger) are NodeOnlyErrors that name the browser equivalents; models round-trip through
 * text and Blobs; `fit` draws its text bar on a terminal-like stream; the sparse cross-entropy
 * splits its rows with a Web Worker only in a cross-origin isolated page, with the same bits as
 * one thread, also where the page's main thread may not block (it spins); `renderSvg` runs
 * Graphviz in a Web Worker from a served wasm file and names a wasm URL it cannot fetch.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as nodeBuild from 'stablegrad';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleForBrowser } from './browser-bundles.js';
import { ShimWorker } from './web-worker-shim.js';

type Stablegrad = typeof nodeBuild;

const out = mkdtempSync(join(tmpdir(), 'stablegrad-browser-build-'));
let web: Stablegrad;
let server: Server;
let base = '';
const saved = new Map<string, PropertyDescriptor | undefined>();

function setGlobal(name: string, value: unknown): void {
  if (!saved.has(name)) saved.set(name, Object.getOwnPropertyDescriptor(globalThis, name));
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
}

/**
 * The umbrella package bundled for a browser into `out/name`, with the two worker scripts
 * beside it (where its `new URL('./...-browser.js', import.meta.url)` point), and imported: a
 * fresh copy, with its own module state (the row worker, Graphviz), per name.
 */
async function browserBuild(name: string): Promise<Stablegrad> {
  const dir = join(out, name);
  const bundles = [
    await bundleForBrowser('stablegrad', { outDir: dir, fileName: 'stablegrad.js' }),
    await bundleForBrowser('./packages/compile/dist/kernels/row-worker-browser.js', { outDir: dir, fileName: 'row-worker-browser.js' }),
    await bundleForBrowser('./packages/dot/dist/viz-worker-browser.js', { outDir: dir, fileName: 'viz-worker-browser.js' }),
  ];
  for (const b of bundles) expect(b.nodeImports).toEqual([]);
  return await import(/* @vite-ignore */ pathToFileURL(join(dir, 'stablegrad.js')).href) as Stablegrad;
}

beforeAll(async () => {
  web = await browserBuild('page');
  // Graphviz's wasm file, served as a page would serve it.
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@aduh95/viz.js/wasm'));
  server = createServer((request, response) => {
    if (request.url === '/render.wasm') response.writeHead(200, { 'content-type': 'application/wasm' }).end(wasm);
    else response.writeHead(404, 'Not Found').end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setGlobal('Worker', ShimWorker);
});

afterAll(async () => {
  for (const [name, descriptor] of saved) {
    if (descriptor === undefined) Reflect.deleteProperty(globalThis, name);
    else Object.defineProperty(globalThis, name, descriptor);
  }
  for (const w of ShimWorker.started) w.terminate();
  await new Promise((resolve) => server.close(resolve));
  rmSync(out, { recursive: true, force: true });
});

const DATA = { x: [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.2], [0.9, 0.1]], y: [0, 1, 1, 0, 1, 0] };

async function trained(sg: Stablegrad, stream?: nodeBuild.ProgressStream): Promise<nodeBuild.Sequential> {
  const m = sg.sequential([sg.dense({ units: 4, activation: 'tanh' }), sg.dense({ units: 1, activation: 'sigmoid' })], { inputShape: [2], seed: 3 });
  m.compile({ loss: sg.binaryCrossentropy(), optimizer: sg.adam({ learningRate: 0.05 }) });
  await m.fit(DATA.x, DATA.y, { epochs: 3, batchSize: 2, ...(stream === undefined ? { verbose: 0 } : { verbose: 1, stream }) });
  return m;
}

const bits = (m: nodeBuild.Sequential) => m.getWeights().map((w) => Array.from(w.data));

describe('the browser build, run in Node', () => {
  it('trains to the same bits as the Node build, and round-trips through text and Blobs', async () => {
    const m = await trained(web);
    expect(bits(m)).toEqual(bits(await trained(nodeBuild)));
    expect(bits(web.loadModelFromString(web.saveModelToString(m)))).toEqual(bits(m));
    expect(bits(await web.loadModelFromBlob(web.saveModelToBlob(m)))).toEqual(bits(m));
    // A file saved by the Node build loads in the browser build.
    const nodeModel = await trained(nodeBuild);
    expect(bits(web.loadModelFromString(nodeBuild.saveModelToString(nodeModel)))).toEqual(bits(nodeModel));
  });

  it('file calls are NodeOnlyErrors naming the browser equivalents', async () => {
    const m = await trained(web);
    let save: Error | undefined;
    try {
      m.save('model.json');
    } catch (e) {
      save = e as Error;
    }
    expect(save).toBeInstanceOf(web.NodeOnlyError);
    expect(save?.message).toBe("save: writing model.json needs Node's file system (node:fs), which this environment lacks; in a page, save with saveModelToString or saveModelToBlob");
    expect(() => web.loadModel('model.json')).toThrow(/^reading model\.json needs Node's file system \(node:fs\), which this environment lacks; in a page, load models with loadModelFromString, loadModelFromBlob or loadModelFromUrl$/);
    expect(() => web.loadModel('model.json')).toThrow(web.NodeOnlyError);
    expect(() => web.csvLogger({ filename: 'log.csv' })).toThrow(/^csvLogger writes a file with Node's file system .*onEpochEnd/);
    expect(() => web.writeFileAtomicSync('out.txt', 'text')).toThrow(web.NodeOnlyError);
  });

  it('fit draws its text bar on a terminal-like stream (no cli-progress)', async () => {
    const chunks: string[] = [];
    await trained(web, { isTTY: true, write: (text: string) => chunks.push(text) });
    const text = chunks.join('');
    expect(text).toMatch(/^\rEpoch 1\/3 \u2591{24} 0\/3 /);
    expect(text).toContain('\rEpoch 1/3 \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2591');
    expect(text).toMatch(/\rEpoch 3\/3 \u2588{24} 3\/3 \d+(\.\d)?(s|ms|us) \d+(\.\d)?(s|ms|us)\/step - loss: \d\.\d{4} - lr: 0\.05\n$/);
    expect(text.split('\n')).toHaveLength(4);
  });
});

describe('row threads in a page', () => {
  // 256 x 1100 logits: above the two-thread threshold (2^18).
  function crossEntropy(sg: Stablegrad) {
    const rows = 256;
    const k = 1100;
    const z = sg.input([rows, k], { name: 'z' });
    const y = sg.input([rows], { name: 'y', dtype: 'int32' });
    const loss = sg.sparseSoftmaxCrossEntropyWithLogits(z, y);
    const [grad] = sg.prepareTraining({ loss: loss.mean(), params: [z] }).gradients;
    const feeds = new Map([
      [z, sg.tensor(Float32Array.from({ length: rows * k }, (_, i) => Math.sin(i * 0.731) * 9), { shape: [rows, k] })],
      [y, sg.tensor(Array.from({ length: rows }, (_, i) => (i * 37) % k), { dtype: 'int32' })],
    ]);
    const executable = sg.compile([loss, grad!]);
    return { run: () => executable.run(feeds).map((t) => Array.from(t.data)), reference: () => sg.evaluate([loss, grad!], feeds).map((t) => Array.from(t.data)) };
  }

  it('without cross-origin isolation: one thread, no worker', () => {
    setGlobal('crossOriginIsolated', false);
    // The page build has run no large kernel yet, so this is its first look at isolation.
    const { run, reference } = crossEntropy(web);
    expect(run()).toEqual(reference());
    expect(ShimWorker.started.filter((w) => w.url.href.endsWith('row-worker-browser.js'))).toHaveLength(0);
  });

  it('cross-origin isolated: a Web Worker takes half the rows, the same bits, also where the main thread may not block', async () => {
    setGlobal('crossOriginIsolated', true);
    setGlobal('navigator', { hardwareConcurrency: 2 }); // two cores, whatever this machine has
    const { run, reference } = crossEntropy(await browserBuild('isolated'));
    const expected = reference();
    // The first run starts the worker and, not waiting for it, runs on one thread.
    expect(run()).toEqual(expected);
    const worker = ShimWorker.started.find((w) => w.url.href.endsWith('row-worker-browser.js'));
    expect(worker).toBeDefined();
    const control = new Int32Array((worker!.first as { control: SharedArrayBuffer }).control);
    await vi.waitFor(() => expect(Atomics.load(control, 1)).toBe(1), { timeout: 20_000 });
    let posted = ShimWorker.posted;
    expect(run()).toEqual(expected);
    expect(ShimWorker.posted).toBeGreaterThan(posted);
    // A page's main thread: Atomics.wait throws there, so the kernel spins on the control word.
    const wait = Atomics.wait;
    Atomics.wait = () => {
      throw new TypeError('Atomics.wait cannot be called in this context');
    };
    try {
      posted = ShimWorker.posted;
      expect(run()).toEqual(expected);
      expect(ShimWorker.posted).toBeGreaterThan(posted);
    } finally {
      Atomics.wait = wait;
    }
  });
});

describe('renderSvg in a page', () => {
  it('a wasm URL that cannot be fetched is a RenderError naming it and the status; then Graphviz renders in a Web Worker', async () => {
    const missing = await web.renderSvg('digraph { a -> b }', { wasmUrl: `${base}/missing.wasm` }).catch((e: unknown) => e as Error);
    expect(missing).toBeInstanceOf(web.RenderError);
    expect((missing as Error).message).toBe(`renderSvg: cannot fetch Graphviz's wasm file ${base}/missing.wasm: HTTP 404 Not Found`);
    const svg = await web.renderSvg(web.toDot(web.graph({ loss: web.input([2], { name: 'x' }).exp().sum() })), { wasmUrl: `${base}/render.wasm` });
    expect(svg).toContain('<svg');
    expect(svg).toContain('exp');
    const bad = await web.renderSvg('digraph { a -> }').catch((e: unknown) => e as Error);
    expect(bad).toBeInstanceOf(web.RenderError);
    expect((bad as Error).message).toMatch(/^Graphviz could not render the DOT text: .*syntax error/);
  });
});
