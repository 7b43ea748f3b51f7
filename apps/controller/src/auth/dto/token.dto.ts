import { z } from "zod";
import { ROLES } from "../../common/auth";

export const createTokenSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "letters, digits, '.', '_', '@' and '-', starting with a letter or digit"),
    role: z.enum(ROLES),
  })
  .strict();
export type CreateToken = z.infer<typeof createTokenSchema>;
