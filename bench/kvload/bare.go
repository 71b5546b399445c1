package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// bareBody is about the size of a secret bundle.
var bareBody = []byte(`{"value":"kvload benchmark value","id":"https://127.1.0.1:8443/secrets/kvload-bench/0123456789abcdef0123456789abcdef",` +
	`"attributes":{"enabled":true,"created":1764374400,"updated":1764374400,"recoverableDays":90,"recoveryLevel":"Recoverable+Purgeable"}}` + "\n")

// startBare starts a bare Go TLS server in this process with a certificate
// of scopevault's kind (ECDSA P-256), answering every request with a fixed
// bundle-sized body and nothing else. It returns its URL, a client TLS
// config that trusts it, the certificate (DER) and a stop function.
func startBare() (string, *tls.Config, []byte, func(), error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kvload bare baseline"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return "", nil, nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, nil, err
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(bareBody)
		}),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.ServeTLS(l, "", "")
	return "https://" + l.Addr().String() + "/", &tls.Config{RootCAs: pool}, der, func() { srv.Close() }, nil
}

// bareServerCommand is "kvload bare-server": the baseline in a process of
// its own, as scopevault is. It prints its pid, URL and certificate (one
// per line, the certificate as hex DER) and serves until its stdin closes,
// which happens when the kvload that started it exits.
func bareServerCommand() error {
	u, _, der, stop, err := startBare()
	if err != nil {
		return err
	}
	defer stop()
	fmt.Printf("%d\n%s\n%s\n", os.Getpid(), u, hex.EncodeToString(der))
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// bareProcess starts "kvload bare-server" as a child and returns its URL, a
// TLS config that trusts it, its pid, and a stop function.
func bareProcess() (string, *tls.Config, string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, "", nil, err
	}
	cmd := exec.Command(self, "bare-server")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, "", nil, err
	}
	stop := func() { stdin.Close(); cmd.Wait() }
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < 3 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) < 3 {
		stop()
		return "", nil, "", nil, fmt.Errorf("the bare baseline process did not start")
	}
	der, err := hex.DecodeString(lines[2])
	if err != nil {
		stop()
		return "", nil, "", nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		stop()
		return "", nil, "", nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return lines[1], &tls.Config{RootCAs: pool}, lines[0], stop, nil
}
