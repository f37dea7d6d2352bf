/** Product facts the templates print. Callers pass them; this package reads no environment. */
export interface EmailConfig {
  /** Shown in subjects, headings and the footer, e.g. "Acme". */
  productName: string;
  /** Public address of the product, e.g. "https://acme.example". Linked from every footer. */
  baseUrl: string;
  /** Where "sign in" links point; defaults to `${baseUrl}/sign-in`. */
  signInUrl?: string;
  /** Where "reset your password" links point; defaults to `${baseUrl}/reset-password`. */
  resetPasswordUrl?: string;
  /** The account page (sessions, activity); defaults to `${baseUrl}/account`. */
  accountUrl?: string;
}

/** The config with every link worked out, as templates use it. */
export interface ResolvedEmailConfig {
  productName: string;
  baseUrl: string;
  signInUrl: string;
  resetPasswordUrl: string;
  accountUrl: string;
}

export function resolveEmailConfig(config: EmailConfig): ResolvedEmailConfig {
  const productName = config.productName.trim();
  if (productName === "") throw new Error("email config: productName must not be empty");
  // Parse to reject a typo early (a bad link in every email is worse than a startup error),
  // then keep the caller's spelling minus trailing slashes so paths join cleanly.
  try {
    new URL(config.baseUrl);
  } catch {
    throw new Error(
      `email config: baseUrl is not an absolute URL: ${JSON.stringify(config.baseUrl)}`,
    );
  }
  const baseUrl = config.baseUrl.replace(/\/+$/, "");
  return {
    productName,
    baseUrl,
    signInUrl: config.signInUrl ?? `${baseUrl}/sign-in`,
    resetPasswordUrl: config.resetPasswordUrl ?? `${baseUrl}/reset-password`,
    accountUrl: config.accountUrl ?? `${baseUrl}/account`,
  };
}
