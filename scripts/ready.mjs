// Run by prepare.mjs in a short-lived child: exits 0 when the checkout is installed and none of the
// targets named in the arguments is stale, 1 otherwise. Hashing the sources in a child leaves none
// of its buffers, compiled code or modules in the server's process (about 0.6 MiB of idle RSS).
import { isInstalled, staleTargets } from './build-state.mjs';

const targets = process.argv.slice(2);
process.exit(isInstalled() && !staleTargets().some((name) => targets.includes(name)) ? 0 : 1);
