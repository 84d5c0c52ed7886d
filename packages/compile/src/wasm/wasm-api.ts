/**
 * The few parts of the WebAssembly JavaScript API the backend uses, typed here because the ES2022
 * lib and Node's type definitions do not declare `WebAssembly` (only the DOM lib does). Real
 * `WebAssembly.Memory` objects satisfy {@link WasmMemory}.
 * @module
 */

/**
 * A linear memory: `WebAssembly.Memory`.
 * @example
 * ```ts
 * const memory: WasmMemory = new (webAssemblyApi()!).Memory({ initial: 1 });
 * ```
 */
export interface WasmMemory {
  /** The current bytes; replaced (and the old one detached) whenever the memory grows. */
  readonly buffer: ArrayBuffer;
  /** Grows by `deltaPages` pages of 64 KiB; returns the previous size in pages. */
  grow(deltaPages: number): number;
}

/**
 * A compiled module: `WebAssembly.Module` (opaque here).
 * @example
 * ```ts
 * const module: WasmModule = new (webAssemblyApi()!).Module(bytes);
 * ```
 */
export type WasmModule = object;

/**
 * The `WebAssembly` namespace object, as far as the backend uses it.
 * @example
 * ```ts
 * const api: WasmApi | undefined = webAssemblyApi();
 * ```
 */
export interface WasmApi {
  /** True when `bytes` is a well-formed module this engine accepts. */
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  /** Compiles a module synchronously. */
  Module: new (bytes: Uint8Array<ArrayBuffer>) => WasmModule;
  /** Instantiates a compiled module synchronously with its imports. */
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  /** Creates a memory of `initial` 64 KiB pages. */
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

/**
 * The engine's `WebAssembly` object, or undefined where there is none.
 * @example
 * ```ts
 * webAssemblyApi()?.validate(bytes); // true for a well-formed module
 * ```
 */
export function webAssemblyApi(): WasmApi | undefined {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return typeof api === 'object' && typeof api.validate === 'function' ? api : undefined;
}
