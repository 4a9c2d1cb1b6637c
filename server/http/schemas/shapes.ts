// Building blocks of the response schemas (TypeBox): nullable fields, instants, string enums. Fastify serialises a
// response with fast-json-stringify from its schema, which drops every property the schema does not name: a response
// schema is exact (additionalProperties: false) wherever the shape is fixed.
import { Type, type TSchema } from '@fastify/type-provider-typebox';

/** `T | null`. */
export const Nullable = <T extends TSchema>(t: T, options: { description?: string } = {}) => Type.Union([t, Type.Null()], options);

/** An instant, ISO 8601 in UTC (a Date from the database is written as its toISOString()). */
export const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** One of a fixed list of strings (`enum` in the document; the TypeScript type is the union). */
export const StringEnum = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

/** An object whose every property is listed: nothing else is sent. */
export const Exact = <P extends Parameters<typeof Type.Object>[0]>(properties: P, options: { description?: string; $id?: string } = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

/** A body that is not JSON: a file or a stream, by media type (the document lists each content type). */
export const Content = (description: string, content: Record<string, TSchema>) => ({
  description,
  content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
});

/** Bytes: an image, a vector tile, a spreadsheet, a PDF. */
export const Binary = (description: string) => Type.String({ format: 'binary', description });
