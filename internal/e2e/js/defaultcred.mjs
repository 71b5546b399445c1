// The shortest unmodified Azure SDK for JS program: DefaultAzureCredential
// with no options and SecretClient on AZURE_KEYVAULT_URL; it writes one
// secret and reads it back. Run under `scopevault run --azure` (up --port 443).
import { DefaultAzureCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";

const url = process.env.AZURE_KEYVAULT_URL;
const client = new SecretClient(url, new DefaultAzureCredential());
const value = "written by defaultcred.mjs";
await client.setSecret("defaultcred-js", value);
const got = await client.getSecret("defaultcred-js");
if (got.value !== value) {
  console.error("FAIL: read back a different value");
  process.exit(1);
}
console.log(`OK: DefaultAzureCredential read ${got.properties.id} back from ${url}`);
