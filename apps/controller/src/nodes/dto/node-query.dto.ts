import { NODE_STATES } from "@ferry/protocol";
import { z } from "zod";
import { pageQuerySchema } from "../../common/pagination";

export const nodeQuerySchema = pageQuerySchema.extend({ state: z.enum(NODE_STATES).optional() });
export type NodeQuery = z.infer<typeof nodeQuerySchema>;

export const idParamSchema = z.string().uuid("must be a UUID");
