import { Injectable } from "@nestjs/common";
import { AuditService } from "../audit/audit.service";
import { FerryError, notFound } from "../common/errors";
import { pageArgs, toPage } from "../common/pagination";
import { PrismaService } from "../database/prisma.service";
import { Prisma } from "../generated/prisma/client";
import { allocations, doesNotFit, lockCapacity } from "../nodes/capacity";
import { readSnapshot } from "../placement/cluster-snapshot";
import { placeNewVm } from "../placement/initial-placement";
import { requireVms, storeRates } from "../traffic/traffic-store";
import type { CreateVm } from "./dto/create-vm.dto";
import type { VmQuery } from "./dto/vm-query.dto";
import { vmView } from "./vm.view";

@Injectable()
export class VmsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  /** Create a VM on the given node, or on the node placement picks. Nothing is written when it is refused. */
  async create(input: CreateVm, actor: string) {
    const demand = { cpu: input.cpu, memMiB: input.memMiB };
    const vm = await this.prisma.$transaction(async (tx) => {
      await lockCapacity(tx);
      if (await tx.vm.findUnique({ where: { name: input.name }, select: { id: true } })) {
        throw new FerryError("NameTaken", `a VM named ${input.name} already exists`, { field: "name" });
      }
      await requireVms(tx, [...input.peers.map((p) => p.vmId), ...(input.sla.network?.peers ?? [])]);
      let nodeId: string;
      let placedBy: "operator" | "placement";
      if (input.nodeId) {
        const node = await tx.node.findUnique({ where: { id: input.nodeId } });
        if (!node) throw notFound("NodeNotFound", input.nodeId);
        if (node.state !== "active") {
          throw new FerryError("NodeNotSchedulable", `node ${node.name} is ${node.state} and takes no new VMs`, { state: node.state });
        }
        const used = (await allocations(tx, [node.id])).get(node.id) ?? { cpu: 0, memMiB: 0 };
        const reason = doesNotFit(node, used, demand);
        if (reason) throw new FerryError("CapacityExceeded", reason, { nodeId: node.id });
        nodeId = node.id;
        placedBy = "operator";
      } else {
        const placement = placeNewVm(await readSnapshot(tx), { ...demand, peers: input.peers });
        if (!placement.ok) {
          throw new FerryError("NoFeasibleNode", `no node can take a VM of ${input.cpu} cpu and ${input.memMiB} MiB: ${placement.reason}`, {
            rejected: placement.verdicts.map((v) => ({ node: v.node, reasons: v.rejections.map((r) => r.reason) })),
          });
        }
        nodeId = placement.nodeId;
        placedBy = "placement";
      }
      const created = await tx.vm.create({
        data: {
          name: input.name,
          cpu: input.cpu,
          memMiB: input.memMiB,
          nodeId,
          dirtyRateMiBps: input.dirtyRateMiBps,
          allowPostCopy: input.allowPostCopy,
          postCopyRecovery: input.postCopyRecovery,
          workload: input.workload,
          slaMaxDowntimeMs: input.sla.maxDowntimeMs ?? null,
          slaMaxTotalMs: input.sla.maxTotalMs ?? null,
          ...(input.sla.network ? { slaNetwork: input.sla.network } : {}),
        },
      });
      if (input.peers.length) {
        await storeRates(tx, input.peers.map((p) => ({ vmA: created.id, vmB: p.vmId, rateMbps: p.rateMbps })));
      }
      await this.audit.record(tx, {
        actor,
        action: "vm.created",
        targetType: "vm",
        targetId: created.id,
        details: { name: created.name, cpu: created.cpu, memMiB: created.memMiB, nodeId, placedBy },
      });
      return created;
    });
    return vmView(vm);
  }

  async list(query: VmQuery) {
    const where: Prisma.VmWhereInput = { nodeId: query.nodeId, state: query.state };
    const rows = await this.prisma.vm.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], ...pageArgs(query) });
    return toPage(rows, query, vmView);
  }

  async get(id: string) {
    const vm = await this.prisma.vm.findUnique({ where: { id } });
    if (!vm) throw notFound("VmNotFound", id);
    return vmView(vm);
  }
}
