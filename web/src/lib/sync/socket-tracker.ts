/**
 * The sockets of one document that are not closed yet, including those closing (the close
 * handshake takes a moment). The background pool waits for them to be gone before it opens
 * the next one, so a closing socket and its successor never add up beyond the limit.
 */

/** The part of a WebSocket the tracker needs (a listener of its own: the sync client detaches its handlers). */
export interface Closable {
  addEventListener(type: 'close', listener: () => void): void;
}

export class SocketTracker<S extends Closable = Closable> {
  #open = new Set<S>();
  #whenClosed: (() => void)[] = [];

  get size(): number {
    return this.#open.size;
  }

  /** Count a newly created socket until its 'close' event. */
  track(socket: S): S {
    this.#open.add(socket);
    socket.addEventListener('close', () => {
      this.#open.delete(socket);
      if (this.#open.size > 0) return;
      for (const resolve of this.#whenClosed.splice(0)) resolve();
    });
    return socket;
  }

  /** Resolves once every tracked socket is closed, or after timeoutMs. */
  whenClosed(timeoutMs: number): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#whenClosed.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
