// @ts-check
/**
 * Starts scripts/serve.mjs on a free port as a child process (for the e2e and serve tests,
 * screenshots and benches) and resolves once it listens.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * @typedef {object} ServerOptions
 * @property {string} [distDir] the folder to serve (default: `DIST_DIR`, else `dist/`)
 * @property {'inherit' | 'pipe' | 'ignore'} [stderr] where the server's warnings go (default: this process's stderr)
 * @property {{ uid: number, gid: number }} [user] the user it runs as (default: this process's)
 */

/**
 * @param {ServerOptions} [options]
 * @returns {Promise<{ url: string, stop: () => void, child: import('node:child_process').ChildProcess }>}
 *   the site's URL, a function that stops the server, and its process
 */
export function startServer(options = {}) {
  const server = spawn(process.execPath, ['scripts/serve.mjs'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      ...(options.distDir === undefined ? {} : { DIST_DIR: options.distDir }),
    },
    stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
    ...(options.user ?? {}),
  });
  const stdout = server.stdout;
  if (stdout === null) throw new Error('serve.mjs started without a stdout pipe');
  return new Promise((resolve, reject) => {
    let seen = '';
    stdout.setEncoding('utf8');
    stdout.on('data', (/** @type {string} */ chunk) => {
      seen += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(seen);
      if (match) resolve({ url: match[0], stop: () => server.kill('SIGTERM'), child: server });
    });
    server.on('exit', (code) => {
      reject(new Error(`serve.mjs exited (${String(code)}) before listening`));
    });
  });
}
