import { fatTreeTopology } from "@ferry/placement";
import { createRng, type Rng } from "@ferry/random";
import type { MoveClass, SchedulerNode, WaitingMove } from "@ferry/scheduler";

/**
 * The benchmark's cluster and queue: a k=8 fat-tree (128 nodes of 64 cpu / 256 GiB, racks and pods from
 * @ferry/placement's fat-tree hierarchy, 10 Gbit/s links, non-blocking), 40-60 % full of VMs, and 200 moves
 * arriving as operators and policies would queue them:
 *
 *   t = 0      a traffic plan (VMs to nodes in the same pod), a balance plan (off the most loaded nodes, in the
 *              order the policy lists them: shuffled), and a consolidation plan (two lightly loaded nodes
 *              emptied, node by node);
 *   t = 120 s  two nodes drained (node by node, VM by VM);
 *   t = 240 s  one node evacuated.
 *
 * Every target has room for everything sent to it from the start (the queue is one consistent plan), and no VM
 * moves twice; nodes being emptied accept nothing. Sizes: 2-64 GiB, weighted towards 4-16 GiB, 1 vCPU per 4 GiB;
 * dirty rates log-uniform 5-200 MiB/s, with one VM in seven a heavy writer at 200-600 MiB/s.
 */
export interface Arrival {
  readonly atMs: number;
  readonly move: WaitingMove;
}

export interface Workload {
  readonly nodes: SchedulerNode[];
  readonly arrivals: Arrival[];
  readonly vmCount: number;
}

const K = 8;
const NODE = { cpu: 64, memMiB: 262_144 };
const SIZES_MIB = [2048, 4096, 8192, 16_384, 32_768, 65_536];
const SIZE_WEIGHTS = [0.15, 0.25, 0.25, 0.2, 0.1, 0.05];
export const MOVES = 200;

interface Vm {
  readonly id: string;
  readonly cpu: number;
  readonly memMiB: number;
  readonly dirtyMiBps: number;
  node: number;
}

