import { Inject, Injectable, Logger } from "@nestjs/common";
import { techniqueSchema } from "@ferry/protocol";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { FerryError, fromLibraryError } from "../common/errors";
import { lockRow } from "../database/lock";
import { PrismaService, type Tx } from "../database/prisma.service";
import type { Migration, Plan, PlanStep } from "../generated/prisma/client";
import { MigrationsService } from "../migrations/migrations.service";
import { PowerService } from "../power/power.service";
import { MigrationScheduler } from "../scheduler/migration-scheduler";
import { CONTINUE_ON_FAILURE, type PlanKind } from "./plan-kinds";
import { scopeVersion } from "./scope-version";

type PlanWithSteps = Plan & { steps: PlanStep[] };

const ENDED_MIGRATION = new Set(["completed", "failed", "cancelled"]);

/**
 * Moves plans through their states, one pass at a time (passes never overlap):
 *  1. proposed or approved plans past their expiry become expired;
 *  2. steps whose migration ended are recorded; a failed step stops the plan's other pending steps, except
 *     for drains and evacuations, which go on with every VM that does not depend on the failed one;
 *  3. approved plans start, highest priority first, once no applying plan shares a VM with them; a plan
 *     whose VMs or nodes changed since it was computed is superseded instead;
 *  4. every step of an applying plan whose dependencies have succeeded is started: the step and its
 *     migration are written in one transaction under the plan's lock, so a step never starts twice and a
 *     crash never leaves a running step without its migration. The migration scheduler decides when each
 *     migration actually begins, within its limits, so a plan's independent moves run side by side.
 */
@Injectable()
export class PlanExecutor {
  private readonly logger = new Logger(PlanExecutor.name);
  private passes: Promise<void> = Promise.resolve();

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly migrations: MigrationsService,
    private readonly scheduler: MigrationScheduler,
    private readonly power: PowerService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  advance(): Promise<void> {
    const pass = this.passes.then(() => this.pass());
    this.passes = pass.catch(() => undefined);
    return pass;
  }

  private async pass(): Promise<void> {
    await this.expire();
    await this.recordEndedSteps();
    await this.startApproved();
    const applying = await this.prisma.plan.findMany({ where: { state: "applying" }, orderBy: [{ priority: "desc" }, { createdAt: "asc" }], select: { id: true } });
    for (const { id } of applying) await this.advancePlan(id);
  }

  private async expire(): Promise<void> {
    const due = await this.prisma.plan.findMany({ where: { state: { in: ["proposed", "approved"] }, expiresAt: { lt: this.clock.now() } }, select: { id: true } });
    for (const { id } of due) {
      await this.prisma.$transaction(async (tx) => {
        await lockRow(tx, "Plan", id);
        const plan = await tx.plan.findUniqueOrThrow({ where: { id }, include: { steps: true } });
        if (plan.state !== "proposed" && plan.state !== "approved") return;
        await tx.plan.update({ where: { id }, data: { state: "expired", finishedAt: this.clock.now(), error: "not applied before it expired" } });
        await tx.planStep.updateMany({ where: { planId: id, state: "pending" }, data: { state: "skipped", error: "plan expired" } });
        await this.onPlanEnded(tx, plan, "expired");
        await this.audit.record(tx, { actor: "system:plan-executor", action: "plan.expired", targetType: "plan", targetId: id });
      });
    }
  }

  private async recordEndedSteps(): Promise<void> {
    const running = await this.prisma.planStep.findMany({ where: { state: "running" } });
    for (const step of running) {
      const m = step.migrationId ? await this.prisma.migration.findUnique({ where: { id: step.migrationId } }) : null;
      if (m && !ENDED_MIGRATION.has(m.state)) continue;
      await this.prisma.$transaction(async (tx) => {
        await lockRow(tx, "Plan", step.planId);
        const ok = m?.state === "completed";
        const error = ok ? null : m ? `migration ${m.state}${m.error ? `: ${m.error}` : ""}` : "its migration is gone";
        await tx.planStep.update({ where: { planId_index: { planId: step.planId, index: step.index } }, data: { state: ok ? "succeeded" : "failed", error } });
        if (!ok) await this.afterFailure(tx, step.planId, step.index, error!);
      });
    }
  }

  /** A step failed: skip what can no longer run (everything pending, or only its dependents for drains). */
  private async afterFailure(tx: Tx, planId: string, index: number, error: string): Promise<void> {
    const plan = await tx.plan.findUniqueOrThrow({ where: { id: planId }, include: { steps: true } });
    if (plan.state !== "applying") return;
    const goOn = CONTINUE_ON_FAILURE.has(plan.kind as PlanKind);
    const failed = new Set([index]);
    for (const s of [...plan.steps].sort((a, b) => a.index - b.index)) {
      if (s.state !== "pending") continue;
      const blockedBy = s.dependsOn.find((d) => failed.has(d));
      if (goOn && blockedBy === undefined) continue;
      failed.add(s.index);
      await tx.planStep.update({
        where: { planId_index: { planId, index: s.index } },
        data: { state: "skipped", error: blockedBy !== undefined ? `depends on step ${blockedBy + 1}, which did not succeed` : `step ${index + 1} failed: ${error}` },
      });
    }
  }

