package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/scopevault/scopevault/client"
)

// Placing a program in a subnet (scopevault run --subnet). scopevault
// serves each place of the simulated network on a loopback listener of its
// own (a private endpoint's, or a subnet's view of a vault's public
// endpoint; internal/server/network.go). The program is given a view of
// name resolution in which <vault>.vault.azure.net names the listener its
// subnet reaches: it runs in a mount namespace of its own where a private
// copy of /etc/hosts, with one line per vault, is bind-mounted over
// /etc/hosts. Go, Node and Python all read /etc/hosts, so unmodified SDKs
// reach the right listener and keep checking certificates and Key Vault
// challenges against the real vault names. As root the mount namespace
// is made directly; otherwise in a user namespace of its own where the
// kernel allows unprivileged ones. Where neither works, the program still
// runs placed, but reaches vaults by listener address: vault URLs in its
// environment are rewritten to them, and a note says so. Nothing outside
// the program's own namespace changes, and all traffic stays on loopback.

// inSubnetCommand is the hidden first step inside the new namespace: bind
// the hosts file over /etc/hosts, then become the program.
const inSubnetCommand = "__in-subnet"

// placeInSubnet asks the server for the placement and returns the command
// line, environment and process setup that run args placed in the subnet,
// and a cleanup to call when it has ended.
func placeInSubnet(cmd *cobra.Command, ref string, args, env []string) ([]string, []string, func(*exec.Cmd), func(), error) {
	fail := func(format string, a ...any) ([]string, []string, func(*exec.Cmd), func(), error) {
		return nil, nil, nil, nil, &exitError{code: 1, msg: "Error: --subnet: " + fmt.Sprintf(format, a...)}
	}
	ctx := cmd.Context()
	s, err := newSession()
	if err != nil {
		return fail("%v", err)
	}
	sub, err := s.subscriptionID(ctx, "")
	if err != nil {
		return fail("%v", err)
	}
	id, err := s.arm.SubnetID(ctx, sub, ref)
	if err != nil {
		return fail("%v", err)
	}
	p, err := s.arm.Place(ctx, id)
	if err != nil {
		return fail("%v", err)
	}
	file, cleanup, err := writeHostsView(placedHosts(p))
	if err != nil {
		return fail("%v", err)
	}
	self, err := os.Executable()
	if err != nil {
		cleanup()
		return fail("%v", err)
	}
	env = append(env, envPlacedSubnet+"="+p.Subnet)
	mode := namespaceMode()
	if mode == nil {
		fmt.Fprintln(cmd.ErrOrStderr(), "scopevault: no mount namespace can be made here (not root, and unprivileged user namespaces are off), so the program reaches vaults by listener address: vault URLs in its environment are rewritten (docs/placement.md)")
		return args, rewriteVaultURLs(env, p, false), nil, cleanup, nil
	}
	placed := append([]string{self, inSubnetCommand, file, "--"}, args...)
	return placed, rewriteVaultURLs(env, p, true), func(c *exec.Cmd) { c.SysProcAttr = mode }, cleanup, nil
}

// placedHosts are the hosts-file lines naming, per vault, the listener
// the subnet reaches.
func placedHosts(p client.Placement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# scopevault: placed in subnet %s\n", p.Subnet)
	for _, v := range p.Vaults {
		if net.ParseIP(v.Address) == nil || !strings.HasSuffix(v.Host, ".vault.azure.net") {
			continue
		}
		name := strings.TrimSuffix(v.Host, ".vault.azure.net")
		fmt.Fprintf(&b, "%s\t%s %s.privatelink.vaultcore.azure.net\t# %s\n", v.Address, v.Host, name, v.Via)
	}
	return b.String()
}

// writeHostsView writes the machine's /etc/hosts with lines after it into
// a temporary file (readable by the program, which may run as another
// user inside its namespace) and returns its path and its removal.
func writeHostsView(lines string) (string, func(), error) {
	base, err := os.ReadFile("/etc/hosts")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", nil, err
	}
	if len(base) > 0 && base[len(base)-1] != '\n' {
		base = append(base, '\n')
	}
	f, err := os.CreateTemp("", "scopevault-hosts-*")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	_, werr := f.Write(append(base, lines...))
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(f.Name(), 0o644)); err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}

