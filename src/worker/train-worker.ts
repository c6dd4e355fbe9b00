/// <reference lib="webworker" />
/**
 * The training worker: TF.js on its own thread, so training never blocks the page. Started by
 * `client.ts` as a module worker; speaks the protocol in `protocol.ts` through `host.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { startWorkerBackend } from '../platform/worker-backend.ts';
import { createHost } from './host.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const host = createHost(
  (m: FromWorker) => {
    scope.postMessage(m);
  },
  (forced, threads) => startWorkerBackend(tf, forced, threads),
);
scope.addEventListener('message', (e: MessageEvent<ToWorker>) => {
  host.receive(e.data);
});
