/**
 * Buffers of a plan: a pool of typed arrays reused by size and dtype as values die (liveness),
 * so one training step allocates nothing and peak memory is close to the largest set of values
 * alive at the same time.
 * @module
 */
import { allocate, type DType, type TypedArray } from '@stablegrad/core';

/** Buffers of at least this many bytes are shared memory (1 MiB). */
const SHARED_MIN_BYTES = 1 << 20;

/**
 * Hands out buffers and takes them back; tracks the bytes held at once.
 * @example
 * ```ts
 * const pool = new BufferPool();
 * const a = pool.take('float32', 100);
 * pool.give(a);                       // free again: the next take of 100 float32 reuses it
 * pool.peakBytes;                     // 400
 * ```
 */
export class BufferPool {
  readonly #free = new Map<string, TypedArray[]>();
  #liveBytes = 0;
  /** Most bytes held at once (live buffers, not counting free ones). */
  peakBytes = 0;
  /** Bytes of every buffer ever made (the pool's footprint). */
  totalBytes = 0;

  /** A buffer of `size` elements of `dtype`: a freed one if any, else a new one. */
  take(dtype: DType, size: number): TypedArray {
    const free = this.#free.get(`${dtype}:${size}`);
    const buffer = free?.pop() ?? this.#make(dtype, size);
    this.#liveBytes += buffer.byteLength;
    this.peakBytes = Math.max(this.peakBytes, this.#liveBytes);
    return buffer;
  }

  /** Returns a buffer no later step reads. */
  give(buffer: TypedArray): void {
    const key = `${dtypeOf(buffer)}:${buffer.length}`;
    const free = this.#free.get(key);
    if (free === undefined) this.#free.set(key, [buffer]);
    else free.push(buffer);
    this.#liveBytes -= buffer.byteLength;
  }

  #make(dtype: DType, size: number): TypedArray {
    // Large buffers live in shared memory, so the row worker can read and write them directly.
    const bytes = size * (dtype === 'float64' ? 8 : 4);
    const buffer = bytes >= SHARED_MIN_BYTES && typeof SharedArrayBuffer !== 'undefined' ? sharedArray(dtype, size) : allocate(dtype, size);
    this.totalBytes += buffer.byteLength;
    return buffer;
  }
}

function dtypeOf(buffer: TypedArray): DType {
  return buffer instanceof Float32Array ? 'float32' : buffer instanceof Float64Array ? 'float64' : 'int32';
}

/**
 * A typed array of `size` zeros in shared memory (a SharedArrayBuffer).
 * @example
 * ```ts
 * sharedArray('float32', 1024).buffer instanceof SharedArrayBuffer; // true
 * ```
 */
export function sharedArray(dtype: DType, size: number): TypedArray {
  if (dtype === 'float64') return new Float64Array(new SharedArrayBuffer(size * 8));
  if (dtype === 'int32') return new Int32Array(new SharedArrayBuffer(size * 4));
  return new Float32Array(new SharedArrayBuffer(size * 4));
}
