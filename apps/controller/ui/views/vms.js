import { html } from "../html.js";
import { useLive } from "../live.js";
import { Section, State, namesOf } from "../format.js";

export function Vms() {
  const vms = useLive("/api/v1/vms", { query: { limit: 500 } }, { kinds: ["vm", "migration"] });
  const nodes = useLive("/api/v1/nodes", { query: { limit: 500 } }, { kinds: ["node"] });
  const nodeNames = namesOf(nodes.data);
  return html`
    <${Section} title="VMs" error=${vms.error} loading=${!vms.data}>
      <table>
        <thead><tr><th>VM</th><th>State</th><th>Node</th><th>vCPU</th><th>Memory</th><th>Dirty rate</th><th>Workload</th><th>SLA</th></tr></thead>
        <tbody>
          ${(vms.data?.items ?? []).map(
            (v) => html`
              <tr data-vm=${v.name}>
                <td>${v.name}</td>
                <td><${State} value=${v.state} /></td>
                <td>${nodeNames.get(v.nodeId) ?? v.nodeId ?? "–"}</td>
                <td>${v.cpu}</td>
                <td>${v.memMiB} MiB</td>
                <td>${v.dirtyRateMiBps} MiB/s</td>
                <td>${v.workload.kind === "trace" ? `trace ${v.workload.series}` : `constant ${Math.round(v.workload.cpuFraction * 100)}%`}</td>
                <td>${[v.sla.maxDowntimeMs && `downtime ≤ ${v.sla.maxDowntimeMs} ms`, v.sla.maxTotalMs && `total ≤ ${v.sla.maxTotalMs} ms`].filter(Boolean).join(", ") || "–"}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    <//>`;
}
