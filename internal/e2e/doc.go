// Package e2e drives a real scopevault server, started on a free port over
// TLS with a real SQLite file, with the vendors' own unmodified clients: the
// Go Azure SDK (in-process and as a separate program that sees only the env
// file) and the JS SDKs under node. It has tests only.
package e2e
