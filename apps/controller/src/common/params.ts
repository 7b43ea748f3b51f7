import { z } from "zod";
import { ZodParam } from "./zod";

const uuid = z.string().uuid("must be a UUID");

/** A route's `:id`, which must be a UUID (400 otherwise, before any lookup). */
export const IdParam = (name = "id"): ParameterDecorator => ZodParam(name, uuid);
