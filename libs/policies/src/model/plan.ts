/**
 * A strategy's answer: data, never an action. The controller stores it, shows it and applies it (Nomad's
 * plan, Watcher's action plan); the simulator applies it at once.
 */
export type MoveReason = "host-overloaded" | "host-underloaded";

export interface Move {
  readonly vmId: string;
  readonly fromHostId: string;
  readonly toHostId: string;
  readonly reason: MoveReason;
  /** Human-readable why: the detector's verdict on the source and the target's score. */
  readonly detail: string;
  readonly expectedDurationMs: number;
}

export interface HostFinding {
  readonly hostId: string;
  readonly kind: "overloaded" | "underloaded-evacuated" | "underloaded-kept";
  readonly detail: string;
}

export interface Plan {
  readonly strategy: string;
  readonly timeS: number;
  readonly moves: readonly Move[];
  /** Hosts that receive VMs while switched off: power them on first. */
  readonly switchOn: readonly string[];
  /** Hosts left without VMs once the moves are done. */
  readonly switchOff: readonly string[];
  readonly findings: readonly HostFinding[];
}

export function emptyPlan(strategy: string, timeS: number): Plan {
  return { strategy, timeS, moves: [], switchOn: [], switchOff: [], findings: [] };
}
