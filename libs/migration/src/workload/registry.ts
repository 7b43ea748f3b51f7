import type { Rng } from "@ferry/random";
import { hotSetLocality } from "./hot-set";
import type { Locality, LocalityClass, LocalityModel, LocalitySpec } from "./locality";
import { uniformLocality } from "./uniform";
import { zipfLocality } from "./zipf";

/** The one list of locality models, by kind. */
const MODELS: { [K in LocalitySpec["kind"]]: LocalityModel<Extract<LocalitySpec, { kind: K }>> } = {
  uniform: uniformLocality,
  hotset: hotSetLocality,
  zipf: zipfLocality,
};

export const DEFAULT_HOT_SHARE = 0.9;

export function buildLocality(spec: LocalitySpec, pageCount: number, regionPages: number, rng: Rng): Locality {
  return (MODELS[spec.kind] as LocalityModel).build(spec, pageCount, regionPages, rng);
}

export function localityClasses(spec: LocalitySpec, pageCount: number, regionPages: number): LocalityClass[] {
  return (MODELS[spec.kind] as LocalityModel).classes(spec, pageCount, regionPages);
}

/**
 * Parses the command-line form: `uniform`, `hotset:<fraction>[:<share>]` (share defaults to 0.9) or
 * `zipf:<exponent>`. Returns a reason string when the text is not valid.
 */
export function parseLocality(text: string): LocalitySpec | { error: string } {
  const [kind, ...args] = text.trim().split(":");
  const nums = args.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return { error: `"${text}": parameters must be numbers` };
  switch (kind) {
    case "uniform":
      if (args.length !== 0) return { error: `"${text}": uniform takes no parameters` };
      return { kind: "uniform" };
    case "hotset": {
      if (args.length < 1 || args.length > 2) return { error: `"${text}": expected hotset:<fraction>[:<share>]` };
      const [fraction, share = DEFAULT_HOT_SHARE] = nums;
      if (!(fraction > 0 && fraction <= 1)) return { error: `"${text}": hot-set fraction must be in (0, 1]` };
      if (!(share >= 0 && share <= 1)) return { error: `"${text}": hot-set share must be in [0, 1]` };
      return { kind: "hotset", fraction, share };
    }
    case "zipf": {
      if (args.length !== 1) return { error: `"${text}": expected zipf:<exponent>` };
      const [exponent] = nums;
      if (!(exponent >= 0 && exponent <= 5)) return { error: `"${text}": Zipf exponent must be in [0, 5]` };
      return { kind: "zipf", exponent };
    }
    default:
      return { error: `"${text}": unknown workload (uniform, hotset:<fraction>[:<share>], zipf:<exponent>)` };
  }
}

export function formatLocality(spec: LocalitySpec): string {
  switch (spec.kind) {
    case "uniform":
      return "uniform";
    case "hotset":
      return `hotset:${spec.fraction}:${spec.share}`;
    case "zipf":
      return `zipf:${spec.exponent}`;
  }
}
