/**
 * Max-min fair shares of link capacity (progressive filling, Bertsekas & Gallager, Data Networks §6.5.2): all
 * flows grow at the same rate; a flow stops growing when one of its links is full or it reaches its own cap, and
 * the others go on. The result is the allocation in which no flow can get more without taking from a flow that
 * has less. Each flow's bottleneck is the link that froze it, or "cap".
 */
export interface Flow {
  readonly id: string;
  readonly links: readonly string[];
  /** Per-migration bandwidth cap (Mbit/s); Infinity when none. */
  readonly capMbps: number;
}

export interface FlowShare {
  readonly shareMbps: number;
  readonly bottleneck: string;
}

const EPS = 1e-9;

export function maxMinShares(flows: readonly Flow[], capacityMbps: ReadonlyMap<string, number>): Map<string, FlowShare> {
  const result = new Map<string, FlowShare>();
  const rate = new Map<string, number>(flows.map((f) => [f.id, 0]));
  const left = new Map<string, number>();
  const users = new Map<string, number>();
  for (const f of flows) {
    for (const l of f.links) {
      const cap = capacityMbps.get(l);
      if (cap === undefined) throw new RangeError(`flow ${f.id}: unknown link ${l}`);
      left.set(l, cap);
    }
  }
  let active = flows.filter((f) => {
    if (f.capMbps > EPS) return true;
    result.set(f.id, { shareMbps: 0, bottleneck: "cap" });
    return false;
  });
  for (const f of active) for (const l of f.links) users.set(l, (users.get(l) ?? 0) + 1);
  while (active.length > 0) {
    let step = Infinity;
    for (const [l, n] of users) if (n > 0) step = Math.min(step, left.get(l)! / n);
    for (const f of active) step = Math.min(step, f.capMbps - rate.get(f.id)!);
    for (const f of active) {
      rate.set(f.id, rate.get(f.id)! + step);
      for (const l of f.links) left.set(l, left.get(l)! - step);
    }
    const full = new Set([...users].filter(([l, n]) => n > 0 && left.get(l)! <= EPS * Math.max(1, capacityMbps.get(l)!)).map(([l]) => l));
    const still: Flow[] = [];
    for (const f of active) {
      const r = rate.get(f.id)!;
      const link = f.links.find((l) => full.has(l));
      if (link !== undefined || r >= f.capMbps - EPS) {
        result.set(f.id, { shareMbps: r, bottleneck: link ?? "cap" });
        for (const l of f.links) users.set(l, users.get(l)! - 1);
      } else {
        still.push(f);
      }
    }
    active = still;
  }
  return result;
}
