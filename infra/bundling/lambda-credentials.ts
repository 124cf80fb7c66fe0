import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in Lambda bundles only (an esbuild alias set by
 * ProjectFunction). The Lambda runtime hands the function's role credentials to the process as environment
 * variables, so the SSO, INI, web-identity and instance-metadata providers of the default chain (about
 * 90 KB minified) are dead weight there. Tests and the local stack run the sources with the full chain.
 */
export const defaultProvider = () => fromEnv();
