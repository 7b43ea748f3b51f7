import type { Prepaging } from "../spec";
import type { ModelEnvironment } from "./environment";

/**
 * Post-copy's resume phase in expectation. The push takes T = (missing pages) x (bytes per page) / B whatever
 * the faults do (faulted pages jump the queue but are not extra). A page of access probability p arrives at a
 * uniformly random point of the push, and the guest touches it at rate a p while it runs, so it faults with
 * probability g(a p T f) where g(x) = 1 - (1 - e^-x) / x and f is the fraction of the phase the guest runs.
 * With pre-paging a fault brings its neighbours right after it, so the unit that faults is a stretch of pages
 * around it (up to its region, the locality's spatial unit) rather than a page. Each fault stalls the guest for s = RTT + the wait for the batch
 * on the wire (half a batch on average) + the page itself, and f = 1 - F s / T closes the loop; it is solved by
 * bisection. `pageBytes` is a missing page's mean size on the wire (zero pages go as headers).
 */
export interface MissingClass {
  readonly pageProbability: number;
  /** Pages of the class in memory. */
  readonly pages: number;
  /** Of those, pages the target lacks when the guest resumes. */
  readonly missing: number;
}

export interface PostCopyPrediction {
  readonly pushMs: number;
  readonly faults: number;
  readonly stallMs: number;
  /** From the resume to the last page's arrival. */
  readonly resumeMs: number;
}

export function predictPostCopyPhase(
  env: ModelEnvironment,
  classes: readonly MissingClass[],
  prepaging: Prepaging,
  pushBatchPages: number,
  pageBytes: number,
): PostCopyPrediction {
  const missingPages = classes.reduce((s, c) => s + c.missing, 0);
  const pushMs = (missingPages * pageBytes) / env.bytesPerMs;
  const pageMs = pageBytes / env.bytesPerMs;
  const stallPerFault = env.rttMs + pageMs * (Math.min(pushBatchPages, missingPages) / 2 + 1);
  // Pre-paging covers the pages pushed around a fault until the next fault moves the pivot: the push rate times
  // (the stall + the guest's running time to its next fault, 1 / (a x missing mass), with the mass at half its
  // starting value), and at most the missing pages of one region. Without pre-paging the unit is a page.
  const startMass = classes.reduce((s, c) => s + c.missing * c.pageProbability, 0);
  const runToFaultMs = startMass > 0 && env.touchesPerMs > 0 ? 1 / (env.touchesPerMs * startMass * 0.5) : Infinity;
  const coveredPerFault = prepaging === "none" ? 1 : (stallPerFault + runToFaultMs) / pageMs;
  const units = classes.map((c) => {
    const perRegion = c.pages > 0 ? (c.missing * env.regionPages) / c.pages : 0;
    const size = Math.max(1, Math.min(perRegion, coveredPerFault));
    return { count: c.missing / size, rate: env.touchesPerMs * c.pageProbability * size };
  });
  const faultsAt = (running: number) => {
    let f = 0;
    for (const u of units) f += u.count * touchedBeforeArrival(u.rate * pushMs * running);
    return f;
  };
  let faults = 0;
  if (pushMs > 0 && missingPages > 0) {
    // h(f) = f - 1 + F(f) s / T rises from -1 at f = 0 to >= 0 at f = 1.
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 50; i++) {
      const mid = (lo + hi) / 2;
      if (mid - 1 + (faultsAt(mid) * stallPerFault) / pushMs < 0) lo = mid;
      else hi = mid;
    }
    faults = faultsAt(lo);
  }
  const stallMs = Math.min(faults * stallPerFault, pushMs + env.rttMs);
  return { pushMs, faults, stallMs, resumeMs: pushMs + env.rttMs / 2 };
}

/** g(x) = 1 - (1 - e^-x) / x: the chance a unit touched at rate r is touched before a uniform arrival in [0, T], x = r T. */
function touchedBeforeArrival(x: number): number {
  if (x < 1e-6) return x / 2;
  return 1 + Math.expm1(-x) / x;
}
