import { Inject, Injectable, Logger, forwardRef } from "@nestjs/common";
import { randomInt } from "node:crypto";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError, notFound, type FieldProblem } from "../common/errors";
import { pageArgs, toPage } from "../common/pagination";
import { lockRow } from "../database/lock";
import { PrismaService, type Tx } from "../database/prisma.service";
import { Prisma, type Plan, type PlanStep } from "../generated/prisma/client";
import { MigrationQueries } from "../migrations/migration-queries.service";
import { MigrationsService } from "../migrations/migrations.service";
import { admitTechnique, predictionView } from "../migrations/technique-choice";
import { allocations } from "../nodes/capacity";
import { readSnapshot } from "../placement/cluster-snapshot";
import { placeNewVm } from "../placement/initial-placement";
import { replan, trafficDraft } from "../placement/replan";
import type { ApplyPlan, ComputePlan, CreatePlan, PlanQuery, Preview } from "./dto/plan.dto";
import type { PlanDraft } from "./plan-draft";
import { PlanExecutor } from "./plan-executor";
import { PLAN_PRIORITY } from "./plan-kinds";
import { planView } from "./plan.view";
import { scopeVersion } from "./scope-version";
import { planProgressOf, type PlanStep as ProgressStep } from "@ferry/scheduler";
import { orderSteps } from "./step-order";

export type PlanWithSteps = Plan & { steps: PlanStep[] };

/** Who asked for a plan and what happens to it once stored. */
export interface StoreOptions {
  actor: string;
  /** The policy that proposed it, or none for an operator's request. */
  policy?: string;
  /** The policy's mode; "operator" for a request through the API. */
  mode: "dry-run" | "approve" | "auto" | "operator";
}

/**
 * Plans are data (Nomad's plan, Watcher's action plan). Every producer (the policies, a drain, an operator)
 * hands over a PlanDraft; this service prices each move with the migration predictor, orders the moves for
 * parallel application, stores the plan with its reason and scope, and shows it. States: proposed ->
 * approved -> applying -> succeeded | failed | cancelled, or superseded when its scope moved before it was
 * applied, or expired when nobody applied it in time. The PlanExecutor moves approved plans on.
 */
