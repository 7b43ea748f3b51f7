import type { Filter } from "./filter";
import { FILTER_NAMES } from "./filter";

/** Every resource (cpu, memMiB, extra ones) must fit in what the host has left. */
export function capacityFilter(): Filter {
  return {
    name: FILTER_NAMES.capacity,
    admits: (a, u, h) => a.fitsResources(u, h),
    reason(a, u, h) {
      const c = a.cluster;
      const R = c.resourceCount;
      const short: string[] = [];
      for (let r = 0; r < R; r++) {
        const need = a.hostOf[u] === h ? 0 : c.unitDemand[u * R + r];
        const free = c.hostCapacity[h * R + r] - a.used[h * R + r];
        if (need > free + 1e-9) short.push(`${c.resourceNames[r]} needs ${round(need)}, ${round(Math.max(0, free))} free of ${round(c.hostCapacity[h * R + r])}`);
      }
      return `insufficient ${short.join("; ")}`;
    },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
