import { affinityFilter } from "./filters/affinity";
import { antiAffinityFilter } from "./filters/anti-affinity";
import { capacityFilter } from "./filters/capacity";
import type { Filter } from "./filters/filter";
import { FILTER_NAMES } from "./filters/filter";
import { hostStateFilter } from "./filters/host-state";
import { hypervisorFilter } from "./filters/hypervisor";
import { PlacementError } from "./errors";
import { Framework } from "./framework";
import type { Cluster } from "./model/cluster";
import type { Host } from "./model/host";
import type { TopologySpec } from "./model/problem";
import { balanceScore } from "./scores/balance";
import { energyScore } from "./scores/energy";
import { migrationScore } from "./scores/migration";
import type { Score } from "./scores/score";
import { SCORE_NAMES } from "./scores/score";
import { trafficScore } from "./scores/traffic";
import { bcubeTopology } from "./topology/bcube";
import { fatTreeTopology } from "./topology/fat-tree";
import { labelTopology } from "./topology/labels";
import { leafSpineTopology } from "./topology/leaf-spine";
import { matrixTopology } from "./topology/matrix";
import type { Topology } from "./topology/topology";
import { ClusterAndCut } from "./solvers/cluster-and-cut";
import { FirstFit } from "./solvers/first-fit";
import { GreedyNearest } from "./solvers/greedy-nearest";
import { IteratedLocalSearch } from "./solvers/iterated-local-search";
import { LocalSearch } from "./solvers/local-search";
import { MultilevelPlacement } from "./solvers/multilevel";
import { RandomPlacement } from "./solvers/random";
import type { SearchContext, Solver } from "./solvers/solver";
import { threeTierTopology, treeTopology } from "./topology/tree";
import { vl2Topology } from "./topology/vl2";

/**
 * The one list of plugins and defaults: names -> factories. New behaviour is a new file plus an entry here.
 */

export type FilterName = (typeof FILTER_NAMES)[keyof typeof FILTER_NAMES];
export type ScoreName = (typeof SCORE_NAMES)[keyof typeof SCORE_NAMES];

export const FILTERS: Readonly<Record<FilterName, () => Filter>> = {
  [FILTER_NAMES.hostState]: hostStateFilter,
  [FILTER_NAMES.hypervisor]: hypervisorFilter,
  [FILTER_NAMES.capacity]: capacityFilter,
  [FILTER_NAMES.affinity]: affinityFilter,
  [FILTER_NAMES.antiAffinity]: antiAffinityFilter,
};

/**
 * Filter chain order: host state and hypervisor kind are O(1) and reject whole classes of hosts, so they go
 * first; capacity is O(resources); the group filters walk group members and come last.
 */
export const DEFAULT_FILTER_CHAIN: readonly FilterName[] = [
  FILTER_NAMES.hostState,
  FILTER_NAMES.hypervisor,
  FILTER_NAMES.capacity,
  FILTER_NAMES.affinity,
  FILTER_NAMES.antiAffinity,
];

export const SCORES: Readonly<Record<ScoreName, (cluster: Cluster) => Score>> = {
  [SCORE_NAMES.traffic]: trafficScore,
  [SCORE_NAMES.migration]: migrationScore,
  [SCORE_NAMES.balance]: balanceScore,
  [SCORE_NAMES.energy]: energyScore,
};

/**
 * Weights of the objective terms. Solvers minimise
 *   traffic x (rate x switches) + migration x (MiB moved) + balance x (sum of squared utilisations) + energy x (W).
 * One-VM placement instead uses them as the importance of each plugin's 0..100 normalised score.
 */
export type ScoreWeights = Readonly<Record<ScoreName, number>>;

/** Solvers: traffic only, so `cost` is exactly TVMPP's objective. */
export const DEFAULT_OBJECTIVE_WEIGHTS: ScoreWeights = { traffic: 1, migration: 0, balance: 0, energy: 0 };

/** One-VM placement: traffic first, load balance as the tie-breaker that spreads VMs with no traffic yet. */
export const DEFAULT_PLACE_WEIGHTS: ScoreWeights = { traffic: 2, migration: 0, balance: 1, energy: 0 };

