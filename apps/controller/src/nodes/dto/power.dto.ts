import { POWER_STATES } from "@ferry/protocol";
import { z } from "zod";

export const powerBodySchema = z.object({ state: z.enum(POWER_STATES) }).strict();
export type PowerBody = z.infer<typeof powerBodySchema>;
