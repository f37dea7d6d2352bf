import { type ComponentType, type LazyExoticComponent, lazy } from "react";

/** A page downloaded on demand: see `lazyPage` and `OnDemandPage`. */
export interface LazyPage<P> {
  /** The page once downloaded. */
  loaded: ComponentType<P> | undefined;
  lazy: LazyExoticComponent<ComponentType<P>>;
  /** Starts the download (once); resolves when the page can render. */
  preload(): Promise<void>;
}

export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): LazyPage<P> {
  let loading: Promise<ComponentType<P>> | undefined;
  const page: LazyPage<P> = {
    loaded: undefined,
    lazy: lazy(() => fetchPage().then((component) => ({ default: component }))),
    preload: () => fetchPage().then(() => undefined),
  };
  function fetchPage() {
    loading ??= load().then(
      (component) => {
        page.loaded = component;
        return component;
      },
      (error: unknown) => {
        loading = undefined; // a failed download may be tried again
        throw error;
      },
    );
    return loading;
  }
  return page;
}

/**
 * Renders a page loaded on demand: through `React.lazy` (under a Suspense
 * boundary) until it is here, then directly, since `lazy` alone suspends for one
 * more frame even for a module already downloaded, showing the fallback in between.
 */
export function OnDemandPage<P extends object>({ page, props }: { page: LazyPage<P>; props: P }) {
  const Loaded = page.loaded;
  const Lazy = page.lazy;
  return Loaded === undefined ? <Lazy {...props} /> : <Loaded {...props} />;
}
