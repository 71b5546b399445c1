package entra

import (
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/scopevault/scopevault"
)

// msiAPIVersion is the App Service managed identity protocol MSAL speaks
// when IDENTITY_ENDPOINT and IDENTITY_HEADER are set.
const msiAPIVersion = "2019-08-01"

// msiToken is GET /msi/token: the X-IDENTITY-HEADER secret names a managed
// identity; client_id, object_id or mi_res_id, when given, must name the same one.
func (h *handler) msiToken(w http.ResponseWriter, r *http.Request) error {
	noStore(w)
	q := r.URL.Query()
	if v := q.Get("api-version"); v != msiAPIVersion {
		return scopevault.Errorf(scopevault.EINVALID, "", "api-version must be %s.", msiAPIVersion)
	}
	tok, err := h.svc.ManagedIdentityToken(r.Context(), r.Header.Get("X-IDENTITY-HEADER"), q.Get("resource"), q.Get("client_id"), q.Get("object_id"))
	if err != nil {
		return err
	}
	if id := q.Get("mi_res_id"); id != "" && !strings.EqualFold(path.Base(id), tok.Principal.DisplayName) {
		return scopevault.Errorf(scopevault.ENOTFOUND, "", "No managed identity with the requested mi_res_id is assigned to this environment.")
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "entra: managed identity token issued",
		slog.String("tenant", tok.Principal.TenantID), slog.String("oid", tok.Principal.ObjectID), slog.String("aud", tok.Audience))
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok.AccessToken,
		"expires_on":   epoch(tok.Expires),
		"resource":     tok.Resource,
		"token_type":   "Bearer",
		"client_id":    tok.ClientID,
	})
	return nil
}

// renderMSIError writes App Service's error shape. An unknown identity
// header is 401; any other bad request is 400.
func (h *handler) renderMSIError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadRequest
	msg := scopevault.ErrorMessageOf(err)
	switch scopevault.ErrorCodeOf(err) {
	case scopevault.EUNAUTHORIZED:
		status = http.StatusUnauthorized
	case scopevault.EINTERNAL:
		status = http.StatusInternalServerError
	}
	corr := correlationID(r)
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "entra: managed identity request failed",
		slog.Int("status", status), slog.String("reason", scopevault.ErrorReasonOf(err)), slog.String("correlation_id", corr),
		slog.String("request_id", scopevault.RequestIDFrom(r.Context())))
	if status == http.StatusInternalServerError {
		h.log.LogAttrs(r.Context(), slog.LevelError, "entra: internal error", slog.String("correlation_id", corr), slog.Any("err", err))
	}
	writeJSON(w, status, map[string]any{"statusCode": status, "message": msg, "correlationId": corr})
}
