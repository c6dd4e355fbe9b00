/** Claims of lessons/training-run.mdx (being audited; see claim.ts for how to add one). */
import type { Claim } from './claim.ts';

export const claims: readonly Claim[] = [];
