import { nodeLoadSchema } from "@ferry/protocol";
import { z } from "zod";
import { isoTime, pageOf } from "../../common/responses";

const resources = z.object({ cpu: z.number(), memMiB: z.number() });

export const nodeSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: z.string(),
  stateReason: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  hypervisor: z.enum(["bare-metal", "hosted"]),
  capacity: resources,
  power: z.object({ idleWatts: z.number(), peakWatts: z.number() }),
  lastHeartbeatAt: isoTime.nullable(),
  allocated: resources.optional(),
  load: nodeLoadSchema.optional().describe("the latest heartbeat's load"),
  createdAt: isoTime,
});

export const nodePageSchema = pageOf(nodeSchema);
