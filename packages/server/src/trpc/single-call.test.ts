/**
 * `answerSingleMutation` answers exactly as tRPC's own handler: the same status, body and
 * headers for a result, a thrown TRPCError, an input the procedure's schema refuses and an
 * unexpected error; and it leaves to tRPC's handler every request of another shape.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { answerSingleMutation } from "./single-call.js";

interface Ctx {
  user: string;
}
const t = initTRPC.context<Ctx>().create({
  // No stack in the shape: two calls' stacks differ by their call sites.
  isDev: false,
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    data: { ...shape.data, cause: error.cause instanceof Error ? "has a cause" : null },
  }),
});
const router = t.router({
  auth: t.router({
    echo: t.procedure
      .input(z.object({ text: z.string().min(2) }))
      .mutation(({ input, ctx }) => ({ said: input.text, by: ctx.user })),
    refuse: t.procedure.mutation(() => {
      throw new TRPCError({ code: "FORBIDDEN", message: "not for you" });
    }),
    unavailable: t.procedure.mutation(() => {
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "come back later" });
    }),
    crash: t.procedure.mutation(() => {
      throw new Error("unexpected");
    }),
    read: t.procedure.query(() => "a query"),
    noContext: t.procedure.mutation(() => "never reached"),
  }),
});

const contextOf = (path: string): Ctx => {
  if (path === "auth.noContext") throw new Error("no context");
  return { user: "ada" };
};

async function byTrpc(path: string, body: string) {
  const errors: string[] = [];
  const response = await fetchRequestHandler({
    endpoint: "/trpc",
    router,
    req: new Request(`http://localhost/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    }),
    createContext: () => contextOf(path),
    onError: ({ error }) => errors.push(error.code),
  });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
    errors,
  };
}

async function bySingleCall(path: string, body: string) {
  const errors: string[] = [];
  const answer = await answerSingleMutation({
    router,
    path,
    method: "POST",
    batch: false,
    accept: undefined,
    body,
    createContext: () => contextOf(path),
    onError: ({ error }) => errors.push(error.code),
  });
  if (answer === null) throw new Error("not answered");
  return { ...answer, errors };
}

describe("one mutation answered without tRPC's Fetch round trip", () => {
  it.each([
    ["a result", "auth.echo", JSON.stringify({ text: "hello" })],
    ["an input the schema refuses", "auth.echo", JSON.stringify({ text: "h" })],
    ["a TRPCError", "auth.refuse", JSON.stringify({})],
    [
      "a 503 (its Retry-After is the host's, by status, on both paths)",
      "auth.unavailable",
      JSON.stringify({}),
    ],
    ["an unexpected error", "auth.crash", JSON.stringify({})],
    ["a context that cannot be made", "auth.noContext", JSON.stringify({})],
  ])("%s: the status, body and headers tRPC's handler gives", async (_what, path, body) => {
    const expected = await byTrpc(path, body);
    const actual = await bySingleCall(path, body);
    expect(actual.status).toBe(expected.status);
    expect(JSON.parse(actual.body)).toEqual(JSON.parse(expected.body));
    expect(actual.headers).toEqual(expected.headers);
    expect(actual.errors).toEqual(expected.errors);
  });

  it("leaves every other shape to tRPC's handler", async () => {
    const base = {
      router,
      path: "auth.echo",
      method: "POST",
      batch: false,
      accept: undefined,
      body: JSON.stringify({ text: "hello" }),
      createContext: () => ({ user: "ada" }),
    };
    await expect(answerSingleMutation(base)).resolves.not.toBeNull();
    for (const other of [
      { method: "GET" },
      { batch: true },
      { path: "auth.echo,auth.refuse" },
      { accept: "application/jsonl" },
      { path: "auth.read" },
      { path: "auth.missing" },
      { path: "toString" },
      { body: "" },
      { body: "{not json" },
    ]) {
      await expect(
        answerSingleMutation({ ...base, ...other }),
        JSON.stringify(other),
      ).resolves.toBeNull();
    }
  });
});
