/**
 * Backend choice: which TF.js backend a page (or script) should train on, and why.
 *
 * This module only decides; it never probes the browser (that is `src/cells`' job, the core knows
 * no page). The rule comes from measurements on our machines (see `BENCHMARKS.md` and
 * `docs/sources.md`): a *real* WebGPU adapter wins; Chromium's software WebGPU
 * adapter (`isFallbackAdapter`, "swiftshader") trained a small MLP about 15x slower than WASM, so
 * it never wins by default; among the rest WASM (SIMD) beat WebGL (SwiftShader) and CPU.
 */

/** The TF.js backends the site knows how to use. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Every backend name, in the default order of preference when all are real and available. */
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

/** What a probe found out about one backend on this machine. */
export interface BackendProbe {
  /** Which backend was probed. */
  readonly name: BackendName;
  /** Whether it can be initialised here at all. */
  readonly available: boolean;
  /** WebGPU only: the adapter is a software fallback (`adapter.info.isFallbackAdapter`). */
  readonly isFallbackAdapter?: boolean;
  /** Free text shown to the reader, e.g. "google swiftshader" or "WASM SIMD, 2 threads". */
  readonly description?: string;
  /** Optional measured time of a reference training step, in ms (smaller is better). */
  readonly stepMs?: number;
}

/** The decision: a backend and a sentence saying why, for the page's backend badge. */
export interface BackendChoice {
  readonly name: BackendName;
  readonly reason: string;
  /** True when the reader forced this backend with `?backend=`. */
  readonly forced: boolean;
}

/**
 * The words of a choice's reason. The core writes English ({@link ENGLISH_BACKEND_REASONS}); a
 * caller that shows the reason in another language passes its own words to `chooseBackend`, so
 * the core itself knows no language. A note about `?backend=` comes first, then the rest.
 */
export interface BackendReasonWords {
  /** `?backend=<shown>` names no backend (`names`: those that exist). A note before the rest. */
  readonly notABackend: (shown: string, names: readonly BackendName[]) => string;
  /** `?backend=<shown>` names a backend this machine lacks. A note before the rest. */
  readonly notAvailable: (shown: string) => string;
  /** The reader forced `name`, which is available (`description`: the probe's, if any). */
  readonly forced: (name: BackendName, description: string | undefined) => string;
  /** Every available backend was measured; `ms`: the winner's step time, one decimal. */
  readonly fastestMeasured: (ms: string) => string;
  /** A real (not software) WebGPU adapter is present. */
  readonly hardwareGpu: (description: string | undefined) => string;
  /** Before the CPU path's words: the WebGPU adapter is a software fallback. */
  readonly softwareGpuSo: string;
  /** Before the CPU path's words: there is no WebGPU adapter. */
  readonly noGpuSo: string;
  /** Why each CPU-side backend, when it is the best one left. */
  readonly cpuPath: Readonly<Record<'wasm' | 'webgl' | 'cpu', string>>;
  /** Only a software WebGPU adapter is left. */
  readonly onlySoftwareGpu: string;
}

/** The reason's words in English: what the site has always shown. */
export const ENGLISH_BACKEND_REASONS: BackendReasonWords = {
  notABackend: (shown, names) =>
    `?backend=${shown} is not a backend (use one of ${names.join(', ')}); `,
  notAvailable: (shown) => `?backend=${shown} was asked for but is not available here; `,
  forced: (name, description) =>
    `forced by ?backend=${name}${description ? ` (${description})` : ''}`,
  fastestMeasured: (ms) => `fastest measured training step here (${ms} ms)`,
  hardwareGpu: (description) =>
    `a hardware WebGPU adapter is present${description ? ` (${description})` : ''}`,
  softwareGpuSo: 'the WebGPU adapter is a slow software fallback, so ',
  noGpuSo: 'no WebGPU adapter, so ',
  cpuPath: {
    wasm: 'WASM (SIMD) was the fastest CPU path in our measurements',
    webgl: 'WebGL is the fastest backend left',
    cpu: 'only the plain JavaScript backend is available',
  },
  onlySoftwareGpu: 'only a software WebGPU adapter is available',
};

/** How many characters of a bad `?backend=` value the reason quotes. */
const MAX_SHOWN = 24;

/** Type guard for backend names coming from URLs or configs. */
export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Chooses a backend from probe results.
 *
 * 1. A forced backend (`?backend=…`) wins when available; when it is not, the automatic choice is
 *    used and the reason says the forced one was unavailable.
 * 2. If every available probe carries `stepMs`, the fastest measured one wins.
 * 3. Otherwise: a non-fallback WebGPU adapter, then WASM, then WebGL, then CPU.
 *
 * The reason is in `words` (English by default).
 *
 * @throws Error when no probe is available at all (TF.js always has CPU, so this is a bug).
 */
export function chooseBackend(
  probes: readonly BackendProbe[],
  forced?: string | null,
  words: BackendReasonWords = ENGLISH_BACKEND_REASONS,
): BackendChoice {
  const available = probes.filter((p) => p.available);
  if (available.length === 0) {
    throw new Error('chooseBackend: no backend is available (probes: none available)');
  }
  let note = '';
  if (forced !== undefined && forced !== null && forced !== '') {
    // A URL can carry anything: echo at most MAX_SHOWN characters of it back to the reader.
    const shown = forced.length > MAX_SHOWN ? `${forced.slice(0, MAX_SHOWN)}…` : forced;
    if (!isBackendName(forced)) {
      note = words.notABackend(shown, BACKEND_NAMES);
    } else {
      const hit = available.find((p) => p.name === forced);
      if (hit) {
        return { name: hit.name, reason: words.forced(hit.name, hit.description), forced: true };
      }
      note = words.notAvailable(shown);
    }
  }
  const measured = available.filter((p) => p.stepMs !== undefined && Number.isFinite(p.stepMs));
  if (measured.length === available.length && measured.length > 1) {
    const best = [...measured].sort((a, b) => (a.stepMs ?? 0) - (b.stepMs ?? 0))[0];
    if (best) {
      return {
        name: best.name,
        reason: `${note}${words.fastestMeasured((best.stepMs ?? 0).toFixed(1))}`,
        forced: false,
      };
    }
  }
  const gpu = available.find((p) => p.name === 'webgpu');
  if (gpu && gpu.isFallbackAdapter !== true) {
    return {
      name: 'webgpu',
      reason: `${note}${words.hardwareGpu(gpu.description)}`,
      forced: false,
    };
  }
  const gpuNote = gpu ? words.softwareGpuSo : words.noGpuSo;
  for (const name of ['wasm', 'webgl', 'cpu'] as const) {
    if (available.some((p) => p.name === name)) {
      return { name, reason: `${note}${gpuNote}${words.cpuPath[name]}`, forced: false };
    }
  }
  // Only a fallback WebGPU adapter is left.
  return {
    name: 'webgpu',
    reason: `${note}${words.onlySoftwareGpu}`,
    forced: false,
  };
}