// rewriteVaultURLs points vault URLs in the environment (a vault's own
// address, https://<address>:<port>, or its name) at the placement: the real host name
// where the hosts view is in place, else the listener's address.
func rewriteVaultURLs(env []string, p client.Placement, named bool) []string {
	port := ""
	if p.Port != 443 && p.Port != 0 {
		port = ":" + strconv.Itoa(p.Port)
	}
	out := make([]string, 0, len(env))
	for _, kv := range env {
		for _, v := range p.Vaults {
			if v.Public == "" {
				continue
			}
			to := v.Address
			if named {
				to = v.Host
			} else {
				// An env file of up --azure-names names the vault itself.
				kv = replaceHost(kv, "https://"+v.Host+port, "https://"+to+port)
			}
			kv = replaceHost(kv, "https://"+v.Public+port, "https://"+to+port)
		}
		out = append(out, kv)
	}
	return out
}

// namespaceMode is how to give the program a mount namespace of its own:
// directly as root, else inside a new user namespace mapping the caller's
// own ids; nil when the kernel allows neither.
func namespaceMode() *syscall.SysProcAttr {
	if os.Geteuid() == 0 {
		return &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	}
	if raw, err := os.ReadFile("/proc/sys/kernel/unprivileged_userns_clone"); err == nil && strings.TrimSpace(string(raw)) == "0" {
		return nil
	}
	if raw, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err == nil && strings.TrimSpace(string(raw)) == "0" {
		return nil
	}
	// The caller's ids map to root inside (as unshare -r does): a
	// non-root id would lose the capability to mount at the exec into the
	// hidden step. Files outside keep being accessed as the caller.
	uid, gid := os.Getuid(), os.Getgid()
	return &syscall.SysProcAttr{
		Cloneflags:                 syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}},
		GidMappings:                []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}},
		GidMappingsEnableSetgroups: false,
	}
}

// newInSubnetCommand is the hidden step that runs inside the program's own
// mount namespace: bind the placed hosts file over /etc/hosts (private to
// this namespace), then exec the program in place, keeping the pid that
// run forwards signals to.
func newInSubnetCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:                inSubnetCommand + " HOSTS -- CMD [ARGS...]",
		Hidden:             true,
		Args:               cobra.MinimumNArgs(2),
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			hosts := args[0]
			rest := args[1:]
			if len(rest) > 0 && rest[0] == "--" {
				rest = rest[1:]
			}
			if len(rest) == 0 {
				return &exitError{code: 2, msg: "Error: no program to run"}
			}
			// A namespace made by a user namespace starts with its mounts
			// as slaves of the parent's; make them private so the bind
			// mount cannot travel back.
			if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
				return &exitError{code: 126, msg: "Error: --subnet: make the mount namespace private: " + err.Error()}
			}
			if err := syscall.Mount(hosts, "/etc/hosts", "", syscall.MS_BIND, ""); err != nil {
				return &exitError{code: 126, msg: "Error: --subnet: bind the placed hosts file over /etc/hosts: " + err.Error()}
			}
			path, err := exec.LookPath(rest[0])
			if err != nil {
				code := 126
				if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
					code = 127
				}
				return &exitError{code: code, msg: "Error: " + err.Error()}
			}
			err = syscall.Exec(path, rest, os.Environ())
			return &exitError{code: 126, msg: "Error: " + err.Error()}
		},
	}
	return cmd
}

// replaceHost replaces from with to in s where from ends a URL's host part
// (followed by '/', '?', '#', a quote, a space or the end), so that
// https://127.1.0.1 does not match inside https://127.1.0.10.
func replaceHost(s, from, to string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, from)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(from)
		b.WriteString(s[:i])
		if end == len(s) || strings.ContainsRune("/?#'\" ,", rune(s[end])) {
			b.WriteString(to)
		} else {
			b.WriteString(from)
		}
		s = s[end:]
	}
}
