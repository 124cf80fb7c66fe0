import * as z from 'zod/mini';
import '../zod-locale.js';

/** RFC 9457 problem details, with the fields at fault. */
export const problemSchema = z
  .object({
    type: z
      .string()
      .register(z.globalRegistry, { example: 'https://errors.deferred-billing.dev/validation-failed' }),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    instance: z.optional(z.string()),
    code: z.string().register(z.globalRegistry, {
      description: 'Stable machine-readable code.',
      example: 'validation_failed',
    }),
    errors: z.optional(
      z.array(
        z.object({
          field: z.string().register(z.globalRegistry, {
            description: 'Path of the field at fault.',
            example: 'lines.0.quantity',
          }),
          reason: z.string(),
        }),
      ),
    ),
  })
  .register(z.globalRegistry, { id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;
