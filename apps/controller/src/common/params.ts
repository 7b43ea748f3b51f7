import { Param } from "@nestjs/common";
import { z } from "zod";
import { ZodPipe } from "./zod";

const uuid = z.string().uuid("must be a UUID");

/** A route's `:id`, which must be a UUID (400 otherwise, before any lookup). */
export const IdParam = (name = "id"): ParameterDecorator => Param(name, new ZodPipe(uuid, name));
