import { DynamicModule, Logger, Module, type Provider } from "@nestjs/common";
import { LoggerModule } from "nestjs-pino";
import { AGENT_CONFIG, AgentConfig } from "./common/config";
import { ControllerClient } from "./common/controller-client";
import { HealthController } from "./health/health.controller";
import { GuestPlane } from "./guest/guest-plane";
import { HeartbeatService, HOSTED_VMS_LISTENER } from "./heartbeat/heartbeat.service";
import { HostPower } from "./heartbeat/host-power";
import { HOST_PROBE, type HostProbe } from "./heartbeat/host-probe";
import { LinuxHostProbe } from "./heartbeat/linux-host-probe";
import { SimulatedHostProbe } from "./heartbeat/simulated-host-probe";
import { TraceLibrary } from "./heartbeat/workload/trace-library";
import { MIGRATION_EXECUTOR } from "./migration/executor";
import { MigrationRunner } from "./migration/migration-runner";
import { MigrationWorker } from "./migration/migration.worker";
import { SimulatedExecutor } from "./migration/simulated-executor";
import { TcpExecutor } from "./migration/tcp-executor";
import { DATA_ENDPOINT, RegistrationService } from "./registration/registration.service";

@Module({})
export class AgentModule {
  static forRoot(config: AgentConfig): DynamicModule {
    return {
      module: AgentModule,
      imports: [
        LoggerModule.forRoot({
          // No request lines (the agent's only route is /health); credentials redacted from whatever else is logged.
          pinoHttp: {
            level: config.logLevel,
            autoLogging: false,
            redact: { paths: ["req.headers.authorization", "req.headers.cookie", "token", "*.token", "bootstrapToken", "*.bootstrapToken", "credential", "*.credential", "transferSecret", "*.transferSecret"], censor: "[redacted]" },
          },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: AGENT_CONFIG, useValue: config },
        { provide: HOST_PROBE, useValue: hostProbe(config) },
        { provide: HostPower, useValue: new HostPower(config.bootDelayMs) },
        ...executorProviders(config),
        ControllerClient,
        RegistrationService,
        HeartbeatService,
        MigrationRunner,
        MigrationWorker,
      ],
    };
  }
}

/** Simulated: the page-accurate model. tcp: real images, a data port, and transfers between agents. */
function executorProviders(config: AgentConfig): Provider[] {
  if (config.mode === "simulated") return [{ provide: MIGRATION_EXECUTOR, useValue: new SimulatedExecutor(config.simulation) }];
  return [
    GuestPlane,
    { provide: DATA_ENDPOINT, useExisting: GuestPlane },
    { provide: HOSTED_VMS_LISTENER, useExisting: GuestPlane },
    {
      provide: MIGRATION_EXECUTOR,
      useFactory: (plane: GuestPlane) => new TcpExecutor(plane.guests, {
          compress: config.transfer.compress,
          bandwidthMbps: config.transfer.maxMbps,
          stallTimeoutMs: config.transfer.stallTimeoutMs,
        }),
      inject: [GuestPlane],
    },
  ];
}

/**
 * Simulated: the whole heartbeat from the VMs' workloads. linux: the host totals from this machine's /proc and
 * /sys, each VM's figures still from its workload (Linux cannot see inside the VMs Ferry places).
 */
function hostProbe(config: AgentConfig): HostProbe {
  const simulated = new SimulatedHostProbe(
    { ...config.node, ...(config.fault !== "none" ? { fault: { kind: config.fault, sinceMs: Date.now() } } : {}) },
    traceLibrary(config),
  );
  if (config.hostProbe === "simulated") return simulated;
  const logger = new Logger("HostProbe");
  return new LinuxHostProbe({ power: config.node.power, guests: simulated, onWattsSource: (_, why) => logger.log(why) });
}

function traceLibrary(config: AgentConfig): TraceLibrary {
  const logger = new Logger("Workload");
  return TraceLibrary.load(config.workload.traceDir, config.workload.traceSpeedup, (series) =>
    logger.warn(`trace series "${series}" is not in ${config.workload.traceDir}: the VM runs the default constant workload`),
  );
}
