import type { Context, Env, MiddlewareHandler, ValidationTargets } from "hono";
import { validator } from "hono/validator";
import type { z } from "zod";
import { invalidInput } from "./errors.ts";

type Target = "json" | "query" | "param";

const WHERE: Record<Target, string> = { json: "body", query: "query", param: "path" };

/**
 * Validates one part of the request with a contract schema (zod): a failure is a 400
 * `{detail, code: "invalid_input", issues}`; on success the handler reads the parsed value with
 * `c.req.valid(target)`, and the typed client sees the schema's input type.
 */
export function valid<S extends z.ZodType, T extends Target, E extends Env = Env, P extends string = string>(
  target: T,
  schema: S,
): MiddlewareHandler<
  E,
  P,
  {
    in: { [K in T]: z.input<S> extends ValidationTargets[K] ? z.input<S> : z.input<S> & ValidationTargets[K] };
    out: { [K in T]: z.output<S> };
  }
> {
  return validator(target, async (value: unknown, c: Context) => {
    const result = await schema.safeParseAsync(value);
    if (!result.success) return invalidInput(c, WHERE[target], result.error);
    return result.data;
  }) as MiddlewareHandler;
}
