package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/scopevault/scopevault/client"
)

// How apply works through a loaded file. Each resource becomes one or
// more steps (a private DNS zone and each of its links, an endpoint and
// its zone group); a step first reads what is there and decides create,
// update or unchanged, then, unless --dry-run, makes the one write that
// brings it to what the file says. Steps run in the kinds' order, one at
// a time, so every step reads the result of the steps before it. Nothing
// is written for an unchanged step, which is why a second apply of the
// same file writes nothing. On a failure apply stops and says what was
// applied, what failed and what was not attempted.

// Step actions.
const (
	actCreate    = "create"
	actUpdate    = "update"
	actUnchanged = "unchanged"
)

// step is one decided change.
type step struct {
	action string
	label  string // "Vault kv-seed"
	detail string // what differs, for an update; never a secret value
	note   string // how a write is made, when it matters (the route to a vault)
	do     func(ctx context.Context) error
}

// stepFn decides a step when its turn comes.
type stepFn func(ctx context.Context) (*step, error)

// pending is a resource with its steps.
type pending struct {
	r   *resource
	fns []stepFn
}

// applier applies one file for one signed-in session.
type applier struct {
	s      *session
	sub    string
	f      *applyFile
	dryRun bool
	out    io.Writer

	me       string // the signed-in principal's object id
	meType   string // and its principal type
	dbx      map[string]*client.Databricks
	routes   map[string]*vaultRoute
	creating map[string]bool // "Kind name" of resources a dry run would create
}

// result counts the steps of a run.
type result struct {
	created, updated, unchanged int
	done                        []string // labels written
}

// run works through the file. It returns an error naming the failed step
// after printing what was and was not applied.
func (a *applier) run(ctx context.Context) error {
	var res result
	var all []pending
	for _, r := range a.f.Resources {
		all = append(all, pending{r, a.stepsOf(r)})
	}
	for i, p := range all {
		for j, fn := range p.fns {
			st, err := fn(ctx)
			if err == nil && st.action != actUnchanged && !a.dryRun {
				err = st.do(ctx)
			}
			if err != nil {
				label := p.r.Kind + " " + p.r.Spec.id()
				if st != nil {
					label = st.label
				}
				a.report(res, label, p.r.Line, all[i+1:], len(p.fns)-j-1, p.r)
				return &exitError{code: 1, msg: fmt.Sprintf("ERROR: %s (%s:%d): %v", label, a.f.Name, p.r.Line, err)}
			}
			a.print(st)
			switch st.action {
			case actCreate:
				res.created++
				if a.dryRun {
					a.creating[p.r.Kind+" "+strings.ToLower(p.r.Spec.id())] = true
				}
			case actUpdate:
				res.updated++
			default:
				res.unchanged++
			}
			if st.action != actUnchanged {
				res.done = append(res.done, st.action+" "+st.label)
			}
		}
	}
	if a.dryRun {
		fmt.Fprintf(a.out, "Plan: %d to create, %d to update, %d unchanged. Nothing was changed (--dry-run).\n", res.created, res.updated, res.unchanged)
	} else {
		fmt.Fprintf(a.out, "Apply complete: %d created, %d updated, %d unchanged.\n", res.created, res.updated, res.unchanged)
	}
	return nil
}

func (a *applier) print(st *step) {
	line := fmt.Sprintf("%-9s  %s", st.action, st.label)
	if st.detail != "" {
		line += " (" + st.detail + ")"
	}
	if st.note != "" && st.action != actUnchanged {
		line += " [" + st.note + "]"
	}
	fmt.Fprintln(a.out, line)
}

// report says, after a failure, what was applied and what was not.
func (a *applier) report(res result, failed string, line int, rest []pending, restSteps int, cur *resource) {
	w := a.out
	if a.dryRun {
		fmt.Fprintf(w, "failed     %s: the plan stops here; nothing was changed (--dry-run).\n", failed)
		return
	}
	fmt.Fprintf(w, "failed     %s (line %d)\n", failed, line)
	if len(res.done) == 0 {
		fmt.Fprintln(w, "Applied before the failure: nothing.")
	} else {
		fmt.Fprintf(w, "Applied before the failure (%d):\n", len(res.done))
		for _, d := range res.done {
			fmt.Fprintln(w, "  "+d)
		}
	}
	var not []string
	if restSteps > 0 {
		not = append(not, fmt.Sprintf("the rest of %s %s (line %d)", cur.Kind, cur.Spec.id(), cur.Line))
	}
	for _, p := range rest {
		not = append(not, fmt.Sprintf("%s %s (line %d)", p.r.Kind, p.r.Spec.id(), p.r.Line))
	}
	if len(not) == 0 {
		fmt.Fprintln(w, "Not attempted: nothing.")
		return
	}
	fmt.Fprintf(w, "Not attempted (%d):\n", len(not))
	for _, n := range not {
		fmt.Fprintln(w, "  "+n)
	}
}

