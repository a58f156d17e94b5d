/**
 * The OpenID Connect relying party, on openid-client (a certified RP
 * implementation): discovery of the provider (cached per settings), the
 * authorisation request with PKCE S256, state and nonce, and the code
 * exchange with ID token validation (OpenID Connect Core 1.0 §3.1.3.7).
 *
 * A sign-in in progress is kept in memory behind a random cookie for a few
 * minutes (it holds the PKCE verifier, state and nonce).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcConfig } from '../../config/oidc.ts';
import { resolveSecret } from '../../util/secret.ts';

export const FLOW_MS = 10 * 60_000;
const MAX_FLOWS = 1000;
/** discovery is re-read after this long (a provider's keys rotate) */
const DISCOVERY_MS = 60 * 60_000;
const TIMEOUT_S = 10;

interface Flow {
  verifier: string;
  state: string;
  nonce: string;
  redirectUri: string;
  next: string;
  expires: number;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('base64url');

export class OidcClient {
  private readonly flows = new Map<string, Flow>();
  private cached: { key: string; at: number; config: Promise<client.Configuration> } | null = null;

  constructor(
    private readonly now: () => number,
    private readonly base: string,
  ) {}

  private async configuration(o: OidcConfig): Promise<client.Configuration> {
    const secret = o.clientSecret === null ? '' : await resolveSecret(o.clientSecret, this.base);
    const key = sha(JSON.stringify([o.issuer, o.clientId, secret]));
    const t = this.now();
    if (this.cached && this.cached.key === key && t - this.cached.at < DISCOVERY_MS) return this.cached.config;
    const insecure = new URL(o.issuer).protocol === 'http:'; // only loopback passes validation (src/config/oidc.ts)
    const config = client.discovery(new URL(o.issuer), o.clientId, secret === '' ? undefined : secret, secret === '' ? client.None() : undefined, {
      timeout: TIMEOUT_S,
      ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
    });
    this.cached = { key, at: t, config };
    config.catch(() => {
      if (this.cached?.config === config) this.cached = null; // try again next time
    });
    return config;
  }

  /** Where to send the browser; returns the URL and the cookie value naming this sign-in. */
  async start(o: OidcConfig, redirectUri: string, next: string): Promise<{ url: string; cookie: string }> {
    const config = await this.configuration(o);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const scopes = new Set(o.scopes.split(/\s+/).filter(Boolean));
    scopes.add('openid');
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: [...scopes].join(' '),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const t = this.now();
    for (const [k, f] of this.flows) if (f.expires <= t) this.flows.delete(k);
    while (this.flows.size >= MAX_FLOWS) this.flows.delete(this.flows.keys().next().value!);
    const cookie = randomBytes(32).toString('base64url');
    this.flows.set(sha(cookie), { verifier, state, nonce, redirectUri, next, expires: t + FLOW_MS });
    return { url: url.href, cookie };
  }

  /**
   * Finishes a sign-in from the provider's redirect: checks state, exchanges
   * the code with the PKCE verifier, validates the ID token (issuer,
   * audience, nonce, signature) and returns its claims merged with the
   * UserInfo response when the ID token lacks `need`.
   */
  async finish(o: OidcConfig, cookie: string | undefined, callback: URL, need: string): Promise<{ claims: Record<string, unknown>; next: string }> {
    const flow = cookie ? this.flows.get(sha(cookie)) : undefined;
    if (!cookie || !flow || flow.expires <= this.now()) throw new Error('this sign-in was not started here or took too long: start again');
    this.flows.delete(sha(cookie)); // one use
    const config = await this.configuration(o);
    // the callback URL as the provider saw it (the redirect URI), with the query it sent
    const current = new URL(flow.redirectUri);
    current.search = callback.search;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('the provider returned no ID token');
    let claims: Record<string, unknown> = { ...idClaims };
    if (!(need in claims) && tokens.access_token) {
      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      claims = { ...info, ...claims };
    }
    return { claims, next: flow.next };
  }
}
