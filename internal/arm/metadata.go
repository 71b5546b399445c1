package arm

import (
	"net"
	"net/http"
	"strings"
)

// ARM's cloud metadata, GET /metadata/endpoints?api-version=..., which
// `az cloud register --endpoint-resource-manager URL` reads (api-version
// 2015-01-01: one object; azure-cli's cloud/custom.py takes galleryEndpoint,
// graphEndpoint, authentication.loginEndpoint and audiences[0]) and which
// ARM_CLOUD_METADATA_URL and the newer SDKs read (api-version 2019-05-01 and
// later, 2022-09-01 among them: a list of clouds). Unauthenticated, as
// Azure's is.
//
// Asked as management.azure.com (scopevault answering with Azure's own host
// names) it describes AzureCloud with Azure's names, which then all reach
// scopevault. Asked under any other host it describes a cloud named
// "scopevault" whose resource manager and Graph are that host and whose
// login endpoint is the server's authority host. The audiences are Azure's
// management audiences, which scopevault's token service accepts.

// MetadataHandler serves /metadata/endpoints; authorityHost is the token
// service's base URL (the server's own URL).
func MetadataHandler(authorityHost string) http.Handler {
	return metadataHandler{authority: strings.TrimSuffix(authorityHost, "/") + "/"}
}

type metadataHandler struct{ authority string }

type cloudAuthJSON struct {
	LoginEndpoint    string   `json:"loginEndpoint"`
	Audiences        []string `json:"audiences"`
	Tenant           string   `json:"tenant"`
	IdentityProvider string   `json:"identityProvider"`
}

// legacyMetadataJSON is the 2015-01-01 (and 1.0) shape.
type legacyMetadataJSON struct {
	GalleryEndpoint string        `json:"galleryEndpoint"`
	GraphEndpoint   string        `json:"graphEndpoint"`
	PortalEndpoint  string        `json:"portalEndpoint"`
	Authentication  cloudAuthJSON `json:"authentication"`
}

// cloudJSON is one cloud of the 2019-05-01 and later shape.
type cloudJSON struct {
	Portal                   string            `json:"portal"`
	Authentication           cloudAuthJSON     `json:"authentication"`
	Media                    string            `json:"media"`
	GraphAudience            string            `json:"graphAudience"`
	Graph                    string            `json:"graph"`
	Name                     string            `json:"name"`
	Suffixes                 map[string]string `json:"suffixes"`
	Batch                    string            `json:"batch"`
	ResourceManager          string            `json:"resourceManager"`
	VMImageAliasDoc          string            `json:"vmImageAliasDoc"`
	ActiveDirectoryDataLake  string            `json:"activeDirectoryDataLake"`
	SQLManagement            string            `json:"sqlManagement"`
	MicrosoftGraphResourceID string            `json:"microsoftGraphResourceId"`
	AppInsightsResourceID    string            `json:"appInsightsResourceId"`
	LogAnalyticsResourceID   string            `json:"logAnalyticsResourceId"`
	Gallery                  string            `json:"gallery"`
}

// managementAudiences are the audiences Azure names; scopevault's token
// service issues ARM tokens for both.
var managementAudiences = []string{"https://management.core.windows.net/", "https://management.azure.com/"}

func (m metadataHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeARMError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested resource does not support http method '"+clip(r.Method)+"'.")
		return
	}
	if strings.Trim(r.URL.Path, "/") != "metadata/endpoints" {
		writeARMError(w, http.StatusNotFound, "NotFound", "The requested path '"+clip(r.URL.Path)+"' is not found.")
		return
	}
	version := r.URL.Query().Get("api-version")
	if version == "" {
		writeARMError(w, http.StatusBadRequest, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests.")
		return
	}
	c := m.cloud(r.Host)
	if legacyMetadataVersion(version) {
		writeJSON(w, http.StatusOK, legacyMetadataJSON{
			GalleryEndpoint: c.Gallery, GraphEndpoint: c.GraphAudience, PortalEndpoint: c.Portal, Authentication: c.Authentication,
		})
		return
	}
	writeJSON(w, http.StatusOK, []cloudJSON{c})
}

// legacyMetadataVersion: api-versions before 2019-05-01 (2015-01-01, 1.0)
// answer with one object; later ones with the list of clouds.
func legacyMetadataVersion(v string) bool {
	return v == "1.0" || len(v) >= 10 && v[:10] < "2019-05-01"
}

// cloud describes the cloud as seen by a client that reached this server as host.
func (m metadataHandler) cloud(host string) cloudJSON {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if strings.EqualFold(name, "management.azure.com") {
		return cloudJSON{
			Portal: "https://portal.azure.com",
			Authentication: cloudAuthJSON{LoginEndpoint: "https://login.microsoftonline.com", Audiences: managementAudiences,
				Tenant: "common", IdentityProvider: "AAD"},
			Media: "https://rest.media.azure.net", GraphAudience: "https://graph.windows.net/", Graph: "https://graph.windows.net/",
			Name: "AzureCloud", Suffixes: azureSuffixes(), Batch: "https://batch.core.windows.net/",
			ResourceManager: "https://management.azure.com/", VMImageAliasDoc: vmImageAliasDoc,
			ActiveDirectoryDataLake: "https://datalake.azure.net/", SQLManagement: "https://management.core.windows.net:8443/",
			MicrosoftGraphResourceID: "https://graph.microsoft.com/", AppInsightsResourceID: "https://api.applicationinsights.io",
			LogAnalyticsResourceID: "https://api.loganalytics.io", Gallery: "https://gallery.azure.com/",
		}
	}
	origin := "https://" + strings.TrimSuffix(strings.ToLower(host), ":443") + "/"
	if !validHostHeader(host) {
		origin = m.authority
	}
	return cloudJSON{
		Portal: origin,
		Authentication: cloudAuthJSON{LoginEndpoint: m.authority, Audiences: managementAudiences,
			Tenant: "common", IdentityProvider: "AAD"},
		Media: origin, GraphAudience: origin, Graph: origin, Name: "scopevault", Suffixes: azureSuffixes(),
		Batch: origin, ResourceManager: origin, VMImageAliasDoc: vmImageAliasDoc, ActiveDirectoryDataLake: origin,
		SQLManagement: origin, MicrosoftGraphResourceID: origin, AppInsightsResourceID: origin,
		LogAnalyticsResourceID: origin, Gallery: origin,
	}
}

const vmImageAliasDoc = "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json"

func azureSuffixes() map[string]string {
	return map[string]string{
		"acrLoginServer": "azurecr.io", "keyVaultDns": "vault.azure.net", "sqlServerHostname": "database.windows.net",
		"storage": "core.windows.net", "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
		"azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
	}
}

// validHostHeader accepts host[:port] of letters, digits, dots, dashes,
// colons and brackets only, so a Host header cannot put anything else into
// the URLs this answer hands out.
func validHostHeader(host string) bool {
	if host == "" || len(host) > 255 {
		return false
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
			return false
		}
	}
	return true
}

// writeARMError writes ARM's {"error":{"code","message"}}.
func writeARMError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
