/**
 * Options shared by every view.
 * @module
 */
import type { Graph, Node } from '@stablegrad/core';
import type { RewriteReport } from '@stablegrad/rewrite';

/**
 * What to draw and how.
 * @example
 * ```ts
 * toDot(graph({ loss, dW }), { forward: [loss], rankdir: 'LR', edgeShapes: true });
 * ```
 */
export interface DotOptions {
  /** Direction of the layout: top to bottom (default), left to right, ... */
  readonly rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
  /** Write each edge's shape (the shape of the value it carries) on it. */
  readonly edgeShapes?: boolean;
  /** A title drawn above the picture. */
  readonly title?: string;
  /**
   * The report of a rewrite (`stabilize(...).report`): fused ops that the `stabilize` phase
   * produced are highlighted (orange, class `fused`), other nodes a rule produced are drawn
   * lightly (class `rewritten`); both show the rule's name in their label and its doc in their
   * tooltip.
   */
  readonly report?: RewriteReport;
  /**
   * The forward graph (or its outputs), for a forward + gradient picture: nodes that these do
   * not depend on are gradient nodes, drawn dashed in another colour. Fused cross-entropies and
   * their fused gradients (`sigmoidCrossEntropyGrad`, ...) are highlighted as fused here, the
   * gradients with their formula as tooltip. Each gradient node names the forward op it belongs
   * to (`grad of relu`) and is drawn at that op's height, so the gradient is a second column
   * beside the layers.
   */
  readonly forward?: Graph | readonly Node[];
  /** Draw each top-level scope as one box, so large graphs stay readable. */
  readonly collapseScopes?: boolean;
  /**
   * What each top-level scope is, keyed by scope name (`dense_1`), e.g. from
   * `model.layerSummaries()`: expanded clusters and collapsed boxes are then labelled
   * `dense_1 · dense, relu · [batch, 25] · 1,625 params`. Scopes without an entry, and every
   * scope when this is not given, are described from the graph itself in the collapsed view
   * (their ops, output shape and the size of their params).
   */
  readonly scopes?: Readonly<Record<string, ScopeSummary>>;
  /**
   * Draw the legend of the looks the picture uses (default true): one sample box per look that
   * appears — forward (in a forward + gradient view), gradient, fused, rewritten, removed,
   * added — in a cluster titled `legend` (class `legend looks`, each box `legend look-<look>`). A
   * picture with none of the looks besides forward gets no legend: its labels say it all.
   */
  readonly legend?: boolean;
  /**
   * Numbers to draw on the picture (bits of error per node, ...): nodes with a value are
   * coloured on a scale from 0 to `max`, show the value in their label, and a legend is added.
   * Used by `toDot` (expanded, collapsed and forward + gradient views); `toDiffDot` ignores it,
   * since its colours already say removed and added.
   */
  readonly overlay?: DotOverlay;
}

/**
 * What a top-level scope (a layer) is, for its label: `dense_1 · dense, relu · [batch, 25] ·
 * 1,625 params`. `null` in `outputShape` is an unknown dimension, drawn `?`.
 * @example
 * ```ts
 * const scopes = { dense_1: { type: 'dense', activation: 'relu', outputShape: ['batch', 25], params: 1625 } };
 * toDot(model.toGraph(), { scopes, collapseScopes: true });
 * ```
 */
export interface ScopeSummary {
  /** The layer type, e.g. `dense`. */
  readonly type: string;
  /** Its activation, e.g. `relu`. */
  readonly activation?: string;
  /** Its output shape, e.g. `['batch', 25]`. */
  readonly outputShape?: readonly (number | string | null)[];
  /** Its number of trained values. */
  readonly params?: number;
}

/**
 * Numbers drawn on the picture: nodes coloured on a six-step sequential scale (ColorBrewer
 * YlOrRd, pale yellow to dark red) with a legend. A node with a value gets its step's colour in
 * place of its kind, fused or gradient colour (shape, dashes and classes stay), white text on the
 * darkest step, its value as a label line (`12.3 bits`, one decimal; `∞` and `NaN` as such),
 * and the DOT class `heat-<step>` (`heat-0` palest ... `heat-5` darkest) for CSS. Step `k` holds
 * values in `[k max / 6, (k + 1) max / 6)`; values below 0 take the first step, values at or
 * above `5 max / 6` and non-finite values (NaN, ±∞: something went wrong) the last. A collapsed
 * scope box (`collapseScopes`) shows the largest value among its nodes as `max 12.3 bits`.
 *
 * The legend is a cluster titled `title` (class `legend`) with one box per step, each labelled
 * with its range (`0–8.83 bits`, ..., `≥ 44.2 bits, NaN`) and classed `legend heat-<step>`.
 * @example
 * ```ts
 * const values = new Map([[p, 0.4], [logp, 51.2]]);
 * const notes = new Map([[logp, 'where z > 36.7']]);
 * const overlay: DotOverlay = { title: 'local error (bits, mean over samples)', values, max: 53, unit: 'bits', notes, flagAbove: 20 };
 * const svg = await renderSvg(toDot(graph({ loss }), { overlay }));
 * ```
 */
export interface DotOverlay {
  /** What the numbers are, for the legend title, e.g. `'local error (bits, mean over samples)'`. */
  readonly title: string;
  /**
   * One number per node that has one; nodes without a value keep their normal look. Nodes that
   * are not drawn are ignored.
   */
  readonly values: ReadonlyMap<Node, number>;
  /**
   * The top of the scale (values at or above it get the last colour), e.g. 53; a finite number
   * > 0. Lowest is 0.
   */
  readonly max: number;
  /** Optional unit written after each value in the node label and the legend, e.g. `'bits'`. */
  readonly unit?: string;
  /**
   * Optional extra text per node with a value, shown as a label line under the value and in
   * the tooltip (e.g. `'where z > 36.7'`). Notes of nodes without a value are not shown.
   */
  readonly notes?: ReadonlyMap<Node, string>;
  /**
   * Values at or above this, and non-finite values, are drawn with a thick red border and class
   * `flagged` (default: no flagging).
   */
  readonly flagAbove?: number;
  /**
   * Nodes to draw flagged whatever their value (a lint flags nodes by more than their mean:
   * a rare total loss of digits too); combined with `flagAbove`.
   */
  readonly flagged?: ReadonlySet<Node>;
}
