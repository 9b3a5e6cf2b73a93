/**
 * Stands in for `@aws-sdk/credential-provider-node` in the packed agent (scripts/device-bundle.ts).
 * The EC2 client imports the default credential chain at load time even though the agent normally
 * passes its own IoT credentials provider; loading the chain (SSO, STS, INI, IMDS clients) costs
 * memory on a Pi for nothing. Here it is loaded on first use only, for `credentials: "default"`.
 */
type ProviderFactory = (init?: unknown) => () => Promise<unknown>;

export const defaultProvider: ProviderFactory = (init) => {
  let provider: (() => Promise<unknown>) | undefined;
  return async () => {
    if (provider === undefined) {
      const chain = (await import('@aws-sdk/credential-provider-node')) as {
        defaultProvider: ProviderFactory;
      };
      provider = chain.defaultProvider(init);
    }
    return provider();
  };
};
