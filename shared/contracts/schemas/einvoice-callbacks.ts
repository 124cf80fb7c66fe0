import * as z from 'zod/mini';
import '../zod-locale.js';

/** What the webhook answers the platform: what the call brought, once recorded. */
export const platformCallbackAnswerSchema = /* @__PURE__ */ z
  .object({
    /** The platform flow the call announced. */
    flowId: z.string(),
    /** Statuses new to our invoices' histories (each published once as `E-Invoice Status Changed v1`). */
    recorded: z.int(),
    /** Statuses already recorded (a redelivery, or the poll was first). */
    duplicates: z.int(),
    /** Our invoices the statuses were about. */
    invoiceIds: z.array(z.string()),
  })
  .register(z.globalRegistry, { id: 'PlatformCallbackAnswer' });
export type PlatformCallbackAnswer = z.infer<typeof platformCallbackAnswerSchema>;