  private async startApproved(): Promise<void> {
    const approved = await this.prisma.plan.findMany({ where: { state: "approved" }, orderBy: [{ priority: "desc" }, { createdAt: "asc" }] });
    for (const candidate of approved) {
      await this.prisma.$transaction(async (tx) => {
        // One plan changes state at a time across the cluster, so two plans sharing a VM cannot both start.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('ferry:plan-start'))`;
        await lockRow(tx, "Plan", candidate.id);
        const plan = await tx.plan.findUniqueOrThrow({ where: { id: candidate.id }, include: { steps: true } });
        if (plan.state !== "approved") return;
        const busy = await tx.plan.findFirst({ where: { state: "applying", scopeVmIds: { hasSome: plan.scopeVmIds } }, select: { id: true } });
        if (busy) return;
        if ((await scopeVersion(tx, plan.scopeVmIds, plan.scopeNodeIds)) !== plan.baseVersion) {
          await tx.plan.update({ where: { id: plan.id }, data: { state: "superseded", finishedAt: this.clock.now(), error: "its VMs or nodes changed before it could start" } });
          await tx.planStep.updateMany({ where: { planId: plan.id, state: "pending" }, data: { state: "skipped", error: "plan superseded" } });
          await this.onPlanEnded(tx, plan, "superseded");
          await this.audit.record(tx, { actor: "system:plan-executor", action: "plan.superseded", targetType: "plan", targetId: plan.id });
          return;
        }
        await tx.plan.update({ where: { id: plan.id }, data: { state: "applying", appliedBy: plan.approvedBy, appliedAt: this.clock.now() } });
        await this.audit.record(tx, { actor: plan.approvedBy ?? "system:plan-executor", action: "plan.applying", targetType: "plan", targetId: plan.id });
      });
    }
  }

  private async advancePlan(planId: string): Promise<void> {
    const plan = await this.prisma.plan.findUnique({ where: { id: planId }, include: { steps: { orderBy: { index: "asc" } } } });
    if (!plan || plan.state !== "applying") return;
    const done = new Set(plan.steps.filter((s) => s.state === "succeeded").map((s) => s.index));
    const ready = plan.steps.filter((s) => s.state === "pending" && s.dependsOn.every((d) => done.has(d)));
    let started = 0;
    for (const step of ready) if (await this.startStep(plan, step)) started++;
    if (started) await this.scheduler.pass();
    await this.finishIfDone(planId);
  }

