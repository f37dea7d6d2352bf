import { type ReactNode, useEffect, useRef } from "react";
import { useRules } from "../api/rules.js";
import { cameByNavigation } from "../routing/router.js";

/** "Sign in · OTP": the product name is the API's (`auth.rules.appName`). */
export function usePageTitle(title: string): void {
  const appName = useRules().data?.appName;
  useEffect(() => {
    document.title = appName === undefined ? title : `${title} · ${appName}`;
  }, [title, appName]);
}

export interface PageHeadingProps {
  children: ReactNode;
  /**
   * After an in-app navigation, focus goes to the heading so a screen reader
   * announces the new page. Pages that focus a field themselves opt out.
   */
  takeFocus?: boolean;
}

export function PageHeading({ children, takeFocus = true }: PageHeadingProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the page first shows
  useEffect(() => {
    if (takeFocus && cameByNavigation()) heading.current?.focus();
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
