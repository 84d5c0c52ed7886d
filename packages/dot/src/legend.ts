/**
 * The legend of looks: one sample box per look the picture uses (forward, gradient, fused,
 * rewritten, removed, added), each drawn exactly as such nodes are, stacked in a cluster titled
 * `legend`. Only the looks that appear are listed, so the legend never explains what the
 * picture does not show; a picture with only plain nodes gets none. Classes: the cluster
 * `legend looks`, each box `legend look-<entry>` (the overlay's legend is `legend heat-<step>`).
 * @module
 */
import { quoted } from './escape.js';
import { type Attribute, formatAttributes, type Look, nodeAttributes } from './style.js';

/** A look the legend can explain. */
type LegendEntry = 'forward' | 'gradient' | 'fused' | 'rewritten' | 'removed' | 'added';

/** Each entry's label and the look of its sample box, in the order the legend lists them. */
const ENTRIES: readonly { readonly entry: LegendEntry; readonly label: string; readonly look: Partial<Look> }[] = [
  { entry: 'forward', label: 'forward', look: {} },
  { entry: 'gradient', label: 'gradient', look: { gradient: true } },
  { entry: 'fused', label: 'fused (stable op)', look: { fused: true } },
  { entry: 'rewritten', label: 'rewritten by a rule', look: { rewritten: true } },
  { entry: 'removed', label: 'removed', look: { status: 'removed' } },
  { entry: 'added', label: 'added', look: { status: 'added' } },
];

/** The entries that `looks` use. `forward` is listed only beside gradient nodes, its contrast. */
export function legendEntries(looks: readonly Look[]): LegendEntry[] {
  const has = (test: (look: Look) => boolean): boolean => looks.some(test);
  const used: { readonly [E in LegendEntry]: boolean } = {
    forward: has((l) => l.gradient) && has((l) => !l.gradient && l.kind !== 'input'),
    gradient: has((l) => l.gradient),
    fused: has((l) => l.fused),
    rewritten: has((l) => l.rewritten),
    removed: has((l) => l.status === 'removed' || l.status === 'changed'),
    added: has((l) => l.status === 'added' || l.status === 'changed'),
  };
  return ENTRIES.filter((e) => used[e.entry]).map((e) => e.entry);
}

/**
 * The legend as DOT statements (none when no entry is used): a cluster `cluster_looks` with one
 * box per entry (`look_fused`, ...) kept in a column by invisible edges. It is its own
 * connected component, so Graphviz lays it out beside the graph.
 */
export function looksLegendLines(looks: readonly Look[]): string[] {
  const entries = ENTRIES.filter((e) => legendEntries(looks).includes(e.entry));
  if (entries.length === 0) return [];
  const lines = ['subgraph cluster_looks {', '  graph [label="legend", class="legend looks", style="rounded", color="#9ca3af", fontcolor="#111827"];'];
  for (const { entry, label, look } of entries) {
    const full: Look = { kind: 'op', gradient: false, fused: false, rewritten: false, status: undefined, output: false, heat: undefined, ...look };
    const attributes: Attribute[] = nodeAttributes(full).map(([name, value]) => (name === 'class' ? [name, `"legend look-${entry}"`] : [name, value]));
    attributes.push(['fontsize', '10'], ['label', quoted(label)]);
    lines.push(`  look_${entry} [${formatAttributes(attributes)}];`);
  }
  if (entries.length > 1) lines.push(`  ${entries.map((e) => `look_${e.entry}`).join(' -> ')} [style=invis];`);
  lines.push('}');
  return lines;
}
