import { describe, expect, it } from "vitest";
import { createRenderer } from "../render/renderer.js";
import { createDevMailbox } from "./dev-mailbox.js";
import { type OutgoingMail, toOutgoingMail } from "./mail-transport.js";

function mail(to: string, code?: string): OutgoingMail {
  return {
    to,
    subject: "Verify your email for Acme",
    html: `<p>${code}</p>`,
    text: `${code}`,
    meta: code === undefined ? { kind: "ALREADY_REGISTERED" } : { kind: "VERIFICATION_CODE", code },
  };
}

describe("dev mailbox", () => {
  it("prints one line per message naming the recipient and the code", async () => {
    const lines: string[] = [];
    const mailbox = createDevMailbox({ log: (line) => lines.push(line) });

    await mailbox.send(mail("alice@example.com", "12345678"));
    await mailbox.send(mail("bob@example.com"));

    expect(lines).toEqual([
      '[dev-mailbox] to alice@example.com: "Verify your email for Acme" code 12345678',
      '[dev-mailbox] to bob@example.com: "Verify your email for Acme"',
    ]);
  });

  it("prints the code of a rendered message passed through toOutgoingMail", async () => {
    const lines: string[] = [];
    const mailbox = createDevMailbox({ log: (line) => lines.push(line) });
    const renderer = createRenderer({ productName: "Acme", baseUrl: "https://acme.example" });
    const message = {
      kind: "SIGN_IN_CODE",
      to: "carol@example.com",
      code: "90817263",
      expiresInSeconds: 600,
      linkToken: "0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E",
    } as const;

    const { messageId } = await mailbox.send(
      toOutgoingMail(message, await renderer.render(message)),
    );

    expect(lines).toEqual([
      '[dev-mailbox] to carol@example.com: "Sign in to Acme" code 90817263 link /link#token=0b0e4a3c-5d1f-4e2a-9c7b-3f6d8e1a2b4c.q2Vb0x7m1kQe3T9rX8yZp4LwN6uJc5AaHs0dFg2iK1E',
    ]);
    expect(mailbox.get(messageId)?.text).toContain("This code expires in 10 minutes.");
  });

  it("prints the link whole, from the app's address, so a terminal can open it", async () => {
    const lines: string[] = [];
    const mailbox = createDevMailbox({
      log: (line) => lines.push(line),
      baseUrl: "http://localhost:3000/",
    });
    await mailbox.send({
      ...mail("dan@example.com", "12345678"),
      meta: { kind: "VERIFICATION_CODE", code: "12345678", linkToken: "abc.def" },
    });

    expect(lines).toEqual([
      '[dev-mailbox] to dan@example.com: "Verify your email for Acme" code 12345678 link http://localhost:3000/link#token=abc.def',
    ]);
  });

  it("keeps the newest messages first and drops the oldest beyond capacity", async () => {
    const mailbox = createDevMailbox({ capacity: 2, log: () => {} });
    const first = await mailbox.send(mail("one@example.com", "1"));
    const second = await mailbox.send(mail("two@example.com", "2"));
    const third = await mailbox.send(mail("three@example.com", "3"));

    expect(mailbox.list().map((message) => message.to)).toEqual([
      "three@example.com",
      "two@example.com",
    ]);
    expect(mailbox.get(first.messageId)).toBeUndefined();
    expect(mailbox.get(second.messageId)?.text).toBe("2");
    const newest = mailbox.get(third.messageId);
    expect(newest).toMatchObject({
      id: third.messageId,
      to: "three@example.com",
      subject: "Verify your email for Acme",
      html: "<p>3</p>",
      meta: { kind: "VERIFICATION_CODE", code: "3" },
    });
    expect(newest?.sentAt).toBeInstanceOf(Date);
  });

  it("clears, and hands out copies of its list", async () => {
    const mailbox = createDevMailbox({ log: () => {} });
    await mailbox.send(mail("a@example.com", "1"));
    mailbox.list().length = 0;
    expect(mailbox.list()).toHaveLength(1);
    mailbox.clear();
    expect(mailbox.list()).toEqual([]);
  });

  it("refuses a capacity below one", () => {
    expect(() => createDevMailbox({ capacity: 0 })).toThrow(RangeError);
  });
});
