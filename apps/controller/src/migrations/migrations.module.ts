import { Module } from "@nestjs/common";
import { MigrationQueue } from "./migration-queue";
import { MigrationReconciler } from "./migration-reconciler";
import { MigrationsController } from "./migrations.controller";
import { MigrationsService } from "./migrations.service";
import { MigrationScheduler } from "../scheduler/migration-scheduler";
import { SchedulerController } from "../scheduler/scheduler.controller";

@Module({
  controllers: [MigrationsController, SchedulerController],
  providers: [MigrationsService, MigrationQueue, MigrationReconciler, MigrationScheduler],
  exports: [MigrationsService, MigrationQueue, MigrationScheduler],
})
export class MigrationsModule {}
