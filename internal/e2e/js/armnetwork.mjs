// Unmodified @azure/arm-network, @azure/arm-privatedns and @azure/arm-keyvault
// clients (with @azure/identity) building a vault's private network against
// scopevault's management plane: a virtual network with subnets, a private
// endpoint to a vault (automatic and manual, approved by the vault's owner),
// a private DNS zone linked to the network, and a DNS zone group that fills
// the zone's A record. It reads the standard environment (source
// scopevault.env first); argv[2] is the resource group.
import { ClientSecretCredential } from "@azure/identity";
import { NetworkManagementClient } from "@azure/arm-network";
import { PrivateDnsManagementClient } from "@azure/arm-privatedns";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { randomBytes } from "node:crypto";

const env = process.env;
const group = process.argv[2] || "scopevault";
const location = "eastus";
const sub = env.AZURE_SUBSCRIPTION_ID;

const cred = new ClientSecretCredential(env.AZURE_TENANT_ID, env.AZURE_CLIENT_ID, env.AZURE_CLIENT_SECRET, {
  authorityHost: env.AZURE_AUTHORITY_HOST,
  disableInstanceDiscovery: true,
});
const opts = {
  endpoint: env.SCOPEVAULT_ARM_ENDPOINT,
  credentials: { scopes: ["https://management.core.windows.net/.default"] },
};
const net = new NetworkManagementClient(cred, sub, opts);
const dns = new PrivateDnsManagementClient(cred, sub, opts);
const kv = new KeyVaultManagementClient(cred, sub, opts);
const poll = { updateIntervalInMs: 10 };

const suffix = randomBytes(3).toString("hex");
const vnetName = `vnet-js-${suffix}`;
const vaultName = `kv-net-${suffix}`;
const zoneName = "privatelink.vaultcore.azure.net";
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

const vault = await kv.vaults.createOrUpdate(group, vaultName, {
  location,
  properties: { tenantId: env.AZURE_TENANT_ID, sku: { family: "A", name: "standard" }, enableRbacAuthorization: true },
}, poll);

const vnet = await net.virtualNetworks.createOrUpdate(group, vnetName, {
  location,
  addressSpace: { addressPrefixes: ["10.20.0.0/16"] },
  subnets: [
    { name: "pe", addressPrefix: "10.20.1.0/24" },
    { name: "apps", addressPrefix: "10.20.2.0/24", serviceEndpoints: [{ service: "Microsoft.KeyVault" }] },
  ],
}, poll);
check(vnet.provisioningState === "Succeeded", `vnet provisioningState ${vnet.provisioningState}`);
check(vnet.subnets.length === 2, `vnet subnets ${vnet.subnets.length}`);
check(vnet.subnets[1].serviceEndpoints[0].service === "Microsoft.KeyVault", "service endpoint");
step("virtualNetworks.createOrUpdate");

const host = await net.subnets.createOrUpdate(group, vnetName, "host", {
  addressPrefix: "10.20.3.0/26",
  delegations: [{ name: "dbx", serviceName: "Microsoft.Databricks/workspaces" }],
}, poll);
check(host.delegations[0].actions.includes("Microsoft.Network/virtualNetworks/subnets/join/action"), "delegation actions");
check((await collect(net.subnets.list(group, vnetName))).length === 3, "three subnets");
await fails(() => net.subnets.createOrUpdate(group, vnetName, "bad", { addressPrefix: "10.20.3.32/27" }, poll), 400, "NetcfgSubnetRangesOverlap");
step("subnets");

const peBody = (manual) => {
  const conns = [{ name: "conn", privateLinkServiceId: vault.id, groupIds: ["vault"] }];
  return {
    location,
    subnet: { id: `${vnet.id}/subnets/pe` },
    ...(manual ? { manualPrivateLinkServiceConnections: conns } : { privateLinkServiceConnections: conns }),
  };
};
const pe = await net.privateEndpoints.createOrUpdate(group, "pe-js", peBody(false), poll);
check(pe.customDnsConfigs[0].ipAddresses[0] === "10.20.1.4", `private IP ${JSON.stringify(pe.customDnsConfigs)}`);
check(pe.privateLinkServiceConnections[0].privateLinkServiceConnectionState.status === "Approved", "auto-approved");
step("privateEndpoints.createOrUpdate");

