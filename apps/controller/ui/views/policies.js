import { useState } from "preact/hooks";
import { call } from "../api.js";
import { html } from "../html.js";
import { useLive } from "../live.js";
import { Section, State, dateTime } from "../format.js";
import { useCan } from "../role.js";

const MODES = ["off", "dry-run", "approve", "auto"];

function PolicyRow({ policy, onChange }) {
  const [error, setError] = useState(null);
  const canConfigure = useCan("admin");
  const done = () => (setError(null), onChange());
  const setMode = (mode) => call("PATCH", "/api/v1/policies/{name}", { params: { path: { name: policy.name } }, body: { mode } }).then(done, (e) => setError(e.message));
  const run = () => call("POST", "/api/v1/policies/{name}/run", { params: { path: { name: policy.name } } }).then(done, (e) => setError(e.message));
  return html`
    <tr data-policy=${policy.name}>
      <td><strong>${policy.name}</strong><div class="muted">${policy.description}</div></td>
      <td>
        ${canConfigure
          ? html`<div class="switch" role="radiogroup" aria-label=${`${policy.name} mode`}>
          ${MODES.map(
            (m) => html`<button role="radio" aria-checked=${policy.mode === m} class=${policy.mode === m ? "on" : ""} onClick=${() => setMode(m)}>${m}</button>`,
          )}
        </div>`
          : html`<${State} value=${policy.mode} />`}
        ${error && html`<div class="error" role="alert">${error}</div>`}
      </td>
      <td>every ${policy.intervalS} s</td>
      <td>${dateTime(policy.lastRunAt)}</td>
      <td>${canConfigure && html`<button onClick=${run}>Run now</button>`}</td>
    </tr>`;
}

export function Policies() {
  const policies = useLive("/api/v1/policies", {}, { kinds: ["policy"] });
  return html`
    <${Section} title="Policies" error=${policies.error} loading=${!policies.data}>
      <table>
        <thead><tr><th>Policy</th><th>Mode</th><th>Interval</th><th>Last run</th><th></th></tr></thead>
        <tbody>${(policies.data?.items ?? []).map((p) => html`<${PolicyRow} key=${p.name} policy=${p} onChange=${policies.reload} />`)}</tbody>
      </table>
    <//>`;
}
