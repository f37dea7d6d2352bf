import type { z } from "zod";
import { ApiFailure, type WireError, wireError } from "../errors.js";

/**
 * The edge's only check of an input: a JSON object with no field the
 * operation does not declare. The values are validated once, by the service,
 * with the core's schema; its INVALID_INPUT comes back as a value.
 */
export function refuseUnknownFields(
  body: unknown,
  allowed: ReadonlySet<string>,
): WireError | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const fields = allowed.size > 0 ? `the fields: ${[...allowed].join(", ")}` : "no fields";
    return wireError("INVALID_INPUT", {
      fieldErrors: { _: [`Send a JSON object with ${fields}.`] },
    });
  }
  let unknown: string[] | undefined;
  for (const key in body) {
    if (allowed.has(key)) continue;
    unknown ??= [];
    unknown.push(key);
  }
  if (unknown === undefined) return undefined;
  return wireError("INVALID_INPUT", {
    fieldErrors: Object.fromEntries(
      unknown.map((key) => [key, ["This field is not accepted here."]]),
    ),
  });
}

/** The procedure's field names of an input schema. */
export function fieldsOf(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

/** A tRPC input parser: the object passes through, typed by the core's schema, if no field is unknown. */
export function acceptOnlyFields<S extends z.ZodObject>(schema: S) {
  const allowed = new Set(fieldsOf(schema));
  return (value: unknown): z.input<S> => {
    const refused = refuseUnknownFields(value, allowed);
    if (refused !== undefined) throw new ApiFailure(refused);
    return value as z.input<S>;
  };
}
