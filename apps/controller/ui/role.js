import { createContext } from "preact";
import { useContext } from "preact/hooks";

// The order of common/auth.ts's ROLES: each role may do what the one before it may.
const RANK = { viewer: 0, operator: 1, admin: 2 };

/** Who is logged in: `{ name, role }` from GET /api/v1/whoami. */
export const CallerContext = createContext(null);

/**
 * Whether the logged-in token's role is at least `needed`. Views leave out the buttons a role may not use;
 * the controller refuses such calls in any case (403).
 */
export function useCan(needed) {
  const caller = useContext(CallerContext);
  return caller != null && RANK[caller.role] >= RANK[needed];
}
