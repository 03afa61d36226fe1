// `npm start`: install what is missing, build the web app, start Palabre on one port.
// Configuration by environment: PORT, HOST, DATA_DIR, ADMIN_USERNAME, ADMIN_PASSWORD. `--demo` seeds colleagues.
import { ensurePnpm, installDependencies, must, run } from './toolchain.mjs';

ensurePnpm();
installDependencies();
must('pnpm', ['build']);
process.exit(run('pnpm', ['--silent', 'serve', ...process.argv.slice(2)]));
