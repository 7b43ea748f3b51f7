import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { MigrationsService } from "./migrations.service";

/** Runs MigrationsService.reconcile on a timer. */
@Injectable()
export class MigrationReconciler implements OnModuleInit {
  private readonly logger = new Logger(MigrationReconciler.name);

  constructor(
    private readonly migrations: MigrationsService,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.periodic.every("migration-reconcile", this.config.reconcileIntervalMs, async () => {
      const result = await this.migrations.reconcile(this.config.migrationProgressTimeoutMs);
      if (result.dispatched || result.stalled) this.logger.log(`reconciled: ${JSON.stringify(result)}`);
    });
  }
}
