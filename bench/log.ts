/** Progress lines on stdout, with the time of day. */
export const log = (text: string): void =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}`);
