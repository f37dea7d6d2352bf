import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import {
  type ApiFailure,
  allFieldErrors,
  codeMessage,
  describeFailure,
  type FailureCode,
  fieldError,
  formFailure,
  isTransient,
  readApiFailure,
} from "./api-errors.js";

/** An error as the tRPC client raises it for an answer carrying `data` (the API's formatter). */
function answered(data: Record<string, unknown>) {
  return new TRPCClientError("server words, never shown", {
    result: { error: { message: "server words", code: -32600, data } },
  } as never);
}

const now = new Date("2030-01-01T12:00:00Z");
const utc = { locale: "en-GB", timeZone: "UTC" };
const failure = (code: FailureCode, details: Partial<ApiFailure> = {}): ApiFailure => ({
  code,
  fieldErrors: {},
  ...details,
});

describe("readApiFailure", () => {
  it("reads the code and details from error.data", () => {
    const read = readApiFailure(
      answered({
        code: "TOO_MANY_ATTEMPTS",
        message: "x",
        retryAt: "2030-01-01T12:12:00.000Z",
        httpStatus: 429,
      }),
    );
    expect(read).toEqual({
      code: "TOO_MANY_ATTEMPTS",
      fieldErrors: {},
      retryAt: new Date("2030-01-01T12:12:00.000Z"),
    });
  });

  it("reads attempts left and field errors", () => {
    expect(
      readApiFailure(answered({ code: "SEND_LIMIT_REACHED", reason: "COOLDOWN", retryAt: "x" })),
    ).toEqual({ code: "SEND_LIMIT_REACHED", reason: "COOLDOWN", fieldErrors: {} });
    expect(readApiFailure(answered({ code: "OTP_INVALID", attemptsLeft: 3 }))).toMatchObject({
      code: "OTP_INVALID",
      attemptsLeft: 3,
    });
    const invalid = readApiFailure(
      answered({ code: "INVALID_INPUT", fieldErrors: { email: ["Enter a valid email."] } }),
    );
    expect(fieldError(invalid, "email")).toBe("Enter a valid email.");
    expect(fieldError(invalid, "password")).toBeUndefined();
    expect(allFieldErrors(invalid)).toEqual(["Enter a valid email."]);
  });

  it("treats an answer without the API's data as the service being unreachable", () => {
    const networkDown = TRPCClientError.from(new TypeError("Failed to fetch"));
    expect(readApiFailure(networkDown).code).toBe("NETWORK");
  });

  it("treats an unknown code, or anything else thrown, as an internal error", () => {
    expect(readApiFailure(answered({ code: "SOMETHING_NEW" })).code).toBe("INTERNAL_ERROR");
    expect(readApiFailure(new Error("bug")).code).toBe("INTERNAL_ERROR");
  });

  it("ignores malformed details rather than showing them", () => {
    const read = readApiFailure(
      answered({ code: "OTP_INVALID", attemptsLeft: "3", retryAt: "soon", fieldErrors: [1] }),
    );
    expect(read).toEqual({ code: "OTP_INVALID", fieldErrors: {} });
  });
});

