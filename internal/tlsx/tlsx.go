// Package tlsx is scopevault's local certificate authority: a CA created on
// first start (its key sealed in the store) and leaf certificates minted on
// demand for whatever name or address a client connects to, so every vault
// host and loopback address verifies against one CA file (SSL_CERT_FILE,
// NODE_EXTRA_CA_CERTS).
//
// It imports internal/store only; it knows nothing of HTTP routing.
package tlsx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/scopevault/scopevault/internal/store"
)

const caPath = "core/ca"

type caRecord struct {
	CertDER []byte `json:"cert"`
	KeyDER  []byte `json:"key"`
}

// CA mints server certificates.
type CA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	leafKey *ecdsa.PrivateKey
	mu      sync.Mutex
	leaves  map[string]*tls.Certificate
	// Now is the clock used for validity periods.
	Now func() time.Time
}

// LoadOrCreate loads the CA from tx (a sealing transaction), creating it on first use.
func LoadOrCreate(ctx context.Context, tx store.Tx) (*CA, error) {
	var rec caRecord
	raw, err := tx.Get(ctx, caPath)
	switch {
	case errors.Is(err, store.ErrNotFound):
		rec, err = newCA()
		if err != nil {
			return nil, err
		}
		b, _ := json.Marshal(rec)
		if err := tx.Put(ctx, caPath, b); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("tlsx: CA record: %w", err)
		}
	}
	cert, err := x509.ParseCertificate(rec.CertDER)
	if err != nil {
		return nil, fmt.Errorf("tlsx: CA certificate: %w", err)
	}
	key, err := x509.ParseECPrivateKey(rec.KeyDER)
	if err != nil {
		return nil, fmt.Errorf("tlsx: CA key: %w", err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &CA{cert: cert, key: key, leafKey: leafKey, leaves: map[string]*tls.Certificate{}, Now: time.Now}, nil
}

func newCA() (caRecord, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return caRecord{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "scopevault local CA", Organization: []string{"scopevault"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return caRecord{}, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return caRecord{}, err
	}
	return caRecord{CertDER: der, KeyDER: kder}, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n
}

// PEM is the CA certificate, for clients to trust.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw})
}

// Pool is a cert pool holding the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// TLSConfig returns a server config that mints a leaf for the SNI name or,
// when a client sends none (IP-address URLs), for the local address dialed.
func (ca *CA) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
			if name == "" && hello.Conn != nil {
				if a, ok := hello.Conn.LocalAddr().(*net.TCPAddr); ok {
					name = a.IP.String()
				}
			}
			if !servable(name) {
				name = "localhost"
			}
			return ca.Leaf(name)
		},
	}
}

// Leaf returns (minting once) a certificate for name, which is a DNS name or an IP address.
func (ca *CA) Leaf(name string) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c, ok := ca.leaves[name]; ok {
		return c, nil
	}
	now := ca.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name, Organization: []string{"scopevault"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
	} else if name != "localhost" {
		// Node refuses two-label wildcards such as *.localhost, so every
		// host gets its own explicit name.
		tmpl.DNSNames = append(tmpl.DNSNames, name)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &ca.leafKey.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: ca.leafKey}
	ca.leaves[name] = c
	return c, nil
}

// Served names: a client cannot make the CA mint for arbitrary names (the
// leaf cache would grow without bound).
var servedSuffixes = []string{".vault.azure.net", ".vault.localhost", ".localhost"}

var servedNames = map[string]bool{
	"localhost": true, "login.microsoftonline.com": true, "login.windows.net": true,
	"management.azure.com": true, "management.core.windows.net": true, "graph.microsoft.com": true,
}

func servable(name string) bool {
	if servedNames[name] || workspaceHost(name) {
		return true
	}
	if ip := net.ParseIP(name); ip != nil {
		return ip.IsLoopback()
	}
	for _, s := range servedSuffixes {
		if strings.HasSuffix(name, s) && !strings.Contains(strings.TrimSuffix(name, s), ".") {
			return true
		}
	}
	return false
}

// workspaceHost reports whether name is a Databricks workspace host,
// adb-<digits>.<digits>.azuredatabricks.net (two labels before the suffix,
// both bounded, so a client still cannot mint for arbitrary names).
func workspaceHost(name string) bool {
	rest, ok := strings.CutSuffix(name, ".azuredatabricks.net")
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(rest, "adb-")
	if !ok {
		return false
	}
	id, n, ok := strings.Cut(rest, ".")
	return ok && digits(id, 20) && digits(n, 3)
}

func digits(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
