/**
 * Hints for names written the Python way: `sparse_categorical_crossentropy` is
 * `sparseCategoricalCrossentropy` here, `acc` is `accuracy`.
 * @module
 */

const ALIASES: { readonly [name: string]: string } = { acc: 'accuracy' };

/**
 * ` (did you mean 'x'?)` when `given` is a known name in another spelling, else ''.
 * @example
 * ```ts
 * didYouMean('sparse_categorical_crossentropy', ['sparseCategoricalCrossentropy']); // " (did you mean 'sparseCategoricalCrossentropy'?)"
 * ```
 */
export function didYouMean(given: unknown, known: readonly string[]): string {
  if (typeof given !== 'string') return '';
  const camel = given.toLowerCase().replace(/[_-]+([a-z])/g, (_, c: string) => c.toUpperCase());
  const match = ALIASES[given] ?? known.find((name) => name.toLowerCase() === camel.toLowerCase());
  return match === undefined || match === given ? '' : ` (did you mean '${match}'?)`;
}
