import {
  chooseTechnique,
  labelOf,
  MigrationError,
  predict,
  resolveTechnique,
  type LinkSpecInput,
  type Prediction,
  type ResolvedTechnique,
  type TechniqueName,
  type VmSpec,
} from "@ferry/migration";
import { FerryError, fromLibraryError } from "../common/errors";

/** QEMU's downtime-limit: what a VM without an SLA is held to when a technique is chosen for it. */
export const DEFAULT_MAX_DOWNTIME_MS = 300;
/** KubeVirt's completionTimeoutPerGiB: the time a VM without an SLA may take to migrate, per GiB of memory. */
export const DEFAULT_TOTAL_MS_PER_GIB = 150_000;

export interface MigratingVm {
  name: string;
  memMiB: number;
  dirtyRateMiBps: number;
  slaMaxDowntimeMs: number | null;
  slaMaxTotalMs: number | null;
  allowPostCopy: boolean;
  /** The VM keeps the reverse stream during post-copy (absent: as recorded before there was one, no). */
  postCopyRecovery?: boolean;
}

export interface TechniqueRequest {
  technique?: TechniqueName;
  techniqueOptions?: Record<string, unknown>;
  acceptSlaBreach: boolean;
}

export interface AdmittedTechnique {
  technique: ResolvedTechnique;
  label: string;
  prediction: Prediction;
  /** Why this technique: the chooser's reasoning, or the operator's request. */
  reason: string;
  /** Set when the migration was admitted although it is predicted to break the SLA. */
  slaWarning?: string;
}

const isPostCopy = (t: ResolvedTechnique) => t.name === "post-copy" || t.name === "hybrid";
const ms = (v: number) => `${Math.round(v)} ms`;

function vmSpec(vm: MigratingVm): VmSpec {
  return { memMiB: vm.memMiB, workload: { dirtyMiBps: vm.dirtyRateMiBps } };
}

/**
 * Post-copy and hybrid may move the VM: it keeps the reverse stream (its default; a target failure then leaves it
 * on its source, see the node agent's tcp-executor.ts), or it opted in without one, accepting that a target
 * failure after the switchover costs what the guest wrote there.
 */
export function postCopyAllowed(vm: Pick<MigratingVm, "allowPostCopy" | "postCopyRecovery">): boolean {
  return vm.allowPostCopy || vm.postCopyRecovery === true;
}

/** The SLA a technique is chosen against: the VM's own, or QEMU's and KubeVirt's defaults where it has none. */
export function effectiveSla(vm: MigratingVm) {
  return {
    maxDowntimeMs: vm.slaMaxDowntimeMs ?? DEFAULT_MAX_DOWNTIME_MS,
    maxTotalMs: vm.slaMaxTotalMs ?? (DEFAULT_TOTAL_MS_PER_GIB * vm.memMiB) / 1024,
    allowPostCopy: postCopyAllowed(vm),
  };
}

/** The predicted cost of a migration, as stored with it and shown by the API. */
export function predictionView(admitted: AdmittedTechnique) {
  const p = admitted.prediction;
  return {
    technique: admitted.label,
    preparationMs: p.preparationMs,
    downtimeMs: p.downtimeMs,
    resumeMs: p.resumeMs,
    pagesTransferred: p.pagesTransferred,
    totalMs: p.totalMs,
    degradation: p.degradation,
    bytesTransferred: p.bytesTransferred,
    reason: admitted.reason,
    ...(admitted.slaWarning ? { slaWarning: admitted.slaWarning } : {}),
  };
}

/**
 * Decide how a VM migrates, before anything is queued. Without a requested technique, the migration library's
 * chooser picks the cheapest one predicted to meet the SLA; with one, its prediction is checked against the VM's
 * own SLA. A migration predicted to break the SLA is refused (SlaUnattainable, with every candidate's
 * prediction) unless the operator accepts the breach. Post-copy and hybrid are used only where postCopyAllowed.
 */
export function admitTechnique(vm: MigratingVm, link: LinkSpecInput, request: TechniqueRequest): AdmittedTechnique {
  const sla = effectiveSla(vm);
  if (request.technique) {
    const technique = resolveRequested(request.technique, request.techniqueOptions ?? {});
    if (isPostCopy(technique) && !postCopyAllowed(vm)) {
      throw new FerryError(
        "VmNotMigratable",
        `VM ${vm.name} does not allow post-copy: it has no reverse stream (postCopyRecovery: false) and did not opt in (allowPostCopy)`,
      );
    }
    const prediction = guarded(() => predict({ vm: vmSpec(vm), link, technique }));
    const label = labelOf(technique);
    const broken = [
      vm.slaMaxDowntimeMs !== null && prediction.downtimeMs > vm.slaMaxDowntimeMs && `downtime ${ms(prediction.downtimeMs)} > ${ms(vm.slaMaxDowntimeMs)}`,
      vm.slaMaxTotalMs !== null && prediction.totalMs > vm.slaMaxTotalMs && `total ${ms(prediction.totalMs)} > ${ms(vm.slaMaxTotalMs)}`,
    ].filter((b): b is string => Boolean(b));
    const reason = `${label} as requested: predicted downtime ${ms(prediction.downtimeMs)}, total ${ms(prediction.totalMs)}`;
    if (broken.length === 0) return { technique, label, prediction, reason };
    const warning = `${label} is predicted to break VM ${vm.name}'s SLA: ${broken.join(", ")}`;
    if (!request.acceptSlaBreach) {
      throw new FerryError("SlaUnattainable", `${warning}; send acceptSlaBreach: true to migrate anyway`, {
        technique: label,
        prediction: { downtimeMs: prediction.downtimeMs, totalMs: prediction.totalMs },
      });
    }
    return { technique, label, prediction, reason, slaWarning: warning };
  }

  const choice = guarded(() => chooseTechnique(vmSpec(vm), link, sla));
  if (choice.ok) return { technique: choice.technique!, label: choice.label!, prediction: choice.prediction!, reason: choice.reason };
  const allowed = choice.candidates.filter((c) => postCopyAllowed(vm) || !isPostCopy(c.technique));
  const closest = allowed[0];
  if (!request.acceptSlaBreach || !closest) {
    throw new FerryError("SlaUnattainable", `VM ${vm.name}: ${choice.reason}; send acceptSlaBreach: true to migrate anyway`, {
      candidates: allowed.map((c) => ({
        technique: c.label,
        downtimeMs: c.prediction.downtimeMs,
        totalMs: c.prediction.totalMs,
        violations: c.violations,
      })),
    });
  }
  return {
    technique: closest.technique,
    label: closest.label,
    prediction: closest.prediction,
    reason: `closest to the SLA: ${closest.label}`,
    slaWarning: `${choice.reason} (admitted: the operator accepted the breach)`,
  };
}

/** The predictor and the chooser throw MigrationError on input they cannot take: it leaves as a domain error. */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    throw fromLibraryError(e) ?? e;
  }
}

function resolveRequested(name: TechniqueName, options: Record<string, unknown>): ResolvedTechnique {
  try {
    return resolveTechnique({ ...options, name } as Parameters<typeof resolveTechnique>[0]);
  } catch (e) {
    if (e instanceof MigrationError) {
      const fields = e.problems.map((d) => ({ field: d.field.replace(/^technique\b/, "techniqueOptions"), reason: d.reason }));
      throw new FerryError("ValidationFailed", `${name} does not take these options: ${fields.map((f) => `${f.field}: ${f.reason}`).join("; ")}`, fields);
    }
    throw e;
  }
}
