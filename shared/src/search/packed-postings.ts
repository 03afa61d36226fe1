/**
 * One term's postings in one field (document short id -> term frequency) as MiniSearch reads
 * them: a Map, here backed by the snapshot's arrays (sorted by document), binary-searched; the
 * first change copies them into a real Map. MiniSearch only uses get/set/delete/has/size and
 * iteration on these.
 */
export class PackedPostings {
  #map: Map<number, number> | null = null;
  constructor(
    readonly docs: Uint32Array,
    readonly tfs: Uint16Array,
  ) {}

  /** Still the packed arrays (not changed since loaded). */
  get packed(): boolean {
    return this.#map === null;
  }

  #thaw(): Map<number, number> {
    if (!this.#map) {
      this.#map = new Map();
      for (let i = 0; i < this.docs.length; i++) this.#map.set(this.docs[i], this.tfs[i]);
    }
    return this.#map;
  }

  #find(doc: number): number {
    const docs = this.docs;
    let lo = 0;
    let hi = docs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = docs[mid];
      if (d === doc) return mid;
      if (d < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get size(): number {
    return this.#map ? this.#map.size : this.docs.length;
  }
  get(doc: number): number | undefined {
    if (this.#map) return this.#map.get(doc);
    const i = this.#find(doc);
    return i < 0 ? undefined : this.tfs[i];
  }
  has(doc: number): boolean {
    return this.#map ? this.#map.has(doc) : this.#find(doc) >= 0;
  }
  set(doc: number, tf: number): this {
    this.#thaw().set(doc, tf);
    return this;
  }
  delete(doc: number): boolean {
    return this.#thaw().delete(doc);
  }
  clear(): void {
    this.#thaw().clear();
  }
  *entries(): MapIterator<[number, number]> {
    if (this.#map) return yield* this.#map.entries();
    for (let i = 0; i < this.docs.length; i++) yield [this.docs[i], this.tfs[i]];
  }
  *keys(): MapIterator<number> {
    if (this.#map) return yield* this.#map.keys();
    yield* this.docs;
  }
  *values(): MapIterator<number> {
    if (this.#map) return yield* this.#map.values();
    yield* this.tfs;
  }
  [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }
  forEach(fn: (tf: number, doc: number, map: Map<number, number>) => void): void {
    for (const [doc, tf] of this.entries()) fn(tf, doc, this.asMap());
  }
  /** What MiniSearch's index holds: this, used as a Map (all of Map it calls is here). */
  asMap(): Map<number, number> {
    return this as unknown as Map<number, number>;
  }
  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}
