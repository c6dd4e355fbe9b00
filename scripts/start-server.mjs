// @ts-check
/** Starts scripts/serve.mjs on a free port as a child process (for e2e tests and screenshots). */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * @returns {Promise<{ url: string, stop: () => void }>} the site's URL and a function that stops it
 */
export function startServer() {
  const server = spawn(process.execPath, ['scripts/serve.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    server.stdout.setEncoding('utf8');
    server.stdout.on('data', (/** @type {string} */ chunk) => {
      seen += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(seen);
      if (match) resolve({ url: match[0], stop: () => server.kill('SIGTERM') });
    });
    server.on('exit', (code) => {
      reject(new Error(`serve.mjs exited (${String(code)}) before listening`));
    });
  });
}
