import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from "@nestjs/common";
import { heartbeatAnswerSchema, hostedVmSchema, type Heartbeat, type HostedVm } from "@ferry/protocol";
import { z } from "zod";
import { AGENT_CONFIG, AgentConfig } from "../common/config";
import { ControllerClient, ControllerError } from "../common/controller-client";
import { RegistrationService } from "../registration/registration.service";
import { HostPower } from "./host-power";
import { HOST_PROBE, type HostProbe } from "./host-probe";

const hostedVmsSchema = z.object({ items: z.array(hostedVmSchema) });
/** What a powered-off host reports, as its management controller would: no load, no VMs, no power drawn. */
const POWERED_OFF: Heartbeat = { cpuLoad: 0, memLoad: 0, watts: 0, netTxMbps: 0, netRxMbps: 0, power: "off", vms: [] };

/** Told the hosted VM list each time it is refreshed (tcp mode: the guests this node must run). */
export interface HostedVmsListener {
  /** `askedAtMs` (Date.now()): when the list was asked for; it says nothing of changes on this node after that. */
  hostedVms(vms: readonly HostedVm[], askedAtMs: number): void;
}
export const HOSTED_VMS_LISTENER = Symbol("HostedVmsListener");

/** How many heartbeats between two refreshes of the hosted VM list. */
const VM_REFRESH_EVERY = 3;

/**
 * Sends the node's load at the interval the controller asked for, and keeps the hosted VM list fresh. Each
 * answer says whether the controller wants the host on or off (power/ in the controller): a host told off
 * stops hosting and reports as switched off, and keeps reporting so that it can be told to power on again;
 * it then boots for its boot delay before it reports on.
 */
@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private timer: NodeJS.Timeout | null = null;
  private vms: HostedVm[] = [];
  private beats = 0;
  private busy = false;

  constructor(
    private readonly registration: RegistrationService,
    private readonly client: ControllerClient,
    @Inject(HOST_PROBE) private readonly probe: HostProbe,
    private readonly power: HostPower,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
    @Optional() @Inject(HOSTED_VMS_LISTENER) private readonly listener?: HostedVmsListener,
  ) {}

  onApplicationBootstrap(): void {
    void this.registration.register().then(
      (r) => {
        void this.beat();
        this.timer = setInterval(() => void this.beat(), r.heartbeatIntervalMs);
      },
      () => undefined,
    );
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Ask for a fresh VM list at the next beat (after a migration moved one). */
  refreshSoon(): void {
    this.beats = 0;
  }

  async beat(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { nodeId } = await this.registration.register();
      const on = this.power.reported(Date.now()) === "on";
      if (on && this.beats++ % VM_REFRESH_EVERY === 0) {
        const askedAtMs = Date.now();
        this.vms = (await this.client.call("GET", `/api/v1/agents/nodes/${nodeId}/vms`, undefined, hostedVmsSchema)).items;
        this.listener?.hostedVms(this.vms, askedAtMs);
      }
      const sample = on ? this.probe.sample(this.vms, Date.now()) : POWERED_OFF;
      const answer = await this.client.call("POST", `/api/v1/agents/nodes/${nodeId}/heartbeat`, sample, heartbeatAnswerSchema);
      const change = this.power.want(answer.power, Date.now());
      if (change === "switched-off") {
        // The controller switches off only a node without VMs; once back on, the first beat fetches the list again.
        this.vms = [];
        this.beats = 0;
        this.logger.log(`node ${this.config.node.name} switched off by the controller`);
      }
      if (change === "booting") this.logger.log(`node ${this.config.node.name} powering on: booting for ${this.config.bootDelayMs} ms`);
    } catch (e) {
      if (e instanceof ControllerError && e.status === 404) {
        this.logger.warn(`controller does not know node ${this.config.node.name}: registering again`);
        await this.registration.register(true).catch(() => undefined);
      } else {
        this.logger.warn(`heartbeat failed: ${e instanceof Error ? e.message : e}`);
      }
    } finally {
      this.busy = false;
    }
  }
}
