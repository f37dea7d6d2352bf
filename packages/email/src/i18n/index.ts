import { en } from "./en.js";
import type { Messages } from "./messages.js";

export type { Messages, MessagesByKind } from "./messages.js";

export const DEFAULT_LOCALE = "en";

/** The catalogues this package ships. A renderer may add more (see `createRenderer`). */
export const BUILT_IN_LOCALES: Readonly<Record<string, Messages>> = { en };
