/**
 * A first-come, first-served lock for one connection. `acquire` returns null when the lock was
 * free and is now held (no promise to wait for: the common case costs nothing), else a promise
 * that resolves once it is held.
 */
export class Mutex {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  get held(): boolean {
    return this.#held;
  }

  acquire(): Promise<void> | null {
    if (!this.#held) {
      this.#held = true;
      return null;
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}
