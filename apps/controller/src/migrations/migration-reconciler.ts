import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { MigrationsService } from "./migrations.service";

/** Runs MigrationsService.reconcile on a timer. */
@Injectable()
export class MigrationReconciler implements OnModuleInit {
  private readonly logger = new Logger(MigrationReconciler.name);

  /** Agents could not report while the controller was down: their silence is counted from its start. */
  private readonly startedAt: number;

  constructor(
    private readonly migrations: MigrationsService,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.startedAt = clock.now().getTime();
  }

  onModuleInit(): void {
    this.periodic.every("migration-reconcile", this.config.reconcileIntervalMs, async () => {
      const result = await this.migrations.reconcile(this.config.migrationProgressTimeoutMs, this.startedAt);
      if (result.dispatched || result.stalled) this.logger.log(`reconciled: ${JSON.stringify(result)}`);
    });
  }
}
