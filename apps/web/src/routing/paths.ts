/** Every page's address, built in one place. */
export const paths = {
  createAccount: "/",
  verify: (email: string) => `/verify?${new URLSearchParams({ email })}`,
  verified: (email: string) => `/verified?${new URLSearchParams({ email })}`,
  mailbox: "/mailbox",
} as const;
