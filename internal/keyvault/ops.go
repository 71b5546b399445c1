package keyvault

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scopevault/scopevault"
	"github.com/scopevault/scopevault/internal/httpx"
	"github.com/scopevault/scopevault/internal/secrets"
)

// maxBody bounds request bodies: a secret is at most 25 600 characters, and a
// backup of many versions stays far below this.
const maxBody = 4 << 20

type attributesIn struct {
	Enabled   *bool  `json:"enabled"`
	NotBefore *int64 `json:"nbf"`
	Expires   *int64 `json:"exp"`
}

func (a *attributesIn) domain() scopevault.SecretAttributes {
	var out scopevault.SecretAttributes
	if a == nil {
		return out
	}
	out.Enabled = a.Enabled
	if a.NotBefore != nil {
		t := time.Unix(*a.NotBefore, 0).UTC()
		out.NotBefore = &t
	}
	if a.Expires != nil {
		t := time.Unix(*a.Expires, 0).UTC()
		out.Expires = &t
	}
	return out
}

type setIn struct {
	Value       *string           `json:"value"`
	ContentType *string           `json:"contentType"`
	Tags        map[string]string `json:"tags"`
	Attributes  *attributesIn     `json:"attributes"`
}

type updateIn struct {
	ContentType *string           `json:"contentType"`
	Tags        map[string]string `json:"tags"`
	Attributes  *attributesIn     `json:"attributes"`
}

type restoreIn struct {
	Value *string `json:"value"`
}

func decode(r *http.Request, v any) error {
	body, err := httpx.ReadBody(r, maxBody)
	if errors.Is(err, httpx.ErrBodyTooLarge) {
		return scopevault.Errorf(scopevault.EINVALID, "", "The request body is too large.")
	}
	if err != nil {
		return scopevault.Errorf(scopevault.EINVALID, "", "The request body could not be read.")
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return scopevault.Errorf(scopevault.EINVALID, "", "The request body is required.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return scopevault.Errorf(scopevault.EINVALID, "", "The request body is not valid JSON for this operation.")
	}
	return nil
}

func (h *Handler) operate(w http.ResponseWriter, req *request) error {
	ctx, e, v, rt := req.r.Context(), h.cfg.Engine, req.vault, req.route
	switch rt.op {
	case scopevault.OpSetSecret:
		var in setIn
		if err := decode(req.r, &in); err != nil {
			return err
		}
		if in.Value == nil {
			return scopevault.Errorf(scopevault.EINVALID, "", "The parameter 'value' is required.")
		}
		sv, err := e.Set(ctx, v, rt.name, secrets.SetParams{Value: *in.Value, ContentType: in.ContentType, Tags: in.Tags, Attributes: in.Attributes.domain()})
		if err != nil {
			return err
		}
		b := bundle(req.base, v, sv.Secret, sv.Version, true)
		b.Value = &sv.Value
		writeJSON(w, http.StatusOK, b)
	case scopevault.OpGetSecret:
		sv, err := e.Get(ctx, v, rt.name, rt.version)
		if err != nil {
			return err
		}
		b := bundle(req.base, v, sv.Secret, sv.Version, true)
		b.Value = &sv.Value
		writeBundle(w, &b)
	case scopevault.OpUpdateSecret:
		var in updateIn
		if err := decode(req.r, &in); err != nil {
			return err
		}
		s, ver, err := e.Update(ctx, v, rt.name, rt.version, secrets.UpdateParams{ContentType: in.ContentType, Tags: in.Tags, Attributes: in.Attributes.domain()})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, bundle(req.base, v, s, ver, true))
	case scopevault.OpDeleteSecret:
		s, err := e.Delete(ctx, v, rt.name)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, bundle(req.base, v, s, s.Current(), true))
	case scopevault.OpGetDeletedSecret:
		s, err := e.GetDeleted(ctx, v, rt.name)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, bundle(req.base, v, s, s.Current(), true))
	case scopevault.OpRecoverDeletedSecret:
		s, err := e.Recover(ctx, v, rt.name)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, bundle(req.base, v, s, s.Current(), true))
	case scopevault.OpPurgeDeletedSecret:
		if err := e.Purge(ctx, v, rt.name); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	case scopevault.OpBackupSecret:
		blob, err := e.Backup(ctx, v, rt.name)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]string{"value": base64.RawURLEncoding.EncodeToString(blob)})
	case scopevault.OpRestoreSecret:
		var in restoreIn
		if err := decode(req.r, &in); err != nil {
			return err
		}
		if in.Value == nil {
			return scopevault.Errorf(scopevault.EINVALID, "", "The parameter 'value' is required.")
		}
		blob, err := decodeBase64URL(*in.Value)
		if err != nil {
			return scopevault.Errorf(scopevault.EINVALID, "", "The backup blob is not valid base64url.")
		}
		s, err := e.Restore(ctx, v, blob)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, bundle(req.base, v, s, s.Current(), true))
	case scopevault.OpListSecrets, scopevault.OpListDeletedSecrets, scopevault.OpListSecretVersions:
		return h.list(w, req)
	default:
		return errors.New("keyvault: unrouted operation " + string(rt.op))
	}
	return nil
}

