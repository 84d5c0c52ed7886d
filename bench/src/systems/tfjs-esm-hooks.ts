/**
 * Node module hooks that let the ES-module build of `@tensorflow/tfjs-core` load: its files
 * import each other without the `.js` extension, which Node's ESM resolver refuses. Needed for
 * `dist/register_all_gradients.js`, because tfjs-core's Node bundle registers no gradients (the
 * `@tensorflow/tfjs` umbrella package, not installed here, normally does it). Registered by
 * tfjs.ts with `module.register`; affects only specifiers imported from inside tfjs-core's dist.
 * @module
 */
import type { ResolveHook } from 'node:module';

const TFJS_CORE_DIST = '/@tensorflow/tfjs-core/dist/';

/**
 * Adds `.js` (or `/index.js`) to extensionless relative imports made by tfjs-core's ESM files.
 * @example
 * ```ts
 * register(new URL('./tfjs-esm-hooks.js', import.meta.url)); // Node then calls resolve()
 * ```
 */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const fromTfjsCore = context.parentURL?.includes(TFJS_CORE_DIST) ?? false;
  if (!fromTfjsCore || !specifier.startsWith('.') || specifier.endsWith('.js')) return nextResolve(specifier, context);
  try {
    return await nextResolve(`${specifier}.js`, context);
  } catch {
    return nextResolve(`${specifier}/index.js`, context);
  }
};