const manual = await net.privateEndpoints.createOrUpdate(group, "pe-js-manual", peBody(true), poll);
check(manual.manualPrivateLinkServiceConnections[0].privateLinkServiceConnectionState.status === "Pending", "manual is pending");
const conns = await collect(kv.privateEndpointConnections.listByResource(group, vaultName));
const pending = conns.find((c) => c.privateEndpoint.id === manual.id);
check(pending && conns.length === 2, `vault connections ${conns.length}`);
await kv.privateEndpointConnections.put(group, vaultName, pending.name, {
  privateLinkServiceConnectionState: { status: "Approved", description: "approved from js" },
});
const approved = await net.privateEndpoints.get(group, "pe-js-manual");
check(approved.manualPrivateLinkServiceConnections[0].privateLinkServiceConnectionState.status === "Approved", "approved by owner");
step("privateEndpointConnections.put");

const zone = await dns.privateZones.createOrUpdate(group, zoneName, { location: "global" }, poll);
check(zone.provisioningState === "Succeeded", `zone ${zone.provisioningState}`);
const link = await dns.virtualNetworkLinks.createOrUpdate(group, zoneName, "link-js", {
  location: "global", virtualNetwork: { id: vnet.id }, registrationEnabled: false,
}, poll);
check(link.virtualNetworkLinkState === "Completed", `link ${link.virtualNetworkLinkState}`);
step("privateZones and virtualNetworkLinks");

const zg = await net.privateDnsZoneGroups.createOrUpdate(group, "pe-js", "default", {
  privateDnsZoneConfigs: [{ name: "privatelink-vaultcore-azure-net", privateDnsZoneId: zone.id }],
}, poll);
check(zg.privateDnsZoneConfigs[0].recordSets[0].ipAddresses[0] === "10.20.1.4", "zone group record");
const rec = await dns.recordSets.get(group, zoneName, "A", vaultName);
check(rec.aRecords[0].ipv4Address === "10.20.1.4", `A record ${JSON.stringify(rec.aRecords)}`);
step("privateDnsZoneGroups.createOrUpdate");

// Read everything back, then take it down.
check((await net.virtualNetworks.get(group, vnetName)).subnets.length === 3, "vnet read back");
check((await collect(net.privateEndpoints.list(group))).length >= 2, "endpoints listed");
check((await collect(dns.recordSets.list(group, zoneName))).some((r) => r.name === vaultName), "records listed");
check((await kv.vaults.get(group, vaultName)).properties.privateEndpointConnections.length === 2, "vault shows its connections");
step("read back");

// The owner removes the manual endpoint's connection: it shows Disconnected.
await kv.privateEndpointConnections.delete(group, vaultName, pending.name, poll);
const gone = await net.privateEndpoints.get(group, "pe-js-manual");
check(gone.manualPrivateLinkServiceConnections[0].privateLinkServiceConnectionState.status === "Disconnected", "disconnected by owner");
step("privateEndpointConnections.delete");

await net.privateDnsZoneGroups.delete(group, "pe-js", "default", poll);
await fails(() => dns.recordSets.get(group, zoneName, "A", vaultName), 404, "ResourceNotFound");
await net.privateEndpoints.delete(group, "pe-js", poll);
await net.privateEndpoints.delete(group, "pe-js-manual", poll);
await dns.virtualNetworkLinks.delete(group, zoneName, "link-js", poll);
await dns.privateZones.delete(group, zoneName, poll);
await net.virtualNetworks.delete(group, vnetName, poll);
await fails(() => net.virtualNetworks.get(group, vnetName), 404, "ResourceNotFound");
step("delete");

console.log("OK: arm-network and arm-privatedns");
