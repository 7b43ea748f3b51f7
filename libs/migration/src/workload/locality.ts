import type { Rng } from "@ferry/random";

/**
 * Where a VM's memory accesses land. Memory is cut into regions of `regionPages` consecutive pages (64 pages =
 * 256 KiB by default); every page of a region is equally likely, and the models differ in how likely each region
 * is. Regions give the models spatial locality (what pre-paging exploits) and keep the simulator's per-region
 * work small. Writes (the dirty rate) and post-copy touches (reads) follow the same locality.
 */
export interface Locality {
  /** The spec string that built it, e.g. "hotset:0.1". */
  readonly name: string;
  readonly pageCount: number;
  readonly regionPages: number;
  readonly regionCount: number;
  /** Per region: the probability that one access hits one given page of the region. Sums to 1 over all pages. */
  readonly pageProbability: Float64Array;
}

export type LocalitySpec =
  | { readonly kind: "uniform" }
  /** `fraction` of the pages receive `share` of the accesses; the rest share what is left evenly. */
  | { readonly kind: "hotset"; readonly fraction: number; readonly share: number }
  /** Region popularity follows Zipf's law with this exponent, over a seeded random order of the regions. */
  | { readonly kind: "zipf"; readonly exponent: number };

/** A group of pages with the same access probability: what the predictor needs, without the page layout. */
export interface LocalityClass {
  readonly pageProbability: number;
  readonly pages: number;
}

export interface LocalityModel<S extends LocalitySpec = LocalitySpec> {
  readonly kind: S["kind"];
  /** Lays the model out on a VM's memory; the rng places hot regions or orders Zipf ranks. */
  build(spec: S, pageCount: number, regionPages: number, rng: Rng): Locality;
  /** The probability classes, independent of the layout (and of any seed). */
  classes(spec: S, pageCount: number, regionPages: number): LocalityClass[];
}

export function regionCountOf(pageCount: number, regionPages: number): number {
  return Math.ceil(pageCount / regionPages);
}

export function pagesInRegion(pageCount: number, regionPages: number, r: number): number {
  return Math.min(regionPages, pageCount - r * regionPages);
}
