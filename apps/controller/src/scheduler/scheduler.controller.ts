import { Controller, Get, Patch } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { ZodBody } from "../common/zod";
import { UpdateScheduler, updateSchedulerSchema } from "./dto/scheduler.dto";
import { MigrationScheduler } from "./migration-scheduler";

@ApiTags("scheduler")
@ApiBearerAuth()
@Controller("api/v1/scheduler")
export class SchedulerController {
  constructor(private readonly scheduler: MigrationScheduler) {}

  /** Limits in force, migrations in flight with their bandwidth share, and why each waiting one waits. */
  @ApiOperation({ summary: "Migration scheduler status" })
  @RequiresRole("viewer")
  @Get()
  status() {
    return this.scheduler.status();
  }

  /** Change the limits (per cluster, out and in per node) or link capacities; validated and audited. */
  @ApiOperation({ summary: "Update migration scheduler limits" })
  @RequiresRole("admin")
  @Patch()
  update(@ZodBody(updateSchedulerSchema) body: UpdateScheduler, @CallerOf() caller: Caller) {
    return this.scheduler.update(body, caller.name);
  }
}
