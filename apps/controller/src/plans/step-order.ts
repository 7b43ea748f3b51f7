import type { DraftMove } from "./plan-draft";

export interface Resources {
  cpu: number;
  memMiB: number;
}

export interface OrderedStep {
  /** Free capacity of the move's source and target once it is done, replaying the plan in order. */
  capacityAfter: { source: Resources; target: Resources };
  /** Earlier steps that must have succeeded first: without the room they free, this move does not fit. */
  dependsOn: number[];
}

/**
 * Orders a plan's moves for parallel application. Moves were computed to be feasible one after another; run
 * side by side, a move only has to wait for the earlier moves out of its target when the target cannot hold
 * the VM without them (a migration reserves the target from its start and frees the source only when it
 * completes). Dependencies point backwards only, so a swap (A->B then B->A) can never wait on itself.
 */
export function orderSteps(moves: readonly DraftMove[], free: ReadonlyMap<string, Resources>, size: ReadonlyMap<string, Resources>): OrderedStep[] {
  const sequential = new Map<string, Resources>();
  const get = (m: Map<string, Resources>, id: string) => m.get(id) ?? { ...(free.get(id) ?? { cpu: 0, memMiB: 0 }) };
  // Free capacity counting every earlier move into a node as already reserved and no earlier move out of it.
  const pessimistic = new Map<string, Resources>();
  return moves.map((move, j) => {
    const vm = size.get(move.vmId) ?? { cpu: 0, memMiB: 0 };
    const room = get(pessimistic, move.toNodeId);
    const fitsAlone = room.cpu >= vm.cpu && room.memMiB >= vm.memMiB;
    const dependsOn: number[] = [];
    moves.forEach((earlier, i) => {
      if (i >= j) return;
      if (earlier.vmId === move.vmId) dependsOn.push(i);
      else if (!fitsAlone && earlier.fromNodeId === move.toNodeId) dependsOn.push(i);
    });
    pessimistic.set(move.toNodeId, { cpu: room.cpu - vm.cpu, memMiB: room.memMiB - vm.memMiB });

    const source = get(sequential, move.fromNodeId);
    const target = get(sequential, move.toNodeId);
    const sourceAfter = { cpu: source.cpu + vm.cpu, memMiB: source.memMiB + vm.memMiB };
    const targetAfter = { cpu: target.cpu - vm.cpu, memMiB: target.memMiB - vm.memMiB };
    sequential.set(move.fromNodeId, sourceAfter);
    sequential.set(move.toNodeId, targetAfter);
    return { capacityAfter: { source: sourceAfter, target: targetAfter }, dependsOn };
  });
}
