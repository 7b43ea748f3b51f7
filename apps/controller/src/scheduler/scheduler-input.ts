import type { TechniqueSpec } from "@ferry/migration";
import type { MoveClass, ScheduleInput, SchedulerOptions } from "@ferry/scheduler";
import type { Migration, Node } from "../generated/prisma/client";
import { effectiveSla } from "../migrations/technique-choice";

/** Plan kinds and operators' requests in the scheduler's order (evacuate first, traffic last). */
const MOVE_CLASS: Record<string, MoveClass> = {
  evacuate: "evacuate",
  drain: "drain",
  "sla-network": "sla",
  starvation: "starvation",
  // An operator waits for the answer: ahead of the optimisations, behind repairs.
  operator: "sla",
  balance: "balance",
  consolidate: "consolidate",
  traffic: "traffic",
};

export function moveClassOf(kind: string): MoveClass {
  return MOVE_CLASS[kind] ?? "sla";
}

/** Nodes that may still receive a migration already admitted (see migrations.service.ts). */
const RECEIVING = new Set(["active", "cordoned"]);

type WaitingRow = Migration & { vm: { dirtyRateMiBps: number; slaMaxDowntimeMs: number | null; slaMaxTotalMs: number | null; allowPostCopy: boolean; postCopyRecovery: boolean; memMiB: number; name: string } };

/**
 * The cluster as @ferry/scheduler takes it: nodes with what their resident VMs use (a VM migrating away still
 * runs on its source), migrations in flight (queued at an agent or running) with what is left to send, and the
 * requested migrations that wait for a start, each with its class, technique and SLA.
 */
export function scheduleInput(
  nowMs: number,
  nodes: readonly Node[],
  used: ReadonlyMap<string, { cpu: number; memMiB: number }>,
  inFlight: readonly (Migration & { vm: { dirtyRateMiBps: number } })[],
  waiting: readonly WaitingRow[],
  options: SchedulerOptions,
): ScheduleInput {
  return {
    nowMs,
    nodes: nodes.map((n) => ({
      id: n.id,
      labels: n.labels as Record<string, string>,
      capacity: { cpu: n.cpu, memMiB: n.memMiB },
      used: used.get(n.id) ?? { cpu: 0, memMiB: 0 },
      acceptsIncoming: RECEIVING.has(n.state),
    })),
    running: inFlight.map((m) => ({
      id: m.id,
      vmId: m.vmId,
      from: m.sourceNodeId,
      to: m.targetNodeId,
      cpu: m.cpu,
      memMiB: m.memMiB,
      dirtyMiBps: m.vm.dirtyRateMiBps,
      remainingBytes: Math.max(0, (1 - m.progress) * m.memMiB * 1024 * 1024),
      // Only the request's own cap: the share a migration in flight gets is recomputed every pass, and its agent
      // follows it (migration-scheduler.ts, reshare).
      ...(m.bandwidthCapMbps !== null ? { bandwidthCapMbps: m.bandwidthCapMbps } : {}),
    })),
    waiting: waiting.map((m) => {
      const { maxDowntimeMs, maxTotalMs, allowPostCopy } = effectiveSla({ ...m.vm, memMiB: m.memMiB });
      return {
        id: m.id,
        vmId: m.vmId,
        from: m.sourceNodeId,
        to: m.targetNodeId,
        cpu: m.cpu,
        memMiB: m.memMiB,
        dirtyMiBps: m.vm.dirtyRateMiBps,
        moveClass: moveClassOf(m.moveClass),
        enqueuedAtMs: m.requestedAt.getTime(),
        ...(m.bandwidthCapMbps !== null ? { bandwidthCapMbps: m.bandwidthCapMbps } : {}),
        // A migration recorded without its technique's options (older rows) lets the chooser pick at the share.
        ...((m.techniqueOptions as { name?: string }).name ? { technique: m.techniqueOptions as TechniqueSpec } : {}),
        sla: { maxDowntimeMs, maxTotalMs, allowPostCopy },
      };
    }),
    options,
  };
}
