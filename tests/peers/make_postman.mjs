// Writes a Postman collection (v2.1) and an environment with Postman's own SDK, as a vendor would
// publish them. Usage: node make_postman.mjs OUT_DIR SETTINGS_JSON
// SETTINGS_JSON: {"baseUrl", "tokenUrl", "clientId", "clientSecret", "scope", "apiKey"}
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import sdk from "postman-collection";

const [outDir, settingsJson] = process.argv.slice(2);
const s = JSON.parse(settingsJson);

const oauth = new sdk.RequestAuth({
  type: "oauth2",
  oauth2: [
    { key: "grant_type", value: "client_credentials" },
    { key: "accessTokenUrl", value: "{{tokenUrl}}" },
    { key: "clientId", value: "{{clientId}}" },
    { key: "clientSecret", value: "{{clientSecret}}" },
    { key: "scope", value: "{{scope}}" },
    { key: "client_authentication", value: "header" },
  ],
});

const collection = new sdk.Collection({
  info: { name: "Orders API", _postman_id: "8a1f0c2e-orders-api" },
  variable: [{ key: "apiVersion", value: "v1" }],
});
collection.auth = oauth;

const orders = new sdk.ItemGroup({ name: "Orders" });
orders.items.add(new sdk.Item({
  name: "List orders",
  request: {
    method: "GET",
    url: "{{baseUrl}}/orders?status=open&limit=10&tag=a%20b",
    header: [
      { key: "Accept", value: "application/json" },
      { key: "X-Api-Version", value: "{{apiVersion}}" },
      { key: "X-Disabled", value: "no", disabled: true },
    ],
  },
}));
orders.items.add(new sdk.Item({
  name: "Create order",
  request: {
    method: "POST",
    url: "{{baseUrl}}/orders",
    header: [{ key: "Content-Type", value: "application/json" }],
    body: { mode: "raw", raw: '{"item": "Widget", "qty": 3}', options: { raw: { language: "json" } } },
  },
}));
orders.items.add(new sdk.Item({
  name: "Update order",
  request: {
    method: "PUT",
    url: "{{baseUrl}}/orders/7",
    body: {
      mode: "urlencoded",
      urlencoded: [
        { key: "qty", value: "4" },
        { key: "note", value: "rush & wrap" },
        { key: "skip", value: "x", disabled: true },
      ],
    },
  },
}));
collection.items.add(orders);

const misc = new sdk.ItemGroup({ name: "Misc" });
const open = new sdk.Item({ name: "Public status", request: { method: "GET", url: "{{baseUrl}}/public" } });
open.request.auth = new sdk.RequestAuth({ type: "noauth" });
misc.items.add(open);
const keyed = new sdk.Item({
  name: "Legacy report",
  request: { method: "DELETE", url: "{{baseUrl}}/reports/old?force=true" },
});
keyed.request.auth = new sdk.RequestAuth({
  type: "apikey",
  apikey: [
    { key: "key", value: "X-Legacy-Key" },
    { key: "value", value: "{{apiKey}}" },
    { key: "in", value: "header" },
  ],
});
misc.items.add(keyed);
collection.items.add(misc);

writeFileSync(join(outDir, "collection.json"), JSON.stringify(collection.toJSON(), null, 2));

const env = new sdk.VariableScope({ name: "Staging" });
env.set("baseUrl", s.baseUrl, "default");
env.set("tokenUrl", s.tokenUrl, "default");
env.set("clientId", s.clientId, "default");
env.set("clientSecret", s.clientSecret, "secret");
env.set("scope", s.scope, "default");
env.set("apiKey", s.apiKey, "secret");
const envJson = env.toJSON();
envJson._postman_variable_scope = "environment";
// Postman's app exports these as it shows them: enabled, and secret-typed where marked secret.
for (const value of envJson.values) {
  value.enabled = true;
  value.type = ["clientSecret", "apiKey"].includes(value.key) ? "secret" : "default";
}
writeFileSync(join(outDir, "staging.postman_environment.json"), JSON.stringify(envJson, null, 2));
