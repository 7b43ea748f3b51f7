/**
 * Planted TVMPP instances: fat-tree fabrics whose traffic comes from applications, with a known good placement.
 *
 *  1. Hosts (32 vCPU, 128 GiB) are filled to a target drawn uniformly from `fill` (default 70-100 %) with VMs
 *     from a size catalogue: these are the *slots* of the planted placement, listed host by host.
 *  2. Pod by pod, the slots are dealt in host order, rack by rack, into applications of 2-64 VMs (so an
 *     application fills consecutive hosts, sharing at most its first and last host): an application that fits in
 *     what is left of the current rack stays in it; a large one (16 VMs or more) may continue into the next racks
 *     of the same pod; none crosses a pod. So the planted placement puts every application under one rack or pod.
 *  3. Tenants own 1-6 consecutive applications.
 *  4. Traffic (Mbit/s, lognormal rates; an application's base rate is lognormal around 50):
 *     - heavy inside an application, heaviest where the planted placement put VMs together: each VM has
 *       SHARD_LINKS links (base / 2) to VMs of its planted host (its shard) when there are any, with probability
 *       BLOCK_LINK_P one link (base / 4) to a VM of its planted rack, and with probability APP_LINK_P one (base / 4)
 *       to any VM of its application;
 *     - light between applications: each talks to 1-3 others of its tenant and, with probability 0.3, to one
 *       application anywhere (a shared service), over 2-4 links of about 2.5;
 *     - background: about one link per 2 VMs between random VMs anywhere, about 0.5.
 *  5. The start (`current`) is a random feasible placement: VM identities are shuffled among the slots of the
 *     same size, so every host carries exactly the planted load and the start ignores traffic.
 *
 * Seeded: the same options give the same instance.
 */
import type { Host, PlacementProblem, TrafficRow, Vm } from "@ferry/placement";
import { createRng, fatTreeTopology } from "@ferry/placement";
import type { Rng } from "@ferry/placement";

export interface PlantedOptions {
  /** Fat-tree arity (even). */
  readonly k: number;
  readonly seed?: number;
  /** Range of host fill targets (cpu and memory). */
  readonly fill?: readonly [number, number];
}

export interface PlantedInstance {
  /** The problem to solve, with the random start as `current`. */
  readonly problem: PlacementProblem;
  /** vmId -> hostId of the planted placement. */
  readonly planted: Readonly<Record<string, string>>;
  readonly applications: number;
  readonly tenants: number;
  /** Applications that span more than one rack of their pod. */
  readonly podApplications: number;
}

const HOST_CPU = 32;
const SHARD_LINKS = 2;
const BLOCK_LINK_P = 0.8;
const APP_LINK_P = 0.3;
const HOST_MEM_MIB = 131072;

const SIZES: readonly { cpu: number; memMiB: number; weight: number }[] = [
  { cpu: 1, memMiB: 2048, weight: 2 },
  { cpu: 2, memMiB: 4096, weight: 4 },
  { cpu: 2, memMiB: 8192, weight: 3 },
  { cpu: 4, memMiB: 8192, weight: 4 },
  { cpu: 4, memMiB: 16384, weight: 4 },
  { cpu: 8, memMiB: 16384, weight: 2 },
  { cpu: 8, memMiB: 32768, weight: 2 },
  { cpu: 16, memMiB: 65536, weight: 1 },
];

interface Slot {
  readonly host: number;
  readonly size: number;
}

