import { createInputSchemas, DEFAULT_POLICY, type PasscodePolicy } from "@otp/core";
import type { z } from "zod";
import { SUPPORTED_LOCALES } from "../locale.js";
import type { AnyOperation, LimitGroup, RestBinding } from "./define.js";
import { type DeclaredOperation, OPERATION_LIST, TRPC_PREFIX } from "./index.js";
import { fieldsOf } from "./input.js";

/** One operation as a client reaches it: its REST route and its tRPC procedure, with field names. */
export interface Endpoint {
  procedure: string;
  operation: AnyOperation;
  kind: AnyOperation["kind"];
  limit: LimitGroup;
  session: boolean;
  /** The input as the core declares it (procedure field names); null for none. */
  schema: z.ZodObject | null;
  /** The procedure's field names. */
  fields: string[];
  trpcPath: string;
  rest?: RestBinding & {
    /** The REST body's field names (after the renames). */
    fields: string[];
    /** Procedure field name -> REST field name. */
    toRest: Record<string, string>;
  };
}

function endpointOf(
  { procedure, operation }: DeclaredOperation,
  schemas: ReturnType<typeof createInputSchemas>,
): Endpoint {
  const schema = operation.input?.(schemas) ?? null;
  const fields = schema === null ? [] : fieldsOf(schema);
  const endpoint: Endpoint = {
    procedure,
    operation,
    kind: operation.kind,
    limit: operation.limit,
    session: operation.session,
    schema,
    fields,
    trpcPath: `${TRPC_PREFIX}/${procedure}`,
  };
  if (operation.rest !== undefined) {
    const toRest = Object.fromEntries(
      Object.entries(operation.rest.renames ?? {}).map(([rest, field]) => [field, rest]),
    );
    endpoint.rest = {
      ...operation.rest,
      fields: fields.map((field) => toRest[field] ?? field),
      toRest,
    };
  }
  return endpoint;
}

/** Every operation's endpoints (the field names do not depend on the policy; the schemas do). */
export function endpointsOf(policy: PasscodePolicy = DEFAULT_POLICY): Endpoint[] {
  const schemas = createInputSchemas(policy, SUPPORTED_LOCALES);
  return OPERATION_LIST.map((declared) => endpointOf(declared, schemas));
}
