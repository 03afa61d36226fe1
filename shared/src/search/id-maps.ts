/**
 * MiniSearch's two document id maps, cheap to restore (a cold start would otherwise spend
 * most of its time inserting 100,000 entries into each of two hash maps):
 *
 * - `DenseIdMap`: short id -> id, an array indexed by short id (short ids are small, dense
 *   integers MiniSearch hands out in order), filled with plain array stores;
 * - `LazyIdMap`: id -> short id, a real Map built on first use (the first change after a cold
 *   start, or `SearchIndex.warm()` right after it), holding meanwhile only what was added.
 *
 * Both are used by MiniSearch as Maps: only get/set/has/delete/size/clear and iteration.
 */
export class DenseIdMap {
  readonly #ids: (string | undefined)[];
  #size = 0;

  constructor(capacity = 0) {
    this.#ids = capacity > 0 ? new Array<string | undefined>(capacity) : [];
  }

  get size(): number {
    return this.#size;
  }
  get(short: number): string | undefined {
    return this.#ids[short];
  }
  has(short: number): boolean {
    return this.#ids[short] !== undefined;
  }
  set(short: number, id: string): this {
    if (this.#ids[short] === undefined) this.#size++;
    this.#ids[short] = id;
    return this;
  }
  delete(short: number): boolean {
    if (this.#ids[short] === undefined) return false;
    this.#ids[short] = undefined;
    this.#size--;
    return true;
  }
  clear(): void {
    this.#ids.length = 0;
    this.#size = 0;
  }
  *entries(): MapIterator<[number, string]> {
    const ids = this.#ids;
    for (let short = 0; short < ids.length; short++) {
      const id = ids[short];
      if (id !== undefined) yield [short, id];
    }
  }
  *keys(): MapIterator<number> {
    for (const [short] of this.entries()) yield short;
  }
  *values(): MapIterator<string> {
    for (const [, id] of this.entries()) yield id;
  }
  [Symbol.iterator](): MapIterator<[number, string]> {
    return this.entries();
  }
  forEach(fn: (id: string, short: number, map: Map<number, string>) => void): void {
    for (const [short, id] of this.entries()) fn(id, short, this.asMap());
  }
  asMap(): Map<number, string> {
    return this as unknown as Map<number, string>;
  }
  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}

export class LazyIdMap {
  #map: Map<string, number>;
  #fill: ((map: Map<string, number>) => void) | null;

  /** `added`: entries already known; `fill` adds the rest, once, when first needed. */
  constructor(added: Map<string, number>, fill: (map: Map<string, number>) => void) {
    this.#map = added;
    this.#fill = fill;
  }

  /** The complete map (built now if it was not yet). */
  get map(): Map<string, number> {
    if (this.#fill) {
      const fill = this.#fill;
      this.#fill = null;
      fill(this.#map);
    }
    return this.#map;
  }
  get built(): boolean {
    return this.#fill === null;
  }

  get size(): number {
    return this.map.size;
  }
  get(id: string): number | undefined {
    return this.map.get(id);
  }
  has(id: string): boolean {
    return this.map.has(id);
  }
  set(id: string, short: number): this {
    this.map.set(id, short);
    return this;
  }
  delete(id: string): boolean {
    return this.map.delete(id);
  }
  clear(): void {
    this.#fill = null;
    this.#map.clear();
  }
  entries(): MapIterator<[string, number]> {
    return this.map.entries();
  }
  keys(): MapIterator<string> {
    return this.map.keys();
  }
  values(): MapIterator<number> {
    return this.map.values();
  }
  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.map.entries();
  }
  forEach(fn: (short: number, id: string, map: Map<string, number>) => void): void {
    this.map.forEach(fn);
  }
  asMap(): Map<string, number> {
    return this as unknown as Map<string, number>;
  }
  get [Symbol.toStringTag](): string {
    return 'Map';
  }
}
