import { tick } from 'svelte';

/**
 * The plumbing of a modal <dialog> that asks something imperatively (`await x.ask(...)`), shared by
 * the confirmation and the one-field prompt: one question at a time (a new one answers the pending
 * one `false`), shown with showModal(); closing it (Escape, the backdrop, `finish`) answers.
 */
export class Asking<Q> {
  dialog: HTMLDialogElement | undefined = $state();
  current: Q | null = $state(null);
  #resolve: ((answer: boolean) => void) | null = null;

  /** Shows `question`, then `focus()` (the control to start on); settles with the answer. */
  async ask(question: Q, focus: () => void): Promise<boolean> {
    this.#resolve?.(false);
    this.current = question;
    await tick();
    this.dialog?.showModal();
    focus();
    return new Promise<boolean>((done) => (this.#resolve = done));
  }

  finish(answer: boolean): void {
    const settle = this.#resolve;
    this.#resolve = null;
    this.dialog?.close();
    this.current = null;
    settle?.(answer);
  }

  /** The dialog's close event (Escape): a late one must not answer the next question. */
  onclose = (): void => {
    if (!this.dialog?.open) this.finish(false);
  };

  /** A click on the backdrop (the dialog itself, outside its panel) answers no, unless `held`. */
  backdrop(event: MouseEvent, held = false): void {
    if (event.target === this.dialog && !held) this.finish(false);
  }
}
