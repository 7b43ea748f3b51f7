import { DEFAULT_WORKLOAD, type Workload } from "@ferry/protocol";
import { loadDayTrace } from "@ferry/policies";
import { traceWorkload } from "./trace-workload";
import { constantWorkload, type WorkloadModel } from "./workload-model";

/**
 * The series an agent can replay: one folder of trace files in CloudSim's PlanetLab layout (read with the
 * policy simulator's loader), and the models built from workload specs. A spec naming a series the folder
 * does not have runs the default workload, and `onMissing` hears about it once per series.
 */
export class TraceLibrary {
  private readonly models = new Map<string, WorkloadModel>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly series: ReadonlyMap<string, ArrayLike<number>>,
    private readonly speedup: number,
    private readonly onMissing: (series: string) => void = () => undefined,
  ) {}

  static load(folder: string, speedup: number, onMissing?: (series: string) => void): TraceLibrary {
    const day = loadDayTrace(folder);
    const series = new Map<string, Float64Array>();
    day.vmNames.forEach((name, i) => series.set(name, day.utilization.subarray(i * day.samplesPerVm, (i + 1) * day.samplesPerVm)));
    return new TraceLibrary(series, speedup, onMissing);
  }

  names(): string[] {
    return [...this.series.keys()];
  }

  model(spec: Workload): WorkloadModel {
    const key = JSON.stringify(spec);
    let model = this.models.get(key);
    if (!model) {
      model = this.build(spec);
      this.models.set(key, model);
    }
    return model;
  }

  private build(spec: Workload): WorkloadModel {
    if (spec.kind === "constant") return constantWorkload(spec.cpuFraction, spec.memFraction);
    const series = this.series.get(spec.series);
    if (series) return traceWorkload(series, this.speedup, spec.memFraction);
    if (!this.reported.has(spec.series)) {
      this.reported.add(spec.series);
      this.onMissing(spec.series);
    }
    return constantWorkload(DEFAULT_WORKLOAD.cpuFraction, spec.memFraction);
  }
}
