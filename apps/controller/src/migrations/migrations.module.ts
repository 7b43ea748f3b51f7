import { Module } from "@nestjs/common";
import { MigrationQueue } from "./migration-queue";
import { MigrationReconciler } from "./migration-reconciler";
import { MigrationsController } from "./migrations.controller";
import { MigrationsService } from "./migrations.service";

@Module({
  controllers: [MigrationsController],
  providers: [MigrationsService, MigrationQueue, MigrationReconciler],
  exports: [MigrationsService, MigrationQueue],
})
export class MigrationsModule {}
