/**
 * Every package bundles for a browser: the main entry of each (and the umbrella's, and the
 * scripts of the two Web Workers) imports no Node built-in, directly or through a dependency,
 * and resolves completely. The Node-only pieces (files, worker threads, the terminal bar) sit
 * behind package.json `imports` with a `node` condition, so a bundler picks their browser twins.
 * The detector is checked too: the Node twins, bundled the same way, are caught.
 */
import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from './browser-bundles.js';

const ENTRIES = [
  '@stablegrad/core', '@stablegrad/core/kernels', '@stablegrad/rewrite', '@stablegrad/testing', '@stablegrad/dot',
  '@stablegrad/lint', '@stablegrad/compile', '@stablegrad/onnx', '@stablegrad/nn', 'stablegrad', 'stablegrad/testing',
];

// The worker scripts a page loads with `new Worker(new URL(...))`: bundled as entries of their own.
const WORKERS = ['./packages/compile/dist/kernels/row-worker-browser.js', './packages/dot/dist/viz-worker-browser.js'];

describe('browser bundles', () => {
  it.each(ENTRIES)('%s imports no Node built-in and resolves completely', async (entry) => {
    const { nodeImports, problems, code } = await bundleForBrowser(entry);
    expect(nodeImports).toEqual([]);
    expect(problems).toEqual([]);
    expect(code.length).toBeGreaterThan(1000);
  });

  it.each(WORKERS)('the worker script %s imports no Node built-in', async (script) => {
    const { nodeImports, problems } = await bundleForBrowser(script);
    expect(nodeImports).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('catches the Node twins: files, worker threads, the terminal bar (cli-progress)', async () => {
    const found = async (script: string) => (await bundleForBrowser(script)).nodeImports.map((i) => i.split(' <- ')[0]);
    expect(await found('./packages/nn/dist/file-system-node.js')).toEqual(expect.arrayContaining(['node:fs', 'node:crypto', 'node:path']));
    expect(await found('./packages/nn/dist/progress-bar-node.js')).toEqual(expect.arrayContaining(['readline']));
    expect(await found('./packages/compile/dist/kernels/row-threads-node.js')).toEqual(expect.arrayContaining(['node:os', 'node:worker_threads']));
    expect(await found('./packages/dot/dist/graphviz-node.js')).toEqual(expect.arrayContaining(['node:fs', 'node:module', 'node:worker_threads']));
  });
});
