import { handleError } from '$lib/state/toasts.svelte.js';

/**
 * A request a control starts (submit, leave...), one at a time: `busy` while it runs, so the control
 * can wait, and a second start meanwhile does nothing; a failure goes to `fail` (a toast unless
 * the caller says where it shows).
 */
export class Task {
  busy = $state(false);

  async run(work: () => Promise<void>, fail: (error: unknown) => void = handleError): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await work();
    } catch (error) {
      fail(error);
    } finally {
      this.busy = false;
    }
  }
}
