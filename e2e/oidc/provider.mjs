// An OpenID Certified provider (panva/node-oidc-provider) on 127.0.0.1 for the social login e2e tests.
//
// Configured from the environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI and
// OIDC_ACCOUNTS (JSON: login name -> {email, email_verified}). Any login name signs in (its password is
// not checked: devInteractions' pages); its claims come from OIDC_ACCOUNTS. Each start makes a new RSA
// signing key with a new `kid`, as a provider that rotated its keys.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'name'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const known = accounts[id] || { email: `${id}@example.com`, email_verified: false };
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, ...known };
      },
    };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ issuer, kid: signingKey.kid }));
});
