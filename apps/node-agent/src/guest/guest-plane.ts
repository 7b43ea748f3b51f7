import type { HostedVm } from "@ferry/protocol";
import { Inject, Injectable, OnApplicationShutdown } from "@nestjs/common";
import { AGENT_CONFIG, AgentConfig } from "../common/config";
import type { HostedVmsListener } from "../heartbeat/heartbeat.service";
import type { DataEndpoint } from "../registration/registration.service";
import { DataServer } from "../transfer/data-server";
import { GuestHost } from "./guest-host";

/** tcp mode's moving parts on one node: the guests it runs and the data port migrations arrive on. */
@Injectable()
export class GuestPlane implements DataEndpoint, HostedVmsListener, OnApplicationShutdown {
  readonly guests: GuestHost;
  private readonly server: DataServer;

  constructor(@Inject(AGENT_CONFIG) config: AgentConfig) {
    this.guests = new GuestHost({ dataDir: config.transfer.dataDir, locality: config.transfer.locality });
    this.server = new DataServer(this.guests, { port: config.transfer.dataPort, host: config.host, advertiseHost: config.transfer.dataHost });
  }

  address(): Promise<string> {
    return this.server.address();
  }

  hostedVms(vms: readonly HostedVm[]): void {
    this.guests.reconcile(vms);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
    this.guests.close();
  }
}
