/**
 * Saving and loading models without files: to and from text, Blobs (a download, an
 * `<input type="file">`, IndexedDB) and URLs (`fetch`), for a browser page where there is no
 * file system, and for Node code that keeps models elsewhere. The text is the model file's:
 * `saveModelToString(model)` is what `saveModel` writes, byte for byte. Loading applies the
 * limits and checks of `loadModel` (size before reading or parsing, then every field); nothing
 * read is ever executed.
 * @module
 */
import { ModelError, ModelFormatError } from './errors.js';
import type { Sequential } from './model.js';
import { checkLoadOptions, type LoadOptions, modelFromJSON, modelToJSON } from './save.js';

/**
 * The model file's text: what `saveModel` writes (JSON, one space of indent, a final newline).
 * Errors as `modelToJSON` (non-finite weights, custom losses or metrics: a `ModelError`).
 * @example
 * ```ts
 * localStorage.setItem('model', saveModelToString(model));
 * ```
 */
export function saveModelToString(model: Sequential): string {
  const json = modelToJSON(model);
  try {
    return `${JSON.stringify(json, null, 1)}\n`;
  } catch (e) {
    if (e instanceof RangeError) throw new ModelError(`save: the model (${model.countParams().toLocaleString('en-US')} weights) is too large for one JSON text (${e.message})`);
    throw e;
  }
}

/**
 * The model file as a Blob (`application/json`), e.g. for a download link.
 * @example
 * ```ts
 * const link = Object.assign(document.createElement('a'), { href: URL.createObjectURL(saveModelToBlob(model)), download: 'digits.model.json' });
 * link.click();
 * ```
 */
export function saveModelToBlob(model: Sequential): Blob {
  return new Blob([saveModelToString(model)], { type: 'application/json' });
}

/**
 * A model from a model file's text; `source` names it in errors. A text above `maxBytes` (in
 * UTF-8 bytes, see `LoadOptions`) is refused before it is parsed; a leading byte-order mark is
 * skipped; then every field is checked as by `loadModel` (a `ModelFormatError` naming `source`
 * and the JSON path).
 * @example
 * ```ts
 * const model = loadModelFromString(localStorage.getItem('model')!, 'localStorage model');
 * ```
 */
export function loadModelFromString(text: string, source = 'model text', options: LoadOptions = {}): Sequential {
  const { maxBytes } = checkLoadOptions(options);
  if (typeof text !== 'string') throw new ModelError(`loadModelFromString: expected the model file's text (a string), got ${text === null ? 'null' : typeof text}`);
  if (exceedsUtf8(text, maxBytes)) throw tooLarge(source, `the text is more than ${maxBytes.toLocaleString('en-US')} bytes`, maxBytes);
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new ModelFormatError(`${source}: not JSON: ${(e as Error).message}`);
  }
  return modelFromJSON(json, source, options);
}

/**
 * A model from a Blob or File holding a model file (a File is named in errors by its name). Its
 * size is checked against `maxBytes` before it is read.
 * @example
 * ```ts
 * input.onchange = async () => { model = await loadModelFromBlob(input.files![0]!); };
 * ```
 */
export async function loadModelFromBlob(blob: Blob, options: LoadOptions = {}): Promise<Sequential> {
  const { maxBytes } = checkLoadOptions(options);
  if (typeof blob !== 'object' || blob === null || typeof blob.text !== 'function' || typeof blob.size !== 'number') {
    throw new ModelError(`loadModelFromBlob: expected a Blob or File, got ${blob === null ? 'null' : typeof blob}`);
  }
  const name = (blob as { readonly name?: unknown }).name;
  const source = typeof name === 'string' && name !== '' ? name : 'model Blob';
  if (blob.size > maxBytes) throw tooLarge(source, `the Blob is ${blob.size.toLocaleString('en-US')} bytes`, maxBytes);
  return loadModelFromString(await blob.text(), source, options);
}

/**
 * A model fetched from `url` (in a page, relative to it). An HTTP error status or a network
 * failure is a `ModelFormatError` naming the URL (and the status); the body is read as it
 * arrives and refused once it passes `maxBytes`, whatever its `Content-Length` says; then it is
 * checked as by `loadModel`.
 * @example
 * ```ts
 * const model = await loadModelFromUrl('/models/digits.model.json');
 * ```
 */
export async function loadModelFromUrl(url: string | URL, options: LoadOptions = {}): Promise<Sequential> {
  const { maxBytes } = checkLoadOptions(options);
  if (typeof url !== 'string' && !(url instanceof URL)) throw new ModelError(`loadModelFromUrl: expected a URL (a string or URL), got ${url === null ? 'null' : typeof url}`);
  const source = String(url);
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ModelFormatError(`${source}: cannot fetch: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new ModelFormatError(`${source}: cannot fetch: HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(source, `the response is ${declared.toLocaleString('en-US')} bytes (Content-Length)`, maxBytes);
  }
  const bytes = await readAtMost(response, maxBytes, source);
  return loadModelFromString(new TextDecoder().decode(bytes), source, options);
}

/** The body, refused as soon as it passes `maxBytes`. */
async function readAtMost(response: Response, maxBytes: number, source: string): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (e) {
      throw new ModelFormatError(`${source}: cannot fetch: the body broke off after ${total.toLocaleString('en-US')} bytes (${e instanceof Error ? e.message : String(e)})`);
    }
    if (next.done) break;
    total += next.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(source, `the response is more than ${maxBytes.toLocaleString('en-US')} bytes`, maxBytes);
    }
    chunks.push(next.value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(source: string, found: string, maxBytes: number): ModelFormatError {
  return new ModelFormatError(`${source}: ${found}, above maxBytes = ${maxBytes.toLocaleString('en-US')} (a load option)`);
}

/** Whether `text` is more than `limit` bytes in UTF-8, counting only as far as needed. */
function exceedsUtf8(text: string, limit: number): boolean {
  // Each UTF-16 unit is 1 to 3 bytes in UTF-8 (a surrogate pair, two units, is 4).
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes > limit;
}
