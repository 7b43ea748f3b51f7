import { ApiResponse } from "@nestjs/swagger";
import { z } from "zod";

/**
 * Answer bodies as zod schemas. Each view function returns `z.infer` of its schema, so the compiler keeps the
 * view and the documented answer the same; the document names each schema once under components.schemas.
 */
const named = new Map<string, z.ZodType>();

/** `@Answer(200, "Node", nodeSchema)`: the operation answers `status` with a body of that schema. */
export function Answer(status: number, name: string, schema: z.ZodType): MethodDecorator {
  const known = named.get(name);
  if (known && known !== schema) throw new Error(`two answer schemas are named ${name}`);
  named.set(name, schema);
  return ApiResponse({ status, description: name, content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } } });
}

/** Every schema an @Answer named, as OpenAPI components. */
export function answerSchemas(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    [...named].map(([name, schema]) => [
      name,
      z.toJSONSchema(schema, { target: "openapi-3.0", io: "output", unrepresentable: "any" }) as Record<string, unknown>,
    ]),
  );
}

/** A list answer: `{items, nextCursor}` (see pagination.ts). */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const isoTime = z.string().describe("ISO 8601 time");
/** A stored JSON document whose shape the API does not fix. */
export const json = z.unknown();
