/**
 * Small, independent checks of Graphviz's SVG output for the tests: well-formedness (every tag
 * closed in order, one root `<svg>`, no stray `&` or `<` in text), node groups, and the text
 * the picture shows (entities decoded).
 */

/** Throws unless `svg` is a well-formed SVG document. */
export function checkWellFormed(svg: string): void {
  if (!/^(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?/.test(svg)) throw new Error('bad prolog');
  const body = svg
    .replace(/^<\?xml[^>]*\?>/, '')
    .replace(/<!DOCTYPE[^>]*>/, '')
    .replace(/<!--[\s\S]*?-->/g, '');
  const stack: string[] = [];
  let roots = 0;
  for (const token of body.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (!token.startsWith('<')) {
      if (stack.length === 0 && token.trim() !== '') throw new Error(`text outside the root: ${token}`);
      checkEntities(token);
      continue;
    }
    const close = /^<\/([\w:-]+)\s*>$/.exec(token);
    if (close !== null) {
      const open = stack.pop();
      if (open !== close[1]) throw new Error(`</${close[1]}> closes <${open}>`);
      continue;
    }
    const start = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(token);
    if (start === null) throw new Error(`malformed tag ${token}`);
    checkEntities(start[2]!);
    if (stack.length === 0) roots++;
    if (stack.length === 0 && start[1] !== 'svg') throw new Error(`root element is <${start[1]}>`);
    if (start[3] !== '/') stack.push(start[1]!);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

function checkEntities(text: string): void {
  const stray = /&(?!(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);)/.exec(text);
  if (stray !== null) throw new Error(`stray & in ${JSON.stringify(text)}`);
  if (text.includes('<')) throw new Error(`stray < in ${JSON.stringify(text)}`);
}

/** The class lists of the node groups: `<g id="node3" class="node param fused">` gives `node param fused`. */
export function nodeClasses(svg: string): string[] {
  return [...svg.matchAll(/<g id="[^"]*" class="(node(?: [^"]*)?)">/g)].map((m) => m[1]!);
}

/** The class lists of the node groups of the graph itself, without the legends' boxes. */
export function graphNodeClasses(svg: string): string[] {
  return nodeClasses(svg).filter((c) => !c.split(' ').includes('legend'));
}

/**
 * How many boxes `nodes` are drawn as in an expanded view: one per node, but a constant read
 * by several of them once per user.
 */
export function drawnBoxes(nodes: readonly { readonly op: string; readonly inputs: readonly unknown[] }[]): number {
  const users = (c: unknown) => nodes.filter((n) => n.inputs.includes(c)).length;
  return nodes.reduce((count, n) => count + (n.op === 'constant' ? Math.max(1, users(n)) : 1), 0);
}

/** The class lists of the cluster groups. */
export function clusterClasses(svg: string): string[] {
  return [...svg.matchAll(/<g id="[^"]*" class="(cluster(?: [^"]*)?)">/g)].map((m) => m[1]!);
}

/** Decodes XML entities. */
export function decode(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    const named: { [k: string]: string } = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    return named[name] ?? whole;
  });
}

/** Every line of text the picture shows, decoded. */
export function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => decode(m[1]!));
}
