import { buildFabric, ClusterLedger, resolveOptions, schedule, type SchedulerOptions, type WaitingMove } from "@ferry/scheduler";
import type { Strategy } from "./simulate";

/**
 * The strategies compared. The baselines book moves through the scheduler's own ledger, so all of them obey the
 * same limits (cluster, per node in and out, room with reservations, and the bandwidth floor per link); they
 * differ only in which move they try when.
 */

/** @ferry/scheduler as the controller would call it. */
export function schedulerStrategy(options: SchedulerOptions): Strategy {
  return (nowMs, nodes, running, waiting) =>
    schedule({ nowMs, nodes, running, waiting, options }).starts.map((s) => ({ moveId: s.moveId, to: s.to }));
}

/**
 * Queue order: a move starts only once every move queued before it has started (head-of-line blocking), as a
 * plain FIFO work queue does. With `skipAhead`, a move the limits refuse is passed over and later ones are
 * tried (KubeVirt's migration controller behaves like this: each pending migration is checked on its own).
 */
export function fifoStrategy(options: SchedulerOptions, skipAhead: boolean): Strategy {
  const resolved = resolveOptions(options);
  return (_nowMs, nodes, running, waiting) => {
    const ledger = new ClusterLedger(nodes, buildFabric(nodes, resolved.links), resolved, running);
    const starts: { moveId: string }[] = [];
    for (const move of [...waiting].sort(queueOrder)) {
      if (ledger.check(move).ok) {
        ledger.start(move);
        starts.push({ moveId: move.id });
      } else if (!skipAhead) {
        break;
      }
    }
    return starts;
  };
}

/** One migration at a time in queue order: the cluster limit set to 1. */
export function oneAtATimeStrategy(options: SchedulerOptions): Strategy {
  return fifoStrategy({ ...options, limits: { ...options.limits, perCluster: 1 } }, false);
}

function queueOrder(a: WaitingMove, b: WaitingMove): number {
  return a.enqueuedAtMs - b.enqueuedAtMs || a.id.localeCompare(b.id);
}
