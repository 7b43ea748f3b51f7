import { Controller, Get, Inject } from "@nestjs/common";
import { AGENT_CONFIG, AgentConfig } from "../common/config";
import { RegistrationService } from "../registration/registration.service";

@Controller("health")
export class HealthController {
  constructor(
    private readonly registration: RegistrationService,
    @Inject(AGENT_CONFIG) private readonly config: AgentConfig,
  ) {}

  @Get()
  health() {
    const r = this.registration.registration;
    return { status: r ? "ok" : "registering", node: this.config.node.name, nodeId: r?.nodeId ?? null, mode: this.config.mode };
  }
}