describe("describeFailure", () => {
  const text = (f: ApiFailure) => describeFailure(f, now, utc).text;

  it("counts the attempts left on a wrong code", () => {
    expect(text(failure("OTP_INVALID", { attemptsLeft: 4 }))).toBe(
      "That code is not correct. You have 4 attempts left.",
    );
    expect(text(failure("OTP_INVALID", { attemptsLeft: 1 }))).toBe(
      "That code is not correct. You have 1 attempt left.",
    );
    expect(text(failure("OTP_INVALID", { attemptsLeft: 0 }))).toMatch(/last try/);
  });

  it("offers a new code for an expired or used code, not for a wrong one", () => {
    expect(describeFailure(failure("OTP_EXPIRED")).offerResend).toBe(true);
    expect(describeFailure(failure("OTP_ALREADY_USED")).offerResend).toBe(true);
    expect(describeFailure(failure("OTP_INVALID")).offerResend).toBe(false);
    expect(describeFailure(failure("TOO_MANY_ATTEMPTS")).offerResend).toBe(false);
    expect(text(failure("OTP_EXPIRED"))).toMatch(/expired.*new code/);
  });

  it("says when to try again after too many attempts or sends", () => {
    const retryAt = new Date("2030-01-01T12:12:00Z");
    expect(text(failure("TOO_MANY_ATTEMPTS", { retryAt }))).toBe(
      "Too many incorrect codes. You can try again in 12 minutes (at 12:12). A new code will not help before then.",
    );
    expect(text(failure("SEND_LIMIT_REACHED", { retryAt, reason: "HOURLY_CAP" }))).toBe(
      "The most codes allowed in an hour were sent to this address. You can ask for another in 12 minutes (at 12:12). The latest code still works until it expires.",
    );
    expect(
      text(
        failure("SEND_LIMIT_REACHED", {
          retryAt: new Date("2030-01-01T12:00:27Z"),
          reason: "COOLDOWN",
        }),
      ),
    ).toBe("A code was sent a moment ago. You can ask for another in 27 seconds.");
    expect(text(failure("TOO_MANY_ATTEMPTS"))).toMatch(/Wait a while/);
    // The last try says when, and that a new code does not help.
    expect(text(failure("OTP_INVALID", { attemptsLeft: 0, retryAt }))).toBe(
      "That code is not correct, and that was the last try for now. You can try again in 12 minutes (at 12:12). A new code will not help before then.",
    );
    expect(describeFailure(failure("TOO_MANY_ATTEMPTS", { retryAt }), now, utc).text).toMatch(
      /A new code will not help before then\.$/,
    );
    expect(
      describeFailure(failure("TOO_MANY_ATTEMPTS", { retryAt }), now, {
        ...utc,
        checked: "password",
      }).text,
    ).toBe(
      "Too many incorrect passwords for this account. You can try again in 12 minutes (at 12:12). Or sign in with a code instead.",
    );
  });

  it("says when a rate-limited network can try again, when the API says", () => {
    expect(text(failure("RATE_LIMITED", { retryAt: new Date("2030-01-01T12:01:00Z") }))).toBe(
      "Too many requests from your network. You can try again in 1 minute (at 12:01).",
    );
  });

  it("words the sign-in and account failures", () => {
    expect(text(failure("INVALID_CREDENTIALS"))).toMatch(/do not match an account/);
    expect(text(failure("EMAIL_NOT_VERIFIED"))).toMatch(/not verified yet.*verification code/);
    expect(text(failure("UNAUTHORIZED"))).toBe("Sign in to continue.");
    expect(text(failure("EMAIL_TAKEN"))).toMatch(/belongs to another account/);
    const codes: FailureCode[] = [
      "INVALID_CREDENTIALS",
      "EMAIL_NOT_VERIFIED",
      "UNAUTHORIZED",
      "EMAIL_TAKEN",
      "OTP_INVALID",
      "RATE_LIMITED",
    ];
    expect(new Set(codes.map((code) => text(failure(code)))).size).toBe(codes.length);
  });

  it("words the transport failures", () => {
    expect(text(failure("RATE_LIMITED"))).toMatch(/Too many requests/);
    expect(text(failure("SERVICE_UNAVAILABLE"))).toMatch(/temporarily unavailable/);
    expect(text(failure("NETWORK"))).toMatch(/could not be reached/);
  });

  it("has a distinct message for every code the verify page can meet", () => {
    const codes: FailureCode[] = [
      "OTP_INVALID",
      "OTP_EXPIRED",
      "OTP_ALREADY_USED",
      "TOO_MANY_ATTEMPTS",
      "SEND_LIMIT_REACHED",
      "RATE_LIMITED",
      "SERVICE_UNAVAILABLE",
      "NETWORK",
    ];
    const texts = codes.map((code) => text(failure(code)));
    expect(new Set(texts).size).toBe(codes.length);
  });

  it("retries automatically only what may pass unchanged", () => {
    expect(isTransient(failure("NETWORK"))).toBe(true);
    expect(isTransient(failure("SERVICE_UNAVAILABLE"))).toBe(true);
    expect(isTransient(failure("NOT_FOUND"))).toBe(false);
    expect(isTransient(failure("OTP_INVALID"))).toBe(false);
  });
});

describe("formFailure", () => {
  const invalid = (fieldErrors: Record<string, string[]>) =>
    failure("INVALID_INPUT", { fieldErrors });

  it("puts the API's words beside the form's own fields, first field first", () => {
    const shown = formFailure(invalid({ password: ["Too short."], email: ["Not an address."] }), [
      "email",
      "password",
    ]);
    expect(shown).toEqual({
      fields: { email: "Not an address.", password: "Too short." },
      firstField: "email",
      message: undefined,
    });
  });

  it("shows a field the form lacks, or any other failure, as one message", () => {
    expect(formFailure(invalid({ codeType: ["Unknown."] }), ["email"]).message).toBe("Unknown.");
    expect(formFailure(failure("INVALID_CREDENTIALS"), ["email", "password"])).toEqual({
      fields: {},
      firstField: undefined,
      message: describeFailure(failure("INVALID_CREDENTIALS")).text,
    });
  });

  it("is empty without a failure", () => {
    expect(formFailure(undefined, ["email"])).toEqual({
      fields: {},
      firstField: undefined,
      message: undefined,
    });
  });
});

describe("codeMessage", () => {
  it("gives the API's words for a malformed code, else the code's message", () => {
    expect(
      codeMessage(failure("INVALID_INPUT", { fieldErrors: { code: ["Enter the 8 digits."] } }))
        .text,
    ).toBe("Enter the 8 digits.");
    expect(codeMessage(failure("OTP_EXPIRED"))).toEqual(describeFailure(failure("OTP_EXPIRED")));
  });
});
