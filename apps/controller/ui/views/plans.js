import { useState } from "preact/hooks";
import { call } from "../api.js";
import { html } from "../html.js";
import { useLive } from "../live.js";
import { Section, State, dateTime, duration } from "../format.js";
import { useCan } from "../role.js";

const STATES = ["", "proposed", "approved", "applying", "succeeded", "failed", "cancelled", "superseded", "expired"];
const OPEN = ["proposed", "approved", "applying"];

function PlanCard({ plan, onChange }) {
  const [error, setError] = useState(null);
  const canOperate = useCan("operator");
  const act = (path, body) => call("POST", path, { params: { path: { id: plan.id } }, body }).then(onChange, (e) => setError(e.message));
  return html`
    <article class="plan" data-plan=${plan.id}>
      <div class="plan-head">
        <strong>${plan.kind}${plan.policy ? ` · ${plan.policy}` : ""}</strong>
        <${State} value=${plan.state} />
        <span class="muted">${dateTime(plan.createdAt)} by ${plan.createdBy}</span>
        <span class="spacer"></span>
        ${canOperate && plan.state === "proposed" && html`<button class="primary" onClick=${() => act("/api/v1/plans/{id}/apply", {})}>Approve</button>`}
        ${canOperate && OPEN.includes(plan.state) && html`<button onClick=${() => act("/api/v1/plans/{id}/cancel")}>Cancel</button>`}
      </div>
      <p>${plan.reason}</p>
      <p>
        Cost ${plan.costBefore.toFixed(2)} → ${plan.costAfter.toFixed(2)}
        (${plan.gain >= 0 ? "gain" : "loss"} ${Math.abs(plan.gainPct).toFixed(1)}%) ·
        ${plan.expected.migrations} move${plan.expected.migrations === 1 ? "" : "s"}, ${plan.expected.memoryMovedMiB} MiB,
        about ${duration(plan.expected.migrationMs)} of migration, worst downtime ${duration(plan.expected.worstDowntimeMs)}
      </p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${plan.error && html`<p class="error">${plan.error}</p>`}
      ${plan.steps.length > 0 &&
      html`<table>
        <thead><tr><th>#</th><th>VM</th><th>From → to</th><th>Technique</th><th>Predicted</th><th>Reason</th><th>State</th></tr></thead>
        <tbody>
          ${plan.steps.map(
            (s) => html`<tr>
              <td>${s.index + 1}</td>
              <td>${s.vm.name ?? s.vm.id}</td>
              <td>${s.from.name} → ${s.to.name}</td>
              <td>${s.technique ?? "–"}</td>
              <td>${duration(s.prediction?.totalMs)}, downtime ${duration(s.prediction?.downtimeMs)}</td>
              <td>${s.reason}</td>
              <td><${State} value=${s.state} /></td>
            </tr>`,
          )}
        </tbody>
      </table>`}
      ${plan.blocked.length > 0 &&
      html`<p class="muted">Not moved: ${plan.blocked.map((b) => `${b.vm.name ?? b.vm.id} (${b.reason})`).join("; ")}</p>`}
    </article>`;
}

export function Plans() {
  const [state, setState] = useState("");
  const plans = useLive("/api/v1/plans", { query: { limit: 20, ...(state ? { state } : {}) } }, { kinds: ["plan"] });
  return html`
    <${Section} title="Plans" error=${plans.error} loading=${!plans.data}
      actions=${html`<label>state <select aria-label="plan state" value=${state} onChange=${(e) => setState(e.target.value)}>
        ${STATES.map((s) => html`<option value=${s}>${s || "all"}</option>`)}</select></label>`}>
      ${(plans.data?.items ?? []).length === 0 && html`<p class="muted">No plans.</p>`}
      ${(plans.data?.items ?? []).map((p) => html`<${PlanCard} key=${p.id} plan=${p} onChange=${plans.reload} />`)}
    <//>`;
}