// willCreate says a dry run has planned to create the resource: steps
// that need it read nothing and plan a create themselves.
func (a *applier) willCreate(kind, name string) bool {
	return a.dryRun && a.creating[kind+" "+strings.ToLower(name)]
}

// stepsOf turns a resource into its steps.
func (a *applier) stepsOf(r *resource) []stepFn {
	switch s := r.Spec.(type) {
	case *groupSpec:
		return []stepFn{a.groupStep(s)}
	case *userSpec:
		return []stepFn{a.userStep(s)}
	case *spSpec:
		return []stepFn{a.spStep(s)}
	case *adGroupSpec:
		return []stepFn{a.adGroupStep(s)}
	case *vnetSpec:
		return []stepFn{a.vnetStep(s)}
	case *zoneSpec:
		fns := []stepFn{a.zoneStep(s)}
		for _, l := range s.Links {
			fns = append(fns, a.linkStep(s, l))
		}
		return fns
	case *workspaceSpec:
		return []stepFn{a.workspaceStep(s)}
	case *vaultSpec:
		return []stepFn{a.vaultStep(s)}
	case *peSpec:
		fns := []stepFn{a.peStep(s)}
		if s.Approve {
			fns = append(fns, a.approveStep(s))
		}
		if s.DNSZoneGroup != nil {
			fns = append(fns, a.zoneGroupStep(s))
		}
		return fns
	case *roleSpec:
		return []stepFn{a.roleStep(s)}
	case *secretSpec:
		return []stepFn{a.secretStep(s)}
	case *scopeSpec:
		return []stepFn{a.scopeStep(s)}
	case *aclSpec:
		return []stepFn{a.aclStep(s)}
	}
	return []stepFn{func(context.Context) (*step, error) { return nil, fmt.Errorf("kind %s is not applied", r.Kind) }}
}

// Resource ids of declared resources.

func (a *applier) groupID(g string) string {
	return "/subscriptions/" + a.sub + "/resourceGroups/" + a.f.groupOf(g)
}

func (a *applier) declared(kind, name string) *resource { return a.f.find(kind, name) }

func (a *applier) vaultID(name string) string {
	if r := a.declared("Vault", name); r != nil {
		return a.groupID(r.Spec.(*vaultSpec).Group) + "/providers/Microsoft.KeyVault/vaults/" + r.Spec.(*vaultSpec).Name
	}
	return ""
}

func (a *applier) vnetID(name string) string {
	if r := a.declared("VirtualNetwork", name); r != nil {
		return a.groupID(r.Spec.(*vnetSpec).Group) + "/providers/Microsoft.Network/virtualNetworks/" + r.Spec.(*vnetSpec).Name
	}
	return ""
}

func (a *applier) subnetID(ref string) string {
	vnet, subnet, _ := strings.Cut(ref, "/")
	return a.vnetID(vnet) + "/subnets/" + subnet
}

func (a *applier) zoneID(name string) string {
	if r := a.declared("PrivateDnsZone", name); r != nil {
		return a.groupID(r.Spec.(*zoneSpec).Group) + "/providers/Microsoft.Network/privateDnsZones/" + r.Spec.(*zoneSpec).Name
	}
	return ""
}

func (a *applier) workspaceID(name string) string {
	if r := a.declared("Workspace", name); r != nil {
		return a.groupID(r.Spec.(*workspaceSpec).Group) + "/providers/Microsoft.Databricks/workspaces/" + r.Spec.(*workspaceSpec).Name
	}
	return ""
}

func (a *applier) peID(s *peSpec) string {
	return a.groupID(s.Group) + "/providers/Microsoft.Network/privateEndpoints/" + s.Name
}

// notFound is a 404 from any service.
func applyNotFound(err error) bool {
	var de *client.DatabricksError
	if errors.As(err, &de) {
		return de.StatusCode == http.StatusNotFound || de.ErrorCode == "RESOURCE_DOES_NOT_EXIST"
	}
	return client.IsNotFound(err)
}

// created is the step that creates something.
func planCreate(label string, do func(ctx context.Context) error) *step {
	return &step{action: actCreate, label: label, do: do}
}

func planUnchanged(label string) *step { return &step{action: actUnchanged, label: label} }

func planUpdate(label, detail string, do func(ctx context.Context) error) *step {
	return &step{action: actUpdate, label: label, detail: detail, do: do}
}
