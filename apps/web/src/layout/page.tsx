import { type ReactNode, useEffect, useRef } from "react";
import { cameByNavigation } from "../routing/router.js";

export const PRODUCT_NAME = "OTP";

export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ${PRODUCT_NAME}`;
  }, [title]);
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