export function buildWorkload(seed: number): Workload {
  const rng = createRng(seed);
  const topology = fatTreeTopology(K);
  const [edgeOf, podOf] = topology.hierarchy.groupOf;
  const n = topology.hostCount;
  const ids = Array.from({ length: n }, (_, h) => `n${String(h).padStart(3, "0")}`);
  const used = Array.from({ length: n }, () => ({ cpu: 0, memMiB: 0 }));
  const vms: Vm[] = [];
  const vmRng = rng.fork("vms");
  for (let h = 0; h < n; h++) {
    const fill = 0.4 + 0.2 * vmRng.next();
    for (;;) {
      const vm = drawVm(vmRng, `vm${vms.length}`, h);
      if (used[h].memMiB + vm.memMiB > fill * NODE.memMiB || used[h].cpu + vm.cpu > NODE.cpu) break;
      vms.push(vm);
      used[h].cpu += vm.cpu;
      used[h].memMiB += vm.memMiB;
    }
  }

  const planRng = rng.fork("plans");
  const incoming = Array.from({ length: n }, () => ({ cpu: 0, memMiB: 0 }));
  const closed = new Set<number>();
  const moved = new Set<string>();
  const arrivals: Arrival[] = [];
  const byNode = (h: number) => vms.filter((v) => v.node === h && !moved.has(v.id));
  const load = (h: number) => (used[h].memMiB + incoming[h].memMiB) / NODE.memMiB;
  const room = (h: number, vm: Vm) =>
    !closed.has(h) && h !== vm.node && used[h].cpu + incoming[h].cpu + vm.cpu <= NODE.cpu && used[h].memMiB + incoming[h].memMiB + vm.memMiB <= NODE.memMiB;
  let seq = 0;
  const add = (atMs: number, vm: Vm, to: number, moveClass: MoveClass) => {
    moved.add(vm.id);
    incoming[to].cpu += vm.cpu;
    incoming[to].memMiB += vm.memMiB;
    arrivals.push({
      atMs,
      move: { id: `m${String(seq++).padStart(3, "0")}`, vmId: vm.id, cpu: vm.cpu, memMiB: vm.memMiB, dirtyMiBps: vm.dirtyMiBps, from: ids[vm.node], to: ids[to], moveClass, enqueuedAtMs: atMs },
    });
  };
  /** The least loaded node with room, among `pool` (or everywhere). */
  const leastLoaded = (vm: Vm, pool?: (h: number) => boolean) => {
    let best = -1;
    for (let h = 0; h < n; h++) if (room(h, vm) && (!pool || pool(h)) && (best < 0 || load(h) < load(best))) best = h;
    if (best < 0) throw new Error(`no room for ${vm.id}`);
    return best;
  };

  // Pick the nodes to empty first, so nothing is sent to them.
  const order = Array.from({ length: n }, (_, h) => h);
  shuffle(planRng, order);
  const [evacuated, drained1, drained2, emptied1, emptied2] = order;
  for (const h of [evacuated, drained1, drained2, emptied1, emptied2]) closed.add(h);
  const drains = [drained1, drained2].flatMap(byNode);
  const evacuation = byNode(evacuated);
  const consolidation = [emptied1, emptied2].flatMap((h) => byNode(h).filter((v) => v.memMiB <= 16_384));

  for (const vm of consolidation) add(0, vm, leastLoaded(vm, (h) => load(h) > 0.45), "consolidate");
  const balanceCount = 50;
  const overloaded = [...order.slice(5)].sort((a, b) => load(b) - load(a)).slice(0, 8);
  const balance = shuffle(planRng, overloaded.flatMap((h) => byNode(h).filter((v) => v.memMiB <= 16_384).slice(0, 7))).slice(0, balanceCount);
  for (const vm of balance) add(0, vm, leastLoaded(vm), "balance");
  const trafficCount = MOVES - consolidation.length - balance.length - drains.length - evacuation.length;
  const trafficPool = shuffle(planRng, vms.filter((v) => !moved.has(v.id) && !closed.has(v.node) && !overloaded.includes(v.node)));
  for (const vm of trafficPool.slice(0, trafficCount)) {
    const pod = podOf[vm.node];
    const choices = order.filter((h) => podOf[h] === pod && room(h, vm) && edgeOf[h] !== edgeOf[vm.node]);
    add(0, vm, choices.length > 0 ? choices[planRng.int(choices.length)] : leastLoaded(vm), "traffic");
  }
  for (const vm of drains) add(120_000, vm, leastLoaded(vm), "drain");
  for (const vm of evacuation) add(240_000, vm, leastLoaded(vm), "evacuate");
  if (arrivals.length !== MOVES) throw new Error(`workload has ${arrivals.length} moves, expected ${MOVES} (seed ${seed})`);

  const nodes: SchedulerNode[] = ids.map((id, h) => ({
    id,
    labels: { pod: `p${podOf[h]}`, rack: `e${edgeOf[h]}` },
    capacity: NODE,
    used: { ...used[h] },
    acceptsIncoming: !closed.has(h),
  }));
  return { nodes, arrivals, vmCount: vms.length };
}

function drawVm(rng: Rng, id: string, node: number): Vm {
  let u = rng.next();
  let i = 0;
  while (i < SIZES_MIB.length - 1 && u >= SIZE_WEIGHTS[i]) u -= SIZE_WEIGHTS[i++];
  const memMiB = SIZES_MIB[i];
  const heavy = rng.next() < 1 / 7;
  const [lo, hi] = heavy ? [200, 600] : [5, 200];
  const dirtyMiBps = Math.round(lo * Math.pow(hi / lo, rng.next()));
  return { id, cpu: Math.max(1, memMiB / 4096), memMiB, dirtyMiBps, node };
}

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}
