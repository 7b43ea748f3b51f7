import { Controller, Get } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { RequiresRole } from "../common/auth";
import { z } from "zod";
import { toPage } from "../common/pagination";
import { ZodQuery } from "../common/zod";
import { AuditService } from "./audit.service";

const auditQuerySchema = z.object({
  targetType: z.enum(["node", "vm", "migration", "traffic", "plan", "policy", "scheduler", "token"]).optional(),
  targetId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d+$/, "cursor must be a value returned as nextCursor").optional(),
});

@ApiTags("audit")
@ApiBearerAuth()
@Controller("api/v1/audit")
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @ApiOperation({ summary: "List audit log entries" })
  @RequiresRole("viewer")
  @Get()
  async list(@ZodQuery(auditQuerySchema) query: z.infer<typeof auditQuerySchema>) {
    const rows = await this.audit.list(query);
    return toPage(
      rows,
      query,
      (r) => ({
        id: r.id.toString(),
        at: r.at.toISOString(),
        actor: r.actor,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        details: r.details,
      }),
      (r) => r.id.toString(),
    );
  }
}
