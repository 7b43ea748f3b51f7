import { placeVm } from "@ferry/placement";
import { Inject, Injectable, Logger, OnModuleInit } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { CLOCK, Clock } from "../common/clock";
import { CONTROLLER_CONFIG, ControllerConfig } from "../common/config";
import { Periodic } from "../common/periodic";
import { lockRow } from "../database/lock";
import { PrismaService } from "../database/prisma.service";
import { allocations, doesNotFit, lockCapacity } from "../nodes/capacity";
import { readSnapshot } from "../placement/cluster-snapshot";
import { evacuate } from "../policies/definitions/evacuate";
import { PoliciesService, policyModeOf } from "../policies/policies.service";

export interface RestartOutcome {
  vmId: string;
  from: string;
  to?: string;
  reason?: string;
}

/**
 * High availability for the VMs of a failed node (vSphere HA, Nova's evacuate): once the node has been failed
 * for the evacuate policy's `restartGraceS`, each of its VMs, whose state is unknown, is restarted on the node
 * the placement engine picks, near its peers. It is a cold restart: the guest boots again from its disk, and
 * what was in its memory is lost. The VM's record moves in one transaction under the capacity lock, so it is
 * on exactly one node throughout. Only in the evacuate policy's auto mode; in the others it reports what it
 * would do. A node that comes back before the grace ends gets its VMs back as they were (liveness).
 */
@Injectable()
export class ColdRestart implements OnModuleInit {
  private readonly logger = new Logger(ColdRestart.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly policies: PoliciesService,
    private readonly periodic: Periodic,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
  ) {}

  onModuleInit(): void {
    this.periodic.every("cold-restart", this.config.reconcileIntervalMs, () => this.pass());
  }

  async pass(): Promise<RestartOutcome[]> {
    const config = await this.policies.find(evacuate.name);
    const mode = policyModeOf(config.mode);
    if (mode === "off") return [];
    const { restartGraceS } = evacuate.params.parse(config.params);
    const due = new Date(this.clock.now().getTime() - restartGraceS * 1000);
    const stranded = await this.prisma.vm.findMany({
      where: { state: "unknown", node: { state: "failed", updatedAt: { lte: due } } },
      include: { node: true },
      orderBy: [{ memMiB: "desc" }, { id: "asc" }],
    });
    const outcomes: RestartOutcome[] = [];
    for (const vm of stranded) {
      const snapshot = await this.prisma.$transaction((tx) => readSnapshot(tx), { isolationLevel: "RepeatableRead" });
      // Its node came back since the list was read: the VM is running there again.
      if (snapshot.current[vm.id]) continue;
      const placed = placeVm({
        hosts: snapshot.hosts,
        vms: snapshot.vms,
        current: snapshot.current,
        vm: { id: vm.id, cpu: vm.cpu, memMiB: vm.memMiB },
        traffic: snapshot.traffic.concat(
          (await this.prisma.traffic.findMany({ where: { OR: [{ vmAId: vm.id }, { vmBId: vm.id }] } }))
            .map((t) => [t.vmAId, t.vmBId, t.rateMbps] as const)
            .filter(([a, b]) => snapshot.current[a === vm.id ? b : a]),
        ),
      });
      if (!placed.hostId) {
        outcomes.push({ vmId: vm.id, from: vm.node!.name, reason: placed.reason ?? "no node takes it" });
        continue;
      }
      if (mode !== "auto") {
        outcomes.push({ vmId: vm.id, from: vm.node!.name, to: snapshot.nodeNames.get(placed.hostId), reason: `${mode}: not restarted` });
        continue;
      }
      const to = await this.restart(vm.id, placed.hostId, vm.node!.name);
      outcomes.push({ vmId: vm.id, from: vm.node!.name, ...(to.ok ? { to: to.node } : { reason: to.reason }) });
    }
    if (outcomes.length) await this.policies.recordRun(evacuate.name, this.clock.now(), { outcome: "cold-restart", restarts: outcomes });
    return outcomes;
  }

  private async restart(vmId: string, nodeId: string, fromName: string): Promise<{ ok: true; node: string } | { ok: false; reason: string }> {
    return this.prisma.$transaction(async (tx) => {
      await lockCapacity(tx);
      await lockRow(tx, "Vm", vmId);
      const vm = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { node: true } });
      if (vm.state !== "unknown" || vm.node?.state !== "failed") return { ok: false as const, reason: "its node recovered first" };
      const target = await tx.node.findUniqueOrThrow({ where: { id: nodeId } });
      const full = doesNotFit(target, (await allocations(tx, [nodeId])).get(nodeId) ?? { cpu: 0, memMiB: 0 }, vm);
      if (target.state !== "active" || full) return { ok: false as const, reason: full ?? `node ${target.name} is ${target.state}` };
      await tx.vm.update({ where: { id: vmId }, data: { nodeId, state: "running" } });
      await this.audit.record(tx, {
        actor: "system:cold-restart",
        action: "vm.restarted",
        targetType: "vm",
        targetId: vmId,
        details: { name: vm.name, from: fromName, to: target.name, how: "cold restart: the guest boots again from its disk; its memory is lost" },
      });
      this.logger.warn(`VM ${vm.name}: cold-restarted on ${target.name} (node ${fromName} failed)`);
      return { ok: true as const, node: target.name };
    });
  }
}
