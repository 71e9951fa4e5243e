/** The error start-up reports for a misconfigured or unreachable provider, naming the provider. */
export class ProviderSetupError extends Error {
  constructor(provider: string, reason: string, options?: { cause?: unknown }) {
    super(`OAuth provider "${provider}": ${reason}`, options);
    this.name = 'ProviderSetupError';
  }
}
