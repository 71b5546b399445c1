package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/secrets"
)

// POST /subscriptions/{sub}/providers/Microsoft.KeyVault/checkNameAvailability
// (reference §1.3): vault names are global, so the answer is the same in
// every subscription; a soft-deleted vault still holds its name.

type checkNameIn struct {
	Name *string `json:"name"`
	Type *string `json:"type"`
}

type checkNameJSON struct {
	NameAvailable bool   `json:"nameAvailable"`
	Reason        string `json:"reason,omitempty"`
	Message       string `json:"message,omitempty"`
}

func (h *Handler) checkVaultName(w http.ResponseWriter, req *request) error {
	var in checkNameIn
	if err := decode(req.r, &in); err != nil {
		return err
	}
	if in.Name == nil {
		return badVault("The parameter 'name' is required.")
	}
	// The type is a constant of the schema; clients always send it.
	if in.Type != nil && !strings.EqualFold(*in.Type, vaultType) {
		return badVault("The resource type '%s' is not valid. The only valid type is '%s'.", clip(*in.Type), vaultType)
	}
	out := checkNameJSON{NameAvailable: true}
	err := h.cfg.Engine.CheckName(req.ctx(), *in.Name)
	switch scopevault.ErrorReasonOf(err) {
	case "":
		if err != nil {
			return err
		}
	case secrets.ReasonVaultNameNotValid:
		out = checkNameJSON{Reason: "AccountNameInvalid", Message: scopevault.ErrorMessageOf(err)}
	case secrets.ReasonVaultAlreadyExists:
		out = checkNameJSON{Reason: "AlreadyExists", Message: scopevault.ErrorMessageOf(err)}
	default:
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