  private async startStep(plan: PlanWithSteps, step: PlanStep): Promise<Migration | null> {
    const acceptSlaBreach = (plan.params as { acceptSlaBreach?: boolean }).acceptSlaBreach ?? false;
    const { name: _name, ...techniqueOptions } = step.techniqueOptions as { name?: string } & Record<string, unknown>;
    return this.prisma.$transaction(async (tx) => {
      await lockRow(tx, "Plan", plan.id);
      const fresh = await tx.plan.findUniqueOrThrow({ where: { id: plan.id }, include: { steps: true } });
      const current = await tx.planStep.findUniqueOrThrow({ where: { planId_index: { planId: plan.id, index: step.index } } });
      if (fresh.state !== "applying" || current.state !== "pending") return null;
      const vm = await tx.vm.findUnique({ where: { id: step.vmId }, select: { nodeId: true } });
      if (vm?.nodeId !== step.fromNodeId) {
        await tx.planStep.update({
          where: { planId_index: { planId: plan.id, index: step.index } },
          data: { state: "skipped", error: vm ? "the VM is no longer on the step's source node" : "the VM no longer exists" },
        });
        return null;
      }
      // VMs that the plan's unfinished steps move off this step's target free room there: a swap's halves are
      // admitted together (step-order.ts gives them no dependency on each other) and the scheduler orders them.
      const leaving = await tx.vm.aggregate({
        where: {
          nodeId: step.toNodeId,
          id: { in: fresh.steps.filter((s) => s.index !== step.index && s.fromNodeId === step.toNodeId && (s.state === "pending" || s.state === "running")).map((s) => s.vmId) },
        },
        _sum: { cpu: true, memMiB: true },
      });
      try {
        const migration = await this.migrations.admit(
          tx,
          {
            vmId: step.vmId,
            targetNodeId: step.toNodeId,
            ...(step.technique ? { technique: techniqueSchema.parse(step.technique), techniqueOptions } : {}),
            acceptSlaBreach,
            ...(step.bandwidthCapMbps !== null ? { bandwidthMbps: step.bandwidthCapMbps } : {}),
            reason: `plan ${plan.id} step ${step.index + 1} of ${plan.steps.length}`,
            moveClass: plan.kind,
          },
          plan.appliedBy ?? "system:plan-executor",
          { cpu: leaving._sum.cpu ?? 0, memMiB: leaving._sum.memMiB ?? 0 },
        );
        await tx.planStep.update({ where: { planId_index: { planId: plan.id, index: step.index } }, data: { state: "running", migrationId: migration.id } });
        return migration;
      } catch (thrown) {
        // Whatever stops a step from starting fails it with its reason: a plan never waits on a step that cannot start.
        const e = fromLibraryError(thrown) ?? thrown;
        if (!(e instanceof FerryError)) this.logger.error(`plan ${plan.id} step ${step.index + 1}: ${e instanceof Error ? e.stack : e}`);
        const error = `could not start: ${e instanceof FerryError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`}`;
        await tx.planStep.update({ where: { planId_index: { planId: plan.id, index: step.index } }, data: { state: "failed", error } });
        await this.afterFailure(tx, plan.id, step.index, error);
        return null;
      }
    });
  }

  private async finishIfDone(planId: string): Promise<void> {
    const ended = await this.prisma.$transaction(async (tx) => {
      await lockRow(tx, "Plan", planId);
      const plan = await tx.plan.findUniqueOrThrow({ where: { id: planId }, include: { steps: true } });
      if (plan.state !== "applying" || plan.steps.some((s) => s.state === "pending" || s.state === "running")) return null;
      const failed = plan.steps.filter((s) => s.state === "failed");
      const blocked = ((plan.explanation as { blocked?: unknown[] }).blocked ?? []).length;
      // A plan that left VMs behind (a drain with nowhere to put one) did not do its job, even if every move it could make worked.
      const state = failed.length || blocked ? "failed" : "succeeded";
      const error = failed.length
        ? failed.map((s) => `step ${s.index + 1}: ${s.error}`).join("; ")
        : blocked
          ? `${blocked} VM(s) could not be placed (see explanation.blocked)`
          : null;
      await tx.plan.update({ where: { id: planId }, data: { state, finishedAt: this.clock.now(), error } });
      await this.onPlanEnded(tx, plan, state);
      await this.audit.record(tx, { actor: "system:plan-executor", action: `plan.${state}`, targetType: "plan", targetId: planId, details: error ? { error } : {} });
      return plan;
    });
    if (ended?.kind === "consolidate") await this.power.publish();
  }

  /**
   * What a plan's end means for its nodes. A drain that emptied its node leaves it in maintenance; a drain
   * that ended any other way leaves it draining (no new VMs), with the reason, until drained again or
   * uncordoned; a cancelled drain gives the node back its earlier state. A consolidation that ran switches
   * off each node it meant to empty and did (power/power.service.ts refuses one that still hosts a VM or has
   * a migration under way, and the node stays on).
   */
  async onPlanEnded(tx: Tx, plan: Plan, state: "succeeded" | "failed" | "cancelled" | "superseded" | "expired"): Promise<void> {
    if (plan.kind === "consolidate" && (state === "succeeded" || state === "failed")) return this.switchOffEmptied(tx, plan);
    if (plan.kind !== "drain") return;
    const { nodeId, previousState } = plan.params as { nodeId?: string; previousState?: "active" | "cordoned" };
    if (!nodeId) return;
    const left = await tx.vm.count({ where: { nodeId } });
    if (state === "cancelled") {
      await tx.node.updateMany({ where: { id: nodeId, state: "draining" }, data: { state: previousState ?? "cordoned", stateReason: `drain cancelled (plan ${plan.id})` } });
    } else if (state === "succeeded" && left === 0) {
      await tx.node.updateMany({ where: { id: nodeId, state: "draining" }, data: { state: "maintenance", stateReason: `drained by plan ${plan.id}` } });
    } else {
      await tx.node.updateMany({ where: { id: nodeId, state: "draining" }, data: { stateReason: `drain plan ${plan.id} ${state} with ${left} VM(s) still on the node` } });
    }
  }

  private async switchOffEmptied(tx: Tx, plan: Plan): Promise<void> {
    for (const nodeId of (plan.explanation as { switchOff?: string[] }).switchOff ?? []) {
      const refused = await this.power.switchOffIn(tx, nodeId, plan.createdBy, `emptied by consolidation plan ${plan.id}`);
      if (refused) this.logger.log(`consolidation plan ${plan.id} leaves a node on: ${refused}`);
    }
  }
}
