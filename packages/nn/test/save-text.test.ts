/**
 * Models saved to and loaded from text, Blobs and URLs (what a page uses instead of files):
 * the text is saveModel's file byte for byte; each loader brings back the same weights,
 * optimizer state and predictions; the size limit holds before parsing (UTF-8 bytes of a
 * string, a Blob's size, a response's Content-Length and its streamed body); fetch failures
 * name the URL and the HTTP status; bad text is a ModelFormatError naming its source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@stablegrad/core';
import {
  adam, dense, loadModelFromBlob, loadModelFromString, loadModelFromUrl, ModelError, ModelFormatError, saveModel, saveModelToBlob, saveModelToString,
  type Sequential, sequential, sparseCategoricalCrossentropy,
} from '@stablegrad/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobs, expectSameBits, rejection, SILENT, thrown } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'stablegrad-nn-save-text-'));
const DATA = blobs(20, 3, 3, 4);

async function trained(): Promise<Sequential> {
  const m = sequential([dense({ units: 4, activation: 'relu' }), dense({ units: 3, activation: 'softmax' })], { inputShape: [3], seed: 17, name: 'tiny' });
  m.compile({ loss: sparseCategoricalCrossentropy(), optimizer: adam({ learningRate: 0.05 }), metrics: ['accuracy'] });
  await m.fit(DATA.x, DATA.y, { epochs: 2, batchSize: 8, ...SILENT });
  return m;
}

/** A local HTTP server: path -> [status, body, headers]. */
let server: Server;
let base = '';
const routes = new Map<string, { status: number; body: string; headers?: Record<string, string> }>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes.get(request.url ?? '');
    if (route === undefined) {
      response.writeHead(404, 'Not Found').end('no such model');
      return;
    }
    response.writeHead(route.status, route.headers ?? {}).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => server.close(resolve));
});

function expectSameModel(a: Sequential, b: Sequential): void {
  expectSameBits(b.getWeights(), a.getWeights());
  expect(b.compiled!.state.iterations).toBe(a.compiled!.state.iterations);
  const x = tensor(DATA.x, { dtype: 'float32' });
  expectSameBits([b.predict(x)], [a.predict(x)]);
}

describe('saving to text and Blobs', () => {
  it('the text is what saveModel writes, byte for byte; the Blob holds it as application/json', async () => {
    const m = await trained();
    const path = join(dir, 'tiny.json');
    saveModel(m, path);
    const text = saveModelToString(m);
    expect(text).toBe(readFileSync(path, 'utf8'));
    const blob = saveModelToBlob(m);
    expect(blob.type).toBe('application/json');
    expect(await blob.text()).toBe(text);
  });
});

