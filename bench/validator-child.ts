/** Benchmark child: the validator micro-benchmark (bench/validation.ts), answered over IPC. */
import { serveCommands } from './protocol.js';
import { measureCheckCost } from './validation.js';

serveCommands(
  0,
  {
    checkCost: ({ sizes, calls, warmup }) => {
      const gc = (globalThis as { gc?: () => void }).gc;
      return sizes.map((size) => {
        gc?.();
        return measureCheckCost(size, calls, warmup);
      });
    },
  },
  async () => {},
);
