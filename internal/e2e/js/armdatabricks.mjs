// An unmodified @azure/arm-databricks + @azure/identity client driving the
// workspace lifecycle against scopevault's management plane. It reads the
// standard environment (source scopevault.env first); argv[2] is the
// resource group. The clients are configured with only
// `endpoint: SCOPEVAULT_ARM_ENDPOINT` and the env file's credential: no
// scope override. arm-databricks asks for the management.azure.com scope,
// arm-keyvault (used at the end) for "<endpoint>/.default", which the token
// service maps to the management audience.
import { ClientSecretCredential } from "@azure/identity";
import { AzureDatabricksManagementClient } from "@azure/arm-databricks";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { randomBytes } from "node:crypto";

const env = process.env;
const group = process.argv[2] || "scopevault";
const sub = env.AZURE_SUBSCRIPTION_ID;
const location = "eastus";

const cred = new ClientSecretCredential(env.AZURE_TENANT_ID, env.AZURE_CLIENT_ID, env.AZURE_CLIENT_SECRET, {
  authorityHost: env.AZURE_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
});
const client = new AzureDatabricksManagementClient(cred, sub, { endpoint: env.SCOPEVAULT_ARM_ENDPOINT });
const workspaces = client.workspaces;
const poll = { updateIntervalInMs: 10 };

const name = `ws-js-${randomBytes(4).toString("hex")}`;
const managedResourceGroupId = `/subscriptions/${sub}/resourceGroups/databricks-rg-${name}`;
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

const created = await workspaces.createOrUpdate(group, name, {
  location,
  sku: { name: "premium" },
  computeMode: "Hybrid",
  managedResourceGroupId,
  tags: { env: "js" },
  parameters: { enableNoPublicIp: { value: true } },
}, poll);
check(created.provisioningState === "Succeeded", `provisioningState ${created.provisioningState}`);
check(/^\d{16}$/.test(created.workspaceId), `workspaceId ${created.workspaceId}`);
check(created.workspaceUrl && !created.workspaceUrl.includes("://"), `workspaceUrl ${created.workspaceUrl}`);
check(created.parameters.enableNoPublicIp.value === true, "parameters kept");
check(created.managedResourceGroupId === managedResourceGroupId, "managedResourceGroupId");
step("createOrUpdate");

const got = await workspaces.get(group, name);
check(got.sku.name === "premium" && got.tags.env === "js" && got.workspaceId === created.workspaceId, "get");
step("get");
check((await collect(workspaces.listByResourceGroup(group))).some((w) => w.name === name), "listed by group");
step("listByResourceGroup");
check((await collect(workspaces.listBySubscription())).some((w) => w.name === name), "listed by subscription");
step("listBySubscription");

const updated = await workspaces.update(group, name, { tags: { env: "prod" } }, poll);
check(updated.tags.env === "prod" && updated.workspaceId === created.workspaceId, "update");
step("update");

await workspaces.delete(group, name, poll);
await fails(() => workspaces.get(group, name), 404, "ResourceNotFound");
step("delete");

const bad = (extra) => ({ location, sku: { name: "premium" }, computeMode: "Hybrid", managedResourceGroupId, ...extra });
await fails(() => workspaces.createOrUpdate(group, name, bad({ sku: { name: "gold" } }), poll), 400, "InvalidSku");
await fails(() => workspaces.createOrUpdate(group, name, bad({ managedResourceGroupId: undefined }), poll), 400, "InvalidRequestContent");
await fails(() => workspaces.createOrUpdate(group, name, bad({ managedResourceGroupId: `/subscriptions/${sub}/resourceGroups/${group}` }), poll), 400, "InvalidManagedResourceGroupId");
step("errors");

// arm-keyvault's default scope is "<endpoint>/.default".
const kv = new KeyVaultManagementClient(cred, sub, { endpoint: env.SCOPEVAULT_ARM_ENDPOINT });
await collect(kv.vaults.listByResourceGroup(group));
step("endpoint scope");

console.log("OK: arm-databricks workspace lifecycle");
