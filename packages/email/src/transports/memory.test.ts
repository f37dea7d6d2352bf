import { describe, expect, it } from "vitest";
import { createRenderer } from "../render/renderer.js";
import { toOutgoingMail } from "./mail-transport.js";
import { createMemoryTransport } from "./memory.js";

const renderer = createRenderer({ productName: "Acme", baseUrl: "https://acme.example" });
const LINK_TOKEN =
  "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E";

async function codeMail(kind: "VERIFICATION_CODE" | "SIGN_IN_CODE", to: string, code: string) {
  const message = { kind, to, code, expiresInSeconds: 600, linkToken: LINK_TOKEN } as const;
  return toOutgoingMail(message, await renderer.render(message));
}

describe("in-memory transport", () => {
  it("records each rendered message, oldest first, and answers the last code sent to an address", async () => {
    const mail = createMemoryTransport();
    await mail.send(await codeMail("VERIFICATION_CODE", "ada@example.com", "11111111"));
    const notice = { kind: "ALREADY_REGISTERED", to: "bob@example.com" } as const;
    await mail.send(toOutgoingMail(notice, await renderer.render(notice)));
    const { messageId } = await mail.send(
      await codeMail("SIGN_IN_CODE", "ada@example.com", "22222222"),
    );

    expect(mail.messages().map((message) => [message.to, message.meta?.kind])).toEqual([
      ["ada@example.com", "VERIFICATION_CODE"],
      ["bob@example.com", "ALREADY_REGISTERED"],
      ["ada@example.com", "SIGN_IN_CODE"],
    ]);
    expect(mail.get(messageId)?.text).toContain("22222222");
    expect(mail.lastCodeFor("Ada@Example.com")).toBe("22222222");
    expect(mail.lastCodeFor("ada@example.com", "VERIFICATION_CODE")).toBe("11111111");
    expect(mail.lastCodeFor("bob@example.com")).toBeUndefined();
    expect(mail.lastMailTo("bob@example.com")?.subject).toBe(
      "You already have an account with Acme",
    );
    expect(mail.lastMailTo("carol@example.com")).toBeUndefined();
  });

  it("waits for a code sent later, or one newer than a given message, and gives up after its timeout", async () => {
    const mail = createMemoryTransport();
    const waiting = mail.waitForCode("ada@example.com", { kind: "SIGN_IN_CODE" });
    await mail.send(await codeMail("VERIFICATION_CODE", "ada@example.com", "11111111"));
    setTimeout(async () => {
      await mail.send(await codeMail("SIGN_IN_CODE", "ada@example.com", "22222222"));
    }, 20);
    expect(await waiting).toBe("22222222");

    const first = mail.lastMailTo("ada@example.com");
    const newer = mail.waitForMail("ada@example.com", { after: first, timeoutMs: 2000 });
    await mail.send(await codeMail("SIGN_IN_CODE", "ada@example.com", "33333333"));
    expect((await newer).meta?.code).toBe("33333333");

    await expect(mail.waitForCode("nobody@example.com", { timeoutMs: 30 })).rejects.toThrow(
      "no code email to nobody@example.com within 30 ms",
    );
  });

  it("keeps at most its capacity, dropping the oldest, and clears", async () => {
    const mail = createMemoryTransport({ capacity: 2 });
    for (const code of ["1", "2", "3"]) {
      await mail.send(await codeMail("SIGN_IN_CODE", `${code}@example.com`, code));
    }
    expect(mail.messages().map((message) => message.to)).toEqual([
      "2@example.com",
      "3@example.com",
    ]);
    mail.clear();
    expect(mail.messages()).toEqual([]);
    expect(() => createMemoryTransport({ capacity: 0 })).toThrow(RangeError);
  });
});
