/** Adapter placement: serial bottleneck adapters, latency of serial/parallel/merged, what to tune. */
export * from './errors.ts';
export * from './bottleneck.ts';
export * from './latency.ts';
export * from './selection.ts';
export * from './experiment.ts';
export * from './results.ts';