export function plantedInstance(opts: PlantedOptions): PlantedInstance {
  const rng = createRng(opts.seed ?? 1);
  const topology = fatTreeTopology(opts.k);
  const hier = topology.hierarchy;
  const rackOf = hier.groupOf[0];
  const podOf = hier.groupOf[1];
  const [lo, hi] = opts.fill ?? [0.7, 1.0];
  const H = topology.hostCount;
  const hosts: Host[] = [];
  const slotsByRack: Slot[][] = Array.from({ length: hier.groupCount[0] }, () => []);
  const totalWeight = SIZES.reduce((s, x) => s + x.weight, 0);
  for (let h = 0; h < H; h++) {
    hosts.push({ id: `h${String(h).padStart(5, "0")}`, cpu: HOST_CPU, memMiB: HOST_MEM_MIB, labels: { rack: `r${rackOf[h]}`, pod: `p${podOf[h]}` } });
    const target = lo + (hi - lo) * rng.next();
    let cpu = 0;
    let mem = 0;
    for (let misses = 0; misses < 12; ) {
      const size = pickSize(rng, totalWeight);
      const s = SIZES[size];
      if (cpu + s.cpu <= target * HOST_CPU && mem + s.memMiB <= target * HOST_MEM_MIB) {
        cpu += s.cpu;
        mem += s.memMiB;
        slotsByRack[rackOf[h]].push({ host: h, size });
      } else misses++;
    }
  }

  // Deal the slots into applications, pod by pod, rack by rack.
  const racksOfPod: number[][] = Array.from({ length: hier.groupCount[1] }, () => []);
  for (let r = 0; r < hier.groupCount[0]; r++) racksOfPod[podOf[r * (opts.k / 2)]].push(r);
  const apps: Slot[][] = [];
  let podApplications = 0;
  for (const racks of racksOfPod) {
    const queue = racks.map((r) => slotsByRack[r]);
    let ri = 0;
    let pos = 0;
    let lastInRack = -1;
    while (ri < queue.length) {
      const leftInRack = queue[ri].length - pos;
      if (leftInRack === 0) {
        ri++;
        pos = 0;
        lastInRack = -1;
        continue;
      }
      let size = appSize(rng);
      const app: Slot[] = [];
      if (size > leftInRack && size >= 16 && rng.next() < 0.7) {
        // A large application continues into the next racks of the pod.
        const racksSpanned = new Set<number>();
        while (app.length < size && ri < queue.length) {
          if (pos >= queue[ri].length) {
            ri++;
            pos = 0;
            continue;
          }
          racksSpanned.add(ri);
          app.push(queue[ri][pos++]);
        }
        if (racksSpanned.size > 1) podApplications++;
        lastInRack = -1;
      } else {
        size = Math.min(size, leftInRack);
        // Never leave a single VM behind in the rack: it joins this application.
        if (leftInRack - size === 1) size++;
        for (let i = 0; i < size; i++) app.push(queue[ri][pos++]);
        if (app.length === 1 && lastInRack >= 0) {
          apps[lastInRack].push(app[0]);
          continue;
        }
        lastInRack = apps.length;
      }
      apps.push(app);
    }
  }

  const vms: Vm[] = [];
  const planted: Record<string, string> = {};
  const members: string[][] = [];
  const slotOfVm: Slot[] = [];
  apps.forEach((app, i) => {
    const ids: string[] = [];
    app.forEach((slot, j) => {
      const id = `a${i}-${j}`;
      const s = SIZES[slot.size];
      vms.push({ id, cpu: s.cpu, memMiB: s.memMiB });
      planted[id] = hosts[slot.host].id;
      slotOfVm.push(slot);
      ids.push(id);
    });
    members.push(ids);
  });

  const traffic: TrafficRow[] = [];
  const pick = (xs: readonly string[]): string => xs[rng.int(xs.length)];
  apps.forEach((app, i) => {
    const ids = members[i];
    if (ids.length < 2) return;
    const base = Math.exp(Math.log(50) + 0.7 * gaussian(rng));
    // Members that share a planted host form a shard, those that share a planted rack a block.
    const shard = new Map<number, string[]>();
    const block = new Map<number, string[]>();
    app.forEach((slot, j) => {
      (shard.get(slot.host) ?? shard.set(slot.host, []).get(slot.host)!).push(ids[j]);
      const r = rackOf[slot.host];
      (block.get(r) ?? block.set(r, []).get(r)!).push(ids[j]);
    });
    ids.forEach((v, j) => {
      const mates = shard.get(app[j].host)!.filter((w) => w !== v);
      const neighbours = block.get(rackOf[app[j].host])!.filter((w) => w !== v);
      for (let l = 0; l < Math.min(SHARD_LINKS, mates.length); l++) traffic.push([v, pick(mates), rate(rng, base / 2)]);
      if (neighbours.length > 0 && rng.next() < BLOCK_LINK_P) traffic.push([v, pick(neighbours), rate(rng, base / 4)]);
      if (ids.length > 1 && rng.next() < APP_LINK_P) {
        const w = pick(ids);
        if (w !== v) traffic.push([v, w, rate(rng, base / 4)]);
      }
    });
  });
  let tenants = 0;
  for (let first = 0; first < members.length; tenants++) {
    const count = Math.min(members.length - first, 1 + rng.int(6));
    for (let i = first; i < first + count; i++) {
      const peers = count > 1 ? 1 + rng.int(3) : 0;
      for (let p = 0; p < peers; p++) {
        const j = first + rng.int(count);
        if (j !== i) linkApps(members[i], members[j]);
      }
      if (rng.next() < 0.3) linkApps(members[i], members[rng.int(members.length)]);
    }
    first += count;
  }
  function linkApps(x: readonly string[], y: readonly string[]): void {
    if (x === y) return;
    const links = 2 + rng.int(3);
    for (let l = 0; l < links; l++) traffic.push([pick(x), pick(y), rate(rng, 2.5)]);
  }
  const ids = vms.map((v) => v.id);
  for (let l = 0; l < ids.length / 2; l++) {
    const x = pick(ids);
    const y = pick(ids);
    if (x !== y) traffic.push([x, y, rate(rng, 0.5)]);
  }

  // Random start: VM identities shuffled among the slots of their size.
  const bySize: number[][] = SIZES.map(() => []);
  slotOfVm.forEach((slot, v) => bySize[slot.size].push(v));
  const current: Record<string, string> = {};
  for (const vs of bySize) {
    const hostsOf = vs.map((v) => slotOfVm[v].host);
    shuffle(rng, hostsOf);
    vs.forEach((v, i) => (current[vms[v].id] = hosts[hostsOf[i]].id));
  }
  return {
    problem: { hosts, vms, traffic, topology: { kind: "fat-tree", k: opts.k }, current },
    planted,
    applications: apps.length,
    tenants,
    podApplications,
  };
}

/** Application sizes 2-64, log-uniform: as many of 2-4 VMs as of 16-64. */
function appSize(rng: Rng): number {
  return Math.min(64, Math.floor(Math.exp(Math.log(2) + rng.next() * (Math.log(65) - Math.log(2)))));
}

function pickSize(rng: Rng, totalWeight: number): number {
  let x = rng.next() * totalWeight;
  for (let i = 0; i < SIZES.length; i++) {
    x -= SIZES[i].weight;
    if (x < 0) return i;
  }
  return SIZES.length - 1;
}

function shuffle<T>(rng: Rng, xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}

function gaussian(rng: Rng): number {
  const u = Math.max(1e-12, rng.next());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function rate(rng: Rng, mean: number): number {
  return Math.max(0.01, Math.round(mean * Math.exp(0.5 * gaussian(rng) - 0.125) * 100) / 100);
}
