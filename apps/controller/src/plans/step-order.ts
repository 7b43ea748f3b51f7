import { stronglyConnected } from "@ferry/scheduler";
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
 * completes). Dependencies point backwards only. Moves that need each other's room (two full nodes swapping
 * VMs, or a longer ring) get no dependency on one another: they start together, and the migration scheduler
 * breaks the capacity cycle with a hop through a third node.
 */
export function orderSteps(moves: readonly DraftMove[], free: ReadonlyMap<string, Resources>, size: ReadonlyMap<string, Resources>): OrderedStep[] {
  const sequential = new Map<string, Resources>();
  const get = (m: Map<string, Resources>, id: string) => m.get(id) ?? { ...(free.get(id) ?? { cpu: 0, memMiB: 0 }) };
  // Free capacity counting every earlier move into a node as already reserved and no earlier move out of it.
  const pessimistic = new Map<string, Resources>();
  const fitsAlone = moves.map((move) => {
    const vm = size.get(move.vmId) ?? { cpu: 0, memMiB: 0 };
    const room = get(pessimistic, move.toNodeId);
    pessimistic.set(move.toNodeId, { cpu: room.cpu - vm.cpu, memMiB: room.memMiB - vm.memMiB });
    return room.cpu >= vm.cpu && room.memMiB >= vm.memMiB;
  });
  const needs = (j: number, i: number) => i !== j && !fitsAlone[j] && moves[i]!.fromNodeId === moves[j]!.toNodeId && moves[i]!.vmId !== moves[j]!.vmId;
  const ring = new Map<number, number>();
  const edges = new Map(moves.map((_, j) => [String(j), new Set(moves.flatMap((_, i) => (needs(j, i) ? [String(i)] : [])))]));
  stronglyConnected(edges).forEach((component, c) => {
    if (component.length > 1) for (const j of component) ring.set(Number(j), c);
  });
  return moves.map((move, j) => {
    const vm = size.get(move.vmId) ?? { cpu: 0, memMiB: 0 };
    const dependsOn: number[] = [];
    moves.forEach((earlier, i) => {
      if (i >= j) return;
      if (earlier.vmId === move.vmId) dependsOn.push(i);
      else if (needs(j, i) && (ring.get(i) === undefined || ring.get(i) !== ring.get(j))) dependsOn.push(i);
    });

    const source = get(sequential, move.fromNodeId);
    const target = get(sequential, move.toNodeId);
    const sourceAfter = { cpu: source.cpu + vm.cpu, memMiB: source.memMiB + vm.memMiB };
    const targetAfter = { cpu: target.cpu - vm.cpu, memMiB: target.memMiB - vm.memMiB };
    sequential.set(move.fromNodeId, sourceAfter);
    sequential.set(move.toNodeId, targetAfter);
    return { capacityAfter: { source: sourceAfter, target: targetAfter }, dependsOn };
  });
}
