import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { ChangeFeed } from "../events/change-feed";
import { PlansService } from "../plans/plans.service";
import { withoutThrash } from "./anti-thrash";
import type { LivePolicy, PolicyMode } from "./live-policy";
import { PoliciesService, policyModeOf } from "./policies.service";
import { PolicyContext } from "./policy-context";
import { livePolicy } from "./policy-registry";

/**
 * Runs each policy that is not off when its interval has passed: read the cluster and the usage window,
 * let the policy propose, drop the moves that would thrash (hold time, A->B->A), and store what is left as
 * a plan in the policy's mode: dry-run and approve plans wait, proposed; auto plans are approved at once. A
 * policy whose previous plan is still waiting or applying proposes nothing new, so plans never pile up.
 */
@Injectable()
export class PolicyRunner implements OnModuleInit {
  private readonly logger = new Logger(PolicyRunner.name);

  constructor(
    private readonly policies: PoliciesService,
    private readonly context: PolicyContext,
    private readonly plans: PlansService,
    private readonly periodic: Periodic,
    private readonly feed: ChangeFeed,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.periodic.every("policy-runner", this.config.policyTickMs, () => this.tick());
  }

  /** One pass over the policies that are due. */
  async tick(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const row of await this.policies.configs()) {
      const mode = policyModeOf(row.mode);
      if (mode === "off") continue;
      if (row.lastRunAt && now - row.lastRunAt.getTime() < row.intervalS * 1000) continue;
      const policy = livePolicy(row.name);
      if (!policy) continue;
      await this.run(policy, mode, row.params as Record<string, unknown>).catch((e: unknown) =>
        this.logger.error(`policy ${row.name} failed: ${e instanceof Error ? e.message : e}`),
      );
    }
  }

  async runNow(name: string): Promise<Record<string, unknown>> {
    const row = await this.policies.find(name);
    const mode = policyModeOf(row.mode);
    return this.run(livePolicy(name)!, mode === "off" ? "dry-run" : mode, row.params as Record<string, unknown>);
  }

  /** Run one policy now, whatever its interval; returns what it found. */
  async run(policy: LivePolicy<any>, mode: Exclude<PolicyMode, "off">, stored: Record<string, unknown>): Promise<Record<string, unknown>> {
    const at = this.clock.now();
    const params = policy.params.parse(stored);
    const pending = await this.plans.openPlanOf(policy.name);
    let result: Record<string, unknown>;
    if (pending) {
      result = { outcome: "waiting", detail: `plan ${pending.id} is still ${pending.state}`, planId: pending.id };
    } else {
      const input = await this.context.read(policy.window(params));
      const outcome = policy.propose(input, params);
      if ("none" in outcome) {
        result = { outcome: "none", detail: outcome.none };
      } else {
        const draft = "holdS" in params ? withoutThrash(outcome.draft, input.recentMoves, at, params as { holdS: number; reversalS: number }) : outcome.draft;
        if (!draft.moves.length) {
          result = { outcome: "none", detail: `every move was held back: ${draft.blocked?.map((b) => b.reason).join("; ")}` };
        } else {
          const plan = await this.plans.store(draft, { actor: `policy:${policy.name}`, policy: policy.name, mode });
          result = { outcome: "plan", planId: plan.id, moves: plan.steps.length, state: plan.state, reason: draft.reason.summary };
        }
      }
    }
    await this.policies.recordRun(policy.name, at, result);
    await this.feed.publish("policy", policy.name, "ran", { mode, ...result });
    return result;
  }
}