describe('loading from text, Blobs and URLs', () => {
  it('each loader brings back the same weights, optimizer state and predictions', async () => {
    const m = await trained();
    const text = saveModelToString(m);
    expectSameModel(m, loadModelFromString(text));
    expectSameModel(m, loadModelFromString(`\ufeff${text}`));
    expectSameModel(m, await loadModelFromBlob(saveModelToBlob(m)));
    routes.set('/tiny.json', { status: 200, body: text, headers: { 'content-type': 'application/json' } });
    expectSameModel(m, await loadModelFromUrl(`${base}/tiny.json`));
    expectSameModel(m, await loadModelFromUrl(new URL('/tiny.json', base)));
  });

  it('bad text is a ModelFormatError naming its source and the JSON path', async () => {
    const text = saveModelToString(await trained());
    const notJson = thrown(() => loadModelFromString('{"format": ', 'saved.json'));
    expect(notJson).toBeInstanceOf(ModelFormatError);
    expect(notJson.message).toMatch(/^saved\.json: not JSON: /);
    const json = JSON.parse(text) as { weights: { data: string }[] };
    json.weights[0]!.data = json.weights[0]!.data.slice(4);
    const short = thrown(() => loadModelFromString(JSON.stringify(json)));
    expect(short.message).toMatch(/^model text: \$\.weights\[0\]\.data: expected 12 float32 values/);
    const file = new File([text.replace('"tiny"', '"tiny", "extra": 1')], 'upload.model.json');
    const fromFile = await rejection(loadModelFromBlob(file));
    expect(fromFile.message).toMatch(/^upload\.model\.json: \$\.extra: unknown field/);
    routes.set('/broken.json', { status: 200, body: '<html>not a model</html>' });
    expect((await rejection(loadModelFromUrl(`${base}/broken.json`))).message).toMatch(new RegExp(`^${base}/broken\\.json: not JSON`));
  });

  it('maxBytes holds before parsing: UTF-8 bytes of a string, a Blob\'s size, a response\'s length or streamed body', async () => {
    const text = saveModelToString(await trained());
    const bytes = new TextEncoder().encode(text).length;
    expect(() => loadModelFromString(text, 'm', { maxBytes: bytes })).not.toThrow();
    expect(thrown(() => loadModelFromString(text, 'm', { maxBytes: bytes - 1 })).message).toMatch(new RegExp(`^m: the text is more than ${(bytes - 1).toLocaleString('en-US')} bytes, above maxBytes`));
    // Three bytes per character: the text is short, its UTF-8 is not.
    const wide = `"${'\u20ac'.repeat(400)}"`;
    expect(thrown(() => loadModelFromString(wide, 'wide', { maxBytes: 1000 }))).toBeInstanceOf(ModelFormatError);
    expect(thrown(() => loadModelFromString(wide, 'wide', { maxBytes: 1202 })).message).toMatch(/^wide: \$: expected an object/);
    expect((await rejection(loadModelFromBlob(new Blob([text]), { maxBytes: 100 }))).message).toMatch(new RegExp(`^model Blob: the Blob is ${bytes.toLocaleString('en-US')} bytes, above maxBytes = 100`));
    routes.set('/big.json', { status: 200, body: text, headers: { 'content-length': String(bytes) } });
    expect((await rejection(loadModelFromUrl(`${base}/big.json`, { maxBytes: 100 }))).message).toMatch(/big\.json: the response is [\d,]+ bytes \(Content-Length\), above maxBytes = 100/);
    // Chunked (no Content-Length): the body is counted as it arrives.
    routes.set('/chunked.json', { status: 200, body: text, headers: { 'transfer-encoding': 'chunked' } });
    expect((await rejection(loadModelFromUrl(`${base}/chunked.json`, { maxBytes: 100 }))).message).toMatch(/chunked\.json: the response is more than 100 bytes, above maxBytes = 100/);
    expect(thrown(() => loadModelFromString(text, 'm', { maxBytes: 0 }))).toBeInstanceOf(ModelError);
  });

  it('an HTTP error or an unreachable server is a ModelFormatError naming the URL (and the status)', async () => {
    const missing = await rejection(loadModelFromUrl(`${base}/missing.json`));
    expect(missing).toBeInstanceOf(ModelFormatError);
    expect(missing.message).toBe(`${base}/missing.json: cannot fetch: HTTP 404 Not Found`);
    routes.set('/forbidden.json', { status: 403, body: 'no' });
    expect((await rejection(loadModelFromUrl(`${base}/forbidden.json`))).message).toMatch(/forbidden\.json: cannot fetch: HTTP 403/);
    const closed = await rejection(loadModelFromUrl('http://127.0.0.1:9/model.json'));
    expect(closed).toBeInstanceOf(ModelFormatError);
    expect(closed.message).toMatch(/^http:\/\/127\.0\.0\.1:9\/model\.json: cannot fetch: /);
  });

  it('arguments of the wrong kind are a ModelError', async () => {
    expect(thrown(() => loadModelFromString(42 as unknown as string))).toBeInstanceOf(ModelError);
    expect(await rejection(loadModelFromBlob('text' as unknown as Blob))).toBeInstanceOf(ModelError);
    expect(await rejection(loadModelFromUrl(null as unknown as string))).toBeInstanceOf(ModelError);
  });
});
