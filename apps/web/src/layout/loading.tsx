import { type ReactNode, useEffect, useState } from "react";

/**
 * How long an answer may take before the page says it is loading: under a second
 * a wait reads as part of the click, while a "Loading…" shown and gone within it
 * reads as a flash.
 */
export const LOADING_DELAY_MS = 1000;

/** True once `ms` have passed since the component mounted. */
function useElapsed(ms: number): boolean {
  const [elapsed, setElapsed] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setElapsed(true), ms);
    return () => clearTimeout(timer);
  }, [ms]);
  return elapsed;
}

/** A loading line that appears only when the wait has lasted `LOADING_DELAY_MS`. */
export function LoadingText({ children, className }: { children: ReactNode; className: string }) {
  const shown = useElapsed(LOADING_DELAY_MS);
  return shown ? <p className={className}>{children}</p> : null;
}
