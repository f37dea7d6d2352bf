import { useEffect, useState } from "react";

/**
 * The current time, renewed every `intervalMs` (for countdowns and "5
 * minutes ago"); with `null`, not renewed: nothing counts down, nothing re-renders.
 */
export function useNow(intervalMs: number | null): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (intervalMs === null) return;
    setNow(new Date());
    const timer = window.setInterval(() => setNow(new Date()), intervalMs);
    return () => window.clearInterval(timer);
  }, [intervalMs]);
  return now;
}
