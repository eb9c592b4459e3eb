// Test identity server for Tokendesk: the pinned, OpenID Certified `oidc-provider`,
// configured from a JSON file written by the pytest fixture (tests/support/idp.py).
// It binds to 127.0.0.1 on a free port and prints one line "READY <issuer>" when it can serve.
//
// Config file shape:
//   { "jwks": {"keys": [<private RSA JWK>]},
//     "clients": [<oidc-provider client metadata>],
//     "scopes": ["api:read", ...],
//     "resources": { "<resource indicator>": {"scope": "...", "ttl": 60, "format": "jwt"|"opaque"} },
//     "defaultResource": "<resource indicator>" }
import http from 'node:http';
import fs from 'node:fs';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: config.jwks,
    scopes: config.scopes,
    clientAuthMethods: [
      'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none',
    ],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? config.defaultResource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          const rs = config.resources[indicator];
          if (!rs) throw new errors.InvalidTarget();
          return {
            scope: rs.scope,
            audience: indicator,
            accessTokenTTL: rs.ttl,
            accessTokenFormat: rs.format,
            ...(rs.format === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
          };
        },
      },
    },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
