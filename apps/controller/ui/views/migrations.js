import { useState } from "preact/hooks";
import { call } from "../api.js";
import { Chart, metricsVsPrediction } from "../charts.js";
import { html } from "../html.js";
import { useLive } from "../live.js";
import { Section, State, duration, namesOf, time } from "../format.js";
import { useCan } from "../role.js";

const TECHNIQUES = ["non-live", "pre-copy", "post-copy", "hybrid"];
const SIX_METRICS = [
  ["preparationMs", "preparation", duration],
  ["downtimeMs", "downtime", duration],
  ["resumeMs", "resume", duration],
  ["pagesTransferred", "pages transferred", (n) => (n == null ? "–" : n.toLocaleString())],
  ["totalMs", "total time", duration],
  ["degradation", "degradation", (d) => (d == null ? "–" : `${(d * 100).toFixed(1)}%`)],
];
const ACTIVE = ["requested", "queued", "running"];

function StartForm({ vms, nodes, onStarted }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const technique = form.get("technique");
    try {
      await call("POST", "/api/v1/migrations", { body: { vmId: form.get("vm"), targetNodeId: form.get("target"), ...(technique ? { technique } : {}) } });
      setError(null);
      onStarted();
    } catch (err) {
      setError(err.message);
    }
  };
  return html`
    <form class="inline" onSubmit=${submit} aria-label="start a migration">
      <label>VM <select name="vm" required>${vms.map((v) => html`<option value=${v.id}>${v.name}</option>`)}</select></label>
      <label>to <select name="target" required>${nodes.map((n) => html`<option value=${n.id}>${n.name}</option>`)}</select></label>
      <label>technique <select name="technique"><option value="">chosen by Ferry</option>${TECHNIQUES.map((t) => html`<option>${t}</option>`)}</select></label>
      <button type="submit">Migrate</button>
      ${error && html`<span class="error" role="alert">${error}</span>`}
    </form>`;
}

/** A running migration's live progress (percent of memory sent, ETA), from GET /migrations/:id. */
function Progress({ m }) {
  const { data } = useLive(m.state === "running" ? "/api/v1/migrations/{id}" : null, { path: { id: m.id } }, { kinds: ["migration"] });
  const live = data?.live;
  const percent = m.state === "completed" ? 100 : live?.percent ?? m.progress * 100;
  return html`
    <div class="progress" title=${live?.phase ?? m.state}>
      <div class="bar" style=${{ width: `${Math.min(100, percent)}%` }}></div>
      <span>${Math.round(percent)}%${live ? ` · ${live.phase} · ETA ${live.etaMs == null ? "not converging" : duration(live.etaMs)}` : ""}${live?.stalled ? " · stalled" : ""}</span>
    </div>`;
}

function MetricsPanel({ m }) {
  const rows = SIX_METRICS.map(([key, label, fmt]) => ({ key, metric: label, fmt, measured: m.metrics[key], predicted: m.prediction?.[key] }));
  const ratios = rows
    .filter((r) => r.measured > 0 && r.predicted > 0)
    .map((r) => ({ metric: r.metric, ratio: r.measured / r.predicted }));
  return html`
    <div class="metrics" data-migration=${m.id}>
      <h3>Six metrics against the prediction (${m.technique})</h3>
      <div class="side-by-side">
        <table>
          <thead><tr><th>metric</th><th>predicted</th><th>measured</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr><td>${r.metric}</td><td>${r.fmt(r.predicted)}</td><td>${r.fmt(r.measured)}</td></tr>`)}</tbody>
        </table>
        ${ratios.length > 0 && html`<${Chart} label="measured over predicted" make=${metricsVsPrediction(ratios)} deps=${[m.id]} />`}
      </div>
    </div>`;
}

export function Migrations() {
  const migrations = useLive("/api/v1/migrations", { query: { limit: 50 } }, { kinds: ["migration"] });
  const vms = useLive("/api/v1/vms", { query: { limit: 500 } }, { kinds: ["vm"] });
  const nodes = useLive("/api/v1/nodes", { query: { limit: 500 } }, { kinds: ["node"] });
  const [selected, setSelected] = useState(null);
  const canOperate = useCan("operator");
  const vmNames = namesOf(vms.data);
  const nodeNames = namesOf(nodes.data);
  const items = migrations.data?.items ?? [];
  const shown = items.find((m) => m.id === selected && m.metrics) ?? items.find((m) => m.metrics);
  const cancel = (id) => call("POST", "/api/v1/migrations/{id}/cancel", { params: { path: { id } } }).then(migrations.reload, (e) => alert(e.message));
  return html`
    <${Section} title="Migrations" error=${migrations.error} loading=${!migrations.data || !vms.data || !nodes.data}>
      ${canOperate && html`<${StartForm} vms=${vms.data?.items ?? []} nodes=${(nodes.data?.items ?? []).filter((n) => n.state === "active")} onStarted=${migrations.reload} />`}
      <table>
        <thead><tr><th>VM</th><th>From → to</th><th>Technique</th><th>State</th><th>Progress</th><th>Requested</th><th>Reason</th><th></th></tr></thead>
        <tbody>
          ${items.map(
            (m) => html`
              <tr data-migration=${m.id} data-vm=${vmNames.get(m.vmId)} class=${shown?.id === m.id ? "selected" : ""} onClick=${() => setSelected(m.id)}>
                <td>${vmNames.get(m.vmId) ?? m.vmId}</td>
                <td>${nodeNames.get(m.sourceNodeId)} → ${nodeNames.get(m.targetNodeId)}</td>
                <td>${m.technique}</td>
                <td><${State} value=${m.state} />${m.error && html`<div class="muted">${m.error}</div>`}</td>
                <td><${Progress} m=${m} /></td>
                <td>${time(m.timestamps.requestedAt)}</td>
                <td>${m.reason}</td>
                <td>${canOperate && ACTIVE.includes(m.state) && !m.cancelRequested && html`<button onClick=${(e) => (e.stopPropagation(), cancel(m.id))}>Cancel</button>`}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${shown ? html`<${MetricsPanel} m=${shown} />` : html`<p class="muted">The six metrics appear here once a migration has completed.</p>`}
    <//>`;
}
