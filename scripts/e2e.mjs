#!/usr/bin/env node
// @ts-check
/**
 * End-to-end tests against the built site. Builds nothing (`npm test` builds first): starts
 * scripts/serve.mjs on a free port, runs `node --test test/e2e/` with its URL in E2E_BASE_URL,
 * stops the server and exits with the tests' status, so the output ends with node's summary.
 *
 *   npm run test:e2e                       # all e2e tests
 *   npm run test:e2e -- test/e2e/site.test.mjs   # some of them
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

if (!existsSync(new URL('../dist/index.html', import.meta.url))) {
  console.error('e2e: no built site in dist/; run `npm run build` first.');
  process.exit(1);
}
if (!existsSync(process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium')) {
  console.error('e2e: /usr/bin/chromium is missing; run `bash scripts/install-system-deps.sh`.');
  process.exit(1);
}

/** Starts the static server on a free port and resolves with its URL. */
function startServer() {
  const server = spawn(process.execPath, ['scripts/serve.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  /** @type {Promise<string>} */
  const url = new Promise((resolve, reject) => {
    let seen = '';
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (/** @type {string} */ chunk) => {
      seen += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(seen);
      if (match) resolve(match[0]);
    });
    server.on('exit', (code) => {
      reject(new Error(`serve.mjs exited (${String(code)}) before listening`));
    });
  });
  return { server, url };
}

const { server, url } = startServer();
const baseUrl = await url;
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
  ['--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=300000', ...files],
  { cwd: root, env: { ...process.env, E2E_BASE_URL: baseUrl }, stdio: 'inherit' },
);

/** @type {number} */
const status = await new Promise((resolve) => {
  tests.on('exit', (code, signal) => {
    resolve(code ?? (signal ? 1 : 0));
  });
});
server.kill('SIGTERM');
process.exit(status);
