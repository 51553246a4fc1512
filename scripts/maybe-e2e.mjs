// The last step of `npm test`: the end-to-end test in a real VS Code (code-server),
// unless MODELDEBUG_SKIP_E2E=1 asks for the fast unit-only loop.
import { spawnSync } from 'node:child_process';

if (process.env.MODELDEBUG_SKIP_E2E === '1') {
  console.log('e2e skipped (MODELDEBUG_SKIP_E2E=1)');
  process.exit(0);
}
const result = spawnSync(process.execPath, ['test/e2e/run-e2e.mjs'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
