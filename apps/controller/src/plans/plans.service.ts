import { Inject, Injectable, Logger } from "@nestjs/common";
import { techniqueSchema } from "@ferry/protocol";
import { randomInt } from "node:crypto";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError, fromLibraryError, notFound } from "../common/errors";
import { pageArgs, toPage } from "../common/pagination";
import { lockRow } from "../database/lock";
import { PrismaService, type Tx } from "../database/prisma.service";
import { Prisma, type Plan, type PlanStep } from "../generated/prisma/client";
import { MigrationsService } from "../migrations/migrations.service";
import { admitTechnique, predictionView } from "../migrations/technique-choice";
import { readSnapshot } from "../placement/cluster-snapshot";
import { placeNewVm } from "../placement/initial-placement";
import { replan } from "../placement/replan";
import type { ApplyPlan, ComputePlan, PlanQuery, Preview } from "./dto/plan.dto";
import { planView } from "./plan.view";

type PlanWithSteps = Plan & { steps: PlanStep[] };

/**
 * Plans are data (Nomad's plan, Watcher's action plan): computed by pure code against a snapshot of the cluster,
 * stored and shown with every move's predicted cost, then applied on request, one migration at a time in plan
 * order (the plan is feasible after every single move only in that order). States: proposed -> applying ->
 * succeeded | failed | cancelled, or superseded when the cluster moved before it was applied.
 */
@Injectable()
export class PlansService {
  private readonly logger = new Logger(PlansService.name);
  /** Runner passes run one after another (the timer's and the one an apply triggers), never side by side. */
  private passes: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly migrations: MigrationsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /** Where a VM of this size would go, and every node's verdict; nothing is written. */
  async preview(input: Preview) {
    const snapshot = await this.prisma.$transaction((tx) => readSnapshot(tx), { isolationLevel: "RepeatableRead" });
    const placement = placeNewVm(snapshot, input);
    return {
      nodeId: placement.ok ? placement.nodeId : null,
      node: placement.ok ? snapshot.nodeNames.get(placement.nodeId) : null,
      reason: placement.ok ? null : placement.reason,
      verdicts: placement.verdicts.map((v) => ({
        nodeId: v.hostId,
        node: v.node,
        feasible: v.feasible,
        rejections: v.rejections,
        score: v.score,
        scores: v.scores,
      })),
    };
  }

  /** Compute a re-placement plan and store it as proposed. Nothing moves until it is applied. */
  async compute(input: ComputePlan, actor: string) {
    const seed = input.seed ?? randomInt(0, 0xffffffff);
    // A consistent snapshot, then the solver outside any transaction (it may run for its whole time budget).
    const snapshot = await this.prisma.$transaction((tx) => readSnapshot(tx), { isolationLevel: "RepeatableRead" });
    const computed = replan(snapshot, { ...input, seed });
    const plan = await this.prisma.$transaction(async (tx) => {
      const vms = new Map((await tx.vm.findMany({ where: { id: { in: computed.moves.map((m) => m.vmId) } } })).map((v) => [v.id, v]));
      const created = await tx.plan.create({
        data: {
          kind: "traffic-replacement",
          createdBy: actor,
          baseVersion: snapshot.version,
          params: { ...input, seed } as Prisma.InputJsonValue,
          costBefore: computed.costBefore,
          costAfter: computed.costAfter,
          explanation: {
            objective: "sum over VM pairs of traffic (Mbit/s) x network distance (0 same node, 1 same rack, 3 same pod, 5 otherwise)",
            stoppedBecause: computed.stoppedBecause,
            seed: computed.seed,
            elapsedMs: computed.elapsedMs,
            objectiveBefore: computed.objectiveBefore,
            objectiveAfter: computed.objectiveAfter,
            memoryMovedMiB: computed.memoryMovedMiB,
            budget: computed.budget,
          } as Prisma.InputJsonValue,
          steps: {
            create: computed.moves.map((move, index) => {
              const vm = vms.get(move.vmId)!;
              const step = { index, vmId: move.vmId, fromNodeId: move.fromHostId, toNodeId: move.toHostId, memMiB: move.memMiB, gain: move.gain };
              try {
                const admitted = admitTechnique(vm, this.config.migrationLink, { acceptSlaBreach: false });
                return {
                  ...step,
                  technique: admitted.technique.name,
                  techniqueOptions: admitted.technique as unknown as Prisma.InputJsonValue,
                  prediction: predictionView(admitted) as Prisma.InputJsonValue,
                };
              } catch (e) {
                if (!(e instanceof FerryError)) throw e;
                return { ...step, technique: "", prediction: { unattainable: e.message } };
              }
            }),
          },
        },
        include: { steps: { orderBy: { index: "asc" } } },
      });
      await this.audit.record(tx, {
        actor,
        action: "plan.computed",
        targetType: "plan",
        targetId: created.id,
        details: { moves: created.steps.length, costBefore: created.costBefore, costAfter: created.costAfter, seed },
      });
      return created;
    });
    return planView(plan, { nodes: snapshot.nodeNames, vms: snapshot.vmNames });
  }

