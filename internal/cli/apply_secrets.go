package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault/client"
)

// apply's secrets: how it reaches a vault's data plane, and the secret steps.

// vaultRoute is how apply reaches one vault's data plane: from this
// machine (the internet, to the vault), or, when the vault's network
// refuses that, from a subnet the file admits to it, exactly as a program
// placed there with `scopevault run --subnet` reaches it: through the
// listener that stands for that place, so the vault's gate sees the
// connection arrive from inside the subnet.
type vaultRoute struct {
	kv  *client.Secrets
	via string // "" for this machine, else "from subnet VNET/SUBNET"
}

// forbiddenByNetwork says a data-plane call was refused by the vault's
// network gate (not by its authorization).
func forbiddenByNetwork(err error) bool {
	var re *client.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden &&
		(re.InnerCode == "ForbiddenByConnection" || re.InnerCode == "ForbiddenByFirewall")
}

// candidateSubnets are the subnets the file admits to a vault: the
// subnets of its private endpoints, then its virtual network rules.
func (a *applier) candidateSubnets(vault string) []string {
	var out []string
	for _, r := range a.f.Resources {
		if pe, ok := r.Spec.(*peSpec); ok && strings.EqualFold(pe.Vault, vault) {
			out = append(out, pe.Subnet)
		}
	}
	if r := a.declared("Vault", vault); r != nil && r.Spec.(*vaultSpec).NetworkAcls != nil {
		out = append(out, r.Spec.(*vaultSpec).NetworkAcls.VirtualNetworkRules...)
	}
	return out
}

// readSecret reads a secret (nil when there is none) through the vault's
// route, finding the route on first use.
func (a *applier) readSecret(ctx context.Context, vault, name string) (*client.Secret, *vaultRoute, error) {
	try := func(rt *vaultRoute) (*client.Secret, error) {
		sec, err := rt.kv.GetSecret(ctx, name, "")
		if applyNotFound(err) {
			return nil, nil
		}
		return &sec, err
	}
	if rt := a.routes[strings.ToLower(vault)]; rt != nil {
		sec, err := try(rt)
		return sec, rt, err
	}
	kv, err := a.s.secretsByHostName(vault)
	if err != nil {
		return nil, nil, err
	}
	rt := &vaultRoute{kv: kv}
	sec, err := try(rt)
	if !forbiddenByNetwork(err) {
		a.routes[strings.ToLower(vault)] = rt
		return sec, rt, err
	}
	refused := err
	for _, sn := range a.candidateSubnets(vault) {
		kv, err := a.placedSecrets(ctx, vault, sn)
		if err != nil {
			continue
		}
		prt := &vaultRoute{kv: kv, via: "from subnet " + sn}
		sec, err := try(prt)
		if forbiddenByNetwork(err) {
			continue
		}
		a.routes[strings.ToLower(vault)] = prt
		return sec, prt, err
	}
	return nil, nil, fmt.Errorf("the vault's network refuses this machine and every subnet the file admits to it: %w", refused)
}

// placedSecrets is a data-plane client for a vault as a program placed in
// the subnet reaches it.
func (a *applier) placedSecrets(ctx context.Context, vault, subnet string) (*client.Secrets, error) {
	p, err := a.s.arm.Place(ctx, a.subnetID(subnet))
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(p.Vaults, func(v client.PlacedVault) bool { return strings.EqualFold(v.Vault, vault) })
	if i < 0 || net.ParseIP(p.Vaults[i].Address) == nil {
		return nil, fmt.Errorf("subnet %s reaches no vault %s", subnet, vault)
	}
	tr, ok := a.s.hc.Transport.(*http.Transport)
	if !ok {
		return nil, errors.New("cannot place the connection")
	}
	tr = tr.Clone()
	target := net.JoinHostPort(p.Vaults[i].Address, strconv.Itoa(p.Port))
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, target)
	}
	u := "https://" + strings.ToLower(vault) + vaultSuffix
	if p.Port != 443 && p.Port != 0 {
		u += ":" + strconv.Itoa(p.Port)
	}
	return client.NewSecrets(u, a.s.cred, &http.Client{Transport: tr, Timeout: a.s.hc.Timeout})
}

// secretStep writes a secret when it is missing or its value or content
// type differ. The value is compared, never printed.
func (a *applier) secretStep(s *secretSpec) stepFn {
	label := "Secret " + s.Vault + "/" + s.Name
	return func(ctx context.Context) (*step, error) {
		var ct *string
		if s.ContentType != "" {
			ct = &s.ContentType
		}
		if a.willCreate("Vault", s.Vault) {
			return planCreate(label, nil), nil
		}
		cur, rt, err := a.readSecret(ctx, s.Vault, s.Name)
		if err != nil {
			return nil, err
		}
		set := func(ctx context.Context) error {
			_, err := rt.kv.SetSecret(ctx, s.Name, client.SetSecretParams{Value: s.value, ContentType: ct})
			return err
		}
		var st *step
		switch {
		case cur == nil:
			st = planCreate(label, set)
		case cur.Value == nil || *cur.Value != s.value:
			st = planUpdate(label, "value differs", set)
		case derefString(cur.ContentType) != s.ContentType:
			st = planUpdate(label, "contentType differs", set)
		default:
			return planUnchanged(label), nil
		}
		st.note = rt.via
		return st, nil
	}
}

func derefString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
