// An unmodified @azure/keyvault-secrets + @azure/identity client. It reads the
// standard environment (source scopevault.env first) and runs all 12 secrets
// operations against the vault URL given as argv[2] (default AZURE_KEYVAULT_URL).
// Pass --no-verify for an IP-address vault URL: the JS SDK compares the vault
// host name with the challenge resource, which an IP address cannot satisfy.
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { randomBytes } from "node:crypto";

const args = process.argv.slice(2);
const noVerify = args.includes("--no-verify");
const url = args.find((a) => !a.startsWith("--")) || process.env.AZURE_KEYVAULT_URL;

const cred = new ClientSecretCredential(
  process.env.AZURE_TENANT_ID,
  process.env.AZURE_CLIENT_ID,
  process.env.AZURE_CLIENT_SECRET,
  { authorityHost: process.env.AZURE_AUTHORITY_HOST, disableInstanceDiscovery: true },
);
const client = new SecretClient(url, cred, { disableChallengeResourceVerification: noVerify });

const suffix = randomBytes(4).toString("hex");
const name = `js-${suffix}`;
const value = `js-s3cr3t-${suffix}`;
const check = (ok, msg) => { if (!ok) throw new Error(msg); };
const step = (s) => console.log(`ok ${s}`);

const first = await client.setSecret(name, value);
step("setSecret");
await client.setSecret(name, value + "-v2", { contentType: "text/plain", tags: { env: "test" } });
check((await client.getSecret(name)).value === value + "-v2", "latest value");
step("getSecret(latest)");
check((await client.getSecret(name, { version: first.properties.version })).value === value, "versioned value");
step("getSecret(version)");
await client.updateSecretProperties(name, first.properties.version, { enabled: false });
step("updateSecretProperties");
let listed = false;
for await (const p of client.listPropertiesOfSecrets()) listed ||= p.name === name;
check(listed, "listed");
step("listPropertiesOfSecrets");
let versions = 0;
for await (const _ of client.listPropertiesOfSecretVersions(name)) versions++;
check(versions === 2, `versions: ${versions}`);
step("listPropertiesOfSecretVersions");
const backup = await client.backupSecret(name);
step("backupSecret");
await (await client.beginDeleteSecret(name)).pollUntilDone();
step("beginDeleteSecret");
check((await client.getDeletedSecret(name)).name === name, "deleted name");
step("getDeletedSecret");
let deleted = false;
for await (const d of client.listDeletedSecrets()) deleted ||= d.name === name;
check(deleted, "deleted listed");
step("listDeletedSecrets");
await (await client.beginRecoverDeletedSecret(name)).pollUntilDone();
step("beginRecoverDeletedSecret");
await (await client.beginDeleteSecret(name)).pollUntilDone();
await client.purgeDeletedSecret(name);
step("purgeDeletedSecret");
await client.restoreSecretBackup(backup);
check((await client.getSecret(name)).value === value + "-v2", "restored value");
step("restoreSecretBackup");
try {
  await client.getSecret(name, { version: first.properties.version });
  throw new Error("disabled version was readable");
} catch (e) {
  check(e.statusCode === 403 && e.code === "Forbidden", `disabled: ${e.statusCode} ${e.code}`);
}
console.log("OK: all 12 operations");
