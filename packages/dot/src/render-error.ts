/**
 * The error of `renderSvg`, in its own module so that both Graphviz starters (Node, browser) and
 * render.ts can throw it.
 * @module
 */
import { StablegradError } from '@stablegrad/core';

/**
 * Graphviz rejected a DOT text (the message ends with Graphviz's own, e.g. `syntax error in line 3`),
 * or, in a browser, Graphviz could not be started (its wasm file not found: the message names the URL).
 * @example
 * ```ts
 * await renderSvg('digraph { a -> }'); // RenderError: Graphviz could not render the DOT text: ...
 * ```
 */
export class RenderError extends StablegradError {
  override name = 'RenderError';
}
