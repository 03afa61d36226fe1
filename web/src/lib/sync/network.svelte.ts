/** Whether the browser believes it is online; the connection labels use it to say « Hors ligne ». */
export type { ConnectionLabel } from './offline.js';

class NetworkState {
  online = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('online', () => (this.online = true));
    window.addEventListener('offline', () => (this.online = false));
  }
}

export const network = new NetworkState();
