/**
 * Escaping of user text (node names, scopes, symbolic dimensions, titles, rule names and docs)
 * for DOT. Every such string is written as a DOT quoted string, built so that it contains no
 * `"` and no `\` at all: nothing in it can end the string, continue a line, or form a Graphviz
 * escape (`\N`, `\G`, `\l`, ...).
 *
 * Graphviz reads a quoted label in three steps: it expands `\N`-style escapes, decodes
 * entities (`&amp;`, `&#92;`), then turns `\n` into line breaks and `\x` into `x`. So the text
 * is first made printable (characters that SVG/XML cannot carry are spelled out as `\n`, `\t`,
 * `\r` or `\uXXXX`), then `&` becomes `&amp;`, `"` becomes `&quot;` and a backslash becomes
 * `&#92;&#92;` (decoded to `\\`, shown as `\`). `<`, `>`, `{`, `}` and `|` need nothing: they
 * are special only in HTML-like labels and record shapes, which are not used (the wasm
 * Graphviz of `@aduh95/viz.js` ignores HTML-like labels anyway).
 *
 * Labels, which carry every user name, show the text exactly. Tooltips go through the same
 * escaping and always parse, but Graphviz post-processes them differently, so a backslash
 * followed by a letter such as `N` may be shown altered there.
 * @module
 */

/**
 * The text with every character that XML 1.0 forbids or that would be invisible spelled out:
 * C0 controls (`\n`, `\t`, `\r`, `\u0000`...), DEL and C1 controls, lone UTF-16 surrogates,
 * and the non-characters U+FFFE and U+FFFF. Everything else, any script or emoji, is kept.
 * @example
 * ```ts
 * printable('a\nb\u0000'); // 'a\\nb\\u0000'
 * ```
 */
export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
        continue;
      }
    }
    out += spelledOut(unit) ?? text[i]!;
  }
  return out;
}

/** The spelled-out form of a UTF-16 code unit that cannot appear as itself, or undefined. */
function spelledOut(unit: number): string | undefined {
  if (unit === 0x0a) return '\\n';
  if (unit === 0x09) return '\\t';
  if (unit === 0x0d) return '\\r';
  const hidden =
    unit < 0x20 || (unit >= 0x7f && unit <= 0x9f) || (unit >= 0xd800 && unit <= 0xdfff) || unit === 0xfffe || unit === 0xffff;
  return hidden ? `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

const ENTITIES: { readonly [char: string]: string } = { '&': '&amp;', '"': '&quot;', '\\': '&#92;&#92;' };

/**
 * One line of text for the inside of a DOT quoted string: printable, with `&`, `"` and `\`
 * written as entities (see the module comment for why a backslash becomes `&#92;&#92;`).
 * @example
 * ```ts
 * escapeText('say "hi" \\o/'); // 'say &quot;hi&quot; &#92;&#92;o/'
 * ```
 */
export function escapeText(text: string): string {
  return printable(text).replace(/[&"\\]/g, (c) => ENTITIES[c]!);
}

/**
 * A DOT quoted string showing `lines` one under the other (joined by the `\n` escape, the only
 * backslash ever written).
 * @example
 * ```ts
 * quoted(['exp', 'dense_1/h']); // '"exp\\ndense_1/h"'
 * ```
 */
export function quoted(lines: string | readonly string[]): string {
  const list = typeof lines === 'string' ? [lines] : lines;
  return `"${list.map(escapeText).join('\\n')}"`;
}