// decodeBase64URL accepts unpadded base64url (what the SDKs send) and, leniently, padded or standard alphabets.
func decodeBase64URL(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	s = strings.NewReplacer("+", "-", "/", "_").Replace(s)
	return base64.RawURLEncoding.DecodeString(s)
}

func (h *Handler) list(w http.ResponseWriter, req *request) error {
	ctx, e, v, rt := req.r.Context(), h.cfg.Engine, req.vault, req.route
	q := req.r.URL.Query()
	limit := scopevault.MaxPageSize
	if m := q.Get("maxresults"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > scopevault.MaxPageSize {
			return scopevault.Errorf(scopevault.EINVALID, "", "The value of the 'maxresults' parameter must be an integer between 1 and %d.", scopevault.MaxPageSize)
		}
		limit = n
	}
	after := ""
	if tok := q.Get("$skiptoken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return scopevault.Errorf(scopevault.EINVALID, "", "The $skiptoken parameter is invalid.")
		}
		after = string(raw)
	}
	out := listJSON{Value: []bundleJSON{}}
	var next, path string
	switch rt.op {
	case scopevault.OpListSecrets, scopevault.OpListDeletedSecrets:
		list, path := e.ListSecrets, "/secrets"
		if rt.op == scopevault.OpListDeletedSecrets {
			list, path = e.ListDeleted, "/deletedsecrets"
		}
		page, err := list(ctx, v, after, limit)
		if err != nil {
			return err
		}
		for _, s := range page.Items {
			out.Value = append(out.Value, bundle(req.base, v, s, s.Current(), false))
		}
		next = nextLink(req, path, page.Next, limit)
	case scopevault.OpListSecretVersions:
		s, page, err := e.ListVersions(ctx, v, rt.name, after, limit)
		if err != nil {
			return err
		}
		for i := range page.Items {
			out.Value = append(out.Value, bundle(req.base, v, s, &page.Items[i], true))
		}
		path = "/secrets/" + url.PathEscape(s.Name) + "/versions"
		next = nextLink(req, path, page.Next, limit)
	}
	if next != "" {
		out.NextLink = &next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// nextLink is absolute and carries api-version: the Go SDK follows it verbatim.
func nextLink(req *request, path, cursor string, limit int) string {
	if cursor == "" {
		return ""
	}
	return req.base + path + "?api-version=" + url.QueryEscape(req.apiVersion) +
		"&$skiptoken=" + base64.RawURLEncoding.EncodeToString([]byte(cursor)) +
		"&maxresults=" + strconv.Itoa(limit)
}