  async list(query: PlanQuery) {
    const rows = await this.prisma.plan.findMany({
      where: { state: query.state },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      include: { steps: { orderBy: { index: "asc" } } },
      ...pageArgs(query),
    });
    const names = await this.names();
    return toPage(rows, query, (p) => planView(p, names));
  }

  async get(id: string) {
    return planView(await this.find(this.prisma, id), await this.names());
  }

  private async find(tx: Tx, id: string): Promise<PlanWithSteps> {
    const plan = await tx.plan.findUnique({ where: { id }, include: { steps: { orderBy: { index: "asc" } } } });
    if (!plan) throw notFound("PlanNotFound", id);
    return plan;
  }

  private async names() {
    const [nodes, vms] = await Promise.all([
      this.prisma.node.findMany({ select: { id: true, name: true } }),
      this.prisma.vm.findMany({ select: { id: true, name: true } }),
    ]);
    return { nodes: new Map(nodes.map((n) => [n.id, n.name])), vms: new Map(vms.map((v) => [v.id, v.name])) };
  }

  /**
   * Start applying a proposed plan. The cluster must be as it was when the plan was computed (otherwise the plan
   * is superseded and refused with PlanStale), and no other plan may be applying.
   */
  async apply(id: string, input: ApplyPlan, actor: string) {
    await this.prisma.$transaction(async (tx) => {
      if (!(await lockRow(tx, "Plan", id))) throw notFound("PlanNotFound", id);
      const plan = await tx.plan.findUniqueOrThrow({ where: { id } });
      if (plan.state !== "proposed") throw new FerryError("InvalidTransition", `plan ${id} is ${plan.state}; only a proposed plan can be applied`);
      const applying = await tx.plan.findFirst({ where: { state: "applying" }, select: { id: true } });
      if (applying) throw new FerryError("InvalidTransition", `plan ${applying.id} is being applied; one plan at a time`, { planId: applying.id });
      const version = (await readSnapshot(tx)).version;
      if (version !== plan.baseVersion) {
        await tx.plan.update({ where: { id }, data: { state: "superseded", finishedAt: this.clock.now(), error: "the cluster changed since the plan was computed" } });
        await this.audit.record(tx, { actor, action: "plan.superseded", targetType: "plan", targetId: id });
        return "stale" as const;
      }
      await tx.plan.update({
        where: { id },
        data: { state: "applying", appliedBy: actor, appliedAt: this.clock.now(), params: { ...(plan.params as object), acceptSlaBreach: input.acceptSlaBreach } },
      });
      await this.audit.record(tx, { actor, action: "plan.applying", targetType: "plan", targetId: id, details: { acceptSlaBreach: input.acceptSlaBreach } });
      return "applying" as const;
    }).then((outcome) => {
      if (outcome === "stale") {
        throw new FerryError("PlanStale", `plan ${id} was computed against a cluster that has changed since; compute a new plan`);
      }
    });
    // The plan is applying from here on: a failure to start its first step fails the plan (see startNextStep),
    // and anything else is left to the runner's next pass.
    await this.advance().catch((e: unknown) => this.logger.error(`plan ${id}: ${e instanceof Error ? e.message : e}`));
    const plan = await this.get(id);
    if (plan.state === "failed") throw new FerryError("PlanFailed", `plan ${id} failed: ${plan.error}`, { planId: id, error: plan.error });
    return plan;
  }

  /** Stop a plan: no further step starts, and the step under way is cancelled (its VM stays on its source if it can). */
  async cancel(id: string, actor: string) {
    const running = await this.prisma.$transaction(async (tx) => {
      if (!(await lockRow(tx, "Plan", id))) throw notFound("PlanNotFound", id);
      const plan = await this.find(tx, id);
      if (plan.state !== "proposed" && plan.state !== "applying") {
        throw new FerryError("InvalidTransition", `plan ${id} is already ${plan.state}`);
      }
      await tx.plan.update({ where: { id }, data: { state: "cancelled", finishedAt: this.clock.now(), error: `cancelled by ${actor}` } });
      await tx.planStep.updateMany({ where: { planId: id, state: "pending" }, data: { state: "skipped" } });
      await this.audit.record(tx, { actor, action: "plan.cancelled", targetType: "plan", targetId: id });
      return plan.steps.find((s) => s.state === "running" && s.migrationId);
    });
    if (running?.migrationId) {
      await this.migrations.cancel(running.migrationId, actor).catch((e: unknown) => this.logger.warn(`plan ${id}: ${e}`));
    }
    return this.get(id);
  }

