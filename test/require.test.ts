/**
 * `require()` works in Node: every package's `exports` has a `default` condition beside
 * `import`, so Node (20.19 and later, 22.12 and later) loads the ES modules through require,
 * with the same exports as `import`. Through require, the Node entry points still reach the file
 * system: a model saved and loaded, a CSV log written. Run in a child process, as a user's
 * CommonJS script would.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = [
  '@stablegrad/core', '@stablegrad/core/kernels', '@stablegrad/rewrite', '@stablegrad/testing', '@stablegrad/dot', '@stablegrad/lint',
  '@stablegrad/compile', '@stablegrad/onnx', '@stablegrad/nn', 'stablegrad', 'stablegrad/testing',
];

const SCRIPT = `
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const exports = {};
for (const name of ${JSON.stringify(PACKAGES)}) exports[name] = Object.keys(require(name)).sort();
const sg = require('stablegrad');
const dir = mkdtempSync(join(tmpdir(), 'stablegrad-require-'));
(async () => {
  const m = sg.sequential([sg.dense({ units: 2, activation: 'sigmoid' })], { inputShape: [3], seed: 5 });
  m.compile({ loss: 'binaryCrossentropy', optimizer: 'sgd' });
  const csv = join(dir, 'log.csv');
  await m.fit([[1, 2, 3], [3, 2, 1]], [[1, 0], [0, 1]], { epochs: 2, verbose: 0, callbacks: [sg.csvLogger({ filename: csv })] });
  const file = join(dir, 'model.json');
  m.save(file);
  const back = sg.loadModel(file);
  const weights = (model) => model.getWeights().map((w) => Array.from(w.data));
  const io = {
    sameWeights: JSON.stringify(weights(back)) === JSON.stringify(weights(m)),
    fileIsText: readFileSync(file, 'utf8') === sg.saveModelToString(m),
    csvLines: readFileSync(csv, 'utf8').trim().split('\\n').length,
  };
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ exports, io }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('require()', () => {
  it('loads every package with the same exports as import, and the Node entries do file I/O', async () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19) || major === 21, `require(esm) needs Node 20.19+ or 22.12+, this is ${process.versions.node}`).toBe(true);
    const run = spawnSync(process.execPath, ['--no-warnings', '-e', SCRIPT], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { exports, io } = JSON.parse(run.stdout) as { exports: { [name: string]: string[] }; io: { sameWeights: boolean; fileIsText: boolean; csvLines: number } };
    for (const name of PACKAGES) {
      const viaImport = Object.keys(await import(/* @vite-ignore */ name) as object).sort();
      expect(exports[name], name).toEqual(viaImport);
      expect(viaImport.length, name).toBeGreaterThan(0);
    }
    expect(io).toEqual({ sameWeights: true, fileIsText: true, csvLines: 3 });
  });
});
