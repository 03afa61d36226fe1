// Vite config: in `vite dev`, the API and sync WebSockets are proxied to a local sync server.
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const server = process.env.PALABRE_SERVER ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      // /api/events is a WebSocket, hence ws: true.
      '/api': { target: server, changeOrigin: false, ws: true },
      '/sync': { target: server, changeOrigin: false, ws: true },
    },
  },
});
