import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { SchedulerRegistry } from "@nestjs/schedule";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { MigrationsService } from "./migrations.service";

/** Runs MigrationsService.reconcile on a timer; one pass at a time. */
@Injectable()
export class MigrationReconciler implements OnModuleInit {
  private readonly logger = new Logger(MigrationReconciler.name);
  private running = false;

  constructor(
    private readonly migrations: MigrationsService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.addInterval("migration-reconcile", setInterval(() => void this.tick(), this.config.reconcileIntervalMs));
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const result = await this.migrations.reconcile(this.config.migrationProgressTimeoutMs);
      if (result.dispatched || result.stalled) this.logger.log(`reconciled: ${JSON.stringify(result)}`);
    } catch (e) {
      this.logger.error(`reconcile failed: ${e}`);
    } finally {
      this.running = false;
    }
  }
}
