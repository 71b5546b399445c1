package cli

import (
	"bytes"
	"strings"
	"testing"
)

// Results shaped like the ones az's query article works on ("How to query
// Azure CLI command output using a JMESPath query", learn.microsoft.com,
// QueryDemo group: Test-2, TestVM, WinTest). Keys are in sorted order, as
// az's own output and tsv print plain objects.
const (
	docsVMList = `[
  {"id": "/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Compute/virtualMachines/Test-2", "name": "Test-2",
   "osProfile": {"adminUsername": "sttramer", "linuxConfiguration": {"ssh": {"publicKeys": [{"keyData": "ssh-rsa AAAA2 sttramer@contoso", "path": "/home/sttramer/.ssh/authorized_keys"}]}}},
   "resourceGroup": "QueryDemo",
   "storageProfile": {"osDisk": {"diskSizeGb": 30, "managedDisk": {"storageAccountType": "Standard_LRS"}, "osType": "Linux"}}},
  {"id": "/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Compute/virtualMachines/TestVM", "name": "TestVM",
   "osProfile": {"adminUsername": "azureuser", "linuxConfiguration": {"ssh": {"publicKeys": [{"keyData": "ssh-rsa AAAAB stramer@contoso", "path": "/home/azureuser/.ssh/authorized_keys"}]}}},
   "resourceGroup": "QueryDemo",
   "storageProfile": {"osDisk": {"diskSizeGb": 32, "managedDisk": {"storageAccountType": "StandardSSD_LRS"}, "osType": "Linux"}}},
  {"id": "/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Compute/virtualMachines/WinTest", "name": "WinTest",
   "osProfile": {"adminUsername": "winadmin", "linuxConfiguration": null},
   "resourceGroup": "QueryDemo",
   "storageProfile": {"osDisk": {"diskSizeGb": 127, "managedDisk": {"storageAccountType": "StandardSSD_LRS"}, "osType": "Windows"}}}
]`
	docsVMShow      = `{"id": "/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Compute/virtualMachines/TestVM", "name": "TestVM", "osProfile": {"adminUsername": "azureuser", "linuxConfiguration": {"ssh": {"publicKeys": [{"keyData": "ssh-rsa AAAAB stramer@contoso", "path": "/home/azureuser/.ssh/authorized_keys"}]}}}}`
	docsAccountShow = `{"id": "00000000-0000-0000-0000-00000000000a", "isDefault": true, "name": "Contoso Dev", "tenantId": "11111111-1111-1111-1111-111111111111"}`
	docsAccountList = `[
  {"id": "00000000-0000-0000-0000-00000000000a", "isDefault": true, "name": "Contoso Dev", "tenantId": "11111111-1111-1111-1111-111111111111"},
  {"id": "00000000-0000-0000-0000-00000000000b", "isDefault": false, "name": "Contoso Prod", "tenantId": "11111111-1111-1111-1111-111111111111"}
]`
	docsSPList = `[{"appRoles": [
  {"allowedMemberTypes": ["Application"], "id": "df021288-bdef-4463-88db-98f22de89214", "value": "User.Read.All"},
  {"allowedMemberTypes": ["User"], "id": "a154be20-db9c-4678-8ab7-66f6cc099a59", "value": "User.Read.All"},
  {"allowedMemberTypes": ["Application"], "id": "5b567255-7703-4780-807c-7be8301ae99b", "value": "Group.Read.All"}
 ], "displayName": "Microsoft Graph"}]`
	docsPublicIPs = `[
  {"id": "/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Network/publicIPAddresses/pip-a", "ipAddress": "20.127.0.4"},
  {"id": "/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Network/publicIPAddresses/pip-b", "ipAddress": null},
  {"id": "/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Network/publicIPAddresses/pip-c", "ipAddress": "52.1.2.3"}
]`
	docsPublishingProfiles = `[
  {"profileName": "DemoApp - Web Deploy", "publishUrl": "demoapp.scm.azurewebsites.net:443"},
  {"profileName": "DemoApp - FTP", "publishUrl": "ftp://waws-prod.ftp.azurewebsites.windows.net/site/wwwroot"}
]`
)

