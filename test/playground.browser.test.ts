// The playground in a real browser: builds the page with Vite, serves playground/dist from a
// tiny static server (with and without the COOP/COEP headers of cross-origin isolation), and
// drives Debian's Chromium with playwright-core (which downloads no browser): the explain list
// and the before/after SVG are on the page, the naive curve breaks where the stabilized one does
// not, bad text gets a clean error, and the digits model trains in the page to a sensible
// held-out accuracy. A screenshot goes to test-artifacts/playground.png (and to
// docs/playground.png, the README's picture, with STABLEGRAD_WRITE_SCREENSHOT=1).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainDigits } from '../examples/src/train-digits.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PLAYGROUND = join(ROOT, 'playground');
const DIST = join(PLAYGROUND, 'dist');
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** Training epochs in the isolated run: enough for the digits model to pass 90% on the held-out fifth. */
const EPOCHS = 10;

/** Debian's Chromium: STABLEGRAD_CHROMIUM, else `chromium` on the PATH. Never skipped: missing is a failure. */
function chromiumPath(): string {
  const configured = process.env.STABLEGRAD_CHROMIUM;
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) throw new Error(`STABLEGRAD_CHROMIUM=${configured}: no such file`);
    return configured;
  }
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('The playground browser test needs Chromium and found none: install Debian\'s package (`apt-get install -y chromium`; .ci/run does this as root) or set STABLEGRAD_CHROMIUM to its path. playwright-core downloads no browser.');
  }
}

const TYPES: { readonly [ext: string]: string } = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
};

