/**
 * Reading a Yjs update against a document, for the rules: which items it brings, where each
 * lands (its root map and key, from the item itself or the item it follows), what the document
 * already has. Knows Yjs, not the schema's rules.
 */
import * as Y from 'yjs';

export type AnyStruct = Y.Item | Y.GC | Y.Skip;
export interface Placed {
  root: string;
  key: string | null;
  value: unknown;
  deleted: boolean;
}

export function stateOf(doc: Y.Doc, client: number): number {
  return Y.getState(doc.store, client);
}

/** The struct of doc (or null) holding id. */
export function findInDoc(doc: Y.Doc, id: Y.ID): AnyStruct | null {
  if (id.clock >= stateOf(doc, id.client)) return null;
  try {
    return Y.getItem(doc.store, id) as AnyStruct;
  } catch {
    return null;
  }
}

function rootName(doc: Y.Doc, type: Y.AbstractType<unknown>): string | null {
  if (type._item !== null) return null; // a nested type: not part of the schema
  for (const [key, value] of doc.share.entries()) if (value === type) return key;
  return null;
}

/** Where an integrated item of the document lives. */
export function placeInDoc(doc: Y.Doc, item: Y.Item): Placed | null {
  const root = rootName(doc, item.parent as Y.AbstractType<unknown>);
  if (root === null) return null;
  const values = item.content.getContent();
  return { root, key: item.parentSub, value: values[0], deleted: item.deleted };
}

export interface DeleteSet {
  clients: Map<number, { clock: number; len: number }[]>;
}

/** A lookup of the update's items by id (an item may span several clocks). */
export function itemsOfUpdate(structs: AnyStruct[]): (id: Y.ID) => Y.Item | null {
  // The update's items per client, in clock order (as encoded): an item may span several clocks
  // (consecutive deleted entries merge), so a lookup finds the item whose range holds the clock.
  const inUpdate = new Map<number, Y.Item[]>();
  for (const s of structs) {
    if (!(s instanceof Y.Item)) continue;
    const list = inUpdate.get(s.id.client);
    if (list) list.push(s);
    else inUpdate.set(s.id.client, [s]);
  }
  return (id) => {
    const list = inUpdate.get(id.client);
    if (!list) return null;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const item = list[mid];
      if (id.clock < item.id.clock) hi = mid - 1;
      else if (id.clock >= item.id.clock + item.length) lo = mid + 1;
      else return item;
    }
    return null;
  };
}

/**
 * Where each new item of the update lands: its root map and key, from the item or, when it
 * overwrites a key, from the item it follows (in the update or in the document). Null for a
 * nested type or an origin nobody has.
 */
export function placerOf(
  doc: Y.Doc,
  lookupInUpdate: (id: Y.ID) => Y.Item | null,
): (item: Y.Item) => { root: string; key: string | null } | null {
  const placed = new Map<Y.Item, { root: string; key: string | null }>();
  const placeNew = (item: Y.Item, depth = 0): { root: string; key: string | null } | null => {
    const known = placed.get(item);
    if (known) return known;
    let result: { root: string; key: string | null } | null = null;
    if (typeof item.parent === 'string') result = { root: item.parent, key: item.parentSub };
    else if (item.parent !== null)
      return null; // parent is an item: a nested type
    else {
      const originId = item.origin ?? item.rightOrigin;
      if (!originId || depth > 1000) return null;
      const originInUpdate = lookupInUpdate(originId);
      if (originInUpdate) result = placeNew(originInUpdate, depth + 1);
      else {
        const origin = findInDoc(doc, originId);
        if (origin instanceof Y.Item) {
          const p = placeInDoc(doc, origin);
          result = p ? { root: p.root, key: p.key } : null;
        }
      }
    }
    if (result) placed.set(item, result);
    return result;
  };
  return (item) => placeNew(item);
}
