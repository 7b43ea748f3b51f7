import type { z } from "zod";
import type { Vm } from "../generated/prisma/client";
import type { vmSchema } from "./dto/vm.answer";

/** A VM as the API shows it. */
export function vmView(vm: Vm): z.infer<typeof vmSchema> {
  return {
    id: vm.id,
    name: vm.name,
    state: vm.state,
    nodeId: vm.nodeId,
    cpu: vm.cpu,
    memMiB: vm.memMiB,
    dirtyRateMiBps: vm.dirtyRateMiBps,
    allowPostCopy: vm.allowPostCopy,
    postCopyRecovery: vm.postCopyRecovery,
    workload: vm.workload,
    sla: { maxDowntimeMs: vm.slaMaxDowntimeMs, maxTotalMs: vm.slaMaxTotalMs, network: vm.slaNetwork ?? null },
    createdAt: vm.createdAt.toISOString(),
  };
}
