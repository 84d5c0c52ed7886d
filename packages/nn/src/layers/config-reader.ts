/**
 * `ConfigReader`: how a layer definition reads its options, the same way from user code and
 * from a model file. Each read names its field, checks its type and range, and fills Keras'
 * default; a bad value fails with the field's name (a `ModelError` in code, a
 * `ModelFormatError` with the file and JSON path when loading). Fields nobody read are refused
 * afterwards, so a misspelt option never trains as if it were absent.
 * @module
 */
import { type Activation, checkActivation } from '../activations.js';
import { ModelError } from '../errors.js';
import { type Initializer, type InitializerName, resolveInitializer } from '../initializers.js';
import { didYouMean, showValue } from '../names.js';

/**
 * Reads the fields of one layer's options. `fail(field, message)` throws.
 * @example
 * ```ts
 * const r = new ConfigReader({ units: 3 }, (field, message) => { throw new ModelError(`dense: ${message}`); });
 * r.positiveInteger('units'); // 3
 * ```
 */
export class ConfigReader {
  readonly #fields: { readonly [key: string]: unknown };
  readonly #read = new Set<string>();
  readonly #fail: (field: string, message: string) => never;

  constructor(fields: { readonly [key: string]: unknown }, fail: (field: string, message: string) => never) {
    this.#fields = fields;
    this.#fail = fail;
  }

  /** Fails with `message` about `field`. */
  fail(field: string, message: string): never {
    return this.#fail(field, message);
  }

  /** The raw value of a field (undefined when absent), marked as read. */
  raw(field: string): unknown {
    this.#read.add(field);
    return Object.hasOwn(this.#fields, field) ? this.#fields[field] : undefined;
  }

  /** A positive safe integer (sizes are multiplied, and products must stay exact). */
  positiveInteger(field: string, options: { default?: number } = {}): number {
    const value = this.raw(field) ?? options.default;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) this.fail(field, `${field} must be a positive integer, got ${showValue(value)}`);
    return value;
  }

  /** An integer (safe), e.g. an axis. */
  integer(field: string, options: { default?: number } = {}): number {
    const value = this.raw(field) ?? options.default;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(field, `${field} must be an integer, got ${showValue(value)}`);
    return value;
  }

  /** A finite number in `[min, max]` (or `(min, max)` with `exclusive`). */
  number(field: string, options: { default?: number; min?: number; max?: number; exclusive?: boolean } = {}): number {
    const value = this.raw(field) ?? options.default;
    const { min = -Infinity, max = Infinity, exclusive = false } = options;
    const inRange = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min && value < max : value >= min && value <= max);
    if (!inRange) {
      const range = `${exclusive ? '(' : '['}${min}, ${max}${exclusive ? ')' : ']'}`;
      this.fail(field, `${field} must be a finite number in ${range}, got ${showValue(value)}`);
    }
    return value as number;
  }

  /** true or false. */
  boolean(field: string, options: { default?: boolean } = {}): boolean {
    const value = this.raw(field) ?? options.default;
    if (typeof value !== 'boolean') this.fail(field, `${field} must be true or false, got ${showValue(value)}`);
    return value;
  }

  /** One of the given strings. */
  oneOf<T extends string>(field: string, choices: readonly T[], options: { default?: T } = {}): T {
    const value = this.raw(field) ?? options.default;
    if (typeof value !== 'string' || !choices.includes(value as T)) {
      this.fail(field, `${field} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : showValue(value)}`);
    }
    return value as T;
  }

  /** An activation name (Keras'). */
  activation(field: string, options: { default?: Activation } = {}): Activation {
    const value = this.raw(field) ?? options.default;
    return this.#attempt(field, () => checkActivation(value, field));
  }

  /** An initializer, by name or as an object (names only in files). */
  initializer(field: string, options: { default?: InitializerName } = {}): Initializer {
    const value = this.raw(field) ?? options.default;
    return this.#attempt(field, () => resolveInitializer(value as Initializer | InitializerName, field));
  }

  /** Two positive integers, given as one number (both) or a pair, as Keras' `kernel_size`. */
  pair(field: string, options: { default?: number | readonly [number, number] } = {}): [number, number] {
    const value = this.raw(field) ?? options.default;
    const pair = typeof value === 'number' ? [value, value] : value;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) {
      this.fail(field, `${field} must be a positive integer or a pair of them, got ${Array.isArray(value) ? JSON.stringify(value.slice(0, 4)) : showValue(value)}`);
    }
    return [pair[0] as number, pair[1] as number];
  }

  /** A non-empty list of at most `maxLength` integers, each accepted by `ok`. */
  integers(field: string, ok: (v: number) => boolean, what: string, options: { default?: readonly number[]; maxLength?: number } = {}): number[] {
    const value = this.raw(field) ?? options.default;
    const { maxLength = 8 } = options;
    if (!Array.isArray(value) || value.length === 0 || value.length > maxLength || !value.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && ok(v))) {
      this.fail(field, `${field} must be a list of 1 to ${maxLength} ${what}, got ${Array.isArray(value) ? JSON.stringify(value.slice(0, 8)) : showValue(value)}`);
    }
    return [...(value as number[])];
  }

  /** Fails on the first field no read asked for. */
  checkAllRead(): void {
    const known = [...this.#read];
    for (const key of Object.keys(this.#fields)) {
      if (!this.#read.has(key)) this.fail(key, `unknown option '${key}'${didYouMean(key, known)}; known: ${known.join(', ')}`);
    }
  }

  #attempt<T>(field: string, make: () => T): T {
    try {
      return make();
    } catch (e) {
      if (e instanceof ModelError) this.fail(field, e.message);
      throw e;
    }
  }
}
