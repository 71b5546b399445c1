package arm

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
)

// maxBody bounds request bodies; the largest legal one (a vault with 1024
// access policies) stays well below it.
const maxBody = 1 << 20

// decode reads a JSON body into v. Its errors describe the client's input
// (which property has the wrong type), never our internals.
func decode(r *http.Request, v any) error {
	body, err := httpx.ReadBody(r, maxBody)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return scopevault.Errorf(scopevault.EINVALID, "RequestContentTooLarge", "The request content is larger than %d bytes.", maxBody)
	}
	if err != nil {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidRequestContent", "The request content could not be read.")
	}
	if strings.TrimSpace(string(body)) == "" {
		return scopevault.Errorf(scopevault.EINVALID, "InvalidRequestContent", "The request content is empty.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return scopevault.Errorf(scopevault.EINVALID, "InvalidRequestContent",
				"The request content was invalid and could not be deserialized: the property '%s' has the wrong type.", clip(te.Field))
		}
		return scopevault.Errorf(scopevault.EINVALID, "InvalidRequestContent", "The request content was invalid and could not be deserialized.")
	}
	return nil
}

var apiVersionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(-(preview|beta|alpha|privatepreview))?$`)

// apiVersion returns the request's api-version, which ARM requires on every call.
func apiVersion(r *http.Request) (string, error) {
	v := r.URL.Query().Get("api-version")
	if v == "" {
		return "", scopevault.Errorf(scopevault.EINVALID, "MissingApiVersionParameter",
			"The api-version query parameter (?api-version=) is required for all requests.")
	}
	if !apiVersionRE.MatchString(v) {
		return "", scopevault.Errorf(scopevault.EINVALID, "InvalidApiVersionParameter",
			"The api-version '%s' is invalid. The supported versions are dates such as '2024-11-01'.", clip(v))
	}
	return v, nil
}

// listJSON is ARM's page of a collection; nextLink is omitted on the last page.
type listJSON[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"nextLink,omitempty"`
}