@Injectable()
export class PlansService {
  private readonly logger = new Logger(PlansService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly migrations: MigrationsService,
    private readonly migrationQueries: MigrationQueries,
    @Inject(forwardRef(() => PlanExecutor)) private readonly executor: PlanExecutor,
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

  /** The traffic re-placement as a draft: the moves that lower sum(rate x distance) within the budget. */
  async trafficDraft(input: ComputePlan): Promise<PlanDraft> {
    const seed = input.seed ?? randomInt(0, 0xffffffff);
    // A consistent snapshot, then the solver outside any transaction (it may run for its whole time budget).
    const snapshot = await this.prisma.$transaction((tx) => readSnapshot(tx), { isolationLevel: "RepeatableRead" });
    const computed = replan(snapshot, { ...input, seed });
    return trafficDraft(
      computed,
      {
        summary: `traffic cost ${Math.round(computed.costBefore)} can drop to ${Math.round(computed.costAfter)} within a budget of ${input.maxMigrations} moves`,
        metric: "traffic-cost",
        observed: computed.costBefore,
      },
      { ...input, seed },
    );
  }

  /** An operator's plan: the traffic re-placement, or the moves they list, each checked before it is stored. */
  async create(input: CreatePlan, actor: string) {
    if (input.kind === "traffic") {
      const { kind: _kind, ...traffic } = input;
      return this.compute(traffic, actor);
    }
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    input.moves.forEach((m, i) => {
      if (seen.has(m.vmId)) problems.push({ field: `moves.${i}.vmId`, reason: "moves the same VM twice" });
      seen.add(m.vmId);
    });
    const [vms, nodes] = await Promise.all([
      this.prisma.vm.findMany({ where: { id: { in: input.moves.map((m) => m.vmId) } } }),
      this.prisma.node.findMany({ where: { id: { in: input.moves.map((m) => m.toNodeId) } } }),
    ]);
    const vmById = new Map(vms.map((v) => [v.id, v]));
    const nodeIds = new Set(nodes.map((n) => n.id));
    input.moves.forEach((m, i) => {
      const vm = vmById.get(m.vmId);
      if (!vm) problems.push({ field: `moves.${i}.vmId`, reason: "no such VM" });
      else if (!vm.nodeId) problems.push({ field: `moves.${i}.vmId`, reason: `VM ${vm.name} is not on any node` });
      else if (vm.nodeId === m.toNodeId) problems.push({ field: `moves.${i}.toNodeId`, reason: `VM ${vm.name} is already there` });
      if (!nodeIds.has(m.toNodeId)) problems.push({ field: `moves.${i}.toNodeId`, reason: "no such node" });
    });
    if (problems.length) throw new FerryError("ValidationFailed", "the plan's moves are not valid", problems);
    return this.store(
      {
        kind: "operator",
        reason: { summary: input.reason },
        moves: input.moves.map((m) => ({
          vmId: m.vmId,
          fromNodeId: vmById.get(m.vmId)!.nodeId!,
          toNodeId: m.toNodeId,
          reason: input.reason,
          gain: 0,
          ...(m.bandwidthMbps ? { bandwidthMbps: m.bandwidthMbps } : {}),
        })),
        costBefore: 0,
        costAfter: 0,
      },
      { actor, mode: "operator" },
    );
  }

  /** Compute a traffic re-placement plan and store it as proposed. Nothing moves until it is applied. */
  async compute(input: ComputePlan, actor: string) {
    return this.store(await this.trafficDraft(input), { actor, mode: "operator" });
  }

  /**
   * Price, order and store a draft. In auto mode the plan is approved at once and the executor starts it;
   * otherwise it waits, proposed, for POST /plans/:id/apply.
   */
  async store(draft: PlanDraft, options: StoreOptions) {
    const stored = await this.prisma.$transaction((tx) => this.storeIn(tx, draft, options));
    if (stored.state === "approved") await this.executor.advance();
    return this.get(stored.id);
  }

  private async storeIn(tx: Tx, draft: PlanDraft, options: StoreOptions): Promise<PlanWithSteps> {
    const now = this.clock.now();
    const vmIds = unique([...draft.moves.map((m) => m.vmId), ...(draft.blocked ?? []).map((b) => b.vmId)]);
    const nodeIds = unique([...draft.moves.flatMap((m) => [m.fromNodeId, m.toNodeId]), ...(draft.nodeIds ?? [])]);
    const [vms, nodes, used] = await Promise.all([
      tx.vm.findMany({ where: { id: { in: vmIds } } }),
      tx.node.findMany({ where: { id: { in: nodeIds } } }),
      allocations(tx, nodeIds),
    ]);
    const vmById = new Map(vms.map((v) => [v.id, v]));
    const free = new Map(
      nodes.map((n) => {
        const u = used.get(n.id) ?? { cpu: 0, memMiB: 0 };
        return [n.id, { cpu: n.cpu - u.cpu, memMiB: n.memMiB - u.memMiB }];
      }),
    );
    const ordered = orderSteps(draft.moves, free, new Map(vms.map((v) => [v.id, { cpu: v.cpu, memMiB: v.memMiB }])));
    const approve = options.mode === "auto";
    const created = await tx.plan.create({
      data: {
        kind: draft.kind,
        policy: options.policy ?? null,
        mode: options.mode,
        priority: PLAN_PRIORITY[draft.kind],
        state: approve ? "approved" : "proposed",
        createdBy: options.actor,
        createdAt: now,
        ...(approve ? { approvedBy: options.actor, approvedAt: now } : {}),
        expiresAt: new Date(now.getTime() + this.config.planTtlMs),
        reason: draft.reason as Prisma.InputJsonValue,
        scopeVmIds: vmIds,
        scopeNodeIds: nodeIds,
        baseVersion: await scopeVersion(tx, vmIds, nodeIds),
        params: (draft.params ?? {}) as Prisma.InputJsonValue,
        costBefore: draft.costBefore,
        costAfter: draft.costAfter,
        explanation: { ...(draft.explanation ?? {}), blocked: draft.blocked ?? [] } as unknown as Prisma.InputJsonValue,
        steps: {
          create: draft.moves.map((move, index) => {
            const vm = vmById.get(move.vmId);
            if (!vm) throw notFound("VmNotFound", move.vmId);
            const step = {
              index,
              vmId: move.vmId,
              fromNodeId: move.fromNodeId,
              toNodeId: move.toNodeId,
              memMiB: vm.memMiB,
              gain: move.gain,
              reason: move.reason,
              rejected: (move.rejected ?? []) as unknown as Prisma.InputJsonValue,
              capacityAfter: ordered[index]!.capacityAfter as unknown as Prisma.InputJsonValue,
              dependsOn: ordered[index]!.dependsOn,
              bandwidthCapMbps: move.bandwidthMbps ?? null,
            };
            try {
              const link = this.config.migrationLink;
              const admitted = admitTechnique(vm, { ...link, bandwidthMbps: Math.min(link.bandwidthMbps, move.bandwidthMbps ?? Infinity) }, { acceptSlaBreach: false });
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
      actor: options.actor,
      action: "plan.computed",
      targetType: "plan",
      targetId: created.id,
      details: {
        kind: draft.kind,
        mode: options.mode,
        ...(options.policy ? { policy: options.policy } : {}),
        reason: draft.reason.summary,
        moves: created.steps.length,
        blocked: draft.blocked?.length ?? 0,
        costBefore: created.costBefore,
        costAfter: created.costAfter,
      },
    });
    return created;
  }

  /** A policy's plan that is still waiting or under way, if any: a policy proposes one plan at a time. */
  async openPlanOf(policy: string) {
    return this.prisma.plan.findFirst({ where: { policy, state: { in: ["proposed", "approved", "applying"] } }, select: { id: true, state: true } });
  }

  async list(query: PlanQuery) {
    const rows = await this.prisma.plan.findMany({
      where: { state: query.state, kind: query.kind, policy: query.policy },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      include: { steps: { orderBy: { index: "asc" } } },
      ...pageArgs(query),
    });
    const names = await this.names();
    return toPage(rows, query, (p) => planView(p, names));
  }

  /** A plan, with its progress: memory-weighted percent, steps done, ETA and stalled steps. */
  async get(id: string) {
    const plan = await this.find(this.prisma, id);
    return { ...planView(plan, await this.names()), progress: await this.progress(plan) };
  }

  private async progress(plan: PlanWithSteps) {
    const steps: ProgressStep[] = [];
    for (const s of plan.steps) {
      const bytes = s.memMiB * 1024 * 1024;
      if (s.state === "succeeded") steps.push({ state: "done", memoryBytes: bytes });
      if (s.state === "pending") steps.push({ state: "waiting", memoryBytes: bytes, ...((s.prediction as { totalMs?: number }).totalMs !== undefined ? { estimatedMs: (s.prediction as { totalMs: number }).totalMs } : {}) });
      if (s.state === "running") {
        const view = s.migrationId ? await this.migrationQueries.live(s.migrationId) : null;
        steps.push(view ? { state: "running", memoryBytes: bytes, view } : { state: "waiting", memoryBytes: bytes });
      }
    }
    return planProgressOf(steps);
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
   * Approve a proposed plan; the executor starts it as soon as no applying plan shares a VM with it. Its VMs
   * and nodes must be as they were when it was computed (otherwise it is superseded and refused with
   * PlanStale).
   */
  async apply(id: string, input: ApplyPlan, actor: string) {
    const outcome = await this.prisma.$transaction(async (tx) => {
      if (!(await lockRow(tx, "Plan", id))) throw notFound("PlanNotFound", id);
      const plan = await tx.plan.findUniqueOrThrow({ where: { id } });
      if (plan.state !== "proposed") throw new FerryError("InvalidTransition", `plan ${id} is ${plan.state}; only a proposed plan can be applied`);
      if (plan.expiresAt && plan.expiresAt <= this.clock.now()) {
        throw new FerryError("InvalidTransition", `plan ${id} expired at ${plan.expiresAt.toISOString()}; compute a new plan`);
      }
      if ((await scopeVersion(tx, plan.scopeVmIds, plan.scopeNodeIds)) !== plan.baseVersion) {
        await tx.plan.update({
          where: { id },
          data: { state: "superseded", finishedAt: this.clock.now(), error: "its VMs or nodes changed since the plan was computed" },
        });
        await tx.planStep.updateMany({ where: { planId: id, state: "pending" }, data: { state: "skipped", error: "plan superseded" } });
        await this.audit.record(tx, { actor, action: "plan.superseded", targetType: "plan", targetId: id });
        return "stale" as const;
      }
      await tx.plan.update({
        where: { id },
        data: {
          state: "approved",
          approvedBy: actor,
          approvedAt: this.clock.now(),
          params: { ...(plan.params as object), acceptSlaBreach: input.acceptSlaBreach },
        },
      });
      await this.audit.record(tx, { actor, action: "plan.approved", targetType: "plan", targetId: id, details: { acceptSlaBreach: input.acceptSlaBreach } });
      return "approved" as const;
    });
    if (outcome === "stale") {
      throw new FerryError("PlanStale", `plan ${id} was computed against VMs or nodes that have changed since; compute a new plan`);
    }
    // The plan is approved from here on: a step that cannot start fails it (plan-executor.ts), and anything else
    // is left to the runner's next pass.
    await this.executor.advance().catch((e: unknown) => this.logger.error(`plan ${id}: ${e instanceof Error ? e.message : e}`));
    const plan = await this.get(id);
    if (plan.state === "failed") throw new FerryError("PlanFailed", `plan ${id} failed: ${plan.error}`, { planId: id, error: plan.error });
    return plan;
  }

  /**
   * Stop a plan at any point: no further step starts, pending steps are skipped with the reason, and every
   * migration under way is cancelled (each VM stays on its source unless its switchover already began).
   */
  async cancel(id: string, actor: string) {
    const running = await this.prisma.$transaction(async (tx) => {
      if (!(await lockRow(tx, "Plan", id))) throw notFound("PlanNotFound", id);
      const plan = await this.find(tx, id);
      if (!["proposed", "approved", "applying"].includes(plan.state)) {
        throw new FerryError("InvalidTransition", `plan ${id} is already ${plan.state}`);
      }
      await tx.plan.update({ where: { id }, data: { state: "cancelled", finishedAt: this.clock.now(), error: `cancelled by ${actor}` } });
      await tx.planStep.updateMany({ where: { planId: id, state: "pending" }, data: { state: "skipped", error: `plan cancelled by ${actor}` } });
      await this.executor.onPlanEnded(tx, plan, "cancelled");
      await this.audit.record(tx, { actor, action: "plan.cancelled", targetType: "plan", targetId: id });
      return plan.steps.filter((s) => s.state === "running" && s.migrationId);
    });
    for (const step of running) {
      await this.migrations.cancel(step.migrationId!, actor).catch((e: unknown) => this.logger.warn(`plan ${id}: ${e}`));
    }
    return this.get(id);
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