/** A static file server for `root` on a free port; with `isolated`, the COOP/COEP headers. */
async function serve(root: string, isolated: boolean): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' };
    if (isolated) Object.assign(headers, { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    response.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

let browser: Browser;
const servers: Server[] = [];

beforeAll(async () => {
  const executablePath = chromiumPath();
  await build({ configFile: join(PLAYGROUND, 'vite.config.ts'), logLevel: 'error' });
  browser = await chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) server.close();
});

/** A fresh page at the served playground; page errors and console errors are collected. */
async function open(isolated: boolean): Promise<{ page: Page; errors: string[] }> {
  const { server, url } = await serve(resolve(DIST), isolated);
  servers.push(server);
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console error: ${message.text()}`); });
  // Anything outside the local server would be a download at run time.
  page.on('request', (request) => { if (!request.url().startsWith(url) && !request.url().startsWith('data:') && !request.url().startsWith('blob:')) errors.push(`fetched from elsewhere: ${request.url()}`); });
  await page.goto(url);
  return { page, errors };
}

/** Trains in the page and returns the held-out accuracy and loss it reports. */
async function trainInPage(page: Page, epochs: number): Promise<{ accuracy: number; loss: number }> {
  await page.fill('#epochs', String(epochs));
  await page.click('#train');
  const output = page.locator('#test-accuracy[data-accuracy], #test-accuracy[data-error]');
  await output.waitFor({ timeout: 90_000 });
  const accuracy = await page.locator('#test-accuracy').getAttribute('data-accuracy');
  const loss = await page.locator('#test-accuracy').getAttribute('data-loss');
  if (accuracy === null || loss === null) throw new Error(`training failed in the page: ${await page.locator('#test-accuracy').textContent()}`);
  return { accuracy: Number(accuracy), loss: Number(loss) };
}

/** The same training in Node (examples/src/train-digits.ts: same model, data, split and seed). */
async function trainInNode(epochs: number): Promise<{ accuracy: number; loss: number }> {
  const { test } = await trainDigits({ epochs, fit: { verbose: 0 } });
  return test;
}

describe('the playground in Chromium', () => {
  it('cross-origin isolated: explains, draws, plots, refuses bad text and trains', async () => {
    const { page, errors } = await open(true);
    expect(await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)).toBe(true);

    // The naive BCE example is loaded: its rules, its picture, its curves.
    await page.locator('#diff[data-rendered] svg').waitFor({ timeout: 30_000 });
    const rules = await page.locator('#rules li strong').allTextContents();
    expect(rules).toContain('binary-cross-entropy');
    const svgText = await page.locator('#diff svg').textContent();
    expect(svgText).toContain('sigmoidCrossEntropy');
    expect(svgText).toContain('rule: binary-cross-entropy');
    expect(svgText).toContain('sigmoid');
    // float32: 1 - sigmoid(z) is 0 from z ~ 17, so the loss as written is NaN there; the stabilized one is finite.
    expect(await page.locator('#value-note').textContent()).toMatch(/as written is NaN or infinite at \d+ of 401 points .*; the stabilized one everywhere\./);
    expect(await page.locator('#value-chart canvas').count()).toBeGreaterThan(0);

    // The dtype redraws at once: in float64 the loss as written lasts until z ~ 37.
    await page.selectOption('#dtype', 'float64');
    await expect.poll(() => page.locator('#value-note').textContent()).toMatch(/from z = 3[6-9]\.\d+\) in float64/);
    await page.selectOption('#dtype', 'float32');
    await expect.poll(() => page.locator('#value-note').textContent()).toContain('in float32');

    // Bad text: a typed error with its column, and nothing else breaks.
    await page.fill('#expression', 'log(sigmoid(z)');
    await page.click('#analyze');
    const error = page.locator('#expression-error');
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.textContent()).toContain("ExpressionError: line 1, column 15: expected ',' or ')' to close the call of log");
    expect(await error.getAttribute('data-column')).toBe('15');
    await page.fill('#expression', 'z.sigmoid().log().neg()');
    await page.click('#analyze');
    await expect.poll(() => error.isVisible()).toBe(false);
    await expect.poll(() => page.locator('#rules li strong').allTextContents()).toContain('log-sigmoid');

    // The Keras-clipped example: the guard rules fire.
    await page.selectOption('#example', 'keras-clipped');
    await expect.poll(() => page.locator('#rules li strong').allTextContents()).toContain('keras-log-epsilon');
    await page.locator('#diff[data-rendered] svg').waitFor({ timeout: 30_000 });

    await page.selectOption('#example', 'naive-bce');
    await page.locator('#diff[data-rendered] svg').waitFor({ timeout: 30_000 });
    const { accuracy, loss } = await trainInPage(page, EPOCHS);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(accuracy).toBeLessThanOrEqual(1);
    // The page runs the library's own code on the same seeded data: the same numbers as Node.
    expect({ accuracy, loss }).toEqual(await trainInNode(EPOCHS));
    expect(await page.locator('#training-chart canvas').count()).toBeGreaterThan(0);
    // The trained model is offered as the file model.save writes, from a Blob in the page.
    const saved = page.locator('#save-model');
    expect(await saved.isVisible()).toBe(true);
    expect(await saved.getAttribute('href')).toMatch(/^blob:/);
    const savedText = await saved.evaluate(async (a) => (await fetch((a as { href: string }).href)).text());
    expect(JSON.parse(savedText)).toMatchObject({ format: expect.stringContaining('stablegrad') });
    console.log(`playground (isolated): held-out accuracy ${accuracy.toFixed(4)} after ${EPOCHS} epochs; ${await page.locator('#test-accuracy').textContent()}`);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
    if (process.env.STABLEGRAD_WRITE_SCREENSHOT === '1') await page.screenshot({ path: join(ROOT, 'docs', 'playground.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('without COOP/COEP headers: not isolated, still trains on one thread', async () => {
    const { page, errors } = await open(false);
    expect(await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)).toBe(false);
    expect(await page.locator('#isolation').textContent()).toContain('not cross-origin isolated');
    const { accuracy, loss } = await trainInPage(page, 1);
    // One epoch: well above chance (10%), far from converged; the same numbers as in Node.
    expect(accuracy).toBeGreaterThan(0.5);
    expect({ accuracy, loss }).toEqual(await trainInNode(1));
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
