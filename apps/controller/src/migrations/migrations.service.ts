import { Inject, Injectable } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { FerryError, notFound } from "../common/errors";
import { lockRow } from "../database/lock";
import { PrismaService, type Tx } from "../database/prisma.service";
import { Prisma, type Migration } from "../generated/prisma/client";
import { ACTIVE_MIGRATION_STATES, allocations, lockCapacity } from "../nodes/capacity";
import { admissionProblem } from "./admission";
import type { ChangeMigration, RequestMigration } from "./dto/migration.dto";
import { MigrationQueue } from "./migration-queue";
import { MigrationEnding } from "./migration-ending";
import { migrationView } from "./migration.view";
import { admitTechnique, predictionView } from "./technique-choice";

/**
 * The migration lifecycle. A migration's state lives in PostgreSQL and only moves forward (a trigger
 * enforces it): requested -> queued -> running -> completed | failed | cancelled. Every transition
 * happens under a row lock, so an operator's cancel, an agent's report and the reconciler never race.
 * The VM changes node only in the transaction that marks its migration completed; every other ending
 * leaves it on its source, so a VM is always on exactly one node. This service admits migrations and
 * takes operators' cancels; agents' reports (agent-reports.service.ts), what the API shows
 * (migration-queries.service.ts) and the repair loops (migration-reconciler.ts) live beside it.
 */
