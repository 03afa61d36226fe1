/** A textarea as tall as its text, up to maxLines lines; beyond, it scrolls inside. */
export function fitHeight(box: HTMLTextAreaElement, maxLines: number): void {
  const style = getComputedStyle(box);
  const line = parseFloat(style.lineHeight) || 22;
  const chrome = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
  box.style.height = 'auto';
  box.style.height = `${Math.min(box.scrollHeight, line * maxLines + chrome)}px`;
}
