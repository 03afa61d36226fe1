/**
 * The rules a discussion update must follow, checked by the server on every incoming update
 * (and usable by clients before they send). Pure: (document as the server has it, update,
 * who sends it) -> verdict. Nothing is applied here.
 *
 * An update is decoded into Yjs structs (new items) and a delete set. Each new item is placed:
 * its root map and key come from the item itself or, when it overwrites a key, from the item
 * it follows (its origin), found in the update or in the document (update-structs.ts). Then the
 * rules about content (item-rules.ts; the table is in ARCHITECTURE.md) decide. The first broken
 * rule refuses the whole update.
 */
import * as Y from 'yjs';
import { mergeCursor } from '../discussion/reads.js';
import { Root, type ReadCursor } from '../discussion/schema.js';
import { checkDelete, checkItem } from './item-rules.js';
import {
  itemsOfUpdate,
  placeInDoc,
  placerOf,
  stateOf,
  type AnyStruct,
  type DeleteSet,
} from './update-structs.js';
import { RuleCode, refuse, type Verdict, type RuleContext, type Sender } from './verdict.js';

export { RuleCode, type RuleContext, type Sender, type Verdict } from './verdict.js';

export function checkUpdate(
  doc: Y.Doc,
  update: Uint8Array,
  sender: Sender,
  context: RuleContext = {},
): Verdict {
  const { structs, ds } = Y.decodeUpdate(update) as { structs: AnyStruct[]; ds: DeleteSet };
  // Yjs throws half-way through applying an empty deletion range, the document already changed
  // (found by fuzzing): such an update is malformed, refused whole like an undecodable one.
  for (const ranges of ds.clients.values())
    if (ranges.some((r) => r.len === 0)) throw new Error('empty deletion range');
  const lookupInUpdate = itemsOfUpdate(structs);
  const placeNew = placerOf(doc, lookupInUpdate);
  let missingDependencies = false;
  let cursor: ReadCursor | undefined;
  // Per client, the next clock this update must provide to be contiguous with the document.
  const next = new Map<number, number>();
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue; // a hole: what follows it will show as a gap
    const client = struct.id.client;
    const expected = next.get(client) ?? stateOf(doc, client);
    if (struct.id.clock > expected) missingDependencies = true;
    next.set(client, Math.max(expected, struct.id.clock + struct.length));
    if (!(struct instanceof Y.Item)) continue; // GC carries no content
    if (struct.id.clock + struct.length <= stateOf(doc, client)) continue; // the server has it already
    const place = placeNew(struct);
    if (!place) {
      if (struct.parent !== null && typeof struct.parent !== 'string')
        return refuse(RuleCode.NestedType, 'nested shared types are not part of the schema');
      // Following an item in a gap of this update: the complete difference will tell.
      if (missingDependencies) return { ok: true, missingDependencies };
      return refuse(RuleCode.UnknownReference, 'the update refers to items the server does not have');
    }
    const verdict = checkItem(doc, struct, place.root, place.key, sender, context);
    if (verdict) return verdict;
    if (place.root === Root.reads && struct.content instanceof Y.ContentAny)
      cursor = mergeCursor(cursor, struct.content.arr[0] as ReadCursor) ?? cursor;
  }

  // Nothing of an update with a gap is applied: the server asks for the complete difference.
  if (missingDependencies) return { ok: true, missingDependencies };
  for (const [client, ranges] of ds.clients) {
    for (const range of ranges) {
      const verdict = checkDeletion(doc, client, range.clock, range.len, sender, lookupInUpdate);
      if (verdict) return verdict;
    }
  }
  return cursor ? { ok: true, missingDependencies, cursor } : { ok: true, missingDependencies };
}

function checkDeletion(
  doc: Y.Doc,
  client: number,
  clock: number,
  len: number,
  sender: Sender,
  lookupInUpdate: (id: Y.ID) => Y.Item | null,
): Verdict | null {
  const end = clock + len;
  const known = stateOf(doc, client);
  if (clock < known) {
    const structs = doc.store.clients.get(client) ?? [];
    let index = Y.findIndexSS(structs, clock);
    for (; index < structs.length && structs[index].id.clock < end; index++) {
      const struct = structs[index];
      if (!(struct instanceof Y.Item) || struct.deleted) continue;
      const place = placeInDoc(doc, struct);
      if (!place) return refuse(RuleCode.NestedType, 'nested shared types are not part of the schema');
      const verdict = checkDelete(doc, place, sender);
      if (verdict) return verdict;
    }
  }
  if (end > known) {
    // Items created by this very update may be deleted by it too; anything else is unknown.
    for (let c = Math.max(clock, known); c < end;) {
      const item = lookupInUpdate(Y.createID(client, c));
      if (!item)
        return refuse(RuleCode.UnknownReference, 'the update deletes items the server does not have');
      c = item.id.clock + item.length;
    }
  }
  return null;
}