export function checkWeights(weights: Partial<Record<string, number>> | undefined, base: ScoreWeights): ScoreWeights {
  const out: Record<string, number> = { ...base };
  for (const [name, w] of Object.entries(weights ?? {})) {
    if (!(name in SCORES)) throw new PlacementError("InvalidProblem", `unknown score "${name}", known: ${Object.keys(SCORES).join(", ")}`);
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw new PlacementError("InvalidProblem", `weight of score "${name}" must be a finite number >= 0, got ${JSON.stringify(w)}`);
    }
    out[name] = w;
  }
  return out as ScoreWeights;
}

/** The default framework for a cluster: the whole filter chain and every score with the given weights. */
export function defaultFramework(cluster: Cluster, weights: ScoreWeights): Framework {
  return new Framework(
    cluster,
    DEFAULT_FILTER_CHAIN.map((name) => FILTERS[name]()),
    (Object.keys(SCORES) as ScoreName[]).map((name) => ({ score: SCORES[name](cluster), weight: weights[name] })),
  );
}

/**
 * Solvers that `solvePlacement` can run alone (`solver: name`). Constructive ones place every unit from scratch;
 * improving ones start from the current placement, with new VMs first put on their cheapest host.
 */
export interface SolverEntry {
  readonly make: (ctx: SearchContext) => Solver;
  readonly improving: boolean;
}

export const SOLVERS = {
  multilevel: { make: () => new MultilevelPlacement(), improving: false },
  "cluster-and-cut": { make: () => new ClusterAndCut(), improving: false },
  "iterated-local-search": { make: () => new IteratedLocalSearch(), improving: true },
  "local-search": { make: (ctx) => new LocalSearch(ctx), improving: true },
  random: { make: () => new RandomPlacement(), improving: false },
  "first-fit": { make: () => new FirstFit(), improving: false },
  "greedy-nearest": { make: () => new GreedyNearest(), improving: false },
} as const satisfies Record<string, SolverEntry>;

export type SingleSolverName = keyof typeof SOLVERS;

type SpecOf<K extends TopologySpec["kind"]> = Extract<TopologySpec, { kind: K }>;

export const TOPOLOGIES: { readonly [K in TopologySpec["kind"]]: (spec: SpecOf<K>, hosts: readonly Host[]) => Topology } = {
  matrix: (spec, hosts) => {
    const n = spec.distance.length;
    if (n !== hosts.length) throw new RangeError(`distance matrix has ${n} rows for ${hosts.length} hosts`);
    const flat = new Float64Array(n * n);
    spec.distance.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== n) throw new RangeError(`distance row ${i} must have ${n} entries`);
      row.forEach((d, j) => (flat[i * n + j] = typeof d === "number" ? d : NaN));
    });
    return matrixTopology(flat, n);
  },
  labels: (spec, hosts) => labelTopology(hosts, spec),
  tree: (spec) => treeTopology(spec.fanout),
  "three-tier": (spec) => threeTierTopology(spec.hostsPerRack, spec.racksPerPod, spec.pods),
  "fat-tree": (spec) => fatTreeTopology(spec.k),
  vl2: (spec) => vl2Topology(spec.dA, spec.dI, spec.hostsPerTor),
  bcube: (spec) => bcubeTopology(spec.n, spec.k),
  "leaf-spine": (spec) => leafSpineTopology(spec.leaves, spec.hostsPerLeaf, spec.pods ?? 1),
};

/** Builds a topology from its data form; errors become InvalidProblem naming the topology. */
export function buildTopology(spec: TopologySpec | Topology | undefined, hosts: readonly Host[]): Topology {
  if (spec === undefined) return labelTopology(hosts);
  if ("distance" in spec && typeof spec.distance === "function") return spec as Topology;
  const s = spec as TopologySpec;
  const factory = TOPOLOGIES[s.kind] as ((spec: TopologySpec, hosts: readonly Host[]) => Topology) | undefined;
  if (!factory) {
    throw new PlacementError("InvalidProblem", `unknown topology kind ${JSON.stringify(s.kind)}, known: ${Object.keys(TOPOLOGIES).join(", ")}`);
  }
  try {
    return factory(s, hosts);
  } catch (e) {
    if (e instanceof RangeError) throw new PlacementError("InvalidProblem", `topology ${s.kind}: ${e.message}`);
    throw e;
  }
}
