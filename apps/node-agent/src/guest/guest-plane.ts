import { transferGrantSchema, type HostedVm } from "@ferry/protocol";
import { Inject, Injectable, OnApplicationShutdown } from "@nestjs/common";
import { AGENT_CONFIG, AgentConfig } from "../common/config";
import { ControllerClient } from "../common/controller-client";
import type { HostedVmsListener } from "../heartbeat/heartbeat.service";
import type { DataEndpoint } from "../registration/registration.service";
import { DataServer } from "../transfer/data-server";
import { GuestHost } from "./guest-host";

/** tcp mode's moving parts on one node: the guests it runs and the data port migrations arrive on. */
@Injectable()
export class GuestPlane implements DataEndpoint, HostedVmsListener, OnApplicationShutdown {
  readonly guests: GuestHost;
  private readonly server: DataServer;

  constructor(@Inject(AGENT_CONFIG) config: AgentConfig, client: ControllerClient) {
    this.guests = new GuestHost({ dataDir: config.transfer.dataDir, locality: config.transfer.locality });
    this.server = new DataServer(this.guests, (migrationId) => targetSecret(client, migrationId), {
      port: config.transfer.dataPort,
      host: config.host,
      advertiseHost: config.transfer.dataHost,
      stallTimeoutMs: config.transfer.stallTimeoutMs,
    });
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

/**
 * The transfer secret of a running migration coming to this node, asked of the controller with the agent's own
 * credential. The controller also answers the migration's source: that one is refused here.
 */
async function targetSecret(client: ControllerClient, migrationId: string): Promise<string> {
  const grant = await client.call("GET", `/api/v1/agents/migrations/${encodeURIComponent(migrationId)}/transfer`, undefined, transferGrantSchema, { retries: 2 });
  if (grant.targetNodeId !== client.nodeId) throw new Error(`migration ${migrationId} goes to node ${grant.targetNodeId}, not here`);
  return grant.transferSecret;
}
