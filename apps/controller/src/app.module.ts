import { DynamicModule, Module } from "@nestjs/common";
import { APP_FILTER, APP_GUARD } from "@nestjs/core";
import { ScheduleModule } from "@nestjs/schedule";
import { LoggerModule } from "nestjs-pino";
import type { DestinationStream } from "pino";
import { AgentsModule } from "./agents/agents.module";
import { AuditModule } from "./audit/audit.module";
import { AuthModule } from "./auth/auth.module";
import { TokenGuard } from "./auth/token.guard";
import { CLOCK, Clock, systemClock } from "./common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "./common/config";
import { DomainErrorFilter } from "./common/domain-error.filter";
import { httpLogOptions } from "./common/logging";
import { DrainModule } from "./drain/drain.module";
import { EventsModule } from "./events/events.module";
import { DatabaseModule } from "./database/database.module";
import { HealthController } from "./health/health.controller";
import { LeaderModule } from "./leader/leader.module";
import { LivenessModule } from "./liveness/liveness.module";
import { MetricsController } from "./metrics/metrics.controller";
import { MetricsService } from "./metrics/metrics.service";
import { MigrationsModule } from "./migrations/migrations.module";
import { NodesModule } from "./nodes/nodes.module";
import { PlansModule } from "./plans/plans.module";
import { PoliciesModule } from "./policies/policies.module";
import { RecoveryModule } from "./recovery/recovery.module";
import { RedisModule } from "./redis/redis.module";
import { TrafficModule } from "./traffic/traffic.module";
import { UsageModule } from "./usage/usage.module";
import { VmsModule } from "./vms/vms.module";

@Module({})
class ConfigModule {
  static forRoot(config: ControllerConfig, clock: Clock): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [
        { provide: CONTROLLER_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [CONTROLLER_CONFIG, CLOCK],
    };
  }
}

@Module({})
export class AppModule {
  /** `logDestination` replaces stdout (the tests read the log). */
  static forRoot(config: ControllerConfig, clock: Clock = systemClock, logDestination?: DestinationStream): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        LoggerModule.forRoot({ pinoHttp: httpLogOptions(config, logDestination) }),
        ScheduleModule.forRoot(),
        DatabaseModule,
        LeaderModule,
        RedisModule,
        EventsModule,
        AuditModule,
        AuthModule,
        NodesModule,
        VmsModule,
        TrafficModule,
        MigrationsModule,
        AgentsModule,
        LivenessModule,
        PlansModule,
        UsageModule,
        DrainModule,
        PoliciesModule,
        RecoveryModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        MetricsService,
        { provide: APP_GUARD, useClass: TokenGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
      ],
    };
  }
}
