// Drives the unmodified @databricks/sdk-experimental against scopevault's
// default workspace, configured only by the env file (DATABRICKS_HOST,
// DATABRICKS_TOKEN) plus, for the non-admin service principal, its Entra
// credential (SP_CLIENT_ID, SP_CLIENT_SECRET) and the env file's authority.
// Each step prints "ok <step>"; any failure exits non-zero.
import { WorkspaceClient } from "@databricks/sdk-experimental";
import { ClientSecretCredential } from "@azure/identity";

const AZURE_DATABRICKS = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";
const env = process.env;

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

// expectError runs fn and checks the ApiError's code and HTTP status.
async function expectError(step, fn, code, status) {
  try {
    await fn();
  } catch (e) {
    check(e.errorCode === code || String(e.errorCode) === String(code), `${step}: errorCode ${e.errorCode} (${e.message}), want ${code}`);
    check(e.statusCode === status, `${step}: statusCode ${e.statusCode}, want ${status}`);
    check(typeof e.message === "string" && e.message.length > 0, `${step}: empty message`);
    console.log(`ok error ${step} ${code}`);
    return e;
  }
  throw new Error(`${step}: no error, want ${code}`);
}

async function collect(gen) {
  const out = [];
  for await (const x of gen) out.push(x);
  return out;
}

const b64 = (s) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s) => Buffer.from(s, "base64").toString("utf8");

// The admin, from the env file alone.
const admin = new WorkspaceClient({});
const me = await admin.currentUser.me();
check(me.userName === env.AZURE_CLIENT_ID, `me.userName ${me.userName}`);
check((me.groups || []).some((g) => g.display === "admins"), "admin is in admins");
console.log("ok currentUser.me");

// Every secrets method on a Databricks-backed scope.
const scope = "js-scope";
await admin.secrets.createScope({ scope });
console.log("ok createScope");
const scopes = await collect(admin.secrets.listScopes());
check(scopes.some((s) => s.name === scope && s.backend_type === "DATABRICKS"), "listScopes has js-scope");
console.log("ok listScopes");
await admin.secrets.putSecret({ scope, key: "db-password", string_value: "hunter2-js" });
await admin.secrets.putSecret({ scope, key: "blob", bytes_value: b64("\u0001bytes") });
console.log("ok putSecret");
const got = await admin.secrets.getSecret({ scope, key: "db-password" });
check(got.key === "db-password" && unb64(got.value) === "hunter2-js", "getSecret value");
check(unb64((await admin.secrets.getSecret({ scope, key: "blob" })).value) === "\u0001bytes", "getSecret bytes");
console.log("ok getSecret");
const keys = await collect(admin.secrets.listSecrets({ scope }));
check(keys.length === 2 && keys.every((k) => typeof k.last_updated_timestamp === "number"), "listSecrets " + JSON.stringify(keys));
console.log("ok listSecrets");
await admin.secrets.putAcl({ scope, principal: "users", permission: "READ" });
const acl = await admin.secrets.getAcl({ scope, principal: "users" });
check(acl.permission === "READ", "getAcl");
const acls = await collect(admin.secrets.listAcls({ scope }));
check(acls.some((a) => a.principal === "users" && a.permission === "READ"), "listAcls");
await admin.secrets.deleteAcl({ scope, principal: "users" });
console.log("ok acls");
await admin.secrets.deleteSecret({ scope, key: "blob" });
console.log("ok deleteSecret");

