// Writes a Bruno collection folder with Bruno's own serializer (@usebruno/lang), as the Bruno
// app saves one. Usage: node make_bruno.mjs OUT_DIR SETTINGS_JSON
// SETTINGS_JSON: {"baseUrl", "tokenUrl", "clientId", "scope"}; the client secret is a vars:secret.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import lang from "@usebruno/lang";

const [outDir, settingsJson] = process.argv.slice(2);
const s = JSON.parse(settingsJson);
const write = (path, text) => writeFileSync(join(outDir, path), text);

mkdirSync(join(outDir, "environments"), { recursive: true });
mkdirSync(join(outDir, "Orders"), { recursive: true });
write("bruno.json", JSON.stringify({ version: "1", name: "Orders API (Bruno)", type: "collection", ignore: ["node_modules", ".git"] }, null, 2));
write("collection.bru", lang.jsonToCollectionBru({
  auth: {
    mode: "oauth2",
    oauth2: {
      grantType: "client_credentials",
      accessTokenUrl: "{{tokenUrl}}",
      clientId: "{{clientId}}",
      clientSecret: "{{clientSecret}}",
      scope: "{{scope}}",
      credentialsPlacement: "basic_auth_header",
      autoFetchToken: false,
      autoRefreshToken: false,
    },
  },
}));
write(join("Orders", "folder.bru"), lang.jsonToCollectionBru({ meta: { name: "Orders", seq: 1 } }));
const request = (file, json) => write(file, lang.jsonToBruV2(json));
request(join("Orders", "list.bru"), {
  meta: { name: "List orders", type: "http", seq: 1 },
  http: { method: "get", url: "{{baseUrl}}/orders?status=open&limit=5", body: "none", auth: "inherit" },
  headers: [
    { name: "Accept", value: "application/json", enabled: true },
    { name: "X-Trace", value: "bru-{{scope}}", enabled: true },
    { name: "X-Off", value: "no", enabled: false },
  ],
});
request(join("Orders", "create.bru"), {
  meta: { name: "Create order", type: "http", seq: 2 },
  http: { method: "post", url: "{{baseUrl}}/orders", body: "json", auth: "inherit" },
  headers: [{ name: "Content-Type", value: "application/json", enabled: true }],
  body: { json: '{\n  "item": "Gadget",\n  "qty": 2\n}' },
});
request("status.bru", {
  meta: { name: "Public status", type: "http", seq: 1 },
  http: { method: "get", url: "{{baseUrl}}/public", body: "none", auth: "none" },
});
writeFileSync(join(outDir, "environments", "Staging.bru"), lang.envJsonToBruV2({
  variables: [
    { name: "baseUrl", value: s.baseUrl, enabled: true, secret: false },
    { name: "tokenUrl", value: s.tokenUrl, enabled: true, secret: false },
    { name: "clientId", value: s.clientId, enabled: true, secret: false },
    { name: "scope", value: s.scope, enabled: true, secret: false },
    { name: "clientSecret", value: "", enabled: true, secret: true },
  ],
}));
