/**
 * Short descriptions of feeds and numbers for assertion messages, so that a failing property
 * says where it failed without printing megabytes.
 * @module
 */
import { type Feeds, isTensor, type TensorLike } from '@stablegrad/core';

/** A number with all the digits needed to read it back (`-0` stays `-0`). */
export function formatNumber(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

function formatValue(value: TensorLike, limit: number): string {
  if (typeof value === 'number') return formatNumber(value);
  const data: ArrayLike<number> | undefined = isTensor(value) ? value.data : ArrayBuffer.isView(value) ? value : undefined;
  if (data === undefined) {
    const text = JSON.stringify(value);
    return text.length > limit ? `${text.slice(0, limit)}...` : text;
  }
  const shown = Array.from(data).slice(0, 8).map(formatNumber).join(', ');
  const shape = isTensor(value) ? ` shape [${value.shape.join(', ')}]` : '';
  return `[${shown}${data.length > 8 ? `, ... (${data.length} values)` : ''}]${shape}`;
}

/** `x = [1, 2], W = [...]`, each value cut to a few entries. */
export function describeFeeds(feeds: Feeds, limit = 200): string {
  const entries: [string, TensorLike][] =
    feeds instanceof Map ? [...feeds.entries()].map(([node, v]) => [node.path, v]) : Object.entries(feeds);
  if (entries.length === 0) return '(no feeds)';
  return entries.map(([name, v]) => `${name} = ${formatValue(v, limit)}`).join('; ');
}
