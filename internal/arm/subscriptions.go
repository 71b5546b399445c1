package arm

import (
	"net/http"
	"strings"

	"github.com/scopevault/scopevault"
)

type subscriptionJSON struct {
	ID                   string                 `json:"id"`
	AuthorizationSource  string                 `json:"authorizationSource"`
	ManagedByTenants     []struct{}             `json:"managedByTenants"`
	SubscriptionID       string                 `json:"subscriptionId"`
	TenantID             string                 `json:"tenantId"`
	DisplayName          string                 `json:"displayName"`
	State                string                 `json:"state"`
	SubscriptionPolicies subscriptionPolicyJSON `json:"subscriptionPolicies"`
}

type subscriptionPolicyJSON struct {
	LocationPlacementID string `json:"locationPlacementId"`
	QuotaID             string `json:"quotaId"`
	SpendingLimit       string `json:"spendingLimit"`
}

type subscriptionListJSON struct {
	Value []subscriptionJSON `json:"value"`
	Count struct {
		Type  string `json:"type"`
		Value int    `json:"value"`
	} `json:"count"`
}

func renderSubscription(s *scopevault.Subscription) subscriptionJSON {
	return subscriptionJSON{
		ID: subScope(s.ID), AuthorizationSource: "RoleBased", ManagedByTenants: []struct{}{},
		SubscriptionID: s.ID, TenantID: s.TenantID, DisplayName: s.DisplayName, State: s.State,
		SubscriptionPolicies: subscriptionPolicyJSON{LocationPlacementID: "Public_2014-09-01", QuotaID: "PayAsYouGo_2014-09-01", SpendingLimit: "Off"},
	}
}

// listSubscriptions returns the subscriptions of the caller's tenant in
// which it holds some role, as ARM does.
func (h *Handler) listSubscriptions(w http.ResponseWriter, req *request) error {
	all, err := h.cfg.RM.ListSubscriptions(req.ctx())
	if err != nil {
		return err
	}
	out := subscriptionListJSON{Value: []subscriptionJSON{}}
	for _, s := range all {
		if !strings.EqualFold(s.TenantID, req.caller.TenantID) {
			continue
		}
		ok, err := h.holdsRoleIn(req, subScope(s.ID))
		if err != nil {
			return err
		}
		if ok {
			out.Value = append(out.Value, renderSubscription(s))
		}
	}
	out.Count.Type, out.Count.Value = "Total", len(out.Value)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) getSubscription(w http.ResponseWriter, req *request) error {
	writeJSON(w, http.StatusOK, renderSubscription(req.sub))
	return nil
}

// visible keeps the items the caller may read: all of them when the
// operation's action is allowed at scope, else those allowed at their own
// ids. With none readable and no allow at scope it is AuthorizationFailed.
func visible[T any](h *Handler, req *request, scope string, items []T, id func(T) string) ([]T, error) {
	ok, err := h.allowed(req, scope)
	if err != nil || ok {
		return items, err
	}
	var out []T
	for _, it := range items {
		ok, err := h.allowed(req, id(it))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return nil, denied(req.caller, req.spec.Action, scope)
	}
	return out, nil
}
