// Name resolution for the real vault host form: *.vault.azure.net resolves to
// the loopback address in SCOPEVAULT_HOSTS_ADDR, as a hosts-file line would.
// Loaded with `node --import ./resolve-vault-hosts.mjs`; the SDK is untouched.
import dns from "node:dns";
const addr = process.env.SCOPEVAULT_HOSTS_ADDR || "127.0.0.1";
const orig = dns.lookup;
dns.lookup = function (host, options, cb) {
  if (typeof options === "function") { cb = options; options = {}; }
  if (typeof options === "number") options = { family: options };
  if (/\.vault\.azure\.net$/i.test(host)) {
    if (options && options.all) return process.nextTick(cb, null, [{ address: addr, family: 4 }]);
    return process.nextTick(cb, null, addr, 4);
  }
  return orig.call(dns, host, options, cb);
};
