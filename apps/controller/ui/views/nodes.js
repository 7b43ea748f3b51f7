import { call } from "../api.js";
import { Chart, sparkline } from "../charts.js";
import { html } from "../html.js";
import { useLive } from "../live.js";
import { Section, State, pct, time } from "../format.js";
import { useCan } from "../role.js";

function Sparkline({ nodeId }) {
  const { data } = useLive("/api/v1/nodes/{id}/samples", { path: { id: nodeId }, query: { step: "30s" } }, { pollMs: 15_000 });
  const points = data?.points ?? [];
  if (points.length < 2) return html`<span class="muted">collecting…</span>`;
  return html`<${Chart} label="CPU load history" make=${sparkline(points, "cpuLoad")} deps=${[data.to, points.length]} />`;
}

export function Nodes() {
  const canOperate = useCan("operator");
  const nodes = useLive("/api/v1/nodes", { query: { limit: 500 } }, { kinds: ["node"] });
  const act = (id, path) => call("POST", path, { params: { path: { id } } }).then(nodes.reload, (e) => alert(e.message));
  return html`
    <${Section} title="Nodes" error=${nodes.error} loading=${!nodes.data}>
      <table>
        <thead><tr><th>Node</th><th>State</th><th>Pod / rack</th><th>CPU</th><th>Memory</th><th>Watts</th><th>CPU load, last hour</th><th>Heartbeat</th><th></th></tr></thead>
        <tbody>
          ${(nodes.data?.items ?? []).map(
            (n) => html`
              <tr data-node=${n.name}>
                <td>${n.name}</td>
                <td><${State} value=${n.state} />${n.stateReason && html`<div class="muted">${n.stateReason}</div>`}</td>
                <td>${n.labels.pod ?? "–"} / ${n.labels.rack ?? "–"}</td>
                <td>${pct(n.load?.cpuLoad)} <span class="muted">of ${n.capacity.cpu} vCPU</span></td>
                <td>${pct(n.load?.memLoad)} <span class="muted">of ${n.capacity.memMiB} MiB</span></td>
                <td>${n.load ? Math.round(n.load.watts) : "–"}</td>
                <td><${Sparkline} nodeId=${n.id} /></td>
                <td>${time(n.lastHeartbeatAt)}</td>
                <td>
                  ${canOperate && n.state === "active" && html`<button onClick=${() => act(n.id, "/api/v1/nodes/{id}/cordon")}>Cordon</button> <button onClick=${() => act(n.id, "/api/v1/nodes/{id}/drain")}>Drain</button>`}
                  ${canOperate && n.state === "cordoned" && html`<button onClick=${() => act(n.id, "/api/v1/nodes/{id}/uncordon")}>Uncordon</button>`}
                  ${canOperate && n.state === "maintenance" && html`<button onClick=${() => act(n.id, "/api/v1/nodes/{id}/maintenance/off")}>End maintenance</button>`}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    <//>`;
}