// az's own documented --query examples (its query article's Concepts and
// Examples tabs, and the queries the brief names), run through the CLI's
// query path: writeResult, which every az command prints with. Where the
// article shows output, want is that output.
var azDocsQueryExamples = []struct {
	name, doc, query, format, want string
}{
	{"ok/account-show-hash", docsAccountShow, "{tenantId:tenantId,subscriptionid:id}", "json",
		"{\n  \"subscriptionid\": \"00000000-0000-0000-0000-00000000000a\",\n  \"tenantId\": \"11111111-1111-1111-1111-111111111111\"\n}\n"},
	{"ok/sp-app-role-filter-and-contains", docsSPList, "[0].appRoles[?value=='User.Read.All' && contains(allowedMemberTypes, 'Application')].id", "tsv",
		"df021288-bdef-4463-88db-98f22de89214\n"},
	{"ok/vm-show-subexpression", docsVMShow, "osProfile.linuxConfiguration.ssh.publicKeys", "json",
		"[\n  {\n    \"keyData\": \"ssh-rsa AAAAB stramer@contoso\",\n    \"path\": \"/home/azureuser/.ssh/authorized_keys\"\n  }\n]\n"},
	{"ok/vm-show-multiselect-list", docsVMShow, "[name, osProfile.adminUsername, osProfile.linuxConfiguration.ssh.publicKeys[0].keyData]", "json",
		"[\n  \"TestVM\",\n  \"azureuser\",\n  \"ssh-rsa AAAAB stramer@contoso\"\n]\n"},
	{"ok/vm-show-hash-tsv-keeps-order", docsVMShow, "{VMName:name, admin:osProfile.adminUsername, sshKey:osProfile.linuxConfiguration.ssh.publicKeys[0].keyData}", "tsv",
		"TestVM\tazureuser\tssh-rsa AAAAB stramer@contoso\n"},
	{"ok/vm-show-flatten-in-hash", docsVMShow, "{VMName:name, admin:osProfile.adminUsername, sshKeys:osProfile.linuxConfiguration.ssh.publicKeys[].keyData }", "json",
		"{\n  \"VMName\": \"TestVM\",\n  \"admin\": \"azureuser\",\n  \"sshKeys\": [\n    \"ssh-rsa AAAAB stramer@contoso\"\n  ]\n}\n"},
	{"ok/vm-show-tsv-scalar", docsVMShow, "osProfile.adminUsername", "tsv", "azureuser\n"},
	{"ok/vm-show-json-scalar", docsVMShow, "osProfile.adminUsername", "json", "\"azureuser\"\n"},
	{"ok/vm-show-table-renamed-id", docsVMShow, "{objectID:id}", "table",
		"ObjectID\n" + strings.Repeat("-", 92) + "\n/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Compute/virtualMachines/TestVM\n"},
	{"ok/vm-list-flatten-hash", docsVMList, "[].{Name:name, OS:storageProfile.osDisk.osType, admin:osProfile.adminUsername}", "json",
		"[\n  {\n    \"Name\": \"Test-2\",\n    \"OS\": \"Linux\",\n    \"admin\": \"sttramer\"\n  },\n  {\n    \"Name\": \"TestVM\",\n    \"OS\": \"Linux\",\n    \"admin\": \"azureuser\"\n  },\n  {\n    \"Name\": \"WinTest\",\n    \"OS\": \"Windows\",\n    \"admin\": \"winadmin\"\n  }\n]\n"},
	{"ok/vm-list-table-columns-in-query-order", docsVMList, "[].{Name:name, OS:storageProfile.osDisk.osType, Admin:osProfile.adminUsername}", "table",
		"Name     OS       Admin\n-------  -------  ---------\nTest-2   Linux    sttramer\nTestVM   Linux    azureuser\nWinTest  Windows  winadmin\n"},
	{"ok/account-filter-bool", docsAccountList, "[?isDefault].name", "json", "[\n  \"Contoso Dev\"\n]\n"},
	{"ok/account-filter-not", docsAccountList, "[?!isDefault].name", "json", "[\n  \"Contoso Prod\"\n]\n"},
	{"ok/account-filter-false-literal", docsAccountList, "[?isDefault == `false`].name", "json", "[\n  \"Contoso Prod\"\n]\n"},
	{"ok/vm-filter-string-table", docsVMList, "[?storageProfile.osDisk.osType=='Linux'].{Name:name,  admin:osProfile.adminUsername}", "table",
		"Name    Admin\n------  ---------\nTest-2  sttramer\nTestVM  azureuser\n"},
	{"ok/vm-filter-number-table", docsVMList, "[?storageProfile.osDisk.diskSizeGb >=`50`].{Name:name, admin:osProfile.adminUsername, DiskSize:storageProfile.osDisk.diskSizeGb }", "table",
		"Name     Admin     DiskSize\n-------  --------  --------\nWinTest  winadmin  127\n"},
	{"ok/vm-filter-contains", docsVMList, "[?contains(storageProfile.osDisk.managedDisk.storageAccountType,'SSD')].{Name:name, Storage:storageProfile.osDisk.managedDisk.storageAccountType}", "json",
		"[\n  {\n    \"Name\": \"TestVM\",\n    \"Storage\": \"StandardSSD_LRS\"\n  },\n  {\n    \"Name\": \"WinTest\",\n    \"Storage\": \"StandardSSD_LRS\"\n  }\n]\n"},
	{"ok/vm-pipe-then-filter", docsVMList, "[].{Name:name, Storage:storageProfile.osDisk.managedDisk.storageAccountType} | [? contains(Storage,'SSD')]", "json",
		"[\n  {\n    \"Name\": \"TestVM\",\n    \"Storage\": \"StandardSSD_LRS\"\n  },\n  {\n    \"Name\": \"WinTest\",\n    \"Storage\": \"StandardSSD_LRS\"\n  }\n]\n"},
	{"ok/vm-sort-by-expref", docsVMList, "sort_by([].{Name:name, Size:storageProfile.osDisk.diskSizeGb}, &Size)", "tsv",
		"Test-2\t30\nTestVM\t32\nWinTest\t127\n"},
	{"ok/public-ip-pipe-filters", docsPublicIPs, "[?ipAddress!=null]|[?contains(ipAddress, '20.127')].[id]", "tsv",
		"/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Network/publicIPAddresses/pip-a\n"},
	{"ok/webapp-ends-with", docsPublishingProfiles, "[?ends_with(profileName, 'FTP')].{profileName: profileName, publishUrl: publishUrl}", "json",
		"[\n  {\n    \"profileName\": \"DemoApp - FTP\",\n    \"publishUrl\": \"ftp://waws-prod.ftp.azurewebsites.windows.net/site/wwwroot\"\n  }\n]\n"},
	// The queries the brief names.
	{"ok/filter-then-id", docsVMList, "[?name=='TestVM'].id", "tsv",
		"/subscriptions/s/resourceGroups/QueryDemo/providers/Microsoft.Compute/virtualMachines/TestVM\n"},
	{"ok/rename-table", docsVMList, "[].{Name:name, RG:resourceGroup}", "table",
		"Name     RG\n-------  ---------\nTest-2   QueryDemo\nTestVM   QueryDemo\nWinTest  QueryDemo\n"},
	{"ok/length-of-current", docsVMList, "length(@)", "json", "3\n"},
	{"ok/sort-by-then-index", docsVMList, "sort_by(@, &name)[0].name", "tsv", "Test-2\n"},
	{"ok/filter-contains-name", docsVMList, "[?contains(name, 'VM')].name", "tsv", "TestVM\n"},
}

func TestQueryAzDocsExamples(t *testing.T) {
	for _, tc := range azDocsQueryExamples {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := writeResult(&b, mustDoc(t, tc.doc), tc.format, tc.query, nil); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("--query %q -o %s\ngot\n%s\nwant\n%s", tc.query, tc.format, got, tc.want)
			}
		})
	}
}
