// An unmodified @azure/arm-keyvault + @azure/identity client driving the vault
// lifecycle against scopevault's management plane. It reads the standard
// environment (source scopevault.env first); argv[2] is the resource group.
// The client is pointed at SCOPEVAULT_ARM_ENDPOINT with its `endpoint` option;
// its default token scope is "<endpoint>/.default", so `credentials.scopes`
// names the management audience instead.
import { ClientSecretCredential } from "@azure/identity";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { randomBytes, randomUUID } from "node:crypto";

const env = process.env;
const group = process.argv[2] || "scopevault";
const location = "eastus";
const tenantId = env.AZURE_TENANT_ID;

const cred = new ClientSecretCredential(tenantId, env.AZURE_CLIENT_ID, env.AZURE_CLIENT_SECRET, {
  authorityHost: env.AZURE_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
});
const client = new KeyVaultManagementClient(cred, env.AZURE_SUBSCRIPTION_ID, {
  endpoint: env.SCOPEVAULT_ARM_ENDPOINT,
  credentials: { scopes: ["https://management.core.windows.net/.default"] },
});
const vaults = client.vaults;
const poll = { updateIntervalInMs: 10 };

const name = `kv-js-${randomBytes(4).toString("hex")}`;
const objectId = randomUUID();
const check = (ok, msg) => { if (!ok) throw new Error(msg); };
const step = (s) => console.log(`ok ${s}`);
const collect = async (it) => { const out = []; for await (const x of it) out.push(x); return out; };
const fails = async (fn, status, code) => {
  try {
    await fn();
  } catch (e) {
    check(e.statusCode === status && e.code === code, `got ${e.statusCode} ${e.code}, want ${status} ${code}: ${e.message}`);
    return;
  }
  throw new Error(`succeeded, want ${status} ${code}`);
};
const params = (extra = {}) => ({
  location,
  properties: { tenantId, sku: { family: "A", name: "standard" }, ...extra },
});
const secretPerms = (v) => (v.properties.accessPolicies.find((p) => p.objectId === objectId)?.permissions.secrets) ?? null;

check((await vaults.checkNameAvailability({ name, type: "Microsoft.KeyVault/vaults" })).nameAvailable === true, "name available");
step("checkNameAvailability");

const created = await vaults.createOrUpdate(group, name, params({
  softDeleteRetentionInDays: 7,
  networkAcls: { bypass: "AzureServices", defaultAction: "Deny", ipRules: [{ value: "203.0.113.7" }] },
}), poll);
check(created.properties.provisioningState === "Succeeded", "provisioningState");
check(created.properties.enableRbacAuthorization === true, "RBAC by default from api-version 2026-02-01");
check(created.properties.networkAcls.ipRules[0].value === "203.0.113.7/32", "ip rule normalised");
step("createOrUpdate");

const updated = await vaults.update(group, name, { tags: { env: "js" }, properties: { publicNetworkAccess: "disabled" } });
check(updated.properties.publicNetworkAccess === "Disabled", `publicNetworkAccess ${updated.properties.publicNetworkAccess}`);
check(updated.properties.softDeleteRetentionInDays === 7, "retention kept");
step("update");

check((await vaults.get(group, name)).tags.env === "js", "tags");
step("get");
check((await collect(vaults.listByResourceGroup(group))).some((v) => v.name === name), "listed by group");
step("listByResourceGroup");
check((await collect(vaults.listBySubscription())).some((v) => v.name === name), "listed by subscription");
step("listBySubscription");

const policy = (secrets) => ({ properties: { accessPolicies: [{ tenantId, objectId, permissions: { secrets } }] } });
await vaults.updateAccessPolicy(group, name, "add", policy(["get", "list"]));
check(JSON.stringify(secretPerms(await vaults.get(group, name))) === '["get","list"]', "policy added");
step("updateAccessPolicy(add)");
await vaults.updateAccessPolicy(group, name, "remove", policy(["list"]));
check(JSON.stringify(secretPerms(await vaults.get(group, name))) === '["get"]', "permission removed");
await vaults.updateAccessPolicy(group, name, "remove", policy(["get"]));
check(secretPerms(await vaults.get(group, name)) === null, "empty policy dropped");
step("updateAccessPolicy(remove)");

await vaults.delete(group, name);
await fails(() => vaults.get(group, name), 404, "ResourceNotFound");
step("delete");
const deleted = await vaults.getDeleted(name, location);
check(deleted.properties.scheduledPurgeDate - deleted.properties.deletionDate === 7 * 24 * 3600 * 1000, "scheduled purge date");
step("getDeleted");
check((await collect(vaults.listDeleted())).some((v) => v.name === name), "listed as deleted");
step("listDeleted");

await fails(() => vaults.createOrUpdate(group, name, params(), poll), 409, "ConflictError");
const recovered = await vaults.createOrUpdate(group, name, params({ createMode: "recover" }), poll);
check(recovered.tags.env === "js" && recovered.properties.softDeleteRetentionInDays === 7, "recovered as it was");
step("createOrUpdate(recover)");

await vaults.delete(group, name);
await vaults.purgeDeleted(name, location, poll);
await fails(() => vaults.getDeleted(name, location), 404, "ResourceNotFound");
check((await vaults.checkNameAvailability({ name, type: "Microsoft.KeyVault/vaults" })).nameAvailable === true, "name free after purge");
step("purgeDeleted");

await fails(() => vaults.createOrUpdate(group, name, params({ softDeleteRetentionInDays: 91 }), poll), 400, "BadRequest");
await fails(() => vaults.createOrUpdate(group, "kv--js", params(), poll), 400, "VaultNameNotValid");
step("errors");

console.log("OK: arm-keyvault vault lifecycle");
