import { Controller, Get, HttpCode, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody, ZodQuery } from "../common/zod";
import { EventQuery, MigrationQuery, RequestMigration, eventQuerySchema, migrationQuerySchema, requestMigrationSchema } from "./dto/migration.dto";
import { MigrationScheduler } from "../scheduler/migration-scheduler";
import { MigrationQueries } from "./migration-queries.service";
import { MigrationsService } from "./migrations.service";

@ApiTags("migrations")
@ApiBearerAuth()
@Controller("api/v1/migrations")
export class MigrationsController {
  constructor(
    private readonly migrations: MigrationsService,
    private readonly queries: MigrationQueries,
    private readonly scheduler: MigrationScheduler,
  ) {}

  @RequiresRole("operator")
  @Post()
  @HttpCode(202)
  async request(@ZodBody(requestMigrationSchema) body: RequestMigration, @CallerOf() caller: Caller) {
    const m = await this.migrations.request(body, caller.name);
    await this.scheduler.pass();
    return this.queries.get(m.id);
  }

  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(migrationQuerySchema) query: MigrationQuery) {
    return this.queries.list(query);
  }

  @RequiresRole("viewer")
  @Get(":id")
  get(@IdParam() id: string) {
    return this.queries.get(id);
  }

  @RequiresRole("viewer")
  @Get(":id/events")
  events(@IdParam() id: string, @ZodQuery(eventQuerySchema) query: EventQuery) {
    return this.queries.events(id, query);
  }

  @RequiresRole("viewer")
  @Get(":id/sla-breaches")
  slaBreaches(@IdParam() id: string) {
    return this.queries.slaBreaches(id);
  }

  @RequiresRole("operator")
  @Post(":id/cancel")
  @HttpCode(202)
  cancel(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.migrations.cancel(id, caller.name);
  }
}
