import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from "@nestjs/common";
import { registerNodeResponseSchema, type RegisterNodeResponse } from "@ferry/protocol";
import { AGENT_CONFIG, AgentConfig } from "../common/config";
import { ControllerClient } from "../common/controller-client";

/** Where this agent takes migration transfers (tcp mode): listened on before the agent registers. */
export interface DataEndpoint {
  address(): Promise<string>;
}
export const DATA_ENDPOINT = Symbol("DataEndpoint");

/**
 * Registers the node with the controller (idempotent by name) with the bootstrap token, hands the agent's own
 * credential to the client, and the registration to whoever waits on it. Until the controller answers, it
 * keeps trying, so agents may start before the controller does. Each registration replaces the credential.
 */
@Injectable()
export class RegistrationService implements OnApplicationShutdown {
  private readonly logger = new Logger(RegistrationService.name);
  private current: RegisterNodeResponse | null = null;
  private pending: Promise<RegisterNodeResponse> | null = null;
  private readonly stop = new AbortController();

  constructor(
    private readonly client: ControllerClient,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
    @Optional() @Inject(DATA_ENDPOINT) private readonly data?: DataEndpoint,
  ) {}

  get registration(): RegisterNodeResponse | null {
    return this.current;
  }

  /** The registration, registering first when needed. `again` forces a new one (the controller forgot us). */
  register(again = false): Promise<RegisterNodeResponse> {
    if (this.current && !again) return Promise.resolve(this.current);
    this.pending ??= this.attempt().finally(() => (this.pending = null));
    return this.pending;
  }

  private async attempt(): Promise<RegisterNodeResponse> {
    const { node } = this.config;
    const dataAddress = await this.data?.address();
    const body = { name: node.name, labels: node.labels, hypervisor: node.hypervisor, capacity: node.capacity, power: node.power, dataAddress };
    for (let attempt = 0; ; attempt++) {
      try {
        this.current = await this.client.call("POST", "/api/v1/agents/register", body, registerNodeResponseSchema, {
          signal: this.stop.signal,
          bootstrap: true,
        });
        this.client.useCredential(this.current.credential, this.current.nodeId, () => this.register(true));
        this.logger.log(`registered ${node.name} as ${this.current.nodeId}`);
        return this.current;
      } catch (e) {
        if (this.stop.signal.aborted) throw e;
        const delay = Math.min(250 * 2 ** attempt, 5_000);
        if (attempt % 5 === 0) this.logger.warn(`cannot register with ${this.config.controllerUrl} yet: ${e instanceof Error ? e.message : e}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  onApplicationShutdown(): void {
    this.stop.abort();
  }
}
