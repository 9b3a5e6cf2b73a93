/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundle (an esbuild alias in
 * scripts/lambda-bundle.ts). Lambda always hands its role's credentials over in environment
 * variables, so the rest of the default chain (SSO, INI files, IMDS, STS web identity) is dead
 * weight: dropping it saves about 100 KB of bundle.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (): ReturnType<typeof fromEnv> => fromEnv();
