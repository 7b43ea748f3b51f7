import type { PageContent } from "../techniques/technique";
import type { PageSet } from "./page-set";

/**
 * How a simulated guest's writes land in memory. Writes form a Poisson process whose rate follows the guest's
 * speed; the source asks for a whole sync interval's worth at once (`meanWrites` is the rate integrated over the
 * interval) and gets the pages written, so no per-write event exists unless the content model needs one.
 */
export interface WriteGenerator {
  readonly content: PageContent;
  /** Adds the pages written by a Poisson number (mean `meanWrites`) of writes to `dirty`. */
  generate(meanWrites: number, dirty: PageSet): void;
}
