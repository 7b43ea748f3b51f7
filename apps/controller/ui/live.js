import { useCallback, useEffect, useState } from "preact/hooks";
import { get } from "./api.js";

const POLL_MS = 2000;

/**
 * Data from one GET route, fetched again every POLL_MS while the view is shown, and at once after an action
 * (`reload`). Errors are kept beside the last good data, so a passing outage does not blank the view.
 */
export function useLive(path, intervalMs = POLL_MS) {
  const [state, setState] = useState({ data: null, error: null });
  const load = useCallback(async () => {
    if (!path) return;
    try {
      const data = await get(path);
      setState({ data, error: null });
    } catch (error) {
      setState((s) => ({ data: s.data, error }));
    }
  }, [path]);
  useEffect(() => {
    load();
    const timer = setInterval(load, intervalMs);
    return () => clearInterval(timer);
  }, [load, intervalMs]);
  return { ...state, reload: load };
}
