/** The kinds of passcode the product issues; also the Postgres enum `code_type`. */
export const CODE_TYPES = ["VERIFICATION", "PASSWORD_RESET", "SIGN_IN", "EMAIL_CHANGE"] as const;
/** One of `CODE_TYPES`. */
export type CodeType = (typeof CODE_TYPES)[number];