// The documented error codes.
await expectError("scope-exists", () => admin.secrets.createScope({ scope: "JS-SCOPE" }), "RESOURCE_ALREADY_EXISTS", 400);
await expectError("scope-missing", () => admin.secrets.listSecrets({ scope: "no-such-scope" }).next(), "RESOURCE_DOES_NOT_EXIST", 404);
await expectError("secret-missing", () => admin.secrets.getSecret({ scope, key: "blob" }), "RESOURCE_DOES_NOT_EXIST", 404);
await expectError("acl-missing", () => admin.secrets.getAcl({ scope, principal: "users" }), "RESOURCE_DOES_NOT_EXIST", 404);
await expectError("bad-scope-name", () => admin.secrets.createScope({ scope: "bad scope!" }), "INVALID_PARAMETER_VALUE", 400);
await expectError("bad-permission", () => admin.secrets.putAcl({ scope, principal: "users", permission: "OWNER" }), "INVALID_PARAMETER_VALUE", 400);
await expectError("akv-with-pat", () => admin.secrets.createScope({
  scope: "akv-pat", scope_backend_type: "AZURE_KEYVAULT",
  backend_azure_keyvault: { resource_id: env.VAULT_RESOURCE_ID, dns_name: env.AZURE_KEYVAULT_URL },
}), "INVALID_PARAMETER_VALUE", 400);
await expectError("akv-without-metadata", () => admin.secrets.createScope({ scope: "akv-meta", scope_backend_type: "AZURE_KEYVAULT" }), "INVALID_PARAMETER_VALUE", 400);
const bad = new WorkspaceClient({ host: env.DATABRICKS_HOST, token: "dapi" + "0".repeat(32), authType: "pat" });
await expectError("invalid-token", () => bad.currentUser.me(), 403, 403);

// Tokens: the admin's own.
const created = await admin.tokens.create({ comment: "js sdk", lifetime_seconds: 3600 });
check(created.token_value.startsWith("dapi") && created.token_info.token_id, "tokens.create");
const infos = await collect(admin.tokens.list());
check(infos.some((t) => t.token_id === created.token_info.token_id && !("token_value" in t)), "tokens.list");
await admin.tokens.delete({ token_id: created.token_info.token_id });
await expectError("revoked-token", () => new WorkspaceClient({ host: env.DATABRICKS_HOST, token: created.token_value, authType: "pat" }).currentUser.me(), 403, 403);
await expectError("token-missing", () => admin.tokens.delete({ token_id: created.token_info.token_id }), "RESOURCE_DOES_NOT_EXIST", 404);
console.log("ok tokens");

// A non-admin service principal, added by SCIM, mints its own PAT with
// its Entra token, is refused by the scope's ACLs, then allowed.
const sp = await admin.servicePrincipalsV2.create({ applicationId: env.SP_CLIENT_ID, displayName: "js-sp" });
check(sp.applicationId === env.SP_CLIENT_ID && sp.id, "servicePrincipals.create");
console.log("ok servicePrincipals.create");
const cred = new ClientSecretCredential(env.AZURE_TENANT_ID, env.SP_CLIENT_ID, env.SP_CLIENT_SECRET,
  { authorityHost: env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true });
const entra = await cred.getToken(AZURE_DATABRICKS + "/.default");
const spEntra = new WorkspaceClient({ host: env.DATABRICKS_HOST, token: entra.token, authType: "pat" });
const spMe = await spEntra.currentUser.me();
check(spMe.userName === env.SP_CLIENT_ID, "sp me");
const spTok = await spEntra.tokens.create({ comment: "sp pat", lifetime_seconds: 600 });
const spPat = new WorkspaceClient({ host: env.DATABRICKS_HOST, token: spTok.token_value, authType: "pat" });
console.log("ok sp minted its PAT");
await expectError("sp-no-acl", () => spPat.secrets.getSecret({ scope, key: "db-password" }), "PERMISSION_DENIED", 403);
await expectError("sp-not-admin", () => spPat.servicePrincipalsV2.create({ applicationId: AZURE_DATABRICKS, displayName: "x" }), "PERMISSION_DENIED", 403);
await admin.secrets.putAcl({ scope, principal: env.SP_CLIENT_ID, permission: "READ" });
check(unb64((await spPat.secrets.getSecret({ scope, key: "db-password" })).value) === "hunter2-js", "sp reads with READ");
await expectError("sp-read-cannot-write", () => spPat.secrets.putSecret({ scope, key: "x", string_value: "y" }), "PERMISSION_DENIED", 403);
console.log("ok sp allowed by ACL");

await admin.secrets.deleteScope({ scope });
console.log("ok deleteScope");
console.log("OK: databricks sdk");
