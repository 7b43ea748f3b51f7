import { useCallback, useEffect, useState } from "preact/hooks";
import { call } from "./api.js";

const POLL_MS = 2000;

/**
 * Data from one GET route (an OpenAPI path and openapi-fetch's params), fetched again every `intervalMs` while
 * the view is shown, and at once after an action (`reload`). Errors are kept beside the last good data, so a
 * passing outage does not blank the view. A null path fetches nothing.
 */
export function useLive(path, params = {}, intervalMs = POLL_MS) {
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
    const timer = setInterval(load, intervalMs);
    return () => clearInterval(timer);
  }, [load, intervalMs]);
  return { ...state, reload: load };
}
