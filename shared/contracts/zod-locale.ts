/**
 * zod's English messages, for every schema of the product. Schemas are built with `zod/mini` (functions
 * instead of chained methods, so a bundle holds and evaluates only the kinds and checks it uses: a shorter
 * cold start), and mini loads no locale: without this, every default message would read "Invalid input".
 * The API's problem+json reasons, the stored-item errors and the configuration errors are these messages.
 *
 * Every module that builds a schema imports this one for its effect. It is the one module of ours that does
 * something when imported, so package.json's `sideEffects` names it: the bundler keeps it in every bundle
 * that builds a schema.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());
