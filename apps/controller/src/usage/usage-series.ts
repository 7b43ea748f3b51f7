import type { PairTraffic, VmUsageAverage } from "./usage.service";

/** Per entity, the interval averages from its first sampled interval on, gaps filled by the interval before. */
export function intervalSeries(rows: { id: string; k: number; value: number }[], intervals: number): Map<string, number[]> {
  const slots = new Map<string, (number | undefined)[]>();
  for (const r of rows) {
    if (r.k < 0 || r.k >= intervals) continue;
    let s = slots.get(r.id);
    if (!s) slots.set(r.id, (s = new Array<number | undefined>(intervals)));
    s[r.k] = r.value;
  }
  const out = new Map<string, number[]>();
  for (const [id, s] of slots) {
    const first = s.findIndex((v) => v !== undefined);
    const points: number[] = [];
    for (let i = first; i < intervals; i++) points.push(s[i] ?? points[points.length - 1]!);
    out.set(id, points);
  }
  return out;
}

/** Each VM pair once (vmA < vmB, in that order), with what both sides sent each other added up. */
export function pairTraffic(vms: Iterable<Pick<VmUsageAverage, "vmId" | "peerTxMbps">>): PairTraffic[] {
  const pairs = new Map<string, PairTraffic>();
  for (const vm of vms) {
    for (const [peer, mbps] of Object.entries(vm.peerTxMbps)) {
      const [vmA, vmB] = vm.vmId < peer ? [vm.vmId, peer] : [peer, vm.vmId];
      const key = `${vmA}/${vmB}`;
      const pair = pairs.get(key) ?? { vmA, vmB, mbps: 0 };
      pair.mbps += mbps;
      pairs.set(key, pair);
    }
  }
  return [...pairs.values()].sort((a, b) => (a.vmA === b.vmA ? (a.vmB < b.vmB ? -1 : 1) : a.vmA < b.vmA ? -1 : 1));
}
