/**
 * @ferry/placement: traffic-aware VM placement (TVMPP). The public API; nothing else is imported from outside.
 *
 * - placeVm: one new VM into a running cluster, with every filter reason and per-plugin score per host.
 * - planReplacement: an ordered, always-feasible migration plan within a budget.
 * - solvePlacement: a whole placement (multilevel placement + local search + iterated local search, or dense QAP).
 * - solveQap: QAPLIB-style instances (robust tabu search with O(1) delta updates).
 */
export { placeVm } from "./place-vm";
export type { PlaceVmRequest, PlaceVmResult } from "./place-vm";
export { planReplacement } from "./replan";
export type { ReplanMethod, ReplanOptions } from "./replan";
export { solvePlacement } from "./solve";
export type { SolveOptions, SolveResult, SolverName } from "./solve";
export { validatePlan, diffPlacements, explainPlan, assertValidPlan } from "./plan";
export type { Plan, PlanMove, PlanCheck, PlacementChange } from "./plan";
export { solveQap } from "./qap";
export type { QapResult, QapOptions } from "./qap";
export { parseQaplib, qapCost } from "./model/qap";
export type { QapInstance } from "./model/qap";

export type { Host, HostState } from "./model/host";
export { HOST_STATES } from "./model/host";
export type { Vm } from "./model/vm";
export type { PlacementProblem, PlacementGroup, TrafficRow, TopologySpec } from "./model/problem";
export type { HostVerdict, FilterRejection } from "./framework";

export type { Topology, Hierarchy } from "./topology/topology";
export { buildTopology, TOPOLOGIES, FILTERS, SCORES, DEFAULT_FILTER_CHAIN, DEFAULT_OBJECTIVE_WEIGHTS, DEFAULT_PLACE_WEIGHTS } from "./registry";
export type { ScoreName, FilterName, ScoreWeights } from "./registry";
export { fatTreeTopology } from "./topology/fat-tree";
export { treeTopology, threeTierTopology } from "./topology/tree";
export { vl2Topology } from "./topology/vl2";
export { bcubeTopology } from "./topology/bcube";
export { leafSpineTopology } from "./topology/leaf-spine";
export { matrixTopology } from "./topology/matrix";
export { labelTopology, DEFAULT_LABEL_COSTS } from "./topology/labels";
export type { LabelTopologyOptions } from "./topology/labels";

export { PlacementError } from "./errors";
export type { PlacementErrorCode } from "./errors";
export type { Clock } from "./clock";
export { systemClock, frozenClock } from "./clock";
export type { Rng } from "@ferry/random";
export { createRng } from "@ferry/random";