  /**
   * One pass of the plan runner: record how running steps ended, then start the next step of each applying plan.
   * A step starts only when the one before it succeeded; a failed step fails the plan and skips the rest.
   */
  advance(): Promise<void> {
    const pass = this.passes.then(() => this.pass());
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  private async pass(): Promise<void> {
    const running = await this.prisma.planStep.findMany({ where: { state: "running" } });
    for (const step of running) {
      const m = step.migrationId ? await this.prisma.migration.findUnique({ where: { id: step.migrationId } }) : null;
      if (!m || m.state === "requested" || m.state === "queued" || m.state === "running") continue;
      await this.prisma.$transaction(async (tx) => {
        await lockRow(tx, "Plan", step.planId);
        const ok = m.state === "completed";
        await tx.planStep.update({
          where: { planId_index: { planId: step.planId, index: step.index } },
          data: { state: ok ? "succeeded" : "failed", error: ok ? null : `migration ${m.state}: ${m.error ?? ""}`.trim() },
        });
        if (!ok) await this.finish(tx, step.planId, "failed", `step ${step.index + 1} failed: migration ${m.id} ${m.state}`);
      });
    }
    const applying = await this.prisma.plan.findMany({ where: { state: "applying" }, include: { steps: { orderBy: { index: "asc" } } } });
    for (const plan of applying) await this.startNextStep(plan);
  }

  private async startNextStep(plan: PlanWithSteps): Promise<void> {
    if (plan.steps.some((s) => s.state === "running")) return;
    const next = plan.steps.find((s) => s.state === "pending");
    if (!next) {
      await this.prisma.$transaction((tx) => this.finish(tx, plan.id, "succeeded"));
      return;
    }
    const acceptSlaBreach = (plan.params as { acceptSlaBreach?: boolean }).acceptSlaBreach ?? false;
    const options = next.techniqueOptions as { name?: string } & Record<string, unknown>;
    const { name: _name, ...techniqueOptions } = options;
    let migrationId: string;
    try {
      const m = await this.migrations.request(
        {
          vmId: next.vmId,
          targetNodeId: next.toNodeId,
          ...(next.technique ? { technique: techniqueSchema.parse(next.technique), techniqueOptions } : {}),
          acceptSlaBreach,
          reason: `plan ${plan.id} step ${next.index + 1} of ${plan.steps.length}`,
        },
        plan.appliedBy ?? "plan",
      );
      migrationId = m.id;
    } catch (thrown) {
      // Whatever stops a step from starting fails the plan with its reason; a plan is never left applying with a
      // step that can never start. (If PostgreSQL itself is away, recording this fails too and the next pass retries.)
      const e = fromLibraryError(thrown) ?? thrown;
      const reason = e instanceof FerryError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      if (!(e instanceof FerryError)) this.logger.error(`plan ${plan.id} step ${next.index + 1}: ${e instanceof Error ? e.stack : e}`);
      await this.prisma.$transaction(async (tx) => {
        await tx.planStep.update({ where: { planId_index: { planId: plan.id, index: next.index } }, data: { state: "failed", error: reason } });
        await this.finish(tx, plan.id, "failed", `step ${next.index + 1} could not start: ${reason}`);
      });
      return;
    }
    const stillApplying = await this.prisma.$transaction(async (tx) => {
      await lockRow(tx, "Plan", plan.id);
      await tx.planStep.update({ where: { planId_index: { planId: plan.id, index: next.index } }, data: { state: "running", migrationId } });
      return (await tx.plan.findUniqueOrThrow({ where: { id: plan.id } })).state === "applying";
    });
    // Cancelled while this step was being requested: stop its migration too.
    if (!stillApplying) await this.migrations.cancel(migrationId, "plan-runner").catch(() => undefined);
  }

  private async finish(tx: Tx, planId: string, state: "succeeded" | "failed", error?: string): Promise<void> {
    const moved = await tx.plan.updateMany({ where: { id: planId, state: "applying" }, data: { state, finishedAt: this.clock.now(), error: error ?? null } });
    if (!moved.count) return;
    if (state === "failed") await tx.planStep.updateMany({ where: { planId, state: "pending" }, data: { state: "skipped" } });
    await this.audit.record(tx, { actor: "system:plan-runner", action: `plan.${state}`, targetType: "plan", targetId: planId, details: error ? { error } : {} });
  }
}
