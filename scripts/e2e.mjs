#!/usr/bin/env node
// @ts-check
/**
 * End-to-end tests against the built site. Builds nothing (`npm test` builds first): starts
 * scripts/serve.mjs on a free port, runs `node --test test/e2e/` with its URL in E2E_BASE_URL,
 * stops the server and exits with the tests' status, so the output ends with node's summary.
 *
 *   npm run test:e2e                       # all e2e tests
 *   npm run test:e2e -- test/e2e/site.test.mjs   # some of them
 *   DIST_DIR=/tmp/my-dist npm run test:e2e -- …   # against another build (astro build --outDir …)
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './start-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

const distDir = process.env['DIST_DIR'] ?? fileURLToPath(new URL('../dist/', import.meta.url));
if (!existsSync(join(distDir, 'index.html'))) {
  console.error(`e2e: no built site in ${distDir}; run \`npm run build\` first.`);
  process.exit(1);
}
if (!existsSync(process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium')) {
  console.error('e2e: /usr/bin/chromium is missing; run `bash scripts/install-system-deps.sh`.');
  process.exit(1);
}

const { url: baseUrl, stop } = await startServer();
console.log(`e2e: site at ${baseUrl}`);

const requested = process.argv.slice(2);
const files =
  requested.length > 0
    ? requested
    : readdirSync(new URL('../test/e2e/', import.meta.url))
        .filter((name) => name.endsWith('.test.mjs'))
        .sort()
        .map((name) => `test/e2e/${name}`);

// One file at a time: each starts its own Chromium, and our machines have two cores.
const tests = spawn(
  process.execPath,
  ['--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=900000', ...files],
  { cwd: root, env: { ...process.env, E2E_BASE_URL: baseUrl }, stdio: 'inherit' },
);

/** @type {number} */
const status = await new Promise((resolve) => {
  tests.on('exit', (code, signal) => {
    resolve(code ?? (signal ? 1 : 0));
  });
});
stop();
process.exit(status);
