import { useCallback, useEffect, useState } from "preact/hooks";
import { call, changes } from "./api.js";

const RECONNECT_MS = 2000;
const listeners = new Set();
let streaming = false;

/**
 * One change stream for the tab (GET /api/v1/events), resumed after a break with the last event id. Each
 * change goes to every view's listener; a `reset` (changes were missed) to all of them.
 */
async function follow() {
  if (streaming) return;
  streaming = true;
  let lastEventId;
  for (;;) {
    try {
      for await (const change of changes({ lastEventId })) {
        if (change.eventId) lastEventId = change.eventId;
        for (const listener of listeners) listener(change);
      }
    } catch {
      // The controller restarted or the network broke: the views keep their slow poll meanwhile.
    }
    await new Promise((r) => setTimeout(r, RECONNECT_MS));
  }
}

/**
 * Data from one GET route (an OpenAPI path and openapi-fetch's params). Read again when the change stream
 * reports a change of one of `kinds` (at most every half second), and every `pollMs` for what the stream does
 * not carry (traffic, samples, the audit log). `reload` reads it at once. Errors are kept beside the last good
 * data, so a passing outage does not blank the view. A null path reads nothing.
 */
export function useLive(path, params = {}, { kinds = [], pollMs = 15_000 } = {}) {
  const [state, setState] = useState({ data: null, error: null });
  const key = JSON.stringify([path, params]);
  const load = useCallback(async () => {
    if (!path) return;
    try {
      const data = await call("GET", path, { params });
      setState({ data, error: null });
    } catch (error) {
      setState((s) => ({ data: s.data, error }));
    }
  }, [key]);
  useEffect(() => {
    load();
    const timer = setInterval(load, pollMs);
    let pending = null;
    const onChange = (change) => {
      if (pending || !(change.kind === "stream" || kinds.includes(change.kind))) return;
      pending = setTimeout(() => ((pending = null), load()), 500);
    };
    if (kinds.length) {
      listeners.add(onChange);
      void follow();
    }
    return () => (clearInterval(timer), clearTimeout(pending), listeners.delete(onChange));
  }, [load, pollMs, kinds.join()]);
  return { ...state, reload: load };
}
