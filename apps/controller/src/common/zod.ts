import { ArgumentMetadata, Body, PipeTransform, Query, applyDecorators } from "@nestjs/common";
import { ApiBody } from "@nestjs/swagger";
import { z } from "zod";
import { FerryError, FieldProblem } from "./errors";

/** Validation happens only here, at the edge: a zod schema per DTO, failures as 400 with field and reason. */
export class ZodPipe<T extends z.ZodType> implements PipeTransform {
  /** `whole` names the value itself in errors: "(body)", "(query)" or a route parameter's name. */
  constructor(
    private readonly schema: T,
    private readonly whole = "(body)",
  ) {}

  transform(value: unknown, _meta: ArgumentMetadata): z.infer<T> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const details: FieldProblem[] = parsed.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join(".") : this.whole,
      reason: issue.message,
    }));
    const message = details.map((d) => `${d.field}: ${d.reason}`).join("; ");
    throw new FerryError("ValidationFailed", message, details);
  }
}

export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: "openapi-3.0", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** `@ZodBody(schema) body: z.infer<typeof schema>`: validated body, documented in OpenAPI. */
export function ZodBody(schema: z.ZodType): ParameterDecorator {
  return (target, key, index) => {
    Body(new ZodPipe(schema))(target, key, index);
    if (key !== undefined) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor) applyDecorators(ApiBody({ schema: openApiSchema(schema) }))(target, key, descriptor);
    }
  };
}

export function ZodQuery(schema: z.ZodType): ParameterDecorator {
  return Query(new ZodPipe(schema, "(query)"));
}
