/**
 * Claims of lessons/how-these-notebooks-work.mdx: none. Audited: its numbers are either computed
 * by its own cells (parameter counts, the B = 0 and merge checks) or published figures cited where
 * they are used (Hu et al. 2021; Kamp, part 2: 0.9461 vs 0.9459 at 1.54% of the parameters).
 */
import type { Claim } from './claim.ts';

export const claims: readonly Claim[] = [];
