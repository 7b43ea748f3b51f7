import type { z } from "zod";
import type { Node } from "../generated/prisma/client";
import type { nodeSchema } from "./dto/node.answer";
import type { LatestHeartbeat } from "./heartbeat-buffer";

export interface NodeAllocation {
  cpu: number;
  memMiB: number;
}

/** A node as the API shows it. */
export function nodeView(node: Node, extra: { allocated?: NodeAllocation; latest?: LatestHeartbeat | null } = {}): z.infer<typeof nodeSchema> {
  return {
    id: node.id,
    name: node.name,
    state: node.state,
    stateReason: node.stateReason,
    labels: node.labels as Record<string, string>,
    hypervisor: node.hypervisor === "bare_metal" ? "bare-metal" : "hosted",
    capacity: { cpu: node.cpu, memMiB: node.memMiB },
    power: { idleWatts: node.idleWatts, peakWatts: node.peakWatts },
    lastHeartbeatAt: (extra.latest?.at ?? node.lastHeartbeatAt)?.toISOString() ?? null,
    ...(extra.allocated ? { allocated: extra.allocated } : {}),
    ...(extra.latest ? { load: extra.latest.sample } : {}),
    createdAt: node.createdAt.toISOString(),
  };
}
