import type { Clock } from "./clock";
import { PlacementError } from "./errors";
import type { HostVerdict } from "./framework";
import { Assignment } from "./model/assignment";
import type { Host } from "./model/host";
import type { PlacementGroup, TopologySpec, TrafficRow } from "./model/problem";
import type { Vm } from "./model/vm";
import type { ScoreName } from "./registry";
import { DEFAULT_PLACE_WEIGHTS } from "./registry";
import { setUp } from "./solve";
import type { Topology } from "./topology/topology";

export interface PlaceVmRequest {
  readonly hosts: readonly Host[];
  /** VMs that exist now (the new one may be listed too). */
  readonly vms: readonly Vm[];
  /** vmId -> hostId of the running VMs. */
  readonly current: Readonly<Record<string, string>>;
  /** The VM to place. */
  readonly vm: Vm;
  /** Traffic, including the new VM's expected peers if known. */
  readonly traffic?: readonly TrafficRow[];
  /** Server groups, possibly naming the new VM. */
  readonly groups?: readonly PlacementGroup[];
  /** Default: labels (rack/pod). */
  readonly topology?: TopologySpec | Topology;
  /** Importance of each plugin's normalised score; default traffic 2, balance 1. */
  readonly weights?: Partial<Record<ScoreName, number>>;
  readonly clock?: Clock;
}

export interface PlaceVmResult {
  readonly vmId: string;
  /** The chosen host, or null when every host was rejected. */
  readonly hostId: string | null;
  /** When hostId is null: a summary, most frequent filter first, e.g. "0/12 hosts available: 8 capacity, 4 host-state". */
  readonly reason?: string;
  /** One verdict per host, in host order: every filter reason of a rejected host, per-plugin scores of the others. */
  readonly hosts: readonly HostVerdict[];
}

/**
 * Initial placement of one new VM into a running cluster, Kubernetes-scheduler style: every filter on every
 * host, then every score plugin normalised to 0..100 over the feasible hosts and combined with `weights`. Running
 * VMs do not move. An affinity group of the new VM pins it to the group's host; anti-affinity keeps it off its
 * group's hosts.
 */
export function placeVm(req: PlaceVmRequest): PlaceVmResult {
  if (!req.vm || typeof req.vm.id !== "string") throw new PlacementError("InvalidProblem", "vm.id must be a string");
  const vmId = req.vm.id;
  if (req.current[vmId] !== undefined) {
    throw new PlacementError("InvalidProblem", `vm "${vmId}" already runs on host "${req.current[vmId]}"`);
  }
  const vms = [...req.vms.filter((v) => v.id !== vmId), req.vm];
  const setup = setUp(
    { hosts: req.hosts, vms, current: req.current, traffic: req.traffic, groups: req.groups, topology: req.topology },
    { clock: req.clock, weights: req.weights },
    DEFAULT_PLACE_WEIGHTS,
    { contractAffinity: false },
  );
  const { cluster: c, framework, weights } = setup;
  const a = Assignment.current(c);
  const u = c.vmUnit[c.vmIndex.get(vmId)!];
  const evaluation = framework.evaluateHosts(a, u, weights);
  if (evaluation.chosen >= 0) return { vmId, hostId: c.hostIds[evaluation.chosen], hosts: evaluation.verdicts };
  const byFilter = new Map<string, number>();
  for (const v of evaluation.verdicts) for (const r of v.rejections) byFilter.set(r.filter, (byFilter.get(r.filter) ?? 0) + 1);
  const parts = [...byFilter].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([f, n]) => `${n} ${f}`);
  return {
    vmId,
    hostId: null,
    reason: `0/${c.hostIds.length} hosts available${parts.length ? `: ${parts.join(", ")}` : ""}`,
    hosts: evaluation.verdicts,
  };
}
