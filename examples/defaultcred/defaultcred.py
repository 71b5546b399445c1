"""The shortest unmodified Azure SDK for Python program: DefaultAzureCredential
with no options and SecretClient on AZURE_KEYVAULT_URL; it writes one secret
and reads it back. With Azure's own names resolving to scopevault
(scopevault run --azure, on up --port 443) and REQUESTS_CA_BUNDLE from the env
file it needs nothing else:

    scopevault run --azure -- python3 examples/defaultcred/defaultcred.py
"""
import os
import sys

from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient

url = os.environ["AZURE_KEYVAULT_URL"]
client = SecretClient(vault_url=url, credential=DefaultAzureCredential())
value = "written by defaultcred.py"
client.set_secret("defaultcred-py", value)
got = client.get_secret("defaultcred-py")
if got.value != value:
    print("FAIL: read back a different value", file=sys.stderr)
    sys.exit(1)
print(f"OK: DefaultAzureCredential read {got.id} back from {url}")
