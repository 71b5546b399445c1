package audit

import (
	"maps"
	"slices"

	"github.com/scopevault/scopevault/internal/jsonx"
)

// appendRecord writes r as one JSON line exactly as encoding/json's Encoder
// with SetEscapeHTML(false) does (members in field order, omitempty
// honoured, map keys sorted, a trailing newline), without reflection: a
// record is written for every request. TestAppendRecordMatchesJSON and
// FuzzAppendRecord hold it to encoding/json's bytes.
func appendRecord(dst []byte, r *Record) []byte {
	o := jsonx.Begin(dst)
	o.Key("time")
	o.B = jsonx.AppendTime(o.B, r.Time)
	opt := func(key, v string) {
		if v != "" {
			o.String(key, v, false)
		}
	}
	opt("requestId", r.RequestID)
	o.String("service", r.Service, false)
	o.String("action", r.Action, false)
	opt("principal", r.Principal)
	opt("appId", r.AppID)
	opt("workspace", r.Workspace)
	opt("scope", r.Scope)
	opt("vault", r.Vault)
	opt("key", r.Key)
	if len(r.Params) > 0 {
		o.Key("params")
		p := jsonx.Begin(o.B)
		for _, k := range slices.Sorted(maps.Keys(r.Params)) {
			p.Name(k, false)
			p.B = jsonx.AppendString(p.B, r.Params[k], false)
		}
		o.B = p.End()
	}
	opt("sourceAddr", r.SourceAddr)
	o.Int("status", int64(r.Status))
	opt("decision", r.Decision)
	opt("rule", r.Rule)
	opt("errorCode", r.ErrorCode)
	return append(o.End(), '\n')
}
