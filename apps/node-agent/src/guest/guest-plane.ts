import { transferGrantSchema, vmPlacementSchema, type HostedVm } from "@ferry/protocol";
import { Inject, Injectable, Logger, OnApplicationShutdown } from "@nestjs/common";
import { AGENT_CONFIG, AgentConfig } from "../common/config";
import { ControllerClient } from "../common/controller-client";
import type { HostedVmsListener } from "../heartbeat/heartbeat.service";
import type { DataEndpoint } from "../registration/registration.service";
import { DataServer } from "../transfer/data-server";
import type { TransferTerms } from "../transfer/transfer-auth";
import { GuestHost } from "./guest-host";

/** tcp mode's moving parts on one node: the guests it runs and the data port migrations arrive on. */
@Injectable()
export class GuestPlane implements DataEndpoint, HostedVmsListener, OnApplicationShutdown {
  readonly guests: GuestHost;
  private readonly server: DataServer;
  private readonly logger = new Logger(GuestPlane.name);
  private resolving = false;

  constructor(
    @Inject(AGENT_CONFIG) config: AgentConfig,
    private readonly client: ControllerClient,
  ) {
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

  hostedVms(vms: readonly HostedVm[], askedAtMs: number): void {
    this.guests.reconcile(vms, askedAtMs);
    const nodeId = this.client.nodeId;
    if (this.resolving || !nodeId) return;
    this.resolving = true;
    const lookup = (vmId: string) =>
      this.client.call("GET", `/api/v1/agents/nodes/${nodeId}/vms/${encodeURIComponent(vmId)}/placement`, undefined, vmPlacementSchema, { retries: 1 });
    void this.guests
      .resolve(vms, nodeId, lookup)
      .then((done) => done.forEach((line) => this.logger.log(line)))
      .catch((e) => this.logger.warn(`settling left-over images failed: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => (this.resolving = false));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.close();
    this.guests.close();
  }
}

/**
 * The terms of a running migration coming to this node, asked of the controller with the agent's own
 * credential. The controller also answers the migration's source: that one is refused here.
 */
async function targetSecret(client: ControllerClient, migrationId: string): Promise<TransferTerms> {
  const grant = await client.call("GET", `/api/v1/agents/migrations/${encodeURIComponent(migrationId)}/transfer`, undefined, transferGrantSchema, { retries: 2 });
  if (grant.targetNodeId !== client.nodeId) throw new Error(`migration ${migrationId} goes to node ${grant.targetNodeId}, not here`);
  return { secret: grant.transferSecret, vmId: grant.vmId, memMiB: grant.memMiB };
}
