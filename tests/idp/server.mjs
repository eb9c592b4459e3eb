// Test identity server for Tokendesk: the pinned, OpenID Certified `oidc-provider`,
// configured from a JSON file written by the pytest fixture (tests/support/idp.py).
// It binds to 127.0.0.1 on a free port and prints one line "READY <issuer>" when it can serve.
//
// Config file shape:
//   { "jwks": {"keys": [<private RSA JWK>]},
//     "clients": [<oidc-provider client metadata>],
//     "scopes": ["api:read", ...],
//     "resources": { "<resource indicator>": {"scope": "...", "ttl": 60, "format": "jwt"|"opaque"} },
//     "defaultResource": "<resource indicator>",
//     "tls": {"cert": <server PEM chain>, "key": <server key PEM>, "ca": <client CA PEM>} }
// With "tls", a second listener (https, asking for client certificates, RFC 8705) serves the same
// provider; it is published as the mtls_endpoint_aliases and announced as "MTLS <base>" first.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

const server = http.createServer();
const mtlsServer = config.tls
  ? https.createServer({
    cert: config.tls.cert, key: config.tls.key, ca: config.tls.ca,
    requestCert: true, rejectUnauthorized: false,
  })
  : null;

// The client certificate the TLS listener received (undefined over plain http).
function peerCertificate(ctx) {
  const socket = ctx.req.socket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  return peer && peer.raw ? new crypto.X509Certificate(peer.raw) : undefined;
}

const listening = (s) => new Promise((resolve) => { s.listen(0, '127.0.0.1', resolve); });

await listening(server);
if (mtlsServer) await listening(mtlsServer);
{
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const mtlsBase = mtlsServer ? `https://127.0.0.1:${mtlsServer.address().port}` : null;

  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: config.jwks,
    scopes: config.scopes,
    clientAuthMethods: [
      'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none',
      'tls_client_auth', 'self_signed_tls_client_auth',
    ],
    enabledJWA: { dPoPSigningAlgValues: ['ES256', 'RS256'] },
    discovery: mtlsBase ? {
      mtls_endpoint_aliases: {
        token_endpoint: `${mtlsBase}/token`,
        revocation_endpoint: `${mtlsBase}/token/revocation`,
        introspection_endpoint: `${mtlsBase}/token/introspection`,
      },
    } : {},
    features: {
      dPoP: {
        enabled: true,
        nonceSecret: crypto.randomBytes(32),
        requireNonce: () => true,
      },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peerCertificate,
        certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
        certificateSubjectMatches: (ctx, property, expected) => {
          const cert = peerCertificate(ctx);
          if (!cert) return false;
          if (property === 'tls_client_auth_san_dns') {
            return (cert.subjectAltName || '').split(', ').includes(`DNS:${expected}`);
          }
          return false;
        },
      },
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
  if (mtlsServer) {
    mtlsServer.on('request', provider.callback());
    process.stdout.write(`MTLS ${mtlsBase}\n`);
  }
  process.stdout.write(`READY ${issuer}\n`);
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (mtlsServer) mtlsServer.close();
    server.close(() => process.exit(0));
  });
}
