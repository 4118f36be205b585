/**
 * Manual ordering, as pure functions: what a drag and drop or a keyboard
 * move does to a list. The screens (the portfolio, a project's gallery) call
 * these and send the result; nothing here talks to the server.
 */

/** list with the item at from moved to index to (both clamped to the list); a new array. */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const out = list.slice();
  if (from < 0 || from >= out.length) return out;
  const target = Math.max(0, Math.min(out.length - 1, to));
  const [item] = out.splice(from, 1);
  out.splice(target, 0, item);
  return out;
}

/**
 * Moves id within the full order when only some items are on screen (a
 * filter is on): id moves to index to of the visible items, landing next to
 * the visible item it now neighbours (just before it when moving up, just
 * after it when moving down); the hidden items keep their places. Returns
 * the full order, every id once; unchanged when id is not visible or the
 * move goes nowhere.
 */
export function moveWithin<K>(full: readonly K[], visible: readonly K[], id: K, to: number): K[] {
  const from = visible.indexOf(id);
  if (from < 0) return full.slice();
  const target = Math.max(0, Math.min(visible.length - 1, to));
  if (target === from) return full.slice();
  const moved = moveItem(visible, from, target);
  const rest = full.filter((k) => k !== id);
  if (target < from) {
    const anchor = moved[target + 1];
    rest.splice(rest.indexOf(anchor), 0, id);
  } else {
    const anchor = moved[target - 1];
    rest.splice(rest.indexOf(anchor) + 1, 0, id);
  }
  return rest;
}

/** Which move a key on a grab handle asks for: one up or down, to the top or bottom; null for other keys. */
export function keyMove(key: string, index: number, length: number): number | null {
  switch (key) {
    case "ArrowUp":
      return index > 0 ? index - 1 : null;
    case "ArrowDown":
      return index < length - 1 ? index + 1 : null;
    case "Home":
      return index > 0 ? 0 : null;
    case "End":
      return index < length - 1 ? length - 1 : null;
    default:
      return null;
  }
}

/** Orders items by ids (items whose id is not listed go last, in their order). */
export function applyOrder<T, K>(items: readonly T[], ids: readonly K[], idOf: (item: T) => K): T[] {
  const rank = new Map(ids.map((k, i) => [k, i]));
  return items
    .map((item, i) => ({ item, i, r: rank.get(idOf(item)) ?? ids.length + i }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.item);
}
