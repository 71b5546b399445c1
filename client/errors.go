package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ResponseError is a failed call: the service's status and error code and message.
type ResponseError struct {
	StatusCode int
	// Code is error.code (ARM, Graph, Key Vault) or the OAuth error (token endpoint).
	Code string
	// InnerCode is Key Vault's innererror.code ("ForbiddenByRbac", "SecretNotFound", ...).
	InnerCode string
	Message   string
	// RequestID is the service's request id, when it sent one.
	RequestID string
}

func (e *ResponseError) Error() string {
	code := e.Code
	if code == "" {
		code = http.StatusText(e.StatusCode)
	}
	msg := e.Message
	if e.InnerCode != "" {
		msg += "\nInner error: " + e.InnerCode
	}
	return fmt.Sprintf("(%s) %s", code, msg)
}

// IsNotFound reports whether err is a 404 from the service.
func IsNotFound(err error) bool {
	var re *ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// StatusCode returns the HTTP status of a *ResponseError, or 0.
func StatusCode(err error) int {
	var re *ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// responseError decodes ARM/Graph/Key Vault error bodies
// ({"error":{"code","message","innererror"}}), OAuth token errors
// ({"error","error_description"}) and managed identity endpoint errors
// ({"statusCode","message"}).
func responseError(res *http.Response, body []byte) error {
	re := &ResponseError{StatusCode: res.StatusCode, RequestID: firstHeader(res.Header, "x-ms-request-id", "request-id")}
	var cloud struct {
		Error   json.RawMessage `json:"error"`
		Desc    string          `json:"error_description"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &cloud) == nil && len(cloud.Error) > 0 {
		var inner struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				Code string `json:"code"`
			} `json:"innererror"`
		}
		var s string
		switch {
		case json.Unmarshal(cloud.Error, &s) == nil:
			re.Code = s
			// The first line of an AADSTS description; the rest is trace ids.
			re.Message, _, _ = strings.Cut(cloud.Desc, "\r\n")
		case json.Unmarshal(cloud.Error, &inner) == nil:
			re.Code, re.Message, re.InnerCode = inner.Code, inner.Message, inner.InnerError.Code
		}
	} else if cloud.Message != "" {
		re.Message = cloud.Message
	}
	if re.Message == "" {
		re.Message = fmt.Sprintf("the service answered %d %s", res.StatusCode, http.StatusText(res.StatusCode))
	}
	return re
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}
