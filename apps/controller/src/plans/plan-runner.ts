import { Inject, Injectable, OnModuleInit } from "@nestjs/common";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { PlanExecutor } from "./plan-executor";

/** Advances plans on a timer: expiry, starts, and each step once the steps it depends on have succeeded. */
@Injectable()
export class PlanRunner implements OnModuleInit {
  constructor(
    private readonly executor: PlanExecutor,
    private readonly periodic: Periodic,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.periodic.every("plan-runner", this.config.reconcileIntervalMs, () => this.executor.advance());
  }
}