@Injectable()
export class MigrationsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly queue: MigrationQueue,
    private readonly ending: MigrationEnding,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  /** Admit and record a migration; the scheduler (scheduler/migration-scheduler.ts) decides when it starts. */
  async request(input: RequestMigration, actor: string) {
    return this.prisma.$transaction((tx) => this.admit(tx, input, actor));
  }

  /**
   * Check and record a migration inside the caller's transaction (a plan step and its migration commit
   * together, so a crash never leaves one without the other). Throws a FerryError, before writing anything,
   * when the migration cannot be admitted. The caller dispatches it once committed. `leavingTarget` is what
   * VMs that the same plan moves off the target use: the room counted for this VM once they have left (the
   * scheduler starts the migration only when the room is there now).
   */
  async admit(
    tx: Tx,
    input: Omit<RequestMigration, "reason"> & { reason: string; moveClass?: string },
    actor: string,
    leavingTarget: { cpu: number; memMiB: number } = { cpu: 0, memMiB: 0 },
  ): Promise<Migration> {
    await lockCapacity(tx);
    if (!(await lockRow(tx, "Vm", input.vmId))) throw notFound("VmNotFound", input.vmId);
    const vm = await tx.vm.findUniqueOrThrow({ where: { id: input.vmId }, include: { node: true } });
    const target = await tx.node.findUnique({ where: { id: input.targetNodeId } });
    if (!target) throw notFound("NodeNotFound", input.targetNodeId);
    const active = await tx.migration.findFirst({ where: { vmId: vm.id, state: { in: [...ACTIVE_MIGRATION_STATES] } }, select: { id: true } });
    const promised = (await allocations(tx, [target.id])).get(target.id) ?? { cpu: 0, memMiB: 0 };
    const used = { cpu: promised.cpu - leavingTarget.cpu, memMiB: promised.memMiB - leavingTarget.memMiB };
    const problem = admissionProblem({ vm, target, active, used });
    if (problem) throw problem;
    const link = this.config.migrationLink;
    const admitted = admitTechnique(vm, { ...link, bandwidthMbps: Math.min(link.bandwidthMbps, input.bandwidthMbps ?? Infinity) }, input);

    const created = await tx.migration.create({
      data: {
        vmId: vm.id,
        sourceNodeId: vm.node!.id,
        targetNodeId: target.id,
        technique: admitted.technique.name,
        techniqueOptions: admitted.technique as unknown as Prisma.InputJsonValue,
        prediction: predictionView(admitted) as Prisma.InputJsonValue,
        reason: input.reason,
        moveClass: input.moveClass ?? "operator",
        bandwidthCapMbps: input.bandwidthMbps ?? null,
        requestedBy: actor,
        cpu: vm.cpu,
        memMiB: vm.memMiB,
        requestedAt: this.clock.now(),
      },
    });
    await tx.vm.update({ where: { id: vm.id }, data: { state: "migrating" } });
    await this.audit.record(tx, {
      actor,
      action: "migration.requested",
      targetType: "migration",
      targetId: created.id,
      details: {
        vm: vm.name,
        from: vm.node!.name,
        to: target.name,
        technique: admitted.label,
        why: admitted.reason,
        reason: input.reason,
        ...(input.bandwidthMbps ? { bandwidthMbps: input.bandwidthMbps } : {}),
        ...(admitted.slaWarning ? { slaWarning: admitted.slaWarning } : {}),
      },
    });
    return created;
  }

  /**
   * An operator's new bandwidth cap for a migration that has not ended. Its technique stays; the cap is refused
   * (SlaUnattainable) when that technique, run whole at the new cap, is predicted to break the VM's SLA, unless
   * the breach is accepted. The caller runs a scheduler pass: it re-shares the links, and a running migration's
   * agent hears its new share in the answer to its next progress report.
   */
  async changeBandwidth(id: string, change: ChangeMigration, actor: string) {
    return this.prisma.$transaction(async (tx) => {
      if (!(await lockRow(tx, "Migration", id))) throw notFound("MigrationNotFound", id);
      const m = await tx.migration.findUniqueOrThrow({ where: { id }, include: { vm: true } });
      if (!(ACTIVE_MIGRATION_STATES as readonly string[]).includes(m.state)) {
        throw new FerryError("InvalidTransition", `migration ${id} is already ${m.state}`, { state: m.state });
      }
      if (m.bandwidthCapMbps === change.bandwidthMbps) return migrationView(m);
      const link = this.config.migrationLink;
      admitTechnique(
        { ...m.vm, memMiB: m.memMiB },
        { ...link, bandwidthMbps: Math.min(link.bandwidthMbps, change.bandwidthMbps ?? Infinity) },
        { technique: m.technique as RequestMigration["technique"], techniqueOptions: m.techniqueOptions as Record<string, unknown>, acceptSlaBreach: change.acceptSlaBreach },
      );
      const changed = await tx.migration.update({ where: { id }, data: { bandwidthCapMbps: change.bandwidthMbps } });
      await this.audit.record(tx, {
        actor,
        action: "migration.bandwidth-changed",
        targetType: "migration",
        targetId: id,
        details: { from: m.bandwidthCapMbps, to: change.bandwidthMbps, state: m.state },
      });
      return migrationView(changed);
    });
  }

  /**
   * An operator's cancel. Before the agent starts, the migration ends at once. Once it runs, the agent is
   * asked to stop (its next progress report learns it) and the migration ends as cancelled when the agent
   * confirms that the VM is back on its source; if the agent had already switched over, it completes.
   */
  async cancel(id: string, actor: string) {
    const { migration, withdraw } = await this.prisma.$transaction(async (tx) => {
      if (!(await lockRow(tx, "Migration", id))) throw notFound("MigrationNotFound", id);
      const m = await tx.migration.findUniqueOrThrow({ where: { id } });
      const leg = await tx.migration.findFirst({ where: { hopForId: id, state: { in: [...ACTIVE_MIGRATION_STATES] } } });
      if (m.state === "requested" && leg) {
        // Its VM is on its way to a hop node: that leg stops at its next report (or completes, if past its
        // switchover), and this migration ends as cancelled when it does, the VM where the leg left it.
        if (m.cancelRequestedAt) return { migration: m, withdraw: false };
        const asked = await tx.migration.update({ where: { id }, data: { cancelRequestedAt: this.clock.now() } });
        await this.audit.record(tx, { actor, action: "migration.cancel-requested", targetType: "migration", targetId: id, details: { hop: leg.id } });
        return { migration: asked, withdraw: false };
      }
      if (m.state === "requested" || m.state === "queued") {
        const ended = await this.ending.end(tx, m, "cancelled", `cancelled by ${actor} before it started`, actor);
        return { migration: ended, withdraw: true };
      }
      if (m.state === "running") {
        if (m.cancelRequestedAt) return { migration: m, withdraw: false };
        const asked = await tx.migration.update({ where: { id }, data: { cancelRequestedAt: this.clock.now() } });
        await this.audit.record(tx, { actor, action: "migration.cancel-requested", targetType: "migration", targetId: id });
        return { migration: asked, withdraw: false };
      }
      throw new FerryError("InvalidTransition", `migration ${id} is already ${m.state}`, { state: m.state });
    });
    if (withdraw) await this.queue.withdraw(migration.sourceNodeId, migration.id).catch(() => undefined);
    return migrationView(migration);
  }
}
