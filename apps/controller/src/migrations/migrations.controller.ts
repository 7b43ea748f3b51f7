import { Controller, Get, HttpCode, Patch, Post } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { Caller, CallerOf, RequiresRole } from "../common/auth";
import { IdParam } from "../common/params";
import { ZodBody, ZodQuery } from "../common/zod";
import {
  ChangeMigration,
  EventQuery,
  MigrationQuery,
  RequestMigration,
  changeMigrationSchema,
  eventQuerySchema,
  migrationQuerySchema,
  requestMigrationSchema,
} from "./dto/migration.dto";
import { MigrationScheduler } from "../scheduler/migration-scheduler";
import { MigrationQueries } from "./migration-queries.service";
import { MigrationsService } from "./migrations.service";
import { Answer } from "../common/responses";
import { migrationDetailSchema, migrationPageSchema, migrationSchema } from "./dto/migration.answer";

@ApiTags("migrations")
@ApiBearerAuth()
@Controller("api/v1/migrations")
export class MigrationsController {
  constructor(
    private readonly migrations: MigrationsService,
    private readonly queries: MigrationQueries,
    private readonly scheduler: MigrationScheduler,
  ) {}

  @ApiOperation({ summary: "Request a live migration" })
  @Answer(202, "MigrationDetail", migrationDetailSchema)
  @RequiresRole("operator")
  @Post()
  @HttpCode(202)
  async request(@ZodBody(requestMigrationSchema) body: RequestMigration, @CallerOf() caller: Caller) {
    const m = await this.migrations.request(body, caller.name);
    await this.scheduler.pass();
    return this.queries.get(m.id);
  }

  @ApiOperation({ summary: "List migrations" })
  @Answer(200, "MigrationPage", migrationPageSchema)
  @RequiresRole("viewer")
  @Get()
  list(@ZodQuery(migrationQuerySchema) query: MigrationQuery) {
    return this.queries.list(query);
  }

  @ApiOperation({ summary: "Get a migration" })
  @Answer(200, "MigrationDetail", migrationDetailSchema)
  @RequiresRole("viewer")
  @Get(":id")
  get(@IdParam() id: string) {
    return this.queries.get(id);
  }

  @ApiOperation({ summary: "List a migration's events" })
  @RequiresRole("viewer")
  @Get(":id/events")
  events(@IdParam() id: string, @ZodQuery(eventQuerySchema) query: EventQuery) {
    return this.queries.events(id, query);
  }

  @ApiOperation({ summary: "List a migration's SLA breaches" })
  @RequiresRole("viewer")
  @Get(":id/sla-breaches")
  slaBreaches(@IdParam() id: string) {
    return this.queries.slaBreaches(id);
  }

  @ApiOperation({ summary: "Change a migration's bandwidth cap while it has not ended" })
  @Answer(200, "Migration", migrationSchema)
  @RequiresRole("operator")
  @Patch(":id")
  async change(@IdParam() id: string, @ZodBody(changeMigrationSchema) body: ChangeMigration, @CallerOf() caller: Caller) {
    const changed = await this.migrations.changeBandwidth(id, body, caller.name);
    await this.scheduler.pass();
    return changed;
  }

  @ApiOperation({ summary: "Cancel a migration" })
  @Answer(202, "Migration", migrationSchema)
  @RequiresRole("operator")
  @Post(":id/cancel")
  @HttpCode(202)
  cancel(@IdParam() id: string, @CallerOf() caller: Caller) {
    return this.migrations.cancel(id, caller.name);
  }
}
