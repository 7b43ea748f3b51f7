import { Module } from "@nestjs/common";
import { MigrationQueue } from "./migration-queue";
import { MigrationReconciler } from "./migration-reconciler";
import { MigrationsController } from "./migrations.controller";
import { AgentReportsService } from "./agent-reports.service";
import { MigrationEnding } from "./migration-ending";
import { MigrationQueries } from "./migration-queries.service";
import { MigrationsService } from "./migrations.service";
import { MigrationScheduler } from "../scheduler/migration-scheduler";
import { SchedulerController } from "../scheduler/scheduler.controller";

@Module({
  controllers: [MigrationsController, SchedulerController],
  providers: [MigrationsService, MigrationQueries, AgentReportsService, MigrationEnding, MigrationQueue, MigrationReconciler, MigrationScheduler],
  exports: [MigrationsService, MigrationQueries, AgentReportsService, MigrationQueue, MigrationReconciler, MigrationScheduler],
})
export class MigrationsModule {}
