/**
 * The validator alone: what one `checkUpdate` (@palabre/shared, the rule check the server runs
 * on every incoming sync update) costs on a large discussion, for a typical one-message update.
 * Runs in its own child (bench/validator-child.ts) so the benchmark process's heap is not in it.
 */
import * as Y from 'yjs';
import { DiscussionKind, Role, checkUpdate, initDiscussion, messagesMap, newId } from '@palabre/shared';
import { buildHistory, chatText } from './history.js';
import { summarize, type Summary } from './stats.js';

export interface CheckCost {
  /** Messages in the document the update is checked against. */
  messages: number;
  /** Bytes of the document's state, and of an average checked update. */
  docBytes: number;
  updateBytes: number;
  /** Untimed calls before the timed ones. */
  warmup: number;
  /** Microseconds per checkUpdate call, over `calls` timed calls (after `warmup` untimed ones). */
  check: Summary;
  /** Microseconds per Y.applyUpdate of the same update right after its check, for scale. */
  apply: Summary;
}

/**
 * A discussion of `size` messages by three members, as the server holds it (metadata, members,
 * history), and one member's client that has synced it. That client then writes `warmup + calls`
 * messages, one transaction (hence one update) each, as the web app does; the server's side of
 * each update is timed as the server runs it: checkUpdate, then Y.applyUpdate. The document
 * grows by one message per update (10,000 becomes 15,500 for 5,000 calls after 500 warm-up).
 */
export function measureCheckCost(size: number, calls: number, warmup: number): CheckCost {
  const authors = [newId(), newId(), newId()];
  const doc = new Y.Doc();
  initDiscussion(doc, {
    id: newId(),
    kind: DiscussionKind.Group,
    title: 'Validation',
    createdBy: authors[0],
    createdAt: Date.now() - size * 60_000,
    members: authors.map((userId, i) => ({ userId, role: i === 0 ? Role.Owner : Role.Member })),
  });
  Y.applyUpdate(doc, buildHistory(size, authors));
  const state = Y.encodeStateAsUpdate(doc);
  if (messagesMap(doc).size !== size) throw new Error(`document has ${messagesMap(doc).size} messages`);

  const sender = { userId: authors[1], role: Role.Member };
  const writer = new Y.Doc();
  Y.applyUpdate(writer, state);
  const produced: Uint8Array[] = [];
  writer.on('update', (u: Uint8Array) => produced.push(u));
  const now = Date.now();
  const checkUs: number[] = [];
  const applyUs: number[] = [];
  let updateBytes = 0;
  for (let i = 0; i < warmup + calls; i++) {
    const id = newId();
    messagesMap(writer).set(id, { id, author: sender.userId, text: chatText(i), ts: now + i });
    const u = produced.pop();
    if (!u || produced.length) throw new Error('the writer did not produce exactly one update');
    const t0 = performance.now();
    const verdict = checkUpdate(doc, u, sender);
    const t1 = performance.now();
    Y.applyUpdate(doc, u);
    const t2 = performance.now();
    if (!verdict.ok || verdict.missingDependencies)
      throw new Error(`update ${i} not accepted as is: ${JSON.stringify(verdict)}`);
    if (i < warmup) continue;
    checkUs.push((t1 - t0) * 1000);
    applyUs.push((t2 - t1) * 1000);
    updateBytes += u.byteLength;
  }
  writer.destroy();
  doc.destroy();
  return {
    messages: size,
    warmup,
    docBytes: state.byteLength,
    updateBytes: updateBytes / calls,
    check: summarize(checkUs),
    apply: summarize(applyUs),
  };
}
